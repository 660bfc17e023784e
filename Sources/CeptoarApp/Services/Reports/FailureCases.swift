import CeptoarKit
import Fluent
import Foundation

/// Failure cases (障害事例): written from incident reports by their CEPTOAR's secretariat or an
/// analysis body of their sector, revised as drafts, and published — only when the text names
/// no organisation, domain or address of the reports it rests on — as an advisory of category
/// "analysis result" to the sector's members through the relay, so notification, receipts and
/// acknowledgement are the relay's.
struct FailureCases {
    let database: any Database

    struct Loaded {
        var record: FailureCase
        var reports: [UUID]
    }

    // MARK: writing

    func write(_ input: FailureCaseInput, by user: User, now: Date = Date()) async throws -> Loaded {
        let tlp = try input.validated()
        try Self.requireAnalyst(user)
        let sector = try await self.checkSources(input.reports, by: user)
        return try await self.database.atomically { db in
            let record = FailureCase()
            record.id = UUID()
            record.$author.id = user.$organisation.id
            record.$writtenBy.id = try user.requireID()
            record.$sector.id = sector
            record.status = FailureCase.Status.draft.rawValue
            record.createdAt = now
            Self.apply(input, tlp: tlp, to: record, at: now)
            try await record.create(on: db)
            try await input.reports.map { FailureCaseSource(caseID: record.id!, reportID: $0) }.create(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "case_written", subject: "failure_case:\(record.id!)",
                                      detail: ["reports": String(input.reports.count)])
            return Loaded(record: record, reports: input.reports)
        }
    }

    /// A draft's new text and sources; a published case is not edited (publish a new one).
    func revise(_ id: UUID, _ input: FailureCaseInput, by user: User, now: Date = Date()) async throws -> Loaded {
        let tlp = try input.validated()
        try Self.requireAnalyst(user)
        let sector = try await self.checkSources(input.reports, by: user)
        return try await self.database.atomically { db in
            let loaded = try await Self.draft(id, by: user, on: db)
            guard loaded.record.$sector.id == sector else {
                throw UserError(status: .unprocessableEntity, ja: "障害事例の分野は変えられません", en: "reports: a case stays in its sector", fields: ["reports"])
            }
            Self.apply(input, tlp: tlp, to: loaded.record, at: now)
            try await loaded.record.save(on: db)
            try await FailureCaseSource.query(on: db).filter(\.$failureCase.$id == id).delete()
            try await input.reports.map { FailureCaseSource(caseID: id, reportID: $0) }.create(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "case_revised", subject: "failure_case:\(id)")
            return Loaded(record: loaded.record, reports: input.reports)
        }
    }

