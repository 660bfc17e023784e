import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Incident reports: filing, later stages and corrections, the CEPTOAR's return for revision,
/// reading (through `AccessPolicy`, recorded for the reporter and audited), and lists.
struct ReportBook {
    let database: any Database
    /// The process's filing queue (the server's); nil writes each filing alone.
    var queue: ReportFilingQueue? = nil

    static let maximumPer = 200

    /// A report and everything its readers see of it.
    struct Loaded {
        var report: IncidentReport
        var stages: [ReportStageRecord]
        var hops: [ReportHop]
        /// The analysis bodies of its sector.
        var analysts: Set<UUID> = []

        var item: AccessPolicy.ReportItem {
            var reached: [AccessPolicy.ReportStep: Set<OrganisationRef>] = [:]
            for hop in self.hops { reached[hop.reportStep, default: []].insert(hop.$organisation.id.uuidString) }
            return AccessPolicy.ReportItem(
                reporter: self.report.$reporter.id.uuidString, tlp: self.report.marking, attribution: self.report.reportAttribution,
                consentToForward: self.report.redConsent, reached: reached, analysts: Set(self.analysts.map(\.uuidString)))
        }

        /// The version in force (or returned for revision) of each stage submitted.
        var current: [ReportStage: ReportStageRecord] {
            var result: [ReportStage: ReportStageRecord] = [:]
            for stage in self.stages where stage.stageStatus != .superseded { result[stage.reportStage] = stage }
            return result
        }

        /// When each stage was first submitted: what its timeliness counts (a correction later
        /// does not make an on-time stage late).
        var firstSubmitted: [ReportStage: Date] {
            var result: [ReportStage: Date] = [:]
            for stage in self.stages {
                let at = stage.submittedAt
                if let known = result[stage.reportStage], known <= at { continue }
                result[stage.reportStage] = at
            }
            return result
        }
    }

    // MARK: filing

    /// A member files a report (its first stage) to one of its CEPTOARs. Everything that can
    /// be refused is checked before the write; the write joins the process's filing queue
    /// (`ReportFilingQueue`) when there is one and no transaction is open around this call.
    func file(_ input: ReportInput, ceptoar key: String?, by user: User, now: Date = Date()) async throws -> Loaded {
        try await self.filed(input, ceptoar: key, by: user, now: now).loaded
    }

    /// Files, and answers with the report as its reporter sees it — written from what the
    /// filing already knows, not read back.
    func fileAndPresent(_ input: ReportInput, ceptoar key: String?, by user: User, now: Date = Date()) async throws -> (loaded: Loaded, dto: ReportDTO) {
        let (loaded, filing) = try await self.filed(input, ceptoar: key, by: user, now: now)
        var lookups = filing.lookups
        lookups.filers[filing.filedBy] = user.displayName
        let dto = try await ReportPresenter(database: self.database, now: now).dtos([(loaded, .named)], lookups: lookups)[0]
        return (loaded, dto)
    }

    private func filed(_ input: ReportInput, ceptoar key: String?, by user: User, now: Date) async throws -> (loaded: Loaded, filing: Filing) {
        let filing = try await self.prepare(input, ceptoar: key, by: user, now: now)
        if let queue = self.queue, !WriteGate.holding { return (try await queue.file(filing), filing) }
        return (try await Self.write([filing], on: self.database)[0], filing)
    }

    /// A filing checked and resolved against the registry, ready to be written. Values only:
    /// a batch that fails is written again from them, one filing at a time.
    struct Filing: Sendable {
        var id: UUID
        var at: Date
        var organisation: UUID
        var filedBy: UUID
        var ceptoar: UUID
        var sector: UUID
        var draft: ReportDraft
        var actor: String
        var audit: AuditLog.Pending
        /// The CEPTOAR's secretariats: the report's first hop.
        var secretariats: [UUID]
        /// What the filed report's JSON names (but the filer).
        var lookups: ReportPresenter.Lookups
        /// Filed in an exercise.
        var exercise = false

        /// The rows the filing writes, new.
        func rows() throws -> (report: IncidentReport, stage: ReportStageRecord, observables: [ReportObservableRecord]) {
            let report = IncidentReport()
            report.id = self.id
            report.createdAt = self.at
            report.$reporter.id = self.organisation
            report.$filedBy.id = self.filedBy
            report.$ceptoar.id = self.ceptoar
            report.$sector.id = self.sector
            report.stage = ""
            report.exercise = self.exercise
            report.synthetic = false
            report.apply(self.draft, stage: .first, at: self.at)
            let stage = try ReportBook.stageRecord(report, .first, version: 1, draft: self.draft, by: self.filedBy, at: self.at)
            return (report, stage, try ReportBook.observableRows(report, self.draft))
        }
    }

