import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// The demo nation: a synthetic member organisation for every member the 2009 map counts
/// (5,692 in all), spread over T-CEPTOAR's sub-groups, and one demo user for every role.
///
/// Synthetic organisations are marked `synthetic` so they are never mistaken for real ones.
struct DemoNation {
    let database: any Database
    let passwords: AsyncPasswordHasher

    /// The password of every demo account; printed by `serve --demo` and in the README.
    static let password = "ceptoar-demo-2009"

    struct DemoUser {
        let email: String
        let name: LocalizedText
        let organisationKey: String
        let roles: [Role]
    }

    /// One account per role, at the organisation where that role lives.
    static let users: [DemoUser] = [
        DemoUser(email: "admin@demo.ceptoar.example", name: LocalizedText(ja: "システム管理者（デモ）", en: "Demo administrator"), organisationKey: "nisc", roles: [.systemAdmin]),
        DemoUser(email: "nisc@demo.ceptoar.example", name: LocalizedText(ja: "NISC 調整官（デモ）", en: "Demo NISC coordinator"), organisationKey: "nisc", roles: [.niscCoordinator]),
        DemoUser(email: "fsa@demo.ceptoar.example", name: LocalizedText(ja: "金融庁 連絡担当（デモ）", en: "Demo FSA liaison"), organisationKey: "fsa", roles: [.ministryLiaison]),
        DemoUser(email: "secretariat@demo.ceptoar.example", name: LocalizedText(ja: "T-CEPTOAR 事務局（デモ）", en: "Demo T-CEPTOAR secretariat"), organisationKey: "t-ceptoar-secretariat", roles: [.ceptoarSecretariat]),
        DemoUser(email: "analyst@demo.ceptoar.example", name: LocalizedText(ja: "分析担当（デモ）", en: "Demo analyst"), organisationKey: "jpcert", roles: [.analyst]),
        DemoUser(email: "fisc@demo.ceptoar.example", name: LocalizedText(ja: "FISC 分析担当（デモ）", en: "Demo FISC analyst"), organisationKey: "fisc", roles: [.analyst]),
        DemoUser(email: "member@demo.ceptoar.example", name: LocalizedText(ja: "電気通信事業者 構成員（デモ）", en: "Demo telecom member"), organisationKey: "demo-t-ceptoar-0001", roles: [.member]),
        DemoUser(email: "water@demo.ceptoar.example", name: LocalizedText(ja: "水道事業者 構成員（デモ）", en: "Demo water member"), organisationKey: "demo-water-0001", roles: [.member]),
        DemoUser(email: "bank@demo.ceptoar.example", name: LocalizedText(ja: "銀行 構成員（デモ）", en: "Demo bank member"), organisationKey: "demo-banks-0001", roles: [.member]),
        DemoUser(email: "pending@demo.ceptoar.example", name: LocalizedText(ja: "銀行 構成員・ルール未同意（デモ）", en: "Demo bank member, rules not accepted"), organisationKey: demoPendingOrganisation, roles: [.member]),
        DemoUser(email: "city@demo.ceptoar.example", name: LocalizedText(ja: "地方公共団体 構成員（デモ）", en: "Demo municipality member"), organisationKey: "demo-local-government-0001", roles: [.member]),
        DemoUser(email: "banks-secretariat@demo.ceptoar.example", name: LocalizedText(ja: "全国銀行協会 事務局（デモ）", en: "Demo banks secretariat"), organisationKey: "banks-secretariat", roles: [.ceptoarSecretariat]),
        DemoUser(email: "power-secretariat@demo.ceptoar.example", name: LocalizedText(ja: "電気事業連合会 事務局（デモ）", en: "Demo electric power secretariat"), organisationKey: "electricity-secretariat", roles: [.ceptoarSecretariat]),
        DemoUser(email: "power@demo.ceptoar.example", name: LocalizedText(ja: "電力会社 構成員（デモ）", en: "Demo electric power member"), organisationKey: "demo-electricity-0001", roles: [.member]),
        DemoUser(email: "water-secretariat@demo.ceptoar.example", name: LocalizedText(ja: "水道 事務局（デモ）", en: "Demo water secretariat"), organisationKey: "water-secretariat", roles: [.ceptoarSecretariat]),
        DemoUser(email: "mic@demo.ceptoar.example", name: LocalizedText(ja: "総務省 連絡担当（デモ）", en: "Demo MIC liaison"), organisationKey: "mic", roles: [.ministryLiaison]),
    ]

