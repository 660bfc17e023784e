import CeptoarKit
import Fluent
import Foundation
import Vapor

/// The lifecycle of agreements: proposed by one party's secretariat, approved by every other
/// party's, then active; suspended, resumed or terminated by any party; expired past its last
/// day. Every change is a new version in the history and an audit entry, in one transaction.
struct Agreements {
    let database: any Database

    /// What a secretariat proposes.
    struct Proposal: Content {
        var key: String
        var title: LocalizedText
        var parties: [String]
        var direction: String
        var categories: [String]?
        var objectTypes: [String]?
        var originSectors: [String]?
        var maxTLP: String
        var anonymised: Bool
        var mayPassOn: Bool
        var validFrom: String
        var validTo: String?
        var retentionDays: Int
        /// Each party's contact (who to call about this agreement).
        var contacts: [String: String]
    }

    struct Change: Content {
        var reason: String?
    }

    struct DTO: Content {
        struct Approval: Content {
            var party: String
            var approvedBy: String
            var approvedAt: Date
        }

        struct Entry: Content {
            var version: Int
            var change: String
            var status: String
            var actor: String
            var reason: String?
            var at: Date
        }

        var key: String
        var title: LocalizedText
        var parties: [String]
        var partyNames: [String: LocalizedText]
        var direction: String
        var categories: [String]
        var objectTypes: [String]
        var originSectors: [String]
        var maxTLP: String
        var anonymised: Bool
        var mayPassOn: Bool
        var validFrom: String
        var validTo: String?
        var retentionDays: Int
        var contacts: [String: String]
        /// proposed, active, suspended, terminated, or expired.
        var status: String
        var version: Int
        var approvals: [Approval]
        /// Parties whose approval the current version still waits for.
        var awaiting: [String]
        /// The TAXII collection that serves it.
        var collection: String
        var history: [Entry]?
    }

    static let maxParties = 20

    // MARK: changes

    func propose(_ proposal: Proposal, by user: User) async throws -> AgreementRecord {
        let acting = try await Parties(database: self.database).actingFor(user)
        let record = try await self.validated(proposal)
        guard let proposer = record.partyList.first(where: acting.contains) else {
            throw UserError.forbidden(ja: "相互合意を提案できるのは当事者の事務局です", en: "only a party's secretariat may propose an agreement")
        }
        record.status = Agreement.Status.proposed.rawValue
        record.version = 1
        record.proposedBy = user.email
        return try await self.database.atomically { db in
            guard try await AgreementRecord.query(on: db).filter(\.$key == record.key).first() == nil else {
                throw UserError(status: .conflict, ja: "このキーの相互合意は既にあります: \(record.key)", en: "an agreement with key '\(record.key)' already exists")
            }
            try await record.create(on: db)
            try await Self.approve(record, party: proposer, by: user, on: db)
            try await Self.record(record, change: "proposed", by: user, reason: nil, on: db)
            return record
        }.sharingChanged()
    }

    func approve(_ key: String, by user: User) async throws -> AgreementRecord {
        let acting = try await Parties(database: self.database).actingFor(user)
        return try await self.database.atomically { db in
            let record = try await Self.find(key, on: db)
            guard record.agreementStatus == .proposed else {
                throw UserError(status: .conflict, ja: "承認待ちの相互合意ではありません", en: "this agreement is not awaiting approval (it is \(record.status))")
            }
            let approved = try await Self.approvals(of: record, on: db).map(\.party)
            guard let party = record.partyList.first(where: { acting.contains($0) && !approved.contains($0) }) else {
                throw UserError.forbidden(ja: "承認できるのは、まだ承認していない当事者の事務局です", en: "only the secretariat of a party that has not yet approved may approve")
            }
            try await Self.approve(record, party: party, by: user, on: db)
            try await Self.record(record, change: "approved", by: user, reason: party, on: db)
            if Set(approved + [party]) == Set(record.partyList) {
                record.status = Agreement.Status.active.rawValue
                try await record.save(on: db)
                try await Self.record(record, change: "activated", by: user, reason: nil, on: db)
            }
            return record
        }.sharingChanged()
    }

