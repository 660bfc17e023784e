import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// Sends due messages: claims a batch per route (marking it `sending` with a lease), sends
/// it, and records each outcome. A message whose sender died mid-send is claimed again when
/// its lease ends (it may then arrive twice, with the same Message-ID; nothing is lost).
/// Temporary failures are retried with backoff; escalation moves on regardless, on time.
struct Dispatcher {
    let database: any Database
    let settings: NotifySettings
    let client: any Client
    let broadcaster: Broadcaster
    let limiter: RateLimiter
    let ackKey: [UInt8]

    /// How long a claimed batch may take before it is taken to have failed mid-send.
    static let lease: TimeInterval = 120
    /// Temporary failures are retried this often before the message is given up.
    static let maxTries = 30

    enum Outcome {
        case sent, delivered
        case temporary(String)
        case permanent(String)
    }

    struct Claimed {
        var id: Int
        var alert: UUID
        var organisation: UUID
        var step: Int
        var contactName: String
        var channel: String
        var address: String
        var tries: Int
    }

    /// Sends one batch per route that has due messages; returns how many were handled.
    func dispatchOnce(now: Date = Date()) async throws -> Int {
        var handled = 0
        for route in [NotificationAttempt.Route.portal, .smtp, .gateway] {
            let batch = route == .gateway ? 200 : route == .smtp ? self.settings.smtpBatch : 10_000
            let allowance = await self.limiter.allowance(route.rawValue, perMinute: self.settings.ratePerMinute[route.rawValue] ?? 0, now: now)
            guard allowance > 0 else { continue }
            let claimed = try await self.claim(route, limit: min(batch, allowance), now: now)
            guard !claimed.isEmpty else { continue }
            await self.limiter.spend(route.rawValue, claimed.count)
            let outcomes: [Outcome]
            switch route {
            case .portal: outcomes = await self.sendPortal(claimed)
            case .smtp: outcomes = try await self.sendMail(claimed)
            case .gateway: outcomes = try await self.sendGateway(claimed)
            case .manual: outcomes = []
            }
            // Sent now; a retry counts its wait from when this attempt began.
            try await self.record(zip(claimed, outcomes).map { ($0.0, $0.1) }, sentAt: Date(), began: now)
            handled += claimed.count
            FaultInjection.alertMessagesRecorded(claimed.count)
        }
        return handled
    }

    private func claim(_ route: NotificationAttempt.Route, limit: Int, now: Date) async throws -> [Claimed] {
        let sql = self.database as! any SQLDatabase
        // Look first: an idle route costs a read, not a write transaction.
        guard try await sql.raw("""
            SELECT id FROM notification_attempts WHERE state IN ('queued', 'failed_temporary', 'sending') AND next_try_at <= \(bind: now)
            AND route = \(bind: route.rawValue) LIMIT 1
            """).first() != nil else { return [] }
        return try await self.database.atomically { db in
            let sql = db as! any SQLDatabase
            let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE OF a SKIP LOCKED" : ""
            let rows = try await sql.raw("""
                SELECT a.id, a.alert_id, t.organisation_id, a.step, a.contact_name, a.channel, a.address, a.tries
                FROM notification_attempts a JOIN alert_targets t ON t.id = a.target_id
                WHERE a.state IN ('queued', 'failed_temporary', 'sending') AND a.next_try_at <= \(bind: now) AND a.route = \(bind: route.rawValue)
                ORDER BY a.id LIMIT \(literal: limit)\(lock)
                """).all()
            let claimed = try rows.map {
                Claimed(
                    id: try $0.decode(column: "id", as: Int.self), alert: try $0.decode(column: "alert_id", as: UUID.self),
                    organisation: try $0.decode(column: "organisation_id", as: UUID.self), step: try $0.decode(column: "step", as: Int.self),
                    contactName: try $0.decode(column: "contact_name", as: String.self), channel: try $0.decode(column: "channel", as: String.self),
                    address: try $0.decode(column: "address", as: String.self), tries: try $0.decode(column: "tries", as: Int.self) + 1)
            }
            guard !claimed.isEmpty else { return [] }
            try await sql.raw("""
                UPDATE notification_attempts SET state = 'sending', tries = tries + 1, next_try_at = \(bind: now.addingTimeInterval(Self.lease))
                WHERE id IN (\(binds: claimed.map(\.id)))
                """).run()
            return claimed
        }
    }