    /// The one demo member organisation that has not accepted its CEPTOAR's handling rules.
    static let demoPendingOrganisation = "demo-banks-0002"

    func isPresent() async throws -> Bool {
        try await Organisation.query(on: self.database).filter(\.$synthetic == true).count() > 0
    }

    /// Creates the demo nation in one transaction; does nothing when it is already there.
    @discardableResult
    func create() async throws -> Int {
        if try await self.isPresent() { return 0 }
        // Hash before the transaction: bcrypt is slow and must not hold a write lock.
        let hash = try await self.passwords.hash(Self.password)
        let versions = try await CeptoarVersion.query(on: self.database).filter(\.$validTo == nil).with(\.$ceptoar).sort(\.$position).all()
        let groups = try await CeptoarGroup.query(on: self.database).filter(\.$kind == GroupKind.subgroup.rawValue).sort(\.$code).all()
        return try await self.database.atomically { db in
            var created = 0
            let sql = db as! any SQLDatabase
            for version in versions {
                let ceptoarID = try version.ceptoar.requireID()
                let subgroups = groups.filter { $0.$ceptoar.id == ceptoarID }
                var organisationRows: [[any SQLExpression]] = []
                var membershipRows: [[any SQLExpression]] = []
                for index in 1...max(version.memberCount, 1) where version.memberCount > 0 {
                    let id = UUID()
                    // Zero-padded so the directory sorts 0099 before 0100.
                    let number = String(format: "%04d", index)
                    let key = "demo-\(version.ceptoar.key)-\(number)"
                    let name = LocalizedText(
                        ja: "\(version.scopeJa) 構成員 \(number)（デモ）",
                        en: "Demo \(version.scopeEn ?? version.scopeJa) member \(number)")
                    organisationRows.append([
                        SQLBind(id), SQLBind(key), SQLBind(OrganisationKind.operator_.rawValue), SQLBind(name.ja),
                        SQLBind(name.en), SQLBind(Organisation.searchText(key: key, name: name)), SQLBind(version.validFrom),
                        SQLBind(true),
                    ])
                    let group = subgroups.isEmpty ? nil : subgroups[(index - 1) % subgroups.count].id
                    membershipRows.append([
                        SQLBind(UUID()), SQLBind(id), SQLBind(ceptoarID), SQLBind(group), SQLBind(Membership.Role.member.rawValue),
                        SQLBind(version.validFrom),
                    ])
                }
                // Set-based inserts in chunks that stay under SQLite's bound-parameter limit.
                try await sql.insertRows(
                    into: Organisation.schema, columns: ["id", "key", "kind", "name_ja", "name_en", "search_text", "valid_from", "synthetic"],
                    organisationRows)
                try await sql.insertRows(
                    into: Membership.schema, columns: ["id", "organisation_id", "ceptoar_id", "group_id", "role", "valid_from"], membershipRows)
                created += organisationRows.count
            }
            // Every synthetic member accepts its CEPTOAR's current rules, but one, so the demo
            // shows both sides of the rule (CLEAR only until accepted).
            let members = try await Membership.query(on: db).filter(\.$role == Membership.Role.member.rawValue).with(\.$organisation).all()
            let currentRules = try await HandlingRulesBook(database: db).current(for: Array(Set(members.map { $0.$ceptoar.id })))
            var acceptanceRows: [[any SQLExpression]] = []
            let now = Date()
            for membership in members where membership.organisation.synthetic && membership.organisation.key != Self.demoPendingOrganisation {
                guard let current = currentRules[membership.$ceptoar.id] else { continue }
                acceptanceRows.append([SQLBind(UUID()), SQLBind(membership.$organisation.id), SQLBind(try current.requireID()), SQLBind(now)])
            }
            try await sql.insertRows(into: RulesAcceptance.schema, columns: ["id", "organisation_id", "rules_id", "accepted_at"], acceptanceRows)
            for demo in Self.users {
                guard let organisation = try await Organisation.query(on: db).filter(\.$key == demo.organisationKey).first() else {
                    throw Abort(.internalServerError, reason: "demo organisation \(demo.organisationKey) is missing")
                }
                let user = User(
                    organisationID: try organisation.requireID(), email: demo.email, displayName: demo.name.ja,
                    passwordHash: hash, roles: demo.roles)
                try await user.create(on: db)
            }
            try await Self.createSecretariatContacts(on: db)
            try await Self.createRosters(on: db)
            try await Self.designateAnalysisBodies(on: db)
            return created
        }
    }
}

