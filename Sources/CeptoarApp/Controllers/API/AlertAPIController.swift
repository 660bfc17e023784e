import CeptoarKit
import Fluent
import SQLKit
import Vapor

/// Alerts, drills and tests to points of contact: start, follow, acknowledge, record calls,
/// export (CSV, CAP 1.2); escalation policies per CEPTOAR.
struct AlertAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.post("alerts", use: self.start)
        v1.get("alerts", use: self.list)
        v1.get("alerts", ":id", use: self.show)
        v1.get("alerts", ":id", "report.csv", use: self.csv)
        v1.get("alerts", ":id", "cap", use: self.cap)
        v1.get("alerts", ":id", "messages", use: self.messages)
        v1.post("alerts", ":id", "ack", use: self.acknowledge)
        v1.post("messages", ":attempt", "call", use: self.recordCall)
        v1.post("ack", ":token", use: self.acknowledgeLink)
        v1.get("advisories", ":id", "cap", use: self.advisoryCAP)
        v1.get("ceptoars", ":key", "escalation-policy", use: self.policy)
        v1.put("ceptoars", ":key", "escalation-policy", use: self.replacePolicy)
    }

    struct Started: Content {
        var alert: AlertReport.Summary
        var targets: Int
        var messagesQueued: Int
    }

    @Sendable func start(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(Alerts.Input.self)
        let started = try await Alerts(database: req.db).start(
            input, by: user, idempotencyKey: req.headers.first(name: "Idempotency-Key"), routes: RouteTable(settings: req.application.ceptoar.notify))
        let queued = try await NotificationAttempt.query(on: req.db).filter(\.$alertID == started.alert.requireID()).count()
        let response = try await Started(alert: AlertReporting.summary(started.alert), targets: started.targets, messagesQueued: queued)
            .encodeResponse(status: started.replayed ? .ok : .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/alerts/\(started.alert.id!)")
        if started.replayed { response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true") }
        return response
    }

    struct Listed: Content {
        var alert: AlertReport.Summary
        /// For alerts the user's organisation received: when it acknowledged.
        var acknowledgedAt: Date?
        var received: Bool
    }

    @Sendable func list(req: Request) async throws -> [Listed] {
        let user = try req.requireUser()
        return try await AlertListing(database: req.db).list(for: user).map {
            Listed(alert: AlertReporting.summary($0.alert), acknowledgedAt: $0.acknowledgedAt, received: $0.received)
        }
    }

    static func id(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw UserError.badRequest(ja: "連絡の ID が正しくありません", en: "the alert id is not a UUID")
        }
        return id
    }

    @Sendable func show(req: Request) async throws -> AlertReport {
        let user = try req.requireUser()
        let alert = try await Alerts(database: req.db).requireReport(try Self.id(req), by: user)
        return try await AlertReporting(database: req.db).report(alert)
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let alert = try await Alerts(database: req.db).requireReport(try Self.id(req), by: user)
        let data = try await AlertReporting(database: req.db).csv(alert)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.add(name: .contentDisposition, value: "attachment; filename=\"alert-\(alert.id!.uuidString.lowercased()).csv\"")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    @Sendable func cap(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let alerts = Alerts(database: req.db)
        let id = try Self.id(req)
        // Its sender and NISC, and every organisation it was sent to.
        let alert: Alert
        if let received = try await AlertListing(database: req.db).received(id, by: user) { alert = received } else { alert = try await alerts.requireReport(id, by: user) }
        let sender = try await alert.$sender.get(on: req.db)
        return Self.xml(CAPExport.alert(alert, sender: sender, publicURL: req.application.ceptoar.notify.publicURL).xml())
    }

    @Sendable func advisoryCAP(req: Request) async throws -> Response {
        guard let advisory = try await Advisory.find(try Self.id(req), on: req.db) else {
            throw UserError.notFound(ja: "注意喚起が見つかりません", en: "no such advisory")
        }
        // The one access policy decides, as for reading the advisory itself.
        let marking = try await Access(database: req.db).requireRead(advisory, by: req.auth.get(User.self))
        let originator = try await advisory.$originator.get(on: req.db)
        let earlier = try await advisory.$supersedes.get(on: req.db)
        return Self.xml(CAPExport.advisory(
            advisory, marking: marking, originator: originator, supersedes: earlier, publicURL: req.application.ceptoar.notify.publicURL).xml())
    }

    static func xml(_ text: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "cap+xml", parameters: ["charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    struct MessageDTO: Content {
        var id: Int
        var organisationKey: String
        var step: Int
        var round: Int
        var rank: String
        var contactName: String
        var channel: String
        var route: String
        var address: String
        var state: String
        var tries: Int
        var sentAt: Date?
        var acknowledgedAt: Date?
        var lastError: String?
        var handledBy: String?
    }

    @Sendable func messages(req: Request) async throws -> [MessageDTO] {
        let user = try req.requireUser()
        let alert = try await Alerts(database: req.db).requireReport(try Self.id(req), by: user)
        let route = req.queryItems["route"]
        let state = req.queryItems["state"]
        if let route, NotificationAttempt.Route(rawValue: route) == nil {
            throw UserError.badRequest(ja: "route は smtp・gateway・portal・manual のいずれかです", en: "route must be smtp, gateway, portal or manual")
        }
        if let state, DeliveryState(rawValue: state) == nil {
            throw UserError.badRequest(ja: "不明な状態です: \(state)", en: "unknown state '\(state)'")
        }
        return try await AlertListing(database: req.db).messages(of: alert, route: route, state: state)
    }

    @Sendable func acknowledge(req: Request) async throws -> Acknowledgements.Result {
        let user = try req.requireUser()
        let acks = Acknowledgements(database: req.db)
        guard let target = try await acks.target(alert: try Self.id(req), organisation: user.$organisation.id) else {
            throw UserError.notFound(ja: "この連絡は自組織宛てではありません", en: "this alert was not sent to your organisation")
        }
        return try await acks.acknowledge(target: target, attempt: nil, via: .api, by: user.email)
    }

    struct CallInput: Content {
        var outcome: String
        var note: String?
    }

    @Sendable func recordCall(req: Request) async throws -> MessageDTO {
        let user = try req.requireUser()
        guard let attempt = req.parameters.get("attempt").flatMap(Int.init) else {
            throw UserError.badRequest(ja: "メッセージ番号が正しくありません", en: "the message number is not a number")
        }
        let input = try req.content.decode(CallInput.self)
        guard let outcome = Acknowledgements.CallOutcome(rawValue: input.outcome) else {
            throw UserError(status: .unprocessableEntity, ja: "結果は reached・no_answer・wrong_number のいずれかです", en: "outcome must be reached, no_answer or wrong_number")
        }
        let row = try await Acknowledgements(database: req.db).recordCall(attempt: attempt, outcome: outcome, note: input.note, by: user)
        return try await AlertListing(database: req.db).message(row)
    }

    /// The signed link's acknowledgement, without signing in: the token is the credential.
    @Sendable func acknowledgeLink(req: Request) async throws -> Acknowledgements.Result {
        let key = try await AlertSecrets.ackKey(on: req.db)
        let acks = Acknowledgements(database: req.db)
        guard let attempt = AckToken.attempt(in: req.parameters.get("token") ?? "", secret: key), let found = try await acks.target(ofAttempt: attempt) else {
            throw UserError.notFound(ja: "このリンクは無効です", en: "this link is not valid")
        }
        return try await acks.acknowledge(target: found.target, attempt: attempt, via: .link, by: "link:\(attempt)")
    }

    @Sendable func policy(req: Request) async throws -> EscalationPolicy {
        _ = try req.requireUser()
        let ceptoar = try await Self.ceptoar(req)
        return try await EscalationPolicies(database: req.db).policy(of: ceptoar)
    }

    @Sendable func replacePolicy(req: Request) async throws -> EscalationPolicy {
        let user = try req.requireUser()
        let ceptoar = try await Self.ceptoar(req)
        return try await EscalationPolicies(database: req.db).replace(try req.content.decode(EscalationPolicy.self), of: ceptoar, by: user)
    }

    static func ceptoar(_ req: Request) async throws -> Ceptoar {
        let key = req.parameters.get("key") ?? ""
        guard let ceptoar = try await Ceptoar.query(on: req.db).filter(\.$key == key).first() else {
            throw UserError.notFound(ja: "セプターが見つかりません: \(key)", en: "no CEPTOAR '\(key)'")
        }
        return ceptoar
    }
}
extension EscalationPolicy: Content {}
