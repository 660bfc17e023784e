import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// `ceptoar bench-reports --reports N [--years Y] [--reporters R] [--runs K] [--tokens FILE]`:
/// the incident-report benchmark, on demand against a scratch database (never CI's). Seeds the
/// demo nation, gives R member organisations a reporter each, writes N reports spread over the
/// last Y years (stages, hops up to NISC as each report's choices allow, observables drawn so a
/// few CVEs are common), then times in this process: filing a new report (with its trend
/// check), correlating it against its window as a coordinator sees it, and the nation's
/// statistics for the last full fiscal year. With `--tokens`, writes an API token per reporter
/// and its CEPTOAR (`token<TAB>key`, one per line) for the intake run under wrk
/// (`scripts/bench/report-poster.lua`).
struct BenchReportsCommand: AnyAsyncCommand {
    var help: String { "Benchmark incident reports on a scratch database: --reports N --years Y --reporters R --runs K [--tokens FILE]" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        let count = Int(try arguments.option("reports") ?? "100000") ?? -1
        let years = Int(try arguments.option("years") ?? "5") ?? -1
        let reporterCount = Int(try arguments.option("reporters") ?? "1000") ?? -1
        let runs = Int(try arguments.option("runs") ?? "21") ?? -1
        let tokensPath = try arguments.option("tokens")
        try arguments.finish()
        guard (1...2_000_000).contains(count), (1...20).contains(years), (1...5_000).contains(reporterCount), (1...1_000).contains(runs) else {
            throw CLIError("--reports 1…2000000, --years 1…20, --reporters 1…5000, --runs 1…1000")
        }
        let app = context.application
        try await app.autoMigrate()
        guard try await IncidentReport.query(on: app.db).count() == 0, try await !RegistrySeeder(database: app.db).isSeeded() else {
            throw CLIError("bench-reports needs an empty scratch database; it refuses to touch one with data")
        }
        let clock = ContinuousClock()
        var started = clock.now
        _ = try await SeedCommand.seed(app, seed: try SeedDocument.bundled(), demo: true)
        var generator = Generator(seed: 2009)
        let reporters = try await Self.reporters(app.db, count: reporterCount, hash: try await app.password.async.hash("bench-password-unused"))
        if let tokensPath {
            var secrets: [String] = []
            for reporter in reporters {
                let (_, secret) = try await app.accounts(on: app.db).createToken(for: reporter.user, name: "bench", days: nil, actor: "bench")
                secrets.append(secret + "\t" + reporter.ceptoarKey)
            }
            try (secrets.joined(separator: "\n") + "\n").write(toFile: tokensPath, atomically: true, encoding: .utf8)
        }
        context.say("setup: \(reporters.count) reporters in \(clock.now - started)")
        started = clock.now
        do {
            let now = Date()
            try await Self.generate(app.db, count: count, from: now.addingTimeInterval(-Double(years) * 365.25 * 86_400), to: now, reporters: reporters, generator: &generator)
        } catch {
            throw CLIError("generating the reports failed: \(String(reflecting: error))")
        }
        context.say("generated \(count) reports over \(years) years in \(clock.now - started)")
        if (app.db as? any SQLDatabase)?.dialect.name == "postgresql" {
            // What autovacuum does within a minute of a bulk load: statistics for the planner,
            // and the visibility map that lets the covering indexes answer without the table.
            try await (app.db as! any SQLDatabase).raw("VACUUM ANALYZE").run()
        }

        // As `serve` runs: the log is checkpointed in the background, not in the commit.
        let checkpointer = WALCheckpointer(database: app.db)
        await checkpointer.start(logger: app.logger)
        defer { Task { await checkpointer.stop() } }
        guard let coordinator = try await User.query(on: app.db).filter(\.$email == "banks-secretariat@demo.ceptoar.example").first(),
            let bankReporter = reporters.first(where: { $0.ceptoarKey == "banks" })
        else { throw CLIError("the demo banks' secretariat or a banks reporter is missing") }
        var filing: [Double] = []
        var correlating: [Double] = []
        var linked = 0
        for run in 1...runs {
            var input = Self.input(&generator, detected: Date().addingTimeInterval(-3600))
            input.observables = [ReportInput.Observable(kind: "cve", value: Self.hotCVEs[run % Self.hotCVEs.count]), ReportInput.Observable(kind: "ip", value: "198.51.100.\(run % 250)")]
            input.attribution = "named"
            var start = clock.now
            let loaded = try await ReportBook(database: app.db).file(input, ceptoar: "banks", by: bankReporter.user)
            filing.append(Self.milliseconds(clock.now - start))
            start = clock.now
            let answer = try await ReportRelated(database: app.db).related(try loaded.report.requireID(), by: coordinator)
            correlating.append(Self.milliseconds(clock.now - start))
            linked = answer.reports.count
        }
        context.say("file a new report (with its trend check): \(Self.summary(filing))")
        context.say("correlate a new report against its 14-day window (banks' secretariat, \(linked) linked): \(Self.summary(correlating))")
        let today = Instant.japaneseDay(Date()) ?? .today
        let lastFullYear = (today.month >= 4 ? today.year : today.year - 1) - 1
        guard let period = StatisticsPeriod(String(lastFullYear)) else { throw CLIError("no fiscal year \(lastFullYear)") }
        var statistics: [Double] = []
        var total = ""
        for _ in 1...runs {
            let start = clock.now
            let answer = try await ReportStatistics(database: app.db).statistics(.nation, period)
            statistics.append(Self.milliseconds(clock.now - start))
            total = answer.byEventAndCause.total.text(k: answer.k)
        }
        context.say("statistics for the nation, fiscal year \(lastFullYear) (\(total) counted): \(Self.summary(statistics))")
        var reading: [Double] = []
        for _ in 1...runs {
            let start = clock.now
            _ = try await ReportStatistics(database: app.db).facts(period, sector: nil)
            reading.append(Self.milliseconds(clock.now - start))
        }
        context.say("  of which reading the year's reports (one query): \(Self.summary(reading))")
        // NISC holds a step of every report that went all the way up: its list must not choke on that.
        guard let nisc = try await User.query(on: app.db).filter(\.$email == "nisc@demo.ceptoar.example").first() else { throw CLIError("no demo NISC user") }
        var listing: [Double] = []
        var held = 0
        for _ in 1...runs {
            let start = clock.now
            let page = try await ReportBook(database: app.db).list(for: nisc, page: try RequestedPage(page: "1", per: "50", defaultPer: 50, maximumPer: 200))
            listing.append(Self.milliseconds(clock.now - start))
            held = page.total
        }
        context.say("NISC's report list, first 50 of \(held): \(Self.summary(listing))")
    }

