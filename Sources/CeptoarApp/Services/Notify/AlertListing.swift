import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Alerts as a user finds them: those the user's organisation started (with their reports),
/// and those it received (with its acknowledgement), newest first.
struct AlertListing {
    let database: any Database

    struct Entry {
        var alert: Alert
        var received: Bool
        var acknowledgedAt: Date?
    }

    func list(for user: User, limit: Int = 100) async throws -> [Entry] {
        let organisation = user.$organisation.id
        var started = Alert.query(on: self.database).sort(\.$createdAt, .descending).limit(limit)
        if !(user.has(.niscCoordinator) || user.has(.systemAdmin)) { started = started.filter(\.$sender.$id == organisation) }
        let sent = try await started.all()
        let targets = try await AlertTarget.query(on: self.database).filter(\.$organisation.$id == organisation)
            .sort(\.$id, .descending).limit(limit).with(\.$alert).all()
        var entries = targets.map { Entry(alert: $0.alert, received: true, acknowledgedAt: $0.acknowledgedAt) }
        let received = Set(entries.compactMap(\.alert.id))
        entries += sent.filter { !received.contains($0.id!) }.map { Entry(alert: $0, received: false, acknowledgedAt: nil) }
        return entries.sorted { $0.alert.createdAt > $1.alert.createdAt }
    }

    /// The alert, if the user's organisation was one of its targets.
    func received(_ id: UUID, by user: User) async throws -> Alert? {
        try await self.target(id, of: user.$organisation.id)?.$alert.get(on: self.database)
    }

    func target(_ id: UUID, of organisation: UUID) async throws -> AlertTarget? {
        try await AlertTarget.query(on: self.database).filter(\.$alert.$id == id).filter(\.$organisation.$id == organisation).first()
    }

    func messages(of alert: Alert, route: String?, state: String?, id: Int? = nil, limit: Int = 10_000) async throws -> [AlertAPIController.MessageDTO] {
        let sql = self.database as! any SQLDatabase
        var filter: SQLQueryString = ""
        if let id { filter = filter + " AND a.id = \(bind: id)" }
        if let route { filter = filter + " AND a.route = \(bind: route)" }
        if let state { filter = filter + " AND a.state = \(bind: state)" }
        let rows = try await sql.raw("""
            SELECT a.id, o.key, a.step, a.round, a.rank, a.contact_name, a.channel, a.route, a.address, a.state, a.tries, a.sent_at, a.acknowledged_at,
                a.last_error, a.handled_by
            FROM notification_attempts a JOIN alert_targets t ON t.id = a.target_id JOIN organisations o ON o.id = t.organisation_id
            WHERE a.alert_id = \(bind: try alert.requireID())\(filter) ORDER BY a.id LIMIT \(literal: limit)
            """).all()
        return try rows.map { row in
            AlertAPIController.MessageDTO(
                id: try row.decode(column: "id", as: Int.self), organisationKey: try row.decode(column: "key", as: String.self),
                step: try row.decode(column: "step", as: Int.self) + 1, round: try row.decode(column: "round", as: Int.self) + 1,
                rank: try row.decode(column: "rank", as: String.self), contactName: try row.decode(column: "contact_name", as: String.self),
                channel: try row.decode(column: "channel", as: String.self), route: try row.decode(column: "route", as: String.self),
                address: try row.decode(column: "address", as: String.self), state: try row.decode(column: "state", as: String.self),
                tries: try row.decode(column: "tries", as: Int.self), sentAt: try row.decode(column: "sent_at", as: Date?.self),
                acknowledgedAt: try row.decode(column: "acknowledged_at", as: Date?.self), lastError: try row.decode(column: "last_error", as: String?.self),
                handledBy: try row.decode(column: "handled_by", as: String?.self))
        }
    }

    func message(_ attempt: NotificationAttempt) async throws -> AlertAPIController.MessageDTO {
        guard let alert = try await Alert.find(attempt.alertID, on: self.database) else { throw UserError.notFound(ja: "連絡が見つかりません", en: "no such alert") }
        guard let found = try await self.messages(of: alert, route: nil, state: nil, id: attempt.id).first else { throw UserError.notFound(ja: "メッセージが見つかりません", en: "no such message") }
        return found
    }
}

/// Each CEPTOAR's escalation policy: read by anyone signed in, replaced by its secretariat
/// (or NISC), audited.
struct EscalationPolicies {
    let database: any Database