    /// Suspend, resume or terminate: any party's secretariat, with a reason.
    func change(_ key: String, to change: String, reason: String?, by user: User) async throws -> AgreementRecord {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !reason.isEmpty, reason.count <= 1000 else {
            throw UserError(status: .unprocessableEntity, ja: "理由を1000文字以内で入力してください", en: "give a reason (up to 1000 characters)")
        }
        let acting = try await Parties(database: self.database).actingFor(user)
        return try await self.database.atomically { db in
            let record = try await Self.find(key, on: db)
            guard record.partyList.contains(where: acting.contains) else {
                throw UserError.forbidden(ja: "この相互合意の当事者の事務局ではありません", en: "you do not act for a party to this agreement")
            }
            let from = record.agreementStatus
            let to: Agreement.Status
            switch (change, from) {
            case ("suspend", .active): to = .suspended
            case ("resume", .suspended): to = .active
            case ("terminate", .active), ("terminate", .suspended), ("terminate", .proposed): to = .terminated
            default:
                throw UserError(status: .conflict, ja: "現在の状態（\(from.label.ja)）ではこの操作はできません", en: "cannot \(change) an agreement that is \(from.rawValue)")
            }
            record.status = to.rawValue
            try await record.save(on: db)
            let names = ["suspend": "suspended", "resume": "resumed", "terminate": "terminated"]
            try await Self.record(record, change: names[change] ?? change, by: user, reason: reason, on: db)
            return record
        }.sharingChanged()
    }

    private static func approve(_ record: AgreementRecord, party: String, by user: User, on db: any Database) async throws {
        let approval = AgreementApproval()
        approval.$agreement.id = try record.requireID()
        approval.version = record.version
        approval.party = party
        approval.approvedBy = user.email
        approval.approvedAt = Date()
        try await approval.create(on: db)
    }

    private static func record(_ record: AgreementRecord, change: String, by user: User, reason: String?, on db: any Database) async throws {
        let version = AgreementVersion()
        version.$agreement.id = try record.requireID()
        version.version = record.version
        version.change = change
        version.status = record.status
        version.actor = user.email
        version.reason = reason
        version.terms = String(decoding: try JSONEncoder.sorted.encode(Self.termsSnapshot(record)), as: UTF8.self)
        version.at = Date()
        try await version.create(on: db)
        var detail = ["key": record.key, "status": record.status, "version": String(record.version)]
        if let reason { detail["reason"] = reason }
        try await AuditLog.append(on: db, actor: user.email, action: "agreement-" + change, subject: "agreement:\(record.key)", detail: detail)
    }

    static func termsSnapshot(_ record: AgreementRecord) -> [String: String] {
        [
            "parties": record.parties, "direction": record.direction, "categories": record.categories, "objectTypes": record.objectTypes,
            "originSectors": record.originSectors, "maxTLP": record.maxTLP, "anonymised": String(record.anonymised), "mayPassOn": String(record.mayPassOn),
            "validFrom": record.validFrom, "validTo": record.validTo ?? "", "retentionDays": String(record.retentionDays), "contacts": record.contacts,
        ]
    }

    // MARK: reading

    static func find(_ key: String, on db: any Database) async throws -> AgreementRecord {
        guard let record = try await AgreementRecord.query(on: db).filter(\.$key == key).first() else {
            throw UserError.notFound(ja: "相互合意が見つかりません", en: "no such agreement")
        }
        return record
    }

    static func approvals(of record: AgreementRecord, on db: any Database) async throws -> [AgreementApproval] {
        try await AgreementApproval.query(on: db).filter(\.$agreement.$id == record.requireID()).filter(\.$version == record.version).all()
    }

    /// Agreements the user's organisation is party to (NISC and administrators see all).
    func visible(to user: User) async throws -> [AgreementRecord] {
        let all = try await AgreementRecord.query(on: self.database).sort(\.$createdAt, .descending).all()
        if user.has(.niscCoordinator) || user.has(.systemAdmin) { return all }
        let mine = try await Parties(database: self.database).of(organisation: user.$organisation.id)
        return all.filter { $0.partyList.contains(where: mine.contains) }
    }