    /// Publishes the draft: refused with the fields named while any of its text names an
    /// organisation of its reports; otherwise relayed to the sector's members.
    func publish(_ id: UUID, by user: User, now: Date = Date()) async throws -> Loaded {
        try Self.requireAnalyst(user)
        let loaded = try await Self.draft(id, by: user, on: self.database)
        // The reports may have changed hands since the draft: they must still be the author's to analyse.
        _ = try await self.checkSources(loaded.reports, by: user)
        let leaks = try await self.leaks(loaded)
        guard leaks.isEmpty else {
            throw UserError(
                status: .unprocessableEntity,
                ja: "公開できません。次の項目が元になった報告の組織（名称・ドメイン・アドレス）を含んでいます: \(leaks.joined(separator: ", "))",
                en: "not published: these fields name an organisation, domain or address of the reports it was written from: \(leaks.joined(separator: ", "))",
                fields: leaks)
        }
        guard let sector = try await Sector.find(loaded.record.$sector.id, on: self.database) else {
            throw UserError.notFound(ja: "分野が見つかりません", en: "no such sector")
        }
        let record = loaded.record
        let advisory = AdvisoryInput(
            title: LocalizedText(ja: "【障害事例】" + record.titleJa, en: record.titleEn.map { "[Failure case] " + $0 }),
            body: LocalizedText(ja: Self.body(record, .ja), en: Self.body(record, .en)),
            severity: Severity.medium.rawValue, category: AdvisoryCategory.analysis.rawValue, tlp: record.tlp,
            targets: [.init(kind: AdvisoryTarget.Kind.sector.rawValue, key: sector.key)])
        return try await self.database.atomically { db in
            // Published once: a second request waits for the first's commit and finds it done.
            let again = try await Self.draft(id, by: user, on: db)
            let published = try await Relay(database: db).publishAnalysis(advisory, sector: sector.requireID(), by: user)
            again.record.status = FailureCase.Status.published.rawValue
            again.record.$advisory.id = try published.requireID()
            again.record.publishedAt = now
            again.record.updatedAt = now
            try await again.record.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "case_published", subject: "failure_case:\(id)",
                                      detail: ["advisory": published.id!.uuidString, "tlp": record.tlp])
            return again
        }
    }

    /// The fields whose text names an organisation of the case's reports.
    func leaks(_ loaded: Loaded) async throws -> [String] {
        let reports = try await IncidentReport.query(on: self.database).filter(\.$id ~~ loaded.reports).all()
        let steps = ReportSteps(database: self.database)
        var parts: [ReportRedaction] = []
        for reporter in Set(reports.map { $0.$reporter.id }) { parts.append(try await steps.redaction(for: reporter)) }
        let redaction = ReportRedaction.merged(parts)
        let record = loaded.record
        let fields: [(String, String)] = [
            ("title", record.titleJa + "\n" + (record.titleEn ?? "")), ("businessType", record.businessType), ("event", record.event),
            ("cause", record.cause), ("countermeasure", record.countermeasure), ("lessons", record.lessons),
        ]
        return fields.filter { redaction.isNamed(in: $0.1) }.map(\.0)
    }

    // MARK: reading

    /// A draft for its author; a published case also for whoever may read its advisory.
    func open(_ id: UUID, by user: User) async throws -> Loaded {
        let loaded = try await Self.load(id, on: self.database)
        guard loaded.record.$author.id != user.$organisation.id else { return loaded }
        guard loaded.record.caseStatus == .published, let advisoryID = loaded.record.$advisory.id,
              let advisory = try await Advisory.find(advisoryID, on: self.database)
        else { throw ReportBook.denied(.notThisCase) }
        try await Access(database: self.database).requireRead(advisory, by: user)
        // Readers of the advisory see the case, not what it was written from.
        return Loaded(record: loaded.record, reports: [])
    }

    /// The organisation's cases, newest first.
    func list(for user: User) async throws -> [FailureCase] {
        try await FailureCase.query(on: self.database).filter(\.$author.$id == user.$organisation.id).sort(\.$updatedAt, .descending).range(..<200).all()
    }

    /// The reports the user may write a case from, newest first (the form's choices).
    func candidates(for user: User) async throws -> [(ReportBook.Loaded, AccessPolicy.ReportView)] {
        let viewer = AccessPolicy.Viewer(organisation: user.$organisation.id.uuidString)
        let (items, _) = try await ReportBook(database: self.database).list(for: user, page: try RequestedPage(page: nil, per: nil, defaultPer: 100, maximumPer: 100))
        return items.filter { AccessPolicy.analyseReport(viewer, $0.0.item) == .allow }
    }

    // MARK: helpers

    static func requireAnalyst(_ user: User) throws {
        guard user.has(.analyst) || user.has(.ceptoarSecretariat) else {
            throw UserError.forbidden(ja: "障害事例を作成できるのは分析担当とセプター事務局です", en: "only analysts and CEPTOAR secretariats write failure cases")
        }
    }

    /// Every report exists, may be analysed by the user, and all are of one sector: that sector.
    private func checkSources(_ ids: [UUID], by user: User) async throws -> UUID {
        let viewer = AccessPolicy.Viewer(organisation: user.$organisation.id.uuidString)
        var sectors = Set<UUID>()
        for id in ids {
            let loaded: ReportBook.Loaded
            do {
                loaded = try await ReportBook.load(id, on: self.database)
            } catch let error as UserError where error.status == .notFound {
                throw UserError(status: .unprocessableEntity, ja: "報告が見つかりません: \(id)", en: "reports: no report \(id)", fields: ["reports"])
            }
            if case .deny(let denial) = AccessPolicy.analyseReport(viewer, loaded.item) { throw ReportBook.denied(denial) }
            sectors.insert(loaded.report.$sector.id)
        }
        guard sectors.count == 1, let sector = sectors.first else {
            throw UserError(status: .unprocessableEntity, ja: "障害事例は一つの分野の報告から作成してください", en: "reports: a case is written from the reports of one sector", fields: ["reports"])
        }
        return sector
    }

    private static func draft(_ id: UUID, by user: User, on db: any Database) async throws -> Loaded {
        let loaded = try await Self.load(id, on: db)
        guard loaded.record.$author.id == user.$organisation.id else { throw ReportBook.denied(.notThisCase) }
        guard loaded.record.caseStatus == .draft else {
            throw UserError(status: .conflict, ja: "この障害事例は公開済みです", en: "this failure case is already published")
        }
        return loaded
    }

    static func load(_ id: UUID, on db: any Database) async throws -> Loaded {
        guard let record = try await FailureCase.find(id, on: db) else {
            throw UserError.notFound(ja: "障害事例が見つかりません", en: "no such failure case")
        }
        let sources = try await FailureCaseSource.query(on: db).filter(\.$failureCase.$id == id).all().map { $0.$report.id }
        return Loaded(record: record, reports: sources)
    }

    private static func apply(_ input: FailureCaseInput, tlp: TLP, to record: FailureCase, at now: Date) {
        record.titleJa = input.title.ja.trimmingCharacters(in: .whitespacesAndNewlines)
        record.titleEn = input.title.en.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        record.businessType = input.businessType
        record.event = input.event
        record.cause = input.cause
        record.countermeasure = input.countermeasure
        record.lessons = input.lessons
        record.tlp = tlp.rawValue
        record.updatedAt = now
    }

    /// The advisory's body: the case's parts under their headings.
    static func body(_ record: FailureCase, _ language: Language) -> String {
        let headings: [(LocalizedText, String)] = [
            (LocalizedText(ja: "業態", en: "Business type"), record.businessType),
            (LocalizedText(ja: "事象", en: "Event"), record.event),
            (LocalizedText(ja: "原因", en: "Cause"), record.cause),
            (LocalizedText(ja: "対策", en: "Countermeasure"), record.countermeasure),
            (LocalizedText(ja: "教訓", en: "Lessons"), record.lessons),
        ]
        return headings.map { "■ \($0.0.text(language))\n\($0.1)" }.joined(separator: "\n\n")
    }

    func dto(_ loaded: Loaded) async throws -> FailureCaseDTO {
        try await self.dtos([loaded])[0]
    }

    /// The cases as their readers see them, with their sectors and authors read once for all.
    func dtos(_ items: [Loaded]) async throws -> [FailureCaseDTO] {
        let sectors = try await Sector.query(on: self.database).filter(\.$id ~~ Array(Set(items.map { $0.record.$sector.id }))).all()
        let authors = try await Organisation.query(on: self.database).filter(\.$id ~~ Array(Set(items.map { $0.record.$author.id }))).all()
        return try items.map { loaded in
            let record = loaded.record
            return FailureCaseDTO(
                id: try record.requireID(), status: record.status, sector: sectors.first { $0.id == record.$sector.id }?.key ?? "",
                author: authors.first { $0.id == record.$author.id }?.name ?? LocalizedText(ja: ""),
                title: LocalizedText(ja: record.titleJa, en: record.titleEn), businessType: record.businessType, event: record.event, cause: record.cause,
                countermeasure: record.countermeasure, lessons: record.lessons, tlp: record.tlp,
                reports: loaded.reports.isEmpty ? nil : loaded.reports, advisory: record.$advisory.id,
                createdAt: record.createdAt, updatedAt: record.updatedAt, publishedAt: record.publishedAt)
        }
    }
}
