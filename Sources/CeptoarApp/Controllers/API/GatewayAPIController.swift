import CeptoarKit
import Fluent
import SQLKit
import Vapor

/// Callbacks from SMS, voice and FAX gateways: a message was delivered, failed, or the
/// person pressed a key to acknowledge. Signed like our requests to them (HMAC-SHA256 over
/// timestamp and body, see docs/gateways.md); a replayed request is refused.
struct GatewayAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("api", "v1", "gateway").post("events", use: self.event)
    }

    struct Event: Content {
        var attempt: Int
        /// delivered, failed or acknowledged.
        var event: String
        var detail: String?
        /// For `failed`: whether trying again could help.
        var permanent: Bool?
    }

    struct Answer: Content {
        var attempt: Int
        var state: String
    }

    @Sendable func event(req: Request) async throws -> Answer {
        guard let secret = req.application.ceptoar.notify.gatewaySecret else {
            throw UserError(status: .notFound, ja: "ゲートウェイは設定されていません", en: "no gateway is configured")
        }
        let body = req.body.data.map { Array($0.readableBytesView) } ?? []
        let signature = req.headers.first(name: WebhookSignature.signatureHeader)
        if case .failure(let refusal) = WebhookSignature.verify(
            body: body, timestamp: req.headers.first(name: WebhookSignature.timestampHeader), signature: signature, secret: secret)
        {
            throw UserError(status: .unauthorized, ja: refusal.message.ja, en: refusal.message.en ?? refusal.rawValue)
        }
        let event = try req.content.decode(Event.self)
        guard ["delivered", "failed", "acknowledged"].contains(event.event) else {
            throw UserError(status: .unprocessableEntity, ja: "event は delivered・failed・acknowledged のいずれかです", en: "event must be delivered, failed or acknowledged")
        }
        guard let attempt = try await NotificationAttempt.find(event.attempt, on: req.db), attempt.route == NotificationAttempt.Route.gateway.rawValue else {
            throw UserError.notFound(ja: "該当するメッセージがありません", en: "no gateway message \(event.attempt)")
        }
        let now = Date()
        try await req.db.atomically { db in
            let sql = db as! any SQLDatabase
            // The signature is remembered for the tolerance window: the same request again is a replay.
            try await sql.raw("DELETE FROM webhook_receipts WHERE received_at < \(bind: now.addingTimeInterval(-2 * WebhookSignature.tolerance))").run()
            if try await sql.raw("SELECT signature FROM webhook_receipts WHERE signature = \(bind: signature ?? "")").first() != nil {
                throw UserError(status: .conflict, ja: "この要求は処理済みです（再送）", en: "this request was processed already (a replay)")
            }
            try await sql.raw("INSERT INTO webhook_receipts (signature, received_at) VALUES (\(bind: signature ?? ""), \(bind: now))").run()
            switch event.event {
            case "delivered":
                try await sql.raw("""
                    UPDATE notification_attempts SET state = 'delivered', delivered_at = \(bind: now) WHERE id = \(bind: event.attempt) AND state IN ('sending', 'sent')
                    """).run()
            case "failed":
                let permanent = event.permanent ?? false
                try await sql.raw("""
                    UPDATE notification_attempts SET state = \(bind: permanent ? "failed_permanent" : "failed_temporary"),
                        next_try_at = \(bind: permanent ? nil : now.addingTimeInterval(TimeInterval(retryDelaySeconds(afterTries: attempt.tries)))),
                        last_error = \(bind: "gateway: " + (event.detail ?? "failed"))
                    WHERE id = \(bind: event.attempt) AND state IN ('sending', 'sent', 'delivered')
                    """).run()
            default:
                _ = try await Acknowledgements(database: db).acknowledge(target: attempt.targetID, attempt: attempt.id!, via: .gateway, by: "gateway")
            }
        }
        let state = try await NotificationAttempt.find(event.attempt, on: req.db)?.state ?? attempt.state
        return Answer(attempt: event.attempt, state: state)
    }
}