    /// Where an organisation may file: each CEPTOAR it is a member of today, with the
    /// CEPTOAR's sector and its secretariats. Read for every filing, changed only with the
    /// registry: `ReportFilingQueue.targets` keeps it.
    struct Target: Sendable {
        var ceptoar: UUID
        var key: String
        var sector: UUID?
        var secretariats: [UUID]
        /// The reporter's and secretariats' names, the keys, the sector's deadlines.
        var lookups: ReportPresenter.Lookups
    }

    /// What a filing to one CEPTOAR needs whoever files it: the sector, the secretariats, and
    /// their names, the keys and the sector's deadlines.
    struct Route: Sendable {
        var sector: UUID?
        var secretariats: [UUID]
        var lookups: ReportPresenter.Lookups
    }

    /// Each CEPTOAR the organisation is a member of today, with its key, and the
    /// organisation's name: one query, written out (a cold burst of a thousand distinct
    /// reporters runs it for every filing, and Fluent's query building and reflection cost
    /// more than the query). Each CEPTOAR's route comes from `routes` when given — the
    /// reporters of a burst have a few dozen CEPTOARs between them.
    func targets(of organisation: UUID, routes: FreshCache<UUID, Route>? = nil) async throws -> [Target] {
        let rows = try await (self.database as! any SQLDatabase).raw("""
            SELECT DISTINCT c.id AS ceptoar, c.key AS key, o.name_ja AS name_ja, o.name_en AS name_en
            FROM memberships m JOIN ceptoars c ON c.id = m.ceptoar_id JOIN organisations o ON o.id = m.organisation_id
            WHERE m.organisation_id = \(bind: organisation) AND m.role = \(bind: Membership.Role.member.rawValue) AND \(MapQuery.validOnSQL("m", .today))
            ORDER BY c.key
            """).all()
        var targets: [Target] = []
        for row in rows {
            let id = try row.decode(column: "ceptoar", as: UUID.self)
            let key = try row.decode(column: "key", as: String.self)
            let name = LocalizedText(ja: try row.decode(column: "name_ja", as: String.self), en: try row.decode(column: "name_en", as: String?.self))
            let route: Route
            if let routes {
                route = try await routes.value(for: id) { [database] in try await ReportBook(database: database).route(to: id, key: key) }
            } else {
                route = try await self.route(to: id, key: key)
            }
            var lookups = route.lookups
            lookups.names[organisation] = name
            targets.append(Target(ceptoar: id, key: key, sector: route.sector, secretariats: route.secretariats, lookups: lookups))
        }
        return targets
    }

    /// The route of a filing to the CEPTOAR `id` (whose key is `key`).
    func route(to id: UUID, key: String) async throws -> Route {
        let steps = ReportSteps(database: self.database)
        let sector = try await steps.sector(of: id)
        var secretariats: [UUID] = []
        var lookups = ReportPresenter.Lookups(ceptoarKeys: [id: key])
        if let sector {
            secretariats = try await steps.holders(.ceptoar, ceptoar: id, sector: sector)
            if let record = try await Sector.find(sector, on: self.database) { lookups.sectorKeys[sector] = record.key }
            lookups.policies = try await ReportDeadlines(database: self.database).policies(for: [sector])
        }
        if !secretariats.isEmpty {
            for record in try await Organisation.query(on: self.database).filter(\.$id ~~ secretariats).all() {
                if let key = record.id { lookups.names[key] = record.name }
            }
        }
        return Route(sector: sector, secretariats: secretariats, lookups: lookups)
    }