    /// One agreement for a user who is party to it (or NISC / an administrator); 404 otherwise,
    /// so a non-party cannot even learn that it exists.
    func readable(_ key: String, by user: User) async throws -> AgreementRecord {
        let record = try await Self.find(key, on: self.database)
        if user.has(.niscCoordinator) || user.has(.systemAdmin) { return record }
        let mine = try await Parties(database: self.database).of(organisation: user.$organisation.id)
        guard record.partyList.contains(where: mine.contains) else { throw UserError.notFound(ja: "相互合意が見つかりません", en: "no such agreement") }
        return record
    }

    func dto(_ record: AgreementRecord, history: Bool = false) async throws -> DTO {
        let approvals = try await Self.approvals(of: record, on: self.database)
        let parties = Parties(database: self.database)
        var names: [String: LocalizedText] = [:]
        for party in record.partyList { names[party] = try await parties.name(of: party) }
        var entries: [DTO.Entry]?
        if history {
            entries = try await AgreementVersion.query(on: self.database).filter(\.$agreement.$id == record.requireID()).sort(\.$at).all()
                .map { DTO.Entry(version: $0.version, change: $0.change, status: $0.status, actor: $0.actor, reason: $0.reason, at: $0.at) }
        }
        let approved = Set(approvals.map(\.party))
        return DTO(
            key: record.key, title: record.title, parties: record.partyList, partyNames: names, direction: record.direction,
            categories: AgreementRecord.list(record.categories), objectTypes: AgreementRecord.list(record.objectTypes),
            originSectors: AgreementRecord.list(record.originSectors), maxTLP: record.maxTLP, anonymised: record.anonymised,
            mayPassOn: record.mayPassOn, validFrom: record.validFrom, validTo: record.validTo, retentionDays: record.retentionDays,
            contacts: record.contactMap, status: record.shownStatus(on: .today), version: record.version,
            approvals: approvals.map { DTO.Approval(party: $0.party, approvedBy: $0.approvedBy, approvedAt: $0.approvedAt) },
            awaiting: record.agreementStatus == .proposed ? record.partyList.filter { !approved.contains($0) } : [],
            collection: TaxiiCollections.agreementCollectionID(record.key), history: entries)
    }

    // MARK: validation

