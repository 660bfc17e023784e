import CeptoarKit
import Fluent
import Foundation
import Vapor

/// The deadlines each sector agreed for report stages (NISC's defaults where none): read for
/// every report shown, set by the sector's competent ministry or by NISC.
struct ReportDeadlines {
    let database: any Database

    /// The policy as written: one rule per stage, `24h from detection` and the like.
    struct Written: Content, Equatable {
        var first: String
        var followUp: String
        var final: String

        init(_ policy: DeadlinePolicy) {
            (self.first, self.followUp, self.final) = (policy.first.text, policy.followUp.text, policy.final.text)
        }

        var policy: DeadlinePolicy? {
            guard let first = DeadlineRule(text: self.first), let followUp = DeadlineRule(text: self.followUp), let final = DeadlineRule(text: self.final)
            else { return nil }
            return DeadlinePolicy(first: first, followUp: followUp, final: final)
        }
    }

    func policy(for sector: UUID) async throws -> DeadlinePolicy {
        try await self.policies(for: [sector])[sector] ?? .standard
    }

    func policies(for sectors: [UUID]) async throws -> [UUID: DeadlinePolicy] {
        guard !sectors.isEmpty else { return [:] }
        let settings = try await ReportDeadlineSetting.query(on: self.database).filter(\.$sector.$id ~~ Array(Set(sectors))).all()
        var result: [UUID: DeadlinePolicy] = [:]
        for setting in settings {
            // Written by `set` after checking, so it reads back; a damaged row falls back to the defaults.
            result[setting.$sector.id] = (try? JSONDecoder().decode(Written.self, from: Data(setting.policy.utf8)))?.policy ?? .standard
        }
        return result
    }

    /// The ministry of the sector (or NISC) sets the sector's deadlines.
    func set(_ written: Written, sector key: String, by user: User) async throws -> DeadlinePolicy {
        guard let sector = try await Sector.query(on: self.database).filter(\.$key == key).first(), let sectorID = sector.id else {
            throw UserError.notFound(ja: "分野が見つかりません", en: "no such sector")
        }
        let ministries = try await ReportSteps(database: self.database).holders(.ministry, ceptoar: UUID(), sector: sectorID)
        let isNISC = user.has(.niscCoordinator)
        guard isNISC || (user.has(.ministryLiaison) && ministries.contains(user.$organisation.id)) else {
            throw UserError.forbidden(ja: "報告期限を設定できるのは、この分野の所管省庁と NISC です", en: "only the sector's competent ministry and NISC set its report deadlines")
        }
        var fields: [String] = []
        if DeadlineRule(text: written.first) == nil { fields.append("first") }
        if DeadlineRule(text: written.followUp) == nil { fields.append("followUp") }
        if DeadlineRule(text: written.final) == nil { fields.append("final") }
        guard fields.isEmpty, let policy = written.policy else {
            throw UserError(status: .unprocessableEntity,
                            ja: "期限は「24h from detection」「1 month from previous_stage」の形で書きます（起点は detection・first_report・previous_stage、1〜\(DeadlineRule.maxHours)時間または1〜\(DeadlineRule.maxMonths)か月）: \(fields.joined(separator: ", "))",
                            en: "write each deadline as '24h from detection' or '1 month from previous_stage' (from detection, first_report or previous_stage; 1 to \(DeadlineRule.maxHours) hours or 1 to \(DeadlineRule.maxMonths) months): \(fields.joined(separator: ", "))",
                            fields: fields)
        }
        let canonical = Written(policy)
        // Filings keep each sector's deadlines with the registry (`ReportFilingQueue.targets`).
        defer { WriteGeneration.sharing.advance() }
        try await self.database.atomically { db in
            let setting = try await ReportDeadlineSetting.query(on: db).filter(\.$sector.$id == sectorID).first() ?? ReportDeadlineSetting()
            setting.$sector.id = sectorID
            setting.policy = String(decoding: try JSONEncoder.sorted.encode(canonical), as: UTF8.self)
            setting.updatedBy = user.email
            setting.updatedAt = Date()
            try await setting.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "report_deadlines", subject: "sector:\(key)",
                                      detail: ["first": canonical.first, "followUp": canonical.followUp, "final": canonical.final])
        }
        return policy
    }
}
