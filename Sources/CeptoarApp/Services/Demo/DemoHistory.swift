import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// The demo nation's past year, generated so every page has something true to show on first
/// start: advisories relayed through ministries and CEPTOARs and acknowledged (or not) by
/// members, two drills per CEPTOAR with varied reach, a few hundred incident reports with their
/// stages, failure cases written from them, an agreement in force and one awaiting approval,
/// and situation changes — and the last days' work left open, as a real week leaves
/// it: advisories waiting for review or acknowledgement, the demo members' reports due.
/// Everything is drawn from one fixed seed (the same nation every time, shifted to end today)
/// and marked synthetic.
struct DemoHistory {
    let database: any Database
    var seed: UInt64 = 2009
    var advisories = 48
    var reports = 300

    /// Whether the history is already there (a restart writes nothing).
    func isPresent() async throws -> Bool {
        try await (self.database as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM advisories WHERE synthetic = \(bind: true)").first()?
            .decode(column: "n", as: Int.self) ?? 0 > 0
    }

    struct Summary: Sendable {
        var advisories = 0
        var deliveries = 0
        var drills = 0
        var reports = 0
        var situationChanges = 0
        var failureCases = 0
        var agreements = 0
    }

    /// The year ends a week before `now`.
    func generate(now: Date = Date()) async throws -> Summary {
        guard try await !self.isPresent() else { return Summary() }
        var g = BenchReportsCommand.Generator(seed: self.seed)
        let end = now.addingTimeInterval(-8 * 86_400)
        let start = end.addingTimeInterval(-357 * 86_400)
        let registry = try await SituationRegistry.load(on: self.database)
        var summary = Summary()
        guard let relayer = try await self.relayer(&g, registry: registry) else { return summary }
        summary.advisories = try await self.advisories(&g, relayer: relayer, from: start, to: end)
        summary.drills = try await self.drills(&g, registry: registry, from: start, to: end)
        let reportIDs = try await self.reports(&g, from: start, to: end)
        summary.reports = reportIDs.count
        summary.advisories += try await self.openWork(&g, relayer: relayer, now: now)
        summary.reports += try await self.demoMembersReports(&g, now: now)
        summary.deliveries = try await (self.database as! any SQLDatabase)
            .raw("SELECT COUNT(*) AS n FROM deliveries d JOIN advisories a ON a.id = d.advisory_id WHERE a.synthetic = \(bind: true)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
        summary.situationChanges = try await self.situation(&g, registry: registry, reports: reportIDs, from: start, to: end)
        summary.failureCases = try await self.failureCases(from: start, to: end)
        summary.agreements = try await self.agreements(from: start, now: now)
        WriteGeneration.process.advance()
        return summary
    }

    // MARK: advisories

    static let advisoryTitles: [(ja: String, en: String, category: AdvisoryCategory)] = [
        ("VPN装置の脆弱性を悪用した攻撃への注意喚起", "Attacks exploiting a VPN appliance vulnerability", .vulnerability),
        ("標的型メールによるマルウェア感染への注意", "Malware delivered by targeted e-mail", .threat),
        ("大型連休期間中の情報セキュリティ対策について", "Security measures for the long holidays", .other),
        ("DDoS攻撃の予告に関する情報提供", "A threatened DDoS campaign", .threat),
        ("制御システム向け製品の脆弱性情報", "A vulnerability in control-system products", .vulnerability),
        ("ランサムウェア被害の拡大に関する注意喚起", "Spreading ransomware damage", .incident),
        ("フィッシングサイトの増加について", "A rise in phishing sites", .threat),
        ("年度末のシステム更新に伴う留意事項", "Points to watch in year-end system changes", .other),
    ]

    /// How far a generated advisory got.
    enum Reach {
        /// Relayed through every hop; members acknowledged, but the slow ones.
        case relayed
        /// Relayed; nobody has acknowledged it yet.
        case unacknowledged
        /// Waiting at the competent ministry.
        case heldAtMinistry
        /// Forwarded by the ministry, waiting at each CEPTOAR's secretariat.
        case heldAtCeptoar
    }

    struct Relayer {
        var nisc: UUID
        var author: UUID
        var slow: [UUID]
        var registry: SituationRegistry
    }

    private func relayer(_ g: inout BenchReportsCommand.Generator, registry: SituationRegistry) async throws -> Relayer? {
        guard let nisc = try await Organisation.query(on: self.database).filter(\.$kind == OrganisationKind.cabinetSecretariat.rawValue).first(),
              let author = try await User.query(on: self.database).filter(\.$organisation.$id == nisc.requireID()).first()
        else { return nil }
        let members = try await MapQuery.validOn(Membership.query(on: self.database), .today).filter(\.$role == Membership.Role.member.rawValue)
            .join(Organisation.self, on: \Membership.$organisation.$id == \Organisation.$id).sort(Organisation.self, \.$key).all()
        // One member in eight is slow to acknowledge anything: the same ones all year.
        let slow = members.map { $0.$organisation.id }.filter { _ in g.next(8) == 0 }
        return Relayer(nisc: try nisc.requireID(), author: try author.requireID(), slow: slow.isEmpty ? [UUID()] : slow, registry: registry)
    }

    private func advisories(_ g: inout BenchReportsCommand.Generator, relayer: Relayer, from start: Date, to end: Date) async throws -> Int {
        let sectors = relayer.registry.sectors.filter { sector in relayer.registry.ceptoars.contains { $0.sectorKey == sector.key } }
        let span = end.timeIntervalSince(start)
        for index in 0..<self.advisories {
            // Spread over the year, a little irregular, in time order.
            let at = start.addingTimeInterval(span * (Double(index) + Double(g.next(60)) / 100) / Double(self.advisories))
            var chosen = [sectors[g.next(sectors.count)].key]
            if g.next(3) == 0 { chosen.append(sectors[g.next(sectors.count)].key) }
            let severity: Severity = [.low, .medium, .medium, .high, .high, .critical][g.next(6)]
            try await self.advisory(&g, relayer: relayer, at: at, template: Self.advisoryTitles[g.next(Self.advisoryTitles.count)], severity: severity,
                                    tlp: [.green, .green, .amber, .amber, .clear][g.next(5)], sectors: chosen, reach: .relayed)
        }
        return self.advisories
    }

    /// The last days' work, left open as a real week would leave it: a critical advisory not
    /// yet acknowledged, advisories waiting for review at ministries and secretariats.
    private func openWork(_ g: inout BenchReportsCommand.Generator, relayer: Relayer, now: Date) async throws -> Int {
        let plan: [(hours: Double, template: Int, severity: Severity, sectors: [String], reach: Reach)] = [
            (50, 0, .critical, ["finance", "water", "electricity", "info-comm", "government", "medical", "railway"], .unacknowledged),
            (26, 2, .medium, ["info-comm", "government"], .heldAtMinistry),
            (3, 6, .medium, ["finance"], .heldAtMinistry),
            (5, 4, .medium, ["finance", "electricity", "water"], .heldAtCeptoar),
        ]
        var count = 0
        for item in plan {
            let sectors = item.sectors.filter { relayer.registry.sector($0) != nil }
            guard !sectors.isEmpty else { continue }
            try await self.advisory(&g, relayer: relayer, at: now.addingTimeInterval(-item.hours * 3_600), template: Self.advisoryTitles[item.template],
                                    severity: item.severity, tlp: .green, sectors: sectors, reach: item.reach)
            count += 1
        }
        return count
    }

    /// One advisory from NISC to the CEPTOARs of some sectors, with its hops and deliveries.
    private func advisory(
        _ g: inout BenchReportsCommand.Generator, relayer: Relayer, at: Date, template: (ja: String, en: String, category: AdvisoryCategory),
        severity: Severity, tlp: TLP, sectors targets: [String], reach: Reach
    ) async throws {
        let registry = relayer.registry
        let targets = Array(Set(targets)).sorted()
        let id = UUID.timeOrdered(at: at)
        // Drawn first, written after: the transaction's closure may not touch the generator.
        var hops: [[ColumnValue]] = []
        var fanOuts: [(hop: UUID, ceptoar: UUID, at: Date, acknowledged: Date?)] = []
        for key in targets {
            guard let sector = registry.sector(key) else { continue }
            // The ministry forwards after minutes; each CEPTOAR's secretariat after a review.
            let ministryHop = UUID()
            let ministryForwarded = at.addingTimeInterval(Double(60 * (3 + g.next(60))))
            let ministryHeld = reach == .heldAtMinistry
            hops.append([
                .uuid(ministryHop), .uuid(id), .uuid(sector.ministry), .uuid(nil), .uuid(nil), .text("ministry"), .text(ministryHeld ? "held" : "forwarded"),
                .text(tlp.rawValue), .text(""), .text(""), .date(at), .date(ministryHeld ? nil : ministryForwarded), .date(ministryHeld ? nil : ministryForwarded),
                .bool(severity >= .high),
            ])
            guard !ministryHeld else { continue }
            for ceptoar in registry.ceptoars where ceptoar.sectorKey == key {
                guard let holder = ceptoar.secretariat else { continue }
                let hop = UUID()
                let status = reach == .heldAtCeptoar ? "held" : (reach == .relayed && g.next(25) == 0 ? "withheld" : "forwarded")
                let forwarded = ministryForwarded.addingTimeInterval(Double(60 * (severity >= .high ? g.next(10) : 5 + g.next(180))))
                hops.append([
                    .uuid(hop), .uuid(id), .uuid(holder), .uuid(ceptoar.id), .uuid(ministryHop), .text("ceptoar"), .text(status),
                    .text(tlp.rawValue), .text(""), .text(""), .date(ministryForwarded), .date(status == "held" ? nil : forwarded),
                    .date(status == "forwarded" ? forwarded : nil), .bool(severity >= .high),
                ])
                // Members acknowledge within hours; the slow ones never do.
                if status == "forwarded" {
                    fanOuts.append((hop, ceptoar.id, forwarded, reach == .relayed ? forwarded.addingTimeInterval(Double(60 * (10 + g.next(600)))) : nil))
                }
            }
        }
        let (hopRows, fans, slow) = (hops, fanOuts, relayer.slow)
        try await self.database.atomically { db in
            let sql = db as! any SQLDatabase
            _ = try await sql.insertValues(into: Advisory.schema, columns: [
                "id", "created_at", "originator_id", "author_id", "series_id", "version", "title_ja", "title_en", "body_ja", "body_en",
                "severity", "category", "tlp", "references", "synthetic",
            ], [[
                .uuid(id), .date(at), .uuid(relayer.nisc), .uuid(relayer.author), .uuid(id), .integer(1), .text(template.ja), .text(template.en),
                .text("（デモ用の生成データ）\(template.ja)。関係する構成員は自組織の状況を確認し、必要な対策を講じてください。"),
                .text("(Generated demo data) \(template.en). Members concerned should check their own systems and act as needed."),
                .text(severity.rawValue), .text(template.category.rawValue), .text(tlp.rawValue), .text(""), .bool(true),
            ]])
            _ = try await sql.insertValues(into: AdvisoryTarget.schema, columns: ["id", "advisory_id", "kind", "target_key"],
                                           targets.map { [.uuid(UUID()), .uuid(id), .text("sector"), .text($0)] })
            _ = try await sql.insertValues(into: RelayHop.schema, columns: [
                "id", "advisory_id", "organisation_id", "ceptoar_id", "parent_id", "stage", "status", "tlp", "audience_groups", "audience_organisations",
                "received_at", "reviewed_at", "forwarded_at", "automatic",
            ], hopRows)
            for fan in fans {
                try await sql.raw("""
                    INSERT INTO deliveries (advisory_id, organisation_id, hop_id, delivered_at)
                    SELECT \(bind: id), m.organisation_id, \(bind: fan.hop), \(bind: fan.at) FROM memberships m
                    WHERE m.ceptoar_id = \(bind: fan.ceptoar) AND m.role = 'member' AND \(MapQuery.validOnSQL("m", .today))
                    ON CONFLICT (advisory_id, organisation_id) DO NOTHING
                    """).run()
                guard let acknowledged = fan.acknowledged else { continue }
                try await sql.raw("""
                    UPDATE deliveries SET read_at = \(bind: acknowledged), acknowledged_at = \(bind: acknowledged)
                    WHERE hop_id = \(bind: fan.hop) AND organisation_id NOT IN (\(binds: slow))
                    """).run()
            }
        }
    }

    // MARK: drills

    private func drills(_ g: inout BenchReportsCommand.Generator, registry: SituationRegistry, from start: Date, to end: Date) async throws -> Int {
        let admin = try await User.query(on: self.database).filter(\.$email == "admin@demo.ceptoar.example").first()
        guard let creator = admin?.id else { return 0 }
        let span = end.timeIntervalSince(start)
        let policy = String(decoding: try JSONEncoder().encode(EscalationPolicy.standard), as: UTF8.self)
        var count = 0
        for ceptoar in registry.ceptoars {
            guard let sender = ceptoar.secretariat else { continue }
            let members = try await MapQuery.validOn(Membership.query(on: self.database), .today).filter(\.$ceptoar.$id == ceptoar.id)
                .filter(\.$role == Membership.Role.member.rawValue)
                .join(Organisation.self, on: \Membership.$organisation.$id == \Organisation.$id).sort(Organisation.self, \.$key).all().map { $0.$organisation.id }
            guard !members.isEmpty else { continue }
            for half in 0..<2 {
                // One drill in each half of the year; reach between 55 % and 99 %.
                let at = start.addingTimeInterval(span * (Double(half) * 0.5 + 0.1 + Double(g.next(30)) / 100))
                let reachPercent = 55 + g.next(45)
                let id = UUID.timeOrdered(at: at)
                var rows: [[ColumnValue]] = []
                for organisation in members {
                    let reached = g.next(100) < reachPercent
                    let answered = at.addingTimeInterval(Double(60 * (1 + g.next(40))))
                    rows.append([
                        .uuid(id), .uuid(organisation), .uuid(ceptoar.id), .text("member"), .integer(3), .integer(0),
                        .date(reached ? answered : nil), .text(reached ? (g.next(3) == 0 ? "email" : "portal") : nil),
                        .date(reached ? nil : at.addingTimeInterval(35 * 60)),
                    ])
                }
                let targets = rows
                try await self.database.atomically { db in
                    let sql = db as! any SQLDatabase
                    _ = try await sql.insertValues(into: Alert.schema, columns: [
                        "id", "kind", "scope_kind", "scope_key", "severity", "title_ja", "title_en", "body_ja", "body_en", "sender_id", "created_by", "created_at", "policy", "synthetic",
                    ], [[
                        .uuid(id), .text("drill"), .text("ceptoar"), .text(ceptoar.key), .text("medium"),
                        .text("\(ceptoar.name.ja) 連絡訓練（\(half == 0 ? "上期" : "下期")）"), .text("\(ceptoar.name.text(.en)) contact drill (\(half == 0 ? "first" : "second") half)"),
                        .text("（デモ用の生成データ）緊急連絡網の疎通確認訓練です。受信したら応答してください。"), .text("(Generated demo data) A contact drill: acknowledge on receipt."),
                        .uuid(sender), .uuid(creator), .date(at), .text(policy), .bool(true),
                    ]])
                    _ = try await sql.insertValues(into: AlertTarget.schema, columns: [
                        "alert_id", "organisation_id", "ceptoar_id", "stage", "step", "round", "acknowledged_at", "acknowledged_via", "exhausted_at",
                    ], targets)
                }
                count += 1
            }
        }
        return count
    }

    // MARK: reports

    private func reports(_ g: inout BenchReportsCommand.Generator, from start: Date, to end: Date) async throws -> [UUID] {
        let reporters = try await BenchReportsCommand.reporters(self.database, count: 40, hash: "!", emailPrefix: "history-reporter")
        try await BenchReportsCommand.generate(
            self.database, count: self.reports, from: start, to: end, reporters: reporters, generator: &g, synthetic: true,
            summary: LocalizedText(ja: "（デモ用の生成データ）", en: "(Generated demo data)"))
        return try await IncidentReport.query(on: self.database).filter(\.$synthetic == true).sort(\.$detectedAt).all().compactMap(\.id)
    }

    /// Reports of the demo accounts' own organisations in the last three weeks, so a member
    /// signing in finds stages due and overdue.
    private func demoMembersReports(_ g: inout BenchReportsCommand.Generator, now: Date) async throws -> Int {
        let steps = ReportSteps(database: self.database)
        var reporters: [BenchReportsCommand.Reporter] = []
        for demo in DemoNation.users where demo.roles == [.member] && demo.organisationKey != DemoNation.demoPendingOrganisation {
            guard let user = try await User.query(on: self.database).filter(\.$email == demo.email).first(),
                  let membership = try await MapQuery.validOn(Membership.query(on: self.database), .today).filter(\.$organisation.$id == user.$organisation.id)
                    .filter(\.$role == Membership.Role.member.rawValue).first(),
                  let sector = try await steps.sector(of: membership.$ceptoar.id),
                  let ceptoar = try await Ceptoar.find(membership.$ceptoar.id, on: self.database)
            else { continue }
            var holders: [AccessPolicy.ReportStep: UUID] = [:]
            for step in AccessPolicy.ReportStep.allCases {
                if let holder = try await steps.holders(step, ceptoar: ceptoar.id!, sector: sector).first { holders[step] = holder }
            }
            guard holders[.ceptoar] != nil else { continue }
            reporters.append(BenchReportsCommand.Reporter(
                organisation: user.$organisation.id, user: user, ceptoar: ceptoar.id!, ceptoarKey: ceptoar.key, sector: sector, holders: holders))
        }
        guard !reporters.isEmpty else { return 0 }
        let count = reporters.count * 3
        try await BenchReportsCommand.generate(
            self.database, count: count, from: now.addingTimeInterval(-21 * 86_400), to: now.addingTimeInterval(-3_600), reporters: reporters, generator: &g,
            synthetic: true, summary: LocalizedText(ja: "（デモ用の生成データ）", en: "(Generated demo data)"))
        return count
    }

    // MARK: situation

    private func situation(_ g: inout BenchReportsCommand.Generator, registry: SituationRegistry, reports: [UUID], from start: Date, to end: Date) async throws -> Int {
        guard !reports.isEmpty,
              let nisc = try await User.query(on: self.database).filter(\.$email == "nisc@demo.ceptoar.example").first()
        else { return 0 }
        let span = end.timeIntervalSince(start)
        // (scope, level, when as a share of the year, rationale) — a believable year: a finance
        // scare in spring, a power-sector warning in summer, a national caution in autumn, and
        // water still at caution at the end.
        let steps: [(SituationScope, SituationLevel, Double, String, String)] = [
            (.sector("finance"), .caution, 0.12, "インターネットバンキングへの不正アクセス報告が相次いだため", "repeated reports of unauthorised access to internet banking"),
            (.sector("finance"), .normal, 0.2, "対策が行き渡り新たな報告がないため", "countermeasures in place and no new reports"),
            (.ceptoar("electricity"), .warning, 0.45, "制御系製品の脆弱性を悪用した攻撃の兆候", "signs of attacks on a control-system product vulnerability"),
            (.ceptoar("electricity"), .caution, 0.5, "修正プログラムの適用が進んだため", "patches largely applied"),
            (.ceptoar("electricity"), .normal, 0.56, "新たな兆候がないため", "no new signs"),
            (.nation, .caution, 0.7, "複数分野でDDoS攻撃の予告が確認されたため", "DDoS threats seen in several sectors"),
            (.nation, .normal, 0.74, "予告された期間を過ぎ被害がなかったため", "the threatened period passed without damage"),
            (.ceptoar("water"), .caution, 0.93, "遠隔監視装置の設定不備に関する報告", "reports of misconfigured remote monitoring units"),
        ]
        var rows: [[ColumnValue]] = []
        for (scope, level, share, ja, en) in steps where registry.exists(scope) {
            let at = start.addingTimeInterval(span * share)
            let link = reports[g.next(reports.count)]
            let links = String(decoding: try JSONEncoder.sorted.encode([SituationLink(kind: "report", id: link)]), as: UTF8.self)
            rows.append([
                .uuid(UUID.timeOrdered(at: at)), .date(at), .uuid(nisc.id), .uuid(nisc.$organisation.id), .text(scope.kind), .text(scope.key), .text(level.rawValue),
                .bool(false), .text("（デモ用の生成データ）\(ja)"), .text("(Generated demo data) \(en)"), .text(links), .text(nisc.email), .text("{}"), .bool(false), .bool(true),
            ])
        }
        let written = rows
        try await self.database.atomically { db in
            _ = try await (db as! any SQLDatabase).insertValues(into: SituationChange.schema, columns: [
                "id", "created_at", "actor_id", "organisation_id", "scope_kind", "scope_key", "level", "large_incident", "rationale_ja", "rationale_en", "links",
                "actor_email", "effects", "exercise", "synthetic",
            ], written)
        }
        return rows.count
    }
}
