import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Which route each channel takes on this server: mail by SMTP, phone-type channels by their
/// gateway when one is configured (else as manual call tasks), the portal by SSE.
struct RouteTable: Sendable {
    var gatewayChannels: Set<String>

    init(settings: NotifySettings) { self.gatewayChannels = Set(settings.gateways.keys) }
    init(gatewayChannels: Set<String> = []) { self.gatewayChannels = gatewayChannels }

    func route(for channel: String) -> NotificationAttempt.Route {
        if channel == EscalationPolicy.portal { return .portal }
        if channel == ContactChannel.email.rawValue { return .smtp }
        return self.gatewayChannels.contains(channel) ? .gateway : .manual
    }

    /// The same choice in SQL, for set-based inserts.
    func sqlCase(_ column: String) -> SQLQueryString {
        var text = "CASE WHEN \(column) = 'email' THEN 'smtp'"
        let gateways = self.gatewayChannels.sorted().filter { $0.allSatisfy { $0.isLetter || $0 == "_" } }
        if !gateways.isEmpty { text += " WHEN \(column) IN (\(gateways.map { "'\($0)'" }.joined(separator: ", "))) THEN 'gateway'" }
        return SQLQueryString(text + " ELSE 'manual' END")
    }
}

/// Moves escalation on: for every target whose next step is due, that step's messages are
/// queued (one per address, however often this runs: the attempts' unique key) and the
/// target moves to the step after, due when this step's wait ends. A target past its last
/// step starts the next round or, with none left, is marked exhausted (unreached). All state
/// is in the database, so escalation continues on time after a restart.
struct Escalator {
    let database: any Database
    let routes: RouteTable

    /// Fires every due step, for one alert or all; returns the number of messages queued.
    @discardableResult
    func fireDue(now: Date, alert: UUID? = nil) async throws -> Int {
        var queued = 0
        // Each pass fires one step per due group; a new round's first step is due at once.
        for _ in 0..<(EscalationPolicy.maxSteps * (EscalationPolicy.maxRepeat + 1) + 2) {
            let sql = self.database as! any SQLDatabase
            let filter: SQLQueryString = alert.map { "AND alert_id = \(bind: $0)" } ?? ""
            let groups = try await sql.raw("""
                SELECT alert_id, step, round FROM alert_targets WHERE next_step_at <= \(bind: now) \(filter) GROUP BY alert_id, step, round
                """).all().map { (try $0.decode(column: "alert_id", as: UUID.self), try $0.decode(column: "step", as: Int.self), try $0.decode(column: "round", as: Int.self)) }
            guard !groups.isEmpty else { return queued }
            for (alertID, step, round) in groups {
                queued += try await self.fire(alertID: alertID, step: step, round: round, now: now)
            }
        }
        return queued
    }

    private func fire(alertID: UUID, step: Int, round: Int, now: Date) async throws -> Int {
        return try await self.database.atomically { db in
            let sql = db as! any SQLDatabase
            guard let alert = try await Alert.find(alertID, on: db) else { return 0 }
            let policy = alert.policy
            let due: SQLQueryString = "alert_id = \(bind: alertID) AND step = \(bind: step) AND round = \(bind: round) AND next_step_at <= \(bind: now)"
            guard step < policy.steps.count else {
                // Past the last step: another round, or the end.
                if round < policy.repeatCount {
                    try await sql.raw("UPDATE alert_targets SET step = 0, round = \(bind: round + 1), next_step_at = \(bind: now) WHERE \(due)").run()
                } else {
                    try await sql.raw("UPDATE alert_targets SET next_step_at = NULL, exhausted_at = \(bind: now) WHERE \(due)").run()
                }
                return 0
            }
            let current = policy.steps[step]
            let before = try await self.count(sql, alertID)
            let channels = current.channels.filter { $0 != EscalationPolicy.portal }
            if !channels.isEmpty {
                try await sql.raw("""
                    INSERT INTO notification_attempts
                        (alert_id, target_id, step, round, rank, contact_name, channel, route, address, state, tries, next_try_at, created_at)
                    SELECT t.alert_id, t.id, t.step, t.round, c.rank, c.name, m.channel, \(self.routes.sqlCase("m.channel")), m.address,
                        'queued', 0, \(bind: now), \(bind: now)
                    FROM alert_targets t
                    JOIN poc_contacts c ON c.organisation_id = t.organisation_id
                    JOIN poc_methods m ON m.contact_id = c.id
                    WHERE t.alert_id = \(bind: alertID) AND t.step = \(bind: step) AND t.round = \(bind: round) AND t.next_step_at <= \(bind: now)
                        AND c.rank IN (\(binds: current.ranks.map(\.rawValue))) AND m.channel IN (\(binds: channels))
                    ON CONFLICT DO NOTHING
                    """).run()
            }
            if current.channels.contains(EscalationPolicy.portal) {
                try await sql.raw("""
                    INSERT INTO notification_attempts
                        (alert_id, target_id, step, round, rank, contact_name, channel, route, address, state, tries, next_try_at, created_at)
                    SELECT t.alert_id, t.id, t.step, t.round, 'organisation', '', 'portal', 'portal', 'portal', 'queued', 0, \(bind: now), \(bind: now)
                    FROM alert_targets t
                    WHERE t.alert_id = \(bind: alertID) AND t.step = \(bind: step) AND t.round = \(bind: round) AND t.next_step_at <= \(bind: now)
                    ON CONFLICT DO NOTHING
                    """).run()
            }
            let next = now.addingTimeInterval(TimeInterval(current.waitSeconds))
            // In large-incident mode the wait is the policy's shortened one, for the targets
            // in a scope that is in the mode.
            let modes = try await SituationBook(database: db).largeIncidentScopes()
            let sooner = now.addingTimeInterval(TimeInterval(policy.largeIncidentWait(current.waitSeconds)))
            if modes.contains(.nation) {
                try await sql.raw("UPDATE alert_targets SET step = \(bind: step + 1), next_step_at = \(bind: sooner) WHERE \(due)").run()
            } else if !modes.isEmpty {
                let registry = try await SituationRegistry.load(on: db)
                let inMode = registry.ceptoars.filter { registry.scopes(ofCeptoar: $0.id).contains(where: modes.contains) }.map(\.id)
                let when: SQLQueryString = inMode.isEmpty ? "\(bind: next)" : "CASE WHEN ceptoar_id IN (\(binds: inMode)) THEN \(bind: sooner) ELSE \(bind: next) END"
                try await sql.raw("UPDATE alert_targets SET step = \(bind: step + 1), next_step_at = \(when) WHERE \(due)").run()
            } else {
                try await sql.raw("UPDATE alert_targets SET step = \(bind: step + 1), next_step_at = \(bind: next) WHERE \(due)").run()
            }
            return try await self.count(sql, alertID) - before
        }
    }

    private func count(_ sql: any SQLDatabase, _ alert: UUID) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM notification_attempts WHERE alert_id = \(bind: alert)").first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