    /// Writes outcomes, grouped so a batch of thousands is a handful of statements. Only
    /// rows still `sending` change: one acknowledged meanwhile stays acknowledged.
    private func record(_ results: [(Claimed, Outcome)], sentAt now: Date, began: Date) async throws {
        var sent: [Int] = []
        var delivered: [Int] = []
        var failed: [String: [Int]] = [:]
        for (attempt, outcome) in results {
            switch outcome {
            case .sent: sent.append(attempt.id)
            case .delivered: delivered.append(attempt.id)
            case .temporary(let reason):
                let state = attempt.tries >= Self.maxTries ? DeliveryState.failedPermanent : .failedTemporary
                let reason = attempt.tries >= Self.maxTries ? "\(reason) (gave up after \(attempt.tries) tries)" : reason
                failed["\(state.rawValue)\u{0}\(attempt.tries)\u{0}\(reason.prefix(500))", default: []].append(attempt.id)
            case .permanent(let reason):
                failed["\(DeliveryState.failedPermanent.rawValue)\u{0}0\u{0}\(reason.prefix(500))", default: []].append(attempt.id)
            }
        }
        let (sentIDs, deliveredIDs, failedGroups) = (sent, delivered, failed)
        try await self.database.atomically { db in
            let sql = db as! any SQLDatabase
            for part in sentIDs.chunked(5_000) {
                try await sql.raw("""
                    UPDATE notification_attempts SET state = 'sent', sent_at = \(bind: now), next_try_at = NULL, last_error = NULL
                    WHERE id IN (\(binds: Array(part))) AND state = 'sending'
                    """).run()
            }
            for part in deliveredIDs.chunked(5_000) {
                try await sql.raw("""
                    UPDATE notification_attempts SET state = 'delivered', sent_at = \(bind: now), delivered_at = \(bind: now), next_try_at = NULL, last_error = NULL
                    WHERE id IN (\(binds: Array(part))) AND state = 'sending'
                    """).run()
            }
            for (key, ids) in failedGroups {
                let parts = key.split(separator: "\u{0}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                let state = parts[0]
                let retry: Date? = state == DeliveryState.failedTemporary.rawValue
                    ? began.addingTimeInterval(TimeInterval(retryDelaySeconds(afterTries: Int(parts[1]) ?? 1))) : nil
                for part in ids.chunked(5_000) {
                    try await sql.raw("""
                        UPDATE notification_attempts SET state = \(bind: state), next_try_at = \(bind: retry), last_error = \(bind: parts[2])
                        WHERE id IN (\(binds: Array(part))) AND state = 'sending'
                        """).run()
                }
            }
        }
    }

    private func alerts(_ ids: Set<UUID>) async throws -> [UUID: Alert] {
        let rows = try await Alert.query(on: self.database).filter(\.$id ~~ Array(ids)).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id!, $0) })
    }

    private func organisationNames(_ ids: Set<UUID>) async throws -> [UUID: LocalizedText] {
        var names: [UUID: LocalizedText] = [:]
        let sql = self.database as! any SQLDatabase
        for part in Array(ids).chunked(5_000) {
            for row in try await sql.raw("SELECT id, name_ja, name_en FROM organisations WHERE id IN (\(binds: Array(part)))").all() {
                names[try row.decode(column: "id", as: UUID.self)] = LocalizedText(
                    ja: try row.decode(column: "name_ja", as: String.self), en: try row.decode(column: "name_en", as: String?.self))
            }
        }
        return names
    }

    func ackLink(_ attempt: Int) -> String {
        "\(self.settings.publicURL)/a/\(AckToken.make(attempt: attempt, secret: self.ackKey))"
    }

    private func texts(_ claimed: [Claimed]) async throws -> [AlertMessageText?] {
        let alerts = try await self.alerts(Set(claimed.map(\.alert)))
        let names = try await self.organisationNames(Set(claimed.map(\.organisation)))
        return claimed.map { attempt in
            guard let alert = alerts[attempt.alert] else { return nil }
            return AlertMessageText(
                alert: alert, attemptID: attempt.id, contactName: attempt.contactName,
                organisation: names[attempt.organisation] ?? LocalizedText(ja: "", en: ""), link: self.ackLink(attempt.id))
        }
    }

    /// The portal: the member's open pages hear of it at once (SSE); the alert waits in its
    /// alerts list, so it counts as delivered.
    private func sendPortal(_ claimed: [Claimed]) async -> [Outcome] {
        for attempt in claimed {
            await self.broadcaster.publish(#"{"alert":"\#(attempt.alert.uuidString)"}"#, to: attempt.organisation)
        }
        return claimed.map { _ in .delivered }
    }

    private func sendMail(_ claimed: [Claimed]) async throws -> [Outcome] {
        guard let server = self.settings.smtp else {
            return claimed.map { _ in .temporary("no mail relay is configured (CEPTOAR_SMTP_URL)") }
        }
        let texts = try await self.texts(claimed)
        var messages: [MailMessage] = []
        var positions: [Int] = []
        for (index, attempt) in claimed.enumerated() {
            guard let text = texts[index] else { continue }
            var headers: [(String, String)] = [("X-Ceptoar-Alert", attempt.alert.uuidString.lowercased()), ("X-Ceptoar-Step", String(attempt.step + 1))]
            if text.alert.alertKind != .alert { headers.append(("X-Ceptoar-Exercise", text.alert.kind)) }
            messages.append(MailMessage(
                from: MailAddress(self.settings.mailFrom, name: "Ceptoar"), to: [MailAddress(attempt.address, name: attempt.contactName)],
                subject: text.subject, body: text.body,
                // The attempt's number makes the Message-ID: a message sent again after a crash
                // is recognisably the same message.
                messageID: "attempt-\(attempt.id).\(attempt.alert.uuidString.lowercased())@ceptoar", headers: headers))
            positions.append(index)
        }
        var outcomes = claimed.map { _ in Outcome.permanent("the alert is gone") }
        let results = await SMTPClient(server: server).send(messages, connections: self.settings.smtpConnections)
        for (offset, result) in results.enumerated() {
            switch result {
            case .accepted: outcomes[positions[offset]] = .sent
            case .temporaryFailure(let text): outcomes[positions[offset]] = .temporary(text)
            case .permanentFailure(let text): outcomes[positions[offset]] = .permanent(text)
            }
        }
        return outcomes
    }

    /// The gateway payload (documented in docs/gateways.md), signed with the shared secret.
    struct GatewayRequest: Content {
        var attempt: Int
        var alert: UUID
        var kind: String
        var channel: String
        var to: String
        var contact: String
        var text: LocalizedText
        var acknowledgeURL: String
        var callbackURL: String
    }

    private func sendGateway(_ claimed: [Claimed]) async throws -> [Outcome] {
        let texts = try await self.texts(claimed)
        let secret = self.settings.gatewaySecret ?? ""
        var outcomes = claimed.map { _ in Outcome.temporary("not sent") }
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var running = 0
            for (index, attempt) in claimed.enumerated() {
                guard let text = texts[index], let url = self.settings.gateways[attempt.channel] else {
                    outcomes[index] = .permanent("no gateway for \(attempt.channel)")
                    continue
                }
                if running >= 16, let (done, outcome) = await group.next() {
                    outcomes[done] = outcome
                    running -= 1
                }
                running += 1
                let payload = GatewayRequest(
                    attempt: attempt.id, alert: attempt.alert, kind: text.alert.kind, channel: attempt.channel, to: attempt.address,
                    contact: attempt.contactName, text: text.short, acknowledgeURL: text.link,
                    callbackURL: "\(self.settings.publicURL)/api/v1/gateway/events")
                group.addTask {
                    (index, await self.post(payload, to: url, secret: secret))
                }
            }
            for await (done, outcome) in group { outcomes[done] = outcome }
        }
        return outcomes
    }

    private func post(_ payload: GatewayRequest, to url: String, secret: String) async -> Outcome {
        do {
            let status = try await SignedWebhook(client: self.client, secret: secret).post(payload, to: url, idempotencyKey: "ceptoar-attempt-\(payload.attempt)")
            switch status.code {
            case 200..<300: return .sent
            case 408, 429, 500..<600: return .temporary("gateway answered \(status.code)")
            default: return .permanent("gateway refused: \(status.code)")
            }
        } catch {
            return .temporary("gateway unreachable: \(error)")
        }
    }
}

/// Messages per minute per route, per node: a token bucket refilled continuously.
actor RateLimiter {
    private var tokens: [String: Double] = [:]
    private var last: [String: Date] = [:]

    func allowance(_ route: String, perMinute: Int, now: Date) -> Int {
        guard perMinute > 0 else { return Int.max }
        let capacity = Double(perMinute)
        let elapsed = self.last[route].map { now.timeIntervalSince($0) } ?? 60
        self.tokens[route] = min(capacity, (self.tokens[route] ?? 0) + elapsed * capacity / 60)
        self.last[route] = now
        return Int(self.tokens[route] ?? 0)
    }

    func spend(_ route: String, _ count: Int) {
        if let tokens = self.tokens[route] { self.tokens[route] = tokens - Double(count) }
    }
}
