import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// An organisation's acknowledgement of an alert, from whichever channel it came: the signed
/// link in a message, the portal, the API, a gateway's callback, or staff recording a call.
/// The first acknowledgement counts; it stops escalation and cancels messages not yet sent.
struct Acknowledgements {
    let database: any Database

    enum Via: String, CaseIterable {
        case link, portal, api, gateway, call

        var label: LocalizedText {
            switch self {
            case .link: return LocalizedText(ja: "メールのリンク", en: "link in a message")
            case .portal: return LocalizedText(ja: "ポータル", en: "portal")
            case .api: return LocalizedText(ja: "API", en: "API")
            case .gateway: return LocalizedText(ja: "ゲートウェイ", en: "gateway")
            case .call: return LocalizedText(ja: "電話・FAX（事務局記録）", en: "call or fax (recorded by staff)")
            }
        }
    }

    struct Result: Content {
        var alert: UUID
        var organisation: UUID
        var acknowledgedAt: Date
        var via: String
        /// False when it had been acknowledged before (this one changed nothing).
        var first: Bool
    }

    /// The target an attempt belongs to.
    func target(ofAttempt attempt: Int) async throws -> (target: Int, alert: UUID)? {
        let row = try await (self.database as! any SQLDatabase).raw("SELECT target_id, alert_id FROM notification_attempts WHERE id = \(bind: attempt)").first()
        guard let row else { return nil }
        return (try row.decode(column: "target_id", as: Int.self), try row.decode(column: "alert_id", as: UUID.self))
    }

    func target(alert: UUID, organisation: UUID) async throws -> Int? {
        try await AlertTarget.query(on: self.database).filter(\.$alert.$id == alert).filter(\.$organisation.$id == organisation).first()?.id
    }

    func acknowledge(target: Int, attempt: Int?, via: Via, by actor: String, now: Date = Date()) async throws -> Result {
        try await self.database.atomically { db in
            let sql = db as! any SQLDatabase
            let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
            guard let row = try await sql.raw("""
                SELECT alert_id, organisation_id, acknowledged_at, acknowledged_via FROM alert_targets WHERE id = \(bind: target)\(lock)
                """).first()
            else { throw UserError.notFound(ja: "連絡先が見つかりません", en: "no such alert recipient") }
            let alert = try row.decode(column: "alert_id", as: UUID.self)
            let organisation = try row.decode(column: "organisation_id", as: UUID.self)
            if let earlier = try row.decode(column: "acknowledged_at", as: Date?.self) {
                return Result(alert: alert, organisation: organisation, acknowledgedAt: earlier, via: try row.decode(column: "acknowledged_via", as: String?.self) ?? "", first: false)
            }
            try await sql.raw("""
                UPDATE alert_targets SET acknowledged_at = \(bind: now), acknowledged_via = \(bind: via.rawValue), acknowledged_by = \(bind: actor), next_step_at = NULL
                WHERE id = \(bind: target)
                """).run()
            if let attempt {
                try await sql.raw("""
                    UPDATE notification_attempts SET state = 'acknowledged', acknowledged_at = \(bind: now), next_try_at = NULL WHERE id = \(bind: attempt)
                    """).run()
            }
            // Messages not yet out are not needed any more; a call task nobody made is closed.
            try await sql.raw("""
                UPDATE notification_attempts SET state = 'cancelled', next_try_at = NULL
                WHERE target_id = \(bind: target) AND state IN ('queued', 'failed_temporary')
                """).run()
            try await AuditLog.append(
                on: db, actor: actor, action: "alert_ack", subject: "alert:\(alert.uuidString)",
                detail: ["organisation": organisation.uuidString, "via": via.rawValue] .merging(attempt.map { ["attempt": String($0)] } ?? [:]) { a, _ in a })
            return Result(alert: alert, organisation: organisation, acknowledgedAt: now, via: via.rawValue, first: true)
        }
    }

    /// What staff record after calling or faxing a contact (a manual call task).
    enum CallOutcome: String, CaseIterable, Content {
        /// Spoke to the contact (or the fax was answered): the organisation has it.
        case reached
        /// No answer, busy, voicemail: try again later; escalation moves on meanwhile.
        case noAnswer = "no_answer"
        /// Wrong or dead number: the roster needs fixing.
        case wrongNumber = "wrong_number"

        var label: LocalizedText {
            switch self {
            case .reached: return LocalizedText(ja: "連絡がついた", en: "reached")
            case .noAnswer: return LocalizedText(ja: "応答なし", en: "no answer")
            case .wrongNumber: return LocalizedText(ja: "番号が違う・不通", en: "wrong or dead number")
            }
        }
    }

    /// Records a call task's outcome; only the alert's sender (its staff), NISC and admins may.
    func recordCall(attempt: Int, outcome: CallOutcome, note: String?, by user: User) async throws -> NotificationAttempt {
        guard let row = try await NotificationAttempt.find(attempt, on: self.database) else {
            throw UserError.notFound(ja: "連絡タスクが見つかりません", en: "no such call task")
        }
        _ = try await Alerts(database: self.database).requireReport(row.alertID, by: user)
        guard row.route == NotificationAttempt.Route.manual.rawValue else {
            throw UserError(status: .conflict, ja: "これは手動連絡のタスクではありません", en: "this message is not a manual call task")
        }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500)
        switch outcome {
        case .reached:
            guard row.state != DeliveryState.acknowledged.rawValue else { return row }
            // The acknowledgement and who made the call, together.
            try await self.database.atomically { db in
                _ = try await Acknowledgements(database: db).acknowledge(target: row.targetID, attempt: attempt, via: .call, by: user.email)
                try await (db as! any SQLDatabase).raw("""
                    UPDATE notification_attempts SET handled_by = \(bind: user.email), tries = tries + 1, sent_at = \(bind: Date()), last_error = \(bind: note.map(String.init))
                    WHERE id = \(bind: attempt)
                    """).run()
            }
        case .noAnswer, .wrongNumber:
            guard DeliveryState(rawValue: row.state)?.isDue == true else {
                throw UserError(status: .conflict, ja: "このタスクはもう閉じています（\(DeliveryState(rawValue: row.state)?.label.ja ?? row.state)）",
                    en: "this task is closed already (\(DeliveryState(rawValue: row.state)?.label.en ?? row.state))")
            }
            let state: DeliveryState = outcome == .noAnswer ? .failedTemporary : .failedPermanent
            let reason = [outcome.label.en ?? outcome.rawValue, note.map(String.init)].compactMap { $0 }.joined(separator: ": ")
            try await self.database.atomically { db in
                try await (db as! any SQLDatabase).raw("""
                    UPDATE notification_attempts SET state = \(bind: state.rawValue), tries = tries + 1, last_error = \(bind: reason), handled_by = \(bind: user.email)
                    WHERE id = \(bind: attempt)
                    """).run()
                try await AuditLog.append(on: db, actor: user.email, action: "alert_call", subject: "alert:\(row.alertID.uuidString)",
                    detail: ["attempt": String(attempt), "outcome": outcome.rawValue])
            }
        }
        return try await NotificationAttempt.find(attempt, on: self.database) ?? row
    }
}