    func policy(of ceptoar: Ceptoar) async throws -> EscalationPolicy {
        guard let record = try await EscalationPolicyRecord.query(on: self.database).filter(\.$ceptoar.$id == ceptoar.requireID()).first() else {
            return .standard
        }
        return try JSONDecoder().decode(EscalationPolicy.self, from: Data(record.policyJSON.utf8))
    }

    func replace(_ policy: EscalationPolicy, of ceptoar: Ceptoar, by user: User) async throws -> EscalationPolicy {
        let ceptoarID = try ceptoar.requireID()
        let mine = try await Relay(database: self.database).secretariatCeptoars(of: user.$organisation.id)
        guard user.has(.niscCoordinator) || user.has(.systemAdmin) || (user.has(.ceptoarSecretariat) && mine.contains(ceptoarID)) else {
            throw UserError.forbidden(ja: "エスカレーション方針を変えられるのは、そのセプターの事務局と NISC です", en: "only the CEPTOAR's secretariat and NISC may change its escalation policy")
        }
        if let problem = policy.problem() { throw UserError(status: .unprocessableEntity, ja: problem.ja, en: problem.en ?? problem.ja) }
        let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        try await self.database.atomically { db in
            let record = try await EscalationPolicyRecord.query(on: db).filter(\.$ceptoar.$id == ceptoarID).first() ?? {
                let created = EscalationPolicyRecord()
                created.$ceptoar.id = ceptoarID
                return created
            }()
            record.policyJSON = json
            record.updatedAt = Date()
            record.updatedBy = user.email
            try await record.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "escalation_policy", subject: "ceptoar:\(ceptoar.key)", detail: ["steps": String(policy.steps.count)])
        }
        return policy
    }
}

/// Advisories and alerts as CAP 1.2.
enum CAPExport {
    static func alert(_ alert: Alert, sender: Organisation, publicURL: String) -> CAPAlert {
        CAPAlert(
            identifier: "ceptoar-alert-\(alert.id!.uuidString.lowercased())", sender: "\(sender.key)@ceptoar", sent: alert.createdAt,
            status: alert.alertKind.capStatus, marking: .clear, severity: Severity(rawValue: alert.severity) ?? .low,
            infos: [
                CAPAlert.Info(language: "ja-JP", event: alert.alertKind.label.ja, headline: alert.titleJa, description: alert.bodyJa, senderName: sender.nameJa,
                    web: "\(publicURL)/alerts/\(alert.id!.uuidString.lowercased())"),
                CAPAlert.Info(language: "en-US", event: alert.alertKind.label.en ?? alert.kind, headline: alert.titleEn, description: alert.bodyEn,
                    senderName: sender.nameEn ?? sender.nameJa, web: "\(publicURL)/alerts/\(alert.id!.uuidString.lowercased())"),
            ])
    }

    /// `marking`: the one the reader holds it under (a hop may have tightened it).
    static func advisory(_ advisory: Advisory, marking: TLP, originator: Organisation, supersedes: Advisory?, publicURL: String) -> CAPAlert {
        let web = "\(publicURL)/advisories/\(advisory.id!.uuidString)"
        var infos = [CAPAlert.Info(language: "ja-JP", event: "注意喚起", headline: advisory.titleJa, description: advisory.bodyJa, senderName: originator.nameJa, web: web)]
        if let title = advisory.titleEn {
            infos.append(CAPAlert.Info(language: "en-US", event: "Advisory", headline: title, description: advisory.bodyEn ?? advisory.bodyJa,
                senderName: originator.nameEn ?? originator.nameJa, web: web))
        }
        let sender = "\(originator.key)@ceptoar"
        return CAPAlert(
            identifier: "ceptoar-advisory-\(advisory.id!.uuidString.lowercased())", sender: sender, sent: (advisory.createdAt ?? Date()),
            status: .actual, messageType: advisory.withdrawnAt != nil ? .cancel : (supersedes == nil ? .alert : .update),
            marking: marking,
            references: supersedes.map { ["\(sender),ceptoar-advisory-\($0.id!.uuidString.lowercased()),\(CAPAlert.capTime($0.createdAt ?? Date()))"] } ?? [],
            severity: Severity(rawValue: advisory.severity) ?? .medium, infos: infos)
    }
}