    /// Checks a filing and resolves where it goes; refuses with the reason.
    func prepare(_ input: ReportInput, ceptoar key: String?, by user: User, now: Date) async throws -> Filing {
        let draft = try Self.checked(input, now: now)
        let organisation = user.$organisation.id
        let targets: [Target]
        if let cache = self.queue?.targets {
            let routes = self.queue?.routes
            targets = try await cache.value(for: organisation) { [database] in try await ReportBook(database: database).targets(of: organisation, routes: routes) }
        } else {
            targets = try await self.targets(of: organisation)
        }
        let target: Target
        if let key, !key.isEmpty {
            guard let found = targets.first(where: { $0.key == key }) else {
                throw UserError(status: .forbidden, ja: "貴組織はこのセプターの構成員ではありません: \(key.prefix(60))", en: "your organisation is not a member of the CEPTOAR '\(key.prefix(60))'", fields: ["ceptoar"])
            }
            target = found
        } else if targets.count == 1 {
            target = targets[0]
        } else if targets.isEmpty {
            throw UserError(status: .forbidden, ja: "報告できるのはセプターの構成員だけです", en: "only a member of a CEPTOAR files reports")
        } else {
            throw UserError(status: .unprocessableEntity, ja: "複数のセプターに所属しています。報告先のセプター（ceptoar）を指定してください",
                            en: "your organisation belongs to several CEPTOARs: name the one to report to (ceptoar)", fields: ["ceptoar"])
        }
        try await self.checkSectors(draft)
        guard let sector = target.sector else {
            throw UserError(status: .conflict, ja: "このセプターは現在登録簿にありません", en: "this CEPTOAR is not in the registry today")
        }
        guard !target.secretariats.isEmpty else {
            throw UserError(status: .conflict, ja: "このセプターには報告を受ける事務局が登録されていません", en: "this CEPTOAR has no secretariat registered to receive reports")
        }
        let id = UUID.timeOrdered(at: now)
        let audit = AuditLog.Pending(actor: user.email, action: "report_file", subject: "report:\(id)",
                                     detail: ["ceptoar": target.key, "tlp": draft.tlp.rawValue, "attribution": draft.attribution.rawValue, "severity": String(draft.severity)])
        return Filing(
            id: id, at: now, organisation: organisation, filedBy: try user.requireID(), ceptoar: target.ceptoar, sector: sector, draft: draft,
            actor: user.email, audit: audit, secretariats: target.secretariats, lookups: target.lookups, exercise: input.exercise ?? false)
    }

    /// Writes prepared filings in one transaction, with a handful of statements whatever
    /// their number: the rows of each kind in one insert, the audit entries in one append, the
    /// trends per subject, the first hops at once. Each filing's report in its order.
    static func write(_ filings: [Filing], on database: any Database) async throws -> [Loaded] {
        guard !filings.isEmpty else { return [] }
        // A report changes no account: the token cache stays warm under a burst of filings.
        return try await database.atomically(touchingAccounts: false) { db in
            let rows = try filings.map { try $0.rows() }
            try await rows.map(\.report).insertRows(on: db)
            try await rows.map(\.stage).insertRows(on: db)
            try await rows.flatMap(\.observables).insertRows(on: db)
            // First, so that on PostgreSQL the chain's lock is held before the trend check.
            try await AuditLog.append(on: db, filings.map(\.audit))
            try await ReportCorrelation(database: db).evaluateTrends(zip(rows, filings).map { ($0.report, Self.cves($1.draft), $1.actor) })
            var loaded = rows.map { Loaded(report: $0.report, stages: [$0.stage], hops: []) }
            try await ReportRelay(database: db).arrive(&loaded, at: .ceptoar, holders: filings.map(\.secretariats))
            return loaded
        }
    }

    /// The reporter submits the next stage, or a new version of a stage already submitted (a
    /// correction, or the answer to "needs revision").
    func submit(_ id: UUID, stage: ReportStage, _ input: ReportInput, by user: User, now: Date = Date()) async throws -> Loaded {
        let draft = try Self.checked(input, now: now)
        try await self.checkSectors(draft)
        return try await self.database.atomically { db in
            var loaded = try await Self.load(id, on: db)
            guard loaded.report.$reporter.id == user.$organisation.id else { throw Self.denied(.notThisReport) }
            let current = loaded.current
            if current[stage] == nil, let previous = stage.previous, current[previous] == nil {
                throw UserError(status: .conflict, ja: "\(previous.label.ja)を先に提出してください", en: "submit the \(previous.label.text(.en).lowercased()) first")
            }
            if stage < loaded.report.reportStage, current[stage] == nil {
                throw UserError(status: .conflict, ja: "この段階はもう提出できません", en: "a later stage was already submitted")
            }
            let versions = loaded.stages.filter { $0.reportStage == stage }
            for earlier in versions where earlier.stageStatus != .superseded {
                earlier.status = ReportStageRecord.Status.superseded.rawValue
                try await earlier.save(on: db)
            }
            let record = try Self.stageRecord(loaded.report, stage, version: (versions.map(\.version).max() ?? 0) + 1, draft: draft, by: user, at: now)
            try await record.create(on: db)
            loaded.stages.append(record)
            loaded.report.apply(draft, stage: stage, at: now)
            try await loaded.report.save(on: db)
            try await ReportObservableRecord.query(on: db).filter(\.$report.$id == id).delete()
            try await Self.index(loaded.report, draft, on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "report_stage", subject: "report:\(id)",
                                      detail: ["stage": stage.rawValue, "version": String(record.version), "tlp": draft.tlp.rawValue, "attribution": draft.attribution.rawValue])
            try await ReportCorrelation(database: db).evaluateTrends([(loaded.report, Self.cves(draft), user.email)])
            // A new version may lift what stopped the relay (consent given, attribution widened).
            try await ReportRelay(database: db).reconsider(&loaded, now: now)
            return loaded
        }
    }