    struct Reporter {
        var organisation: UUID
        var user: User
        var ceptoar: UUID
        var ceptoarKey: String
        var sector: UUID
        var holders: [AccessPolicy.ReportStep: UUID]
    }

    static let hotCVEs = ["CVE-2024-3400", "CVE-2023-4966", "CVE-2024-21762", "CVE-2023-46805", "CVE-2024-1709"]

    /// R member organisations of CEPTOARs with a secretariat (taken round the CEPTOARs so every
    /// sector reports), each with one reporting user.
    static func reporters(_ db: any Database, count: Int, hash: String, emailPrefix: String = "report-bench") async throws -> [Reporter] {
        let steps = ReportSteps(database: db)
        // In the organisations' key order, so the same nation gives the same reporters.
        let memberships = try await MapQuery.validOn(Membership.query(on: db), .today).filter(\.$role == "member")
            .join(Organisation.self, on: \Membership.$organisation.$id == \Organisation.$id).sort(Organisation.self, \.$key).all()
        let ceptoars = Dictionary(try await Ceptoar.query(on: db).all().compactMap { c in c.id.map { ($0, c.key) } }, uniquingKeysWith: { a, _ in a })
        var byCeptoar: [UUID: [UUID]] = [:]
        for membership in memberships { byCeptoar[membership.$ceptoar.id, default: []].append(membership.$organisation.id) }
        var routes: [UUID: (sector: UUID, holders: [AccessPolicy.ReportStep: UUID])] = [:]
        for ceptoar in byCeptoar.keys {
            guard let sector = try await steps.sector(of: ceptoar) else { continue }
            var holders: [AccessPolicy.ReportStep: UUID] = [:]
            for step in AccessPolicy.ReportStep.allCases {
                if let holder = try await steps.holders(step, ceptoar: ceptoar, sector: sector).first { holders[step] = holder }
            }
            if holders[.ceptoar] != nil { routes[ceptoar] = (sector, holders) }
        }
        let usable = byCeptoar.filter { routes[$0.key] != nil }.sorted { (ceptoars[$0.key] ?? "") < (ceptoars[$1.key] ?? "") }
        var chosen: [(organisation: UUID, ceptoar: UUID)] = []
        var taken: Set<UUID> = []
        var index = 0
        while chosen.count < count, index < 10_000 {
            for (ceptoar, organisations) in usable where chosen.count < count && index < organisations.count {
                if taken.insert(organisations[index]).inserted { chosen.append((organisations[index], ceptoar)) }
            }
            index += 1
        }
        var users: [[any SQLExpression]] = []
        var result: [Reporter] = []
        for (n, choice) in chosen.enumerated() {
            let user = User()
            user.id = UUID()
            user.$organisation.id = choice.organisation
            user.email = "\(emailPrefix)-\(n)@bench.ceptoar.example"
            user.displayName = "\(emailPrefix) \(n)"
            user.passwordHash = hash
            user.roles = "member"
            user.active = true
            users.append([SQLBind(user.id!), SQLBind(choice.organisation), SQLBind(user.email), SQLBind(user.displayName), SQLBind(hash), SQLBind("member"), SQLBind(true)])
            guard let route = routes[choice.ceptoar] else { continue }
            result.append(Reporter(organisation: choice.organisation, user: user, ceptoar: choice.ceptoar, ceptoarKey: ceptoars[choice.ceptoar] ?? "", sector: route.sector, holders: route.holders))
        }
        let rows = users
        try await db.atomically { db in
            try await (db as! any SQLDatabase).insertRows(
                into: User.schema, columns: ["id", "organisation_id", "email", "display_name", "password_hash", "roles", "active"], rows, chunk: 2_000)
        }
        return result
    }

