import CeptoarKit
import Fluent
import Vapor

/// The relay's pages: inbox (live), an advisory with its acknowledgement, the rules prompt,
/// publishing, the review queue and the originator's timeline. Same services as the API.
struct RelayWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("inbox", use: self.inbox)
        routes.get("inbox", "events", use: self.events)
        routes.get("advisories", "new", use: self.publishForm)
        routes.post("advisories", use: self.publish)
        routes.get("advisories", ":id", use: self.advisory)
        routes.post("advisories", ":id", "acknowledge", use: self.acknowledge)
        routes.get("advisories", ":id", "timeline", use: self.timeline)
        routes.post("ceptoars", ":key", "rules", "accept", use: self.acceptRules)
        routes.get("hops", use: self.review)
        routes.post("hops", ":id", "forward", use: self.forward)
        routes.post("hops", ":id", "withhold", use: self.withhold)
    }

    private func signedIn(_ req: Request) -> User? { req.auth.get(User.self) }

    @Sendable func inbox(req: Request) async throws -> Response {
        guard let user = self.signedIn(req) else { return req.redirect(to: SiteURL.login) }
        let filters = InboxPage.Filters(
            query: req.query[String.self, at: "q"], severity: req.query[String.self, at: "severity"], tlp: req.query[String.self, at: "tlp"])
        let inbox = try await Inbox(database: req.db).cachedList(
            for: user, query: filters.query, severity: filters.severity, tlp: filters.tlp, page: try RequestedPage(page: req.queryItems["page"], per: nil, defaultPer: 50, maximumPer: Inbox.maximumPer),
            cache: req.application.readCaches.inboxPages)
        return WebController.html(InboxPage(inbox: inbox, filters: filters).render(req))
    }

    /// Server-Sent Events: `event: delivery` whenever an advisory reaches the user's organisation.
    @Sendable func events(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let organisation = user.$organisation.id
        let broadcaster = req.application.broadcaster
        let (id, stream) = await broadcaster.subscribe(organisation)
        let response = Response(status: .ok)
        response.headers.replaceOrAdd(name: .contentType, value: "text/event-stream; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        response.body = .init(asyncStream: { writer in
            // A heartbeat every 15 s keeps proxies from closing an idle stream and lets a write
            // fail soon after the page has gone. It travels through the subscriber's own stream,
            // so only this task ever writes to the response.
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(15))
                    await broadcaster.heartbeat(organisation, id)
                }
            }
            defer {
                heartbeat.cancel()
                Task { await broadcaster.unsubscribe(organisation, id) }
            }
            do {
                try await writer.write(.buffer(ByteBuffer(string: ": connected\n\n")))
                for await payload in stream {
                    // Alerts to points of contact come as `alert`, notices about the
                    // organisation's reports as `report`, advisories as `delivery`.
                    let event = payload.hasPrefix(#"{"alert""#) ? "alert" : payload.hasPrefix(#"{"report""#) ? "report" : "delivery"
                    let text = payload == Broadcaster.heartbeat ? ": ping\n\n" : "event: \(event)\ndata: \(payload)\n\n"
                    try await writer.write(.buffer(ByteBuffer(string: text)))
                }
                try await writer.write(.end)
            } catch {
                // The page went away: finish the response properly instead of dropping the writer.
                try? await writer.write(.error(error))
            }
        })
        return response
    }

    @Sendable func advisory(req: Request) async throws -> Response {
        let id = try AdvisoryAPIController.id(req)
        let user = self.signedIn(req)
        do {
            let dto = try await Inbox(database: req.db).open(id, by: user)
            let delivery = try await user.asyncMap { user in
                try await Delivery.query(on: req.db).filter(\.$advisory.$id == id).filter(\.$organisation.$id == user.$organisation.id).first()
            } ?? nil
            return WebController.html(AdvisoryPage(advisory: dto, delivery: delivery, notice: req.query[String.self, at: "notice"]).render(req))
        } catch let error as UserError where error.denial == .rulesNotAccepted {
            // Offer the rules of the CEPTOAR it came through, rather than a bare refusal.
            guard let user,
                let delivery = try await Delivery.query(on: req.db).filter(\.$advisory.$id == id).filter(\.$organisation.$id == user.$organisation.id).with(\.$hop).first(),
                let ceptoar = try await delivery.hop.$ceptoar.get(on: req.db),
                let rules = try await HandlingRulesBook(database: req.db).current(for: ceptoar.requireID())
            else { throw error }
            let response = WebController.html(RulesPromptPage(ceptoarKey: ceptoar.key, rules: rules).render(req))
            response.status = .forbidden
            return response
        }
    }

    struct CommentForm: Content { var comment: String? }

    @Sendable func acknowledge(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let id = try AdvisoryAPIController.id(req)
        let form = try req.content.decode(CommentForm.self)
        _ = try await Inbox(database: req.db).acknowledge(id, by: user, comment: form.comment)
        return req.redirect(to: "/advisories/\(id)")
    }

    @Sendable func timeline(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let id = try AdvisoryAPIController.id(req)
        let timeline = try await Inbox(database: req.db).timeline(id, for: user)
        let advisory = try await Advisory.require(id, on: req.db)
        // Seeing the relay's progress is not reading the item: the title shows only where the
        // access policy lets this user read it (NISC oversees a RED relay it was not named in).
        let title = try await Access(database: req.db).reading(advisory, by: user).decision.isAllowed ? advisory.title : nil
        return WebController.html(TimelinePage(timeline: timeline, title: title).render(req))
    }

    struct BackForm: Content { var back: String? }

    @Sendable func acceptRules(req: Request) async throws -> Response {
        let user = try req.requireUser()
        _ = try await RulesService(database: req.db).accept(for: req.parameters.get("key") ?? "", by: user)
        let back = ProtocolText.sameSitePath((try? req.content.decode(BackForm.self))?.back) ?? "/inbox"
        return req.redirect(to: back)
    }

    @Sendable func publishForm(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return WebController.html(try await self.publishPage(req, error: nil).render(req))
    }

    private func publishPage(_ req: Request, error: String?) async throws -> PublishPage {
        let map = try await req.maps.map(asOf: .today)
        var sectors: [(key: String, name: LocalizedText)] = []
        for column in map.columns where !sectors.contains(where: { $0.key == column.sectorKey }) {
            sectors.append((column.sectorKey, column.sector))
        }
        return PublishPage(sectors: sectors, ceptoars: map.columns.map { ($0.ceptoarKey, $0.name) }, error: error)
    }

    struct PublishForm: Content {
        var titleJa: String
        var titleEn: String?
        var bodyJa: String
        var bodyEn: String?
        var severity: String
        var category: String
        var tlp: String
        var sectors: [String]?
        var ceptoars: [String]?
        var organisations: String?
        var references: String?
    }

    @Sendable func publish(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(PublishForm.self)
        var targets = (form.sectors ?? []).map { AdvisoryInput.Target(kind: "sector", key: $0) }
        targets += (form.ceptoars ?? []).map { AdvisoryInput.Target(kind: "ceptoar", key: $0) }
        targets += (form.organisations ?? "").split(whereSeparator: \.isWhitespace).map { AdvisoryInput.Target(kind: "organisation", key: String($0)) }
        let input = AdvisoryInput(
            title: LocalizedText(ja: form.titleJa, en: form.titleEn), body: LocalizedText(ja: form.bodyJa, en: form.bodyEn), severity: form.severity,
            category: form.category, tlp: form.tlp, targets: targets,
            references: (form.references ?? "").split(whereSeparator: \.isWhitespace).map(String.init), expiresAt: nil, supersedes: nil)
        do {
            let advisory = try await Relay(database: req.db).publish(input, by: user)
            return req.redirect(to: "/advisories/\(advisory.id!)/timeline")
        } catch let error as UserError where error.status != .forbidden {
            let response = WebController.html(try await self.publishPage(req, error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }

    @Sendable func review(req: Request) async throws -> Response {
        guard let user = self.signedIn(req) else { return req.redirect(to: SiteURL.login) }
        let hops = try await RelayHop.query(on: req.db).filter(\.$organisation.$id == user.$organisation.id)
            .filter(\.$status == RelayHop.Status.held.rawValue).with(\.$advisory).sort(\.$receivedAt, .descending).all()
        return WebController.html(ReviewPage(hops: hops.map { HopDTO($0, advisory: $0.advisory) }).render(req))
    }

    struct ForwardForm: Content {
        var note: String?
        var tlp: String?
    }

    @Sendable func forward(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(ForwardForm.self)
        _ = try await Relay(database: req.db).forward(hopID: try AdvisoryAPIController.id(req), by: user, note: form.note, tlp: form.tlp)
        return req.redirect(to: "/hops")
    }

    struct WithholdForm: Content { var reason: String }

    @Sendable func withhold(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(WithholdForm.self)
        _ = try await Relay(database: req.db).withhold(hopID: try AdvisoryAPIController.id(req), by: user, reason: form.reason)
        return req.redirect(to: "/hops")
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