    /// The CEPTOAR returns the version in force of a stage: "needs revision", with a comment.
    func returnForRevision(_ id: UUID, stage: ReportStage, comment raw: String, by user: User, now: Date = Date()) async throws -> Loaded {
        let comment = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2000).contains(comment.count) else {
            throw UserError(status: .unprocessableEntity, ja: "差戻しの理由を1〜2000文字で書いてください", en: "comment: say what to revise, 1 to 2000 characters", fields: ["comment"])
        }
        return try await self.database.atomically { db in
            let loaded = try await Self.load(id, on: db)
            guard Self.mayReturn(loaded, by: user) else { throw Self.denied(.notThisHop) }
            guard let record = loaded.current[stage], record.stageStatus == .submitted else {
                throw UserError(status: .conflict, ja: "差し戻せる\(stage.label.ja)がありません", en: "there is no submitted \(stage.label.text(.en).lowercased()) to return")
            }
            record.status = ReportStageRecord.Status.needsRevision.rawValue
            record.returnedAt = now
            record.$returnedBy.id = try user.requireID()
            record.returnComment = comment
            try await record.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "report_return", subject: "report:\(id)",
                                      detail: ["stage": stage.rawValue, "version": String(record.version)])
            // The reporter is told after the commit: the person who filed it by mail, the
            // organisation's open pages live.
            if let filer = try await User.find(loaded.report.$filedBy.id, on: db) {
                let notice = ReportNotice()
                notice.$report.id = id
                notice.$organisation.id = loaded.report.$reporter.id
                notice.email = filer.email
                notice.kind = "returned"
                notice.stage = stage.rawValue
                notice.comment = comment
                notice.state = ReportNotice.State.queued.rawValue
                notice.tries = 0
                notice.nextTryAt = now
                notice.createdAt = now
                try await notice.create(on: db)
            }
            return loaded
        }
    }

    /// A stage is returned by the CEPTOAR's step: its secretariat or analyst. The page asks
    /// the same before offering the form.
    static func mayReturn(_ loaded: Loaded, by user: User) -> Bool {
        let holdsCeptoar = loaded.hops.contains { $0.reportStep == .ceptoar && $0.$organisation.id == user.$organisation.id }
        return holdsCeptoar && (user.has(.ceptoarSecretariat) || user.has(.analyst))
    }

    // MARK: reading

    /// Opens a report for `user`: the policy decides, the read is recorded for the reporter to
    /// see (when the reader is not the reporter) and audited.
    /// `format` names an export (`stix`, `veris`) in the audit record.
    func open(_ id: UUID, by user: User, now: Date = Date(), format: String? = nil) async throws -> (loaded: Loaded, view: AccessPolicy.ReportView) {
        let loaded = try await Self.load(id, on: self.database)
        let viewer = AccessPolicy.Viewer(organisation: user.$organisation.id.uuidString)
        let item = loaded.item
        if case .deny(let denial) = AccessPolicy.readReport(viewer, item) { throw Self.denied(denial) }
        let view = AccessPolicy.reportView(for: viewer, of: item)
        let userID = try user.requireID()
        try await self.database.atomically { db in
            if let step = item.step(of: viewer.organisation), viewer.organisation != item.reporter,
               try await ReportRead.query(on: db).filter(\.$report.$id == id).filter(\.$user.$id == userID).first() == nil {
                let read = ReportRead()
                read.$report.id = id
                read.$organisation.id = user.$organisation.id
                read.$user.id = userID
                read.step = step.rawValue
                read.firstReadAt = now
                try await read.create(on: db)
            }
            var detail = ["view": view == .named ? "named" : "anonymised"]
            if let format { detail["format"] = format }
            try await AuditLog.append(on: db, actor: user.email, action: "report_read", subject: "report:\(id)", detail: detail)
        }
        return (loaded, view)
    }

    /// The reports `user` may see: its organisation's own, and those at a step it holds.
    func list(for user: User, page: RequestedPage) async throws -> (items: [(Loaded, AccessPolicy.ReportView)], total: Int) {
        let organisation = user.$organisation.id
        let query = try await self.readable(by: organisation)
        let total = try await query.count()
        let reports = try await query.sort(\.$updatedAt, .descending).sort(\.$id).range(page.offset..<(page.offset + page.per)).all()
        return (try await self.permitted(reports, for: organisation), total)
    }

    /// The query of the reports an organisation may be shown: its own, those at a step it
    /// holds, and (an analysis body) those of its sectors that may leave their CEPTOAR. It only
    /// narrows the search; `permitted` still asks the policy for each one.
    func readable(by organisation: UUID) async throws -> QueryBuilder<IncidentReport> {
        let analysed = try await AnalysisBody.query(on: self.database).filter(\.$organisation.$id == organisation).all().map { $0.$sector.id }
        return IncidentReport.query(on: self.database).group(.or) { group in
            group.filter(\.$reporter.$id == organisation)
            // A subquery, not a list of ids: NISC holds a step of tens of thousands of reports,
            // more than either engine takes as bound parameters.
            group.filter(.sql(embed: """
                \(ident: IncidentReport.schema).\(ident: "id") IN (SELECT \(ident: "report_id") FROM \(ident: ReportHop.schema) WHERE \(ident: "organisation_id") = \(bind: organisation))
                """))
            if !analysed.isEmpty {
                group.group(.and) { own in
                    own.filter(\.$sector.$id ~~ analysed).filter(\.$attribution != ReportAttribution.ceptoarOnly.rawValue)
                        .group(.or) { marking in
                            marking.filter(\.$tlp ~~ [TLP.clear, .green, .amber].map(\.rawValue)).filter(\.$redConsent == true)
                        }
                }
            }
        }
    }

    /// The reports loaded whole (stages, hops, analysts), in the order given, each the policy
    /// lets the organisation read, with the view it reads it in.
    func permitted(_ reports: [IncidentReport], for organisation: UUID) async throws -> [(Loaded, AccessPolicy.ReportView)] {
        let viewer = AccessPolicy.Viewer(organisation: organisation.uuidString)
        return try await Self.loadMany(reports, on: self.database).compactMap { loaded in
            guard case .allow = AccessPolicy.readReport(viewer, loaded.item) else { return nil }
            return (loaded, AccessPolicy.reportView(for: viewer, of: loaded.item))
        }
    }

    /// Who has opened the report: for its reporter only.
    func readers(_ id: UUID, by user: User) async throws -> [ReportRead] {
        let loaded = try await Self.load(id, on: self.database)
        guard loaded.report.$reporter.id == user.$organisation.id else { throw Self.denied(.notThisReport) }
        return try await ReportRead.query(on: self.database).filter(\.$report.$id == id).with(\.$organisation).sort(\.$firstReadAt).all()
    }

    // MARK: helpers

    static func load(_ id: UUID, on db: any Database) async throws -> Loaded {
        guard let report = try await IncidentReport.find(id, on: db) else {
            throw UserError.notFound(ja: "報告が見つかりません", en: "no such report")
        }
        let stages = try await ReportStageRecord.query(on: db).filter(\.$report.$id == id).sort(\.$submittedAt).all()
        let hops = try await ReportHop.query(on: db).filter(\.$report.$id == id).sort(\.$receivedAt).all()
        let analysts = try await AnalysisBody.query(on: db).filter(\.$sector.$id == report.$sector.id).all().map { $0.$organisation.id }
        return Loaded(report: report, stages: stages, hops: hops, analysts: Set(analysts))
    }

    /// Several reports loaded whole with three queries, not three per report.
    /// `stages: false` leaves out the stage versions (their whole content), for what only asks
    /// the policy (`item` needs the hops and the sector's analysts); `addStages` fills them in
    /// for the few that are then shown.
    static func loadMany(_ reports: [IncidentReport], on db: any Database, stages withStages: Bool = true) async throws -> [Loaded] {
        let ids = reports.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let hops = Dictionary(grouping: try await ReportHop.query(on: db).filter(\.$report.$id ~~ ids).sort(\.$receivedAt).all()) { $0.$report.id }
        let sectors = Array(Set(reports.map { $0.$sector.id }))
        let bodies = Dictionary(grouping: try await AnalysisBody.query(on: db).filter(\.$sector.$id ~~ sectors).all()) { $0.$sector.id }
        var loaded = reports.map { report in
            Loaded(report: report, stages: [], hops: report.id.flatMap { hops[$0] } ?? [],
                   analysts: Set((bodies[report.$sector.id] ?? []).map { $0.$organisation.id }))
        }
        if withStages { try await Self.addStages(&loaded, on: db) }
        return loaded
    }

    /// Reads the stage versions of reports loaded without them, with one query.
    static func addStages(_ loaded: inout [Loaded], on db: any Database) async throws {
        let ids = loaded.compactMap(\.report.id)
        guard !ids.isEmpty else { return }
        let stages = Dictionary(grouping: try await ReportStageRecord.query(on: db).filter(\.$report.$id ~~ ids).sort(\.$submittedAt).all()) { $0.$report.id }
        for index in loaded.indices { loaded[index].stages = loaded[index].report.id.flatMap { stages[$0] } ?? [] }
    }

    static func checked(_ input: ReportInput, now: Date) throws -> ReportDraft {
        switch input.validated(now: now) {
        case .success(let draft): return draft
        case .failure(let problems): throw UserError(problems)
        }
    }

    /// A spill-over cause names a sector the registry knows.
    private func checkSectors(_ draft: ReportDraft) async throws {
        let named = Set(draft.spillOverSectors)
        guard !named.isEmpty else { return }
        let known = Set(try await Sector.query(on: self.database).filter(\.$key ~~ Array(named)).all().map(\.key))
        let unknown = named.subtracting(known).sorted()
        guard unknown.isEmpty else {
            throw UserError(status: .unprocessableEntity, ja: "波及元の分野が登録簿にありません: \(unknown.joined(separator: ", "))",
                            en: "causes: no sector '\(unknown.joined(separator: ", "))' in the registry", fields: ["causes"])
        }
    }

    static func denied(_ denial: AccessPolicy.Denial) -> UserError {
        UserError(status: .forbidden, ja: denial.message.ja, en: denial.message.text(.en), denial: denial)
    }

    static func stageRecord(_ report: IncidentReport, _ stage: ReportStage, version: Int, draft: ReportDraft, by user: User, at now: Date) throws -> ReportStageRecord {
        try self.stageRecord(report, stage, version: version, draft: draft, by: try user.requireID(), at: now)
    }

    static func stageRecord(_ report: IncidentReport, _ stage: ReportStage, version: Int, draft: ReportDraft, by user: UUID, at now: Date) throws -> ReportStageRecord {
        let record = ReportStageRecord()
        record.id = UUID.timeOrdered()
        record.$report.id = try report.requireID()
        record.$submittedBy.id = user
        record.stage = stage.rawValue
        record.version = version
        record.status = ReportStageRecord.Status.submitted.rawValue
        record.content = String(decoding: try JSONEncoder.sorted.encode(draft.canonicalInput), as: UTF8.self)
        record.submittedAt = now
        return record
    }

    /// The observables of the report's latest content, for correlation.
    static func index(_ report: IncidentReport, _ draft: ReportDraft, on db: any Database) async throws {
        let rows = try Self.observableRows(report, draft)
        if !rows.isEmpty { try await rows.create(on: db) }
    }

    static func observableRows(_ report: IncidentReport, _ draft: ReportDraft) throws -> [ReportObservableRecord] {
        try draft.observables.map { observable in
            let row = ReportObservableRecord()
            row.id = UUID.timeOrdered()
            row.$report.id = try report.requireID()
            row.key = observable.key
            row.detectedAt = draft.detectedAt
            return row
        }
    }

    /// The CVEs a report names (each in its canonical form), for the trend check.
    static func cves(_ draft: ReportDraft) -> [String] {
        Array(Set(draft.observables.filter { $0.kind == .cve }.map(\.value))).sorted()
    }
}