extension DemoNation {
    /// FISC analyses the finance sector's failure cases, as the 2009 map describes.
    static func designateAnalysisBodies(on db: any Database) async throws {
        guard let finance = try await Sector.query(on: db).filter(\.$key == "finance").first(),
              let fisc = try await Organisation.query(on: db).filter(\.$key == "fisc").first()
        else { return }
        try await AnalysisBody(sector: try finance.requireID(), organisation: try fisc.requireID(), at: Date()).create(on: db)
    }

    /// The banks' and T-CEPTOAR's secretariats publish an emergency contact, so the public
    /// contact pages of the demo show one (addresses under example.jp, numbers made up).
    static func createSecretariatContacts(on db: any Database) async throws {
        let sheets: [(organisation: String, title: String, email: String, phone: String)] = [
            ("banks-secretariat", "全国銀行協会 セプター事務局", "ceptoar@banks.example.jp", "03-0000-0001"),
            ("t-ceptoar-secretariat", "T-CEPTOAR 事務局", "t-ceptoar@telecom.example.jp", "03-0000-0002"),
        ]
        for sheet in sheets {
            guard let organisation = try await Organisation.query(on: db).filter(\.$key == sheet.organisation).first() else { continue }
            let contact = PocContact()
            contact.id = UUID()
            contact.$organisation.id = try organisation.requireID()
            contact.rank = ContactRank.primary.rawValue
            contact.position = 0
            contact.name = "事務局当番（デモ）"
            contact.title = sheet.title
            contact.availableAlways = true
            try await contact.create(on: db)
            for (position, method) in [(ContactChannel.email, sheet.email), (.phone, sheet.phone)].enumerated() {
                let row = PocMethod()
                row.$contact.id = contact.id!
                row.channel = method.0.rawValue
                row.address = try method.0.normalise(method.1).get()
                row.position = position
                row.published = true
                try await row.create(on: db)
            }
        }
    }
}

extension DemoNation {
    /// Every organisation without a roster gets a made-up one (addresses under example.jp,
    /// numbers in 0300-…), so drills and alerts in the demo have someone to reach: a primary
    /// contact by mail and phone, a secondary by mail and mobile, a deputy by phone.
    static func createRosters(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT o.id, o.key FROM organisations o WHERE NOT EXISTS (SELECT 1 FROM poc_contacts c WHERE c.organisation_id = o.id) ORDER BY o.key
            """).all()
        var contacts: [[any SQLExpression]] = []
        var methods: [[any SQLExpression]] = []
        for (index, row) in rows.enumerated() {
            let organisation = try row.decode(column: "id", as: UUID.self)
            let key = try row.decode(column: "key", as: String.self)
            let number = 300_000_000 + index * 3
            let people: [(ContactRank, String, [(ContactChannel, String)])] = [
                (.primary, "担当 一郎", [(.email, "primary.\(key)@example.jp"), (.phone, "0\(number)")]),
                (.secondary, "担当 二郎", [(.email, "secondary.\(key)@example.jp"), (.mobile, "090\(String(format: "%08d", index * 3 + 1))")]),
                (.deputy, "代理 三子", [(.phone, "0\(number + 2)")]),
            ]
            for (rank, name, ways) in people {
                let contact = UUID()
                contacts.append([SQLBind(contact), SQLBind(organisation), SQLBind(rank.rawValue), SQLBind(0), SQLBind(name + "（デモ）"), SQLBind(true)])
                for (position, way) in ways.enumerated() {
                    methods.append([SQLBind(UUID()), SQLBind(contact), SQLBind(way.0.rawValue), SQLBind(try way.0.normalise(way.1).get()), SQLBind(position), SQLBind(false)])
                }
            }
        }
        try await sql.insertRows(into: PocContact.schema, columns: ["id", "organisation_id", "rank", "position", "name", "available_always"], contacts)
        try await sql.insertRows(into: PocMethod.schema, columns: ["id", "contact_id", "channel", "address", "position", "published"], methods)
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: self.count, by: size).map { self[$0..<Swift.min($0 + size, self.count)] }
    }
}