    /// A report's content, drawn: an event type, one or two causes, impact scores, a marking.
    static func input(_ g: inout Generator, detected: Date, summary: LocalizedText? = nil) -> ReportInput {
        var input = ReportInput()
        let event = ReportEventType.allCases[g.next(ReportEventType.allCases.count)]
        input.summary = summary.map { LocalizedText(ja: "\($0.ja)\(event.label.ja)", en: "\($0.text(.en)) \(event.label.text(.en))") }
            ?? LocalizedText(ja: "ベンチマーク用の報告（\(event.label.ja)）", en: "Benchmark report")
        input.affectedService = ["インターネットバンキング", "勘定系", "ATM", "予約システム", "制御系"][g.next(5)]
        input.detectedAt = ReportDraft.rfc3339(detected)
        input.eventType = event.rawValue
        let codes = ["intentional.unauthorised_access", "intentional.malware", "intentional.other", "unintentional.software", "unintentional.hardware",
                     "unintentional.management_or_human", "disaster", "other"]
        // Unique in drawing order (a Set's order changes from one process to the next).
        let drawn = [codes[g.next(codes.count)], codes[g.next(codes.count)]].prefix(1 + g.next(2))
        input.causes = drawn.enumerated().filter { index, code in !drawn.prefix(index).contains(code) }.map(\.element)
        input.slaBreached = g.next(3) == 0
        input.impact = ReportInput.Impact(serviceContinuity: g.next(5), safety: g.next(5) == 0 ? g.next(3) : 0, lossOfTrust: g.next(4))
        input.tlp = ["CLEAR", "GREEN", "GREEN", "AMBER", "AMBER", "AMBER", "AMBER+STRICT", "RED"][g.next(8)]
        input.attribution = ["named", "anonymised", "anonymised", "ceptoar_only"][g.next(4)]
        var observables: [ReportInput.Observable] = []
        // One report in five names one of five CVEs seen everywhere; the rest a long tail.
        observables.append(ReportInput.Observable(kind: "cve", value: g.next(5) == 0 ? Self.hotCVEs[g.next(5)] : "CVE-20\(19 + g.next(6))-\(10_000 + g.next(3_000))"))
        if g.next(2) == 0 { observables.append(ReportInput.Observable(kind: "ip", value: "203.0.\(113 + g.next(3)).\(g.next(250))")) }
        if g.next(4) == 0 { observables.append(ReportInput.Observable(kind: "domain", value: "c2-\(g.next(2_000)).example.net")) }
        input.observables = observables
        return input
    }

