import CeptoarKit
import Fluent
import Vapor

/// Advisories: publish, read, acknowledge, withdraw, the originator's timeline, the member's
/// inbox, and the review queue of relay hops. Every read goes through `AccessPolicy`.
struct AdvisoryAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.on(.POST, "advisories", body: .collect(maxSize: "512kb"), use: self.publish)
        v1.get("advisories", ":id", use: self.read)
        v1.post("advisories", ":id", "acknowledge", use: self.acknowledge)
        v1.post("advisories", ":id", "withdraw", use: self.withdraw)
        v1.get("advisories", ":id", "timeline", use: self.timeline)
        v1.get("inbox", use: self.inbox)
        v1.get("hops", use: self.hops)
        v1.post("hops", ":id", "forward", use: self.forward)
        v1.post("hops", ":id", "withhold", use: self.withhold)
        v1.get("ceptoars", ":key", "rules", use: self.rules)
        v1.post("ceptoars", ":key", "rules", use: self.publishRules)
        v1.post("ceptoars", ":key", "rules", "accept", use: self.acceptRules)
        v1.post("advisories", ":id", "provision-requests", use: self.requestProvision)
        v1.get("provision-requests", use: self.provisionRequests)
        v1.post("provision-requests", ":id", "decision", use: self.decideProvision)
        v1.put("relay-policy", use: self.setRelayPolicy)
    }

    @Sendable func requestProvision(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let request = try await Provision(database: req.db).request(try req.content.decode(Provision.RequestInput.self), advisory: try Self.id(req), by: user)
        return try await Provision.dto(request).encodeResponse(status: .created, for: req)
    }

    @Sendable func provisionRequests(req: Request) async throws -> [Provision.DTO] {
        try await Provision(database: req.db).list(for: try req.requireUser())
    }

    @Sendable func decideProvision(req: Request) async throws -> Provision.DTO {
        let user = try req.requireUser()
        return Provision.dto(try await Provision(database: req.db).decide(try Self.id(req), try req.content.decode(Provision.Decision.self), by: user))
    }

    struct RelayPolicyInput: Content {
        /// Advisories at or above this severity are forwarded at once by this organisation's hops.
        var autoForwardFrom: String
    }

    /// A ministry or secretariat sets how its hops treat arriving advisories.
    @Sendable func setRelayPolicy(req: Request) async throws -> RelayPolicyInput {
        let user = try req.requireUser()
        guard user.has(.ministryLiaison) || user.has(.ceptoarSecretariat) else {
            throw UserError.forbidden(ja: "転送方針を設定できるのは所管省庁と事務局です", en: "only ministry liaisons and secretariats set a relay policy")
        }
        let input = try req.content.decode(RelayPolicyInput.self)
        guard Severity(rawValue: input.autoForwardFrom) != nil else {
            throw UserError(status: .unprocessableEntity, ja: "不明な重要度です: \(input.autoForwardFrom)", en: "unknown severity '\(input.autoForwardFrom)'")
        }
        try await req.db.atomically { db in
            let setting = try await RelayPolicySetting.query(on: db).filter(\.$organisation.$id == user.$organisation.id).first() ?? {
                let created = RelayPolicySetting()
                created.$organisation.id = user.$organisation.id
                return created
            }()
            setting.autoForwardFrom = input.autoForwardFrom
            try await setting.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "relay_policy", subject: "organisation:\(user.$organisation.id)", detail: ["autoForwardFrom": input.autoForwardFrom])
        }
        return input
    }

    @Sendable func publish(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(AdvisoryInput.self)
        // A client that may retry (a lost response, a server restart) sends an Idempotency-Key;
        // the retry then returns the advisory already published instead of relaying it twice.
        let (advisory, replayed) = try await Relay(database: req.db).publish(
            input, by: user, idempotencyKey: req.headers.first(name: "Idempotency-Key"))
        let originator = try await advisory.$originator.get(on: req.db)
        let response = try await AdvisoryDTO(advisory, originator: originator.nameJa, notes: []).encodeResponse(
            status: replayed ? .ok : .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/advisories/\(advisory.id!)")
        if replayed { response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true") }
        return response
    }

    @Sendable func read(req: Request) async throws -> AdvisoryDTO {
        try await Inbox(database: req.db).open(try Self.id(req), by: req.auth.get(User.self))
    }

    struct Acknowledgement: Content {
        var comment: String?
    }

    struct Acknowledged: Content {
        var advisoryID: UUID
        var acknowledgedAt: Date?
        var comment: String?
    }

    @Sendable func acknowledge(req: Request) async throws -> Acknowledged {
        let user = try req.requireUser()
        let body = (try? req.content.decode(Acknowledgement.self)) ?? Acknowledgement()
        let id = try Self.id(req)
        let delivery = try await Inbox(database: req.db).acknowledge(id, by: user, comment: body.comment)
        return Acknowledged(advisoryID: id, acknowledgedAt: delivery.acknowledgedAt, comment: delivery.acknowledgementComment)
    }

    struct Reason: Content {
        var reason: String
    }

    @Sendable func withdraw(req: Request) async throws -> AdvisoryDTO {
        let user = try req.requireUser()
        let body = try req.content.decode(Reason.self)
        let advisory = try await Inbox(database: req.db).withdraw(try Self.id(req), by: user, reason: body.reason)
        return AdvisoryDTO(advisory, originator: try await advisory.$originator.get(on: req.db).nameJa, notes: [])
    }

    @Sendable func timeline(req: Request) async throws -> TimelineDTO {
        try await Inbox(database: req.db).timeline(try Self.id(req), for: try req.requireUser())
    }

    @Sendable func inbox(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let query = req.queryItems
        let key = InboxPageKey(
            user: try user.requireID(), query: query["q"], severity: query["severity"], tlp: query["tlp"],
            page: try RequestedPage(page: query["page"], per: query["per"], defaultPer: 50, maximumPer: Inbox.maximumPer))
        let body = try await req.application.readCaches.inboxJSON.value(for: key) {
            let inbox = try await Inbox(database: req.db).list(
                for: user, query: key.query, severity: key.severity, tlp: key.tlp, page: key.page)
            var buffer = ByteBuffer()
            var headers = HTTPHeaders()
            try ContentConfiguration.global.requireEncoder(for: .json).encode(inbox, to: &buffer, headers: &headers)
            return buffer
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: body))
    }

    @Sendable func hops(req: Request) async throws -> [HopDTO] {
        let user = try req.requireUser()
        let status = req.query[String.self, at: "status"] ?? RelayHop.Status.held.rawValue
        guard RelayHop.Status(rawValue: status) != nil else {
            throw UserError.badRequest(ja: "不明な状態です: \(status)", en: "unknown status '\(status)'; use held, forwarded or withheld")
        }
        let hops = try await RelayHop.query(on: req.db).filter(\.$organisation.$id == user.$organisation.id)
            .filter(\.$status == status).with(\.$advisory).sort(\.$receivedAt, .descending).all()
        return hops.map { HopDTO($0, advisory: $0.advisory) }
    }

    struct ForwardInput: Content {
        var note: String?
        var tlp: String?
    }

    @Sendable func forward(req: Request) async throws -> HopDTO {
        let user = try req.requireUser()
        let body = (try? req.content.decode(ForwardInput.self)) ?? ForwardInput()
        let hop = try await Relay(database: req.db).forward(hopID: try Self.id(req), by: user, note: body.note, tlp: body.tlp)
        return HopDTO(hop, advisory: try await hop.$advisory.get(on: req.db))
    }

    @Sendable func withhold(req: Request) async throws -> HopDTO {
        let user = try req.requireUser()
        let body = try req.content.decode(Reason.self)
        let hop = try await Relay(database: req.db).withhold(hopID: try Self.id(req), by: user, reason: body.reason)
        return HopDTO(hop, advisory: try await hop.$advisory.get(on: req.db))
    }

    @Sendable func rules(req: Request) async throws -> HandlingRulesDTO {
        let service = RulesService(database: req.db)
        let ceptoar = try await service.ceptoar(req.parameters.get("key") ?? "")
        guard let rules = try await HandlingRulesBook(database: req.db).current(for: ceptoar.requireID()) else {
            throw UserError.notFound(ja: "情報取扱いルールが登録されていません", en: "no handling rules yet")
        }
        return HandlingRulesDTO(rules)
    }

    @Sendable func publishRules(req: Request) async throws -> HandlingRulesDTO {
        let user = try req.requireUser()
        return HandlingRulesDTO(try await RulesService(database: req.db).publish(try req.content.decode(RulesService.NewVersion.self), for: req.parameters.get("key") ?? "", by: user))
    }

    @Sendable func acceptRules(req: Request) async throws -> HandlingRulesDTO {
        HandlingRulesDTO(try await RulesService(database: req.db).accept(for: req.parameters.get("key") ?? "", by: try req.requireUser()))
    }

    static func id(_ req: Request) throws -> UUID {
        guard let text = req.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw UserError.notFound(ja: "見つかりません", en: "not found")
        }
        return id
    }
}
