import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// A CEPTOAR's emergency sheet (緊急連絡先一覧): every member's and the secretariat's contacts
/// with every channel, and the escalation order — printed and kept at hand for when the
/// networks this system runs on are down. Only those the policy lets read the roster get it,
/// and each printing is audited: it is a list of duty phones of critical infrastructure.
struct EmergencySheet {
    struct Entry: Sendable {
        var name: LocalizedText
        var secretariat: Bool
        var contacts: [PointsOfContact.ContactDTO]
    }

    var ceptoar: SituationRegistry.CeptoarEntry
    var sectorName: LocalizedText
    var policy: EscalationPolicy
    var organisations: [Entry]
    /// Members with no contact on record: the secretariat's to chase.
    var withoutContacts: [LocalizedText]
    var printedAt: Date
    var printedBy: String

    static func load(key: String, by user: User, on db: any Database, now: Date = Date()) async throws -> EmergencySheet {
        let registry = try await SituationRegistry.load(on: db)
        guard let ceptoar = registry.ceptoar(key) else {
            throw UserError.notFound(ja: "セプターが見つかりません: \(key.prefix(64))", en: "no such CEPTOAR: \(key.prefix(64))")
        }
        let person = try await SituationBook(database: db).coordinator(for: user, registry: registry)
        if case .deny(let denial) = AccessPolicy.readRoster(of: ceptoar.key, sector: ceptoar.sectorKey, by: person) {
            throw UserError(status: .forbidden, ja: denial.message.ja, en: denial.message.text(.en), denial: denial)
        }
        // One query, joined in the database: a sector's CEPTOAR has a thousand members or more
        // and several thousand contacts, and reading them as models took seconds.
        let sql = db as! any SQLDatabase
        let secretariat: SQLQueryString = ceptoar.secretariat.map { "OR o.id = \(bind: $0)" } ?? ""
        let rows = try await sql.raw("""
            SELECT o.id AS org, o.name_ja AS org_ja, o.name_en AS org_en,
                (SELECT COUNT(*) FROM memberships s WHERE s.organisation_id = o.id AND s.ceptoar_id = \(bind: ceptoar.id) AND s.role = 'secretariat') AS secretariat,
                c.id AS contact, c.rank AS rank, c.position AS position, c.name AS name, c.title AS title, c.available_always AS always, c.hours AS hours,
                pm.channel AS channel, pm.address AS address, pm.note AS note, pm.position AS method_position
            FROM organisations o
            LEFT JOIN poc_contacts c ON c.organisation_id = o.id
            LEFT JOIN poc_methods pm ON pm.contact_id = c.id
            WHERE o.id IN (SELECT m.organisation_id FROM memberships m WHERE m.ceptoar_id = \(bind: ceptoar.id)
                AND m.role IN ('member', 'secretariat') AND \(MapQuery.validOnSQL("m", .today))) \(secretariat)
            """).all()
        struct Contact { var rank: ContactRank; var position: Int; var dto: PointsOfContact.ContactDTO; var methods: [(Int, PointsOfContact.MethodDTO)] }
        var names: [UUID: (LocalizedText, Bool)] = [:]
        var contacts: [UUID: [UUID: Contact]] = [:]
        for row in rows {
            let org = try row.decode(column: "org", as: UUID.self)
            let isSecretariat = try row.decode(column: "secretariat", as: Int.self) > 0 || org == ceptoar.secretariat
            names[org] = (LocalizedText(ja: try row.decode(column: "org_ja", as: String.self), en: try row.decode(column: "org_en", as: String?.self)), isSecretariat)
            guard let contact = try row.decode(column: "contact", as: UUID?.self) else { continue }
            if contacts[org, default: [:]][contact] == nil {
                let rank = try row.decode(column: "rank", as: String.self)
                contacts[org, default: [:]][contact] = Contact(
                    rank: ContactRank(rawValue: rank) ?? .deputy, position: try row.decode(column: "position", as: Int.self),
                    dto: PointsOfContact.ContactDTO(
                        rank: rank, name: try row.decode(column: "name", as: String.self), title: try row.decode(column: "title", as: String?.self),
                        availableAlways: try row.decode(column: "always", as: Bool.self), hours: try row.decode(column: "hours", as: String?.self), methods: []),
                    methods: [])
            }
            if let channel = try row.decode(column: "channel", as: String?.self) {
                let method = PointsOfContact.MethodDTO(
                    channel: channel, address: try row.decode(column: "address", as: String.self), note: try row.decode(column: "note", as: String?.self),
                    published: false, verified: false, verifiedAt: nil)
                contacts[org]?[contact]?.methods.append((try row.decode(column: "method_position", as: Int.self), method))
            }
        }
        var listed: [Entry] = []
        var without: [LocalizedText] = []
        for (org, (name, isSecretariat)) in names {
            let theirs = (contacts[org] ?? [:]).values.sorted { ($0.rank, $0.position) < ($1.rank, $1.position) }
            guard !theirs.isEmpty else {
                without.append(name)
                continue
            }
            listed.append(Entry(name: name, secretariat: isSecretariat, contacts: theirs.map { contact in
                var dto = contact.dto
                dto.methods = contact.methods.sorted { $0.0 < $1.0 }.map(\.1)
                return dto
            }))
        }
        // The secretariat first, then members in the order of their names.
        listed.sort { ($0.secretariat ? 0 : 1, $0.name.ja) < ($1.secretariat ? 0 : 1, $1.name.ja) }
        let record = try await EscalationPolicyRecord.query(on: db).filter(\.$ceptoar.$id == ceptoar.id).first()
        let policy = record.flatMap { try? JSONDecoder().decode(EscalationPolicy.self, from: Data($0.policyJSON.utf8)) } ?? .standard
        try await AuditLog.record(on: db, actor: user.email, action: "print_emergency_sheet", subject: "ceptoar:\(ceptoar.key)",
                                  detail: ["organisations": String(listed.count)])
        return EmergencySheet(
            ceptoar: ceptoar, sectorName: registry.sector(ceptoar.sectorKey)?.name ?? LocalizedText(ja: ceptoar.sectorKey), policy: policy,
            organisations: listed, withoutContacts: without.sorted { $0.ja < $1.ja }, printedAt: now, printedBy: user.email)
    }
}