    /// N reports, detection uniform between `from` and `to`, written straight into the tables
    /// (in batches) as the report book would have left them: stages, hops and observables. The
    /// demo nation's history writes them `synthetic`, with its own summary.
    static func generate(
        _ db: any Database, count: Int, from: Date, to now: Date, reporters: [Reporter], generator g: inout Generator, synthetic: Bool = false,
        summary: LocalizedText? = nil
    ) async throws {
        let span = Swift.max(now.timeIntervalSince(from) - 3_600, 1)
        let batch = 5_000
        var done = 0
        while done < count {
            var reports: [[ColumnValue]] = [], stages: [[ColumnValue]] = [], hops: [[ColumnValue]] = [], observables: [[ColumnValue]] = []
            for _ in 0..<Swift.min(batch, count - done) {
                let reporter = reporters[g.next(reporters.count)]
                let detected = now.addingTimeInterval(-Double(g.next(Int(span))) - 3_600)
                let input = Self.input(&g, detected: detected, summary: summary)
                guard case .success(let draft) = input.validated(now: now) else { continue }
                let id = UUID()
                let filed = Swift.min(now, detected.addingTimeInterval(Double(60 * (10 + g.next(2_880)))))
                let stageCount = 1 + g.next(3)
                let stage = ReportStage.allCases[stageCount - 1]
                let updated = Swift.min(now, filed.addingTimeInterval(Double(stageCount - 1) * 86_400 * 2))
                reports.append([
                    .uuid(id), .date(filed), .date(updated), .uuid(reporter.organisation), .uuid(reporter.user.id), .uuid(reporter.ceptoar), .uuid(reporter.sector),
                    .text(draft.summary.ja), .text(draft.summary.en), .text(draft.affectedService), .date(draft.detectedAt),
                    .text(draft.eventType.rawValue), .text(draft.causes.map(\.code).joined(separator: ",")), .bool(draft.slaBreached), .integer(draft.severity),
                    .text(draft.tlp.rawValue), .text(draft.attribution.rawValue), .bool(draft.redConsent), .text(stage.rawValue), .bool(false), .bool(synthetic),
                ])
                let content = String(decoding: try JSONEncoder.sorted.encode(draft.canonicalInput), as: UTF8.self)
                for (index, each) in ReportStage.allCases.prefix(stageCount).enumerated() {
                    stages.append([.uuid(UUID()), .uuid(id), .uuid(reporter.user.id), .text(each.rawValue), .integer(1), .text("submitted"), .text(content),
                                   .date(Swift.min(now, filed.addingTimeInterval(Double(index) * 86_400 * 2)))])
                }
                // Up as far as the choices allow, each step forwarding at once. (Null timestamps are
        // left out of the column lists: a NULL bound as text is not a timestamp to PostgreSQL.)
                let mayLeave = draft.attribution != .ceptoarOnly && (draft.tlp < .amberStrict || draft.redConsent)
                for step in AccessPolicy.ReportStep.allCases {
                    guard let holder = reporter.holders[step], step == .ceptoar || mayLeave else { break }
                    let last = step == .nisc || !mayLeave || reporter.holders[step.next ?? step] == nil
                    hops.append([.uuid(UUID()), .uuid(id), .uuid(holder), .text(step.rawValue), .text(last ? (step == .ceptoar ? "held" : "final") : "forwarded"),
                                 .date(filed), .bool(true)])
                    if last { break }
                }
                for observable in draft.observables { observables.append([.uuid(UUID()), .uuid(id), .text(observable.key), .date(draft.detectedAt)]) }
            }
            let (r, s, h, o) = (reports, stages, hops, observables)
            try await db.atomically { db in
                let sql = db as! any SQLDatabase
                _ = try await sql.insertValues(into: IncidentReport.schema, columns: [
                    "id", "created_at", "updated_at", "organisation_id", "filed_by_id", "ceptoar_id", "sector_id", "summary_ja", "summary_en", "affected_service",
                    "detected_at", "event_type", "causes", "sla_breached", "severity", "tlp", "attribution", "red_consent", "stage", "exercise", "synthetic",
                ], r)
                _ = try await sql.insertValues(into: ReportStageRecord.schema, columns: ["id", "report_id", "submitted_by_id", "stage", "version", "status", "content", "submitted_at"], s)
                _ = try await sql.insertValues(into: ReportHop.schema, columns: ["id", "report_id", "organisation_id", "step", "status", "received_at", "automatic"], h)
                _ = try await sql.insertValues(into: ReportObservableRecord.schema, columns: ["id", "report_id", "key", "detected_at"], o)
            }
            done += reports.count
        }
        // As the report book keeps them: each stage's first submission on the report.
        try await db.atomically { db in try await ReportFirstSubmissions.backfill(on: db as! any SQLDatabase) }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func summary(_ values: [Double]) -> String {
        let sorted = values.sorted()
        let p95 = sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
        return String(format: "median %.1f ms, p95 %.1f ms, min %.1f ms over %d runs", sorted[sorted.count / 2], p95, sorted[0], sorted.count)
    }

    /// A small deterministic generator (SplitMix64), so every run builds the same nation.
    struct Generator {
        var state: UInt64
        init(seed: UInt64) { self.state = seed }
        mutating func next(_ bound: Int) -> Int {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Int(z % UInt64(Swift.max(bound, 1)))
        }
    }
}