    /// The proposal as a record, or a 422 naming every field that is wrong, in both languages.
    /// Not saved, and with no status yet: the caller decides how it comes to be.
    func validated(_ p: Proposal) async throws -> AgreementRecord {
        var ja: [String] = []
        var en: [String] = []
        func problem(_ j: String, _ e: String) {
            ja.append(j)
            en.append(e)
        }
        let key = p.key.trimmingCharacters(in: .whitespaces)
        if !(3...80).contains(key.count) || !key.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }) {
            problem("key は英小文字・数字・ハイフンで3〜80文字です", "key: 3 to 80 lower-case letters, digits and hyphens")
        }
        let titleJa = p.title.ja.trimmingCharacters(in: .whitespacesAndNewlines)
        if titleJa.isEmpty || titleJa.count > 200 || titleJa.contains(where: \.isNewline) { problem("題名（日本語）は1〜200文字の1行です", "title.ja: one line of 1 to 200 characters") }
        if let en = p.title.en, en.count > 200 || en.contains(where: \.isNewline) { problem("題名（英語）は200文字以内の1行です", "title.en: one line of up to 200 characters") }
        let parties = p.parties.map { $0.trimmingCharacters(in: .whitespaces) }
        if parties.count < 2 || parties.count > Self.maxParties || Set(parties).count != parties.count {
            problem("当事者は重複なく2〜\(Self.maxParties)です", "parties: 2 to \(Self.maxParties), none twice")
        }
        let registry = Parties(database: self.database)
        for party in parties.prefix(Self.maxParties) where try await registry.name(of: party) == nil {
            problem("当事者が登録簿にありません: \(party.prefix(80))", "parties: no such CEPTOAR or organisation in the registry: '\(party.prefix(80))'")
        }
        if Agreement.Direction(rawValue: p.direction) == nil { problem("direction は both か one_way です", "direction: 'both' or 'one_way'") }
        let categories = p.categories ?? []
        if let bad = categories.first(where: { AdvisoryCategory(rawValue: $0) == nil }) { problem("不明な分類です: \(bad.prefix(40))", "categories: unknown category '\(bad.prefix(40))'") }
        let types = p.objectTypes ?? []
        if let bad = types.first(where: { !STIXObjectCheck.isTypeName($0) }) { problem("STIX の型名ではありません: \(bad.prefix(40))", "objectTypes: not a STIX type name '\(bad.prefix(40))'") }
        let sectors = p.originSectors ?? []
        for sector in sectors where try await Sector.query(on: self.database).filter(\.$key == sector).first() == nil {
            problem("分野が登録簿にありません: \(sector.prefix(40))", "originSectors: no such sector '\(sector.prefix(40))'")
        }
        let tlp = TLP(label: p.maxTLP)
        if tlp == nil || !Agreement.markings.contains(tlp!) {
            problem("TLP の上限は CLEAR・GREEN・AMBER のいずれかです（RED と AMBER+STRICT は組織外に出せません）", "maxTLP: CLEAR, GREEN or AMBER (RED and AMBER+STRICT never leave their organisation)")
        }
        let from = Day(iso: p.validFrom)
        if from == nil { problem("validFrom は YYYY-MM-DD の日付です", "validFrom: a date YYYY-MM-DD") }
        var to: Day?
        if let text = p.validTo, !text.isEmpty {
            to = Day(iso: text)
            if to == nil { problem("validTo は YYYY-MM-DD の日付です", "validTo: a date YYYY-MM-DD") }
            if let from, let to, to < from { problem("validTo が validFrom より前です", "validTo is before validFrom") }
        }
        if !(1...3650).contains(p.retentionDays) { problem("保存期間は1〜3650日です", "retentionDays: 1 to 3650") }
        for party in parties {
            let contact = p.contacts[party]?.trimmingCharacters(in: .whitespaces) ?? ""
            if contact.isEmpty || contact.count > 200 || contact.contains(where: \.isNewline) {
                problem("各当事者の連絡先（1行・200文字以内）が必要です: \(party.prefix(80))", "contacts: each party needs a contact (one line, up to 200 characters): '\(party.prefix(80))'")
            }
        }
        if p.contacts.keys.contains(where: { !parties.contains($0) }) { problem("連絡先に当事者でないものがあります", "contacts: an entry for something that is not a party") }
        guard ja.isEmpty, let tlp, let from else {
            throw UserError(status: .unprocessableEntity, ja: ja.joined(separator: "。"), en: en.joined(separator: "; "))
        }
        let record = AgreementRecord()
        record.key = key
        record.titleJa = titleJa
        record.titleEn = p.title.en.flatMap { $0.isEmpty ? nil : $0 }
        record.parties = parties.joined(separator: ",")
        record.direction = p.direction
        record.categories = categories.joined(separator: ",")
        record.objectTypes = types.joined(separator: ",")
        record.originSectors = sectors.joined(separator: ",")
        record.maxTLP = tlp.rawValue
        record.anonymised = p.anonymised
        record.mayPassOn = p.mayPassOn
        record.validFrom = from.iso
        record.validTo = to?.iso
        record.retentionDays = p.retentionDays
        record.contacts = String(decoding: try JSONEncoder.sorted.encode(p.contacts.mapValues { $0.trimmingCharacters(in: .whitespaces) }), as: UTF8.self)
        return record
    }
}

extension AgreementRecord {
    /// After a committed change: every cached sharing context is stale.
    func sharingChanged() -> AgreementRecord {
        WriteGeneration.sharing.advance()
        return self
    }
}
