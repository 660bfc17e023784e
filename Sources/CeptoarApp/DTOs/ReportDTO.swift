import CeptoarKit
import Fluent
import Foundation
import Vapor

/// A report as one permitted reader sees it. In the anonymised view (the ministry and NISC,
/// when the reporter chose so) there is no reporter, and the free text, notes and observables
/// carry nothing that names it (`ReportRedaction`).
struct ReportDTO: Content {
    struct Reporter: Content {
        var id: UUID
        var name: LocalizedText
        var filedBy: String
    }

    struct Impact: Content {
        var serviceContinuity: Int
        var safety: Int
        var lossOfTrust: Int
    }

    struct Observable: Content {
        var kind: String
        var value: String
    }

    struct StageVersion: Content {
        var stage: String
        var version: Int
        var status: String
        var submittedAt: Date
        var returnedAt: Date?
        var returnComment: String?
    }

    /// Each stage against its deadline, submitted or not.
    struct StageDeadline: Content {
        var stage: String
        var deadline: Date?
        var rule: String
        var submittedAt: Date?
        var timeliness: String
        var needsRevision: Bool
    }

    struct Hop: Content {
        var step: String
        var organisation: LocalizedText
        var status: String
        var receivedAt: Date
        var forwardedAt: Date?
        var automatic: Bool
        var note: String?
    }

    var id: UUID
    var ceptoar: String
    var sector: String
    var anonymised: Bool
    var reporter: Reporter?
    var summary: LocalizedText
    var affectedService: String
    var detectedAt: Date
    var occurredAt: Date?
    var eventType: String
    var causes: [String]
    var slaBreached: Bool
    var impact: Impact
    var severity: Int
    var observables: [Observable]
    /// How many observables the anonymised view left out because they point at the reporter.
    var withheldObservables: Int
    var tlp: String
    var attribution: String
    var redConsent: Bool
    var stage: String
    var deadlines: [StageDeadline]
    var versions: [StageVersion]
    var hops: [Hop]
    var createdAt: Date
    var updatedAt: Date
}

/// Builds `ReportDTO`s: the registry's names, the sector's deadlines, the redaction.
struct ReportPresenter {
    let database: any Database
    var now = Date()

    func dto(_ loaded: ReportBook.Loaded, view: AccessPolicy.ReportView) async throws -> ReportDTO {
        try await self.dtos([(loaded, view)])[0]
    }

    /// What the reports' JSON names besides the reports: organisations, CEPTOAR and sector
    /// keys, filers, and each sector's deadlines.
    struct Lookups: Sendable {
        var names: [UUID: LocalizedText] = [:]
        var ceptoarKeys: [UUID: String] = [:]
        var sectorKeys: [UUID: String] = [:]
        var filers: [UUID: String] = [:]
        var policies: [UUID: DeadlinePolicy] = [:]
    }

    /// The lookups of these reports, read with five queries.
    func lookups(_ items: [(ReportBook.Loaded, AccessPolicy.ReportView)]) async throws -> Lookups {
        let reports = items.map(\.0.report)
        let organisationIDs = Set(reports.map { $0.$reporter.id } + items.flatMap { $0.0.hops.map { $0.$organisation.id } })
        let organisations = try await Organisation.query(on: self.database).filter(\.$id ~~ Array(organisationIDs)).all()
        let ceptoars = try await Ceptoar.query(on: self.database).filter(\.$id ~~ Array(Set(reports.map { $0.$ceptoar.id }))).all()
        let sectors = try await Sector.query(on: self.database).filter(\.$id ~~ Array(Set(reports.map { $0.$sector.id }))).all()
        let users = try await User.query(on: self.database).filter(\.$id ~~ Array(Set(reports.map { $0.$filedBy.id }))).all()
        return Lookups(
            names: Dictionary(organisations.compactMap { o in o.id.map { ($0, o.name) } }, uniquingKeysWith: { a, _ in a }),
            ceptoarKeys: Dictionary(ceptoars.compactMap { c in c.id.map { ($0, c.key) } }, uniquingKeysWith: { a, _ in a }),
            sectorKeys: Dictionary(sectors.compactMap { s in s.id.map { ($0, s.key) } }, uniquingKeysWith: { a, _ in a }),
            filers: Dictionary(users.compactMap { u in u.id.map { ($0, u.displayName) } }, uniquingKeysWith: { a, _ in a }),
            policies: try await ReportDeadlines(database: self.database).policies(for: reports.map { $0.$sector.id }))
    }

    /// `lookups` when the caller has them (a filing: from the registry cache), else read.
    func dtos(_ items: [(ReportBook.Loaded, AccessPolicy.ReportView)], lookups known: Lookups? = nil) async throws -> [ReportDTO] {
        guard !items.isEmpty else { return [] }
        let lookups: Lookups
        if let known { lookups = known } else { lookups = try await self.lookups(items) }
        let (names, ceptoarKeys, sectorKeys, filers, policies) = (lookups.names, lookups.ceptoarKeys, lookups.sectorKeys, lookups.filers, lookups.policies)
        // Every anonymised reporter's redaction read at once.
        let redactions = try await ReportSteps(database: self.database).redactions(for: Set(items.filter { $0.1 == .anonymised }.map { $0.0.report.$reporter.id }))
        var result: [ReportDTO] = []
        for (loaded, view) in items {
            let report = loaded.report
            var redaction: ReportRedaction?
            if view == .anonymised {
                // A reporter gone from the registry still has its id scrubbed.
                redaction = redactions[report.$reporter.id] ?? ReportRedaction(names: [report.$reporter.id.uuidString], domains: [])
            }
            result.append(self.dto(loaded, redaction: redaction, names: names, ceptoar: ceptoarKeys[report.$ceptoar.id] ?? "",
                                   sector: sectorKeys[report.$sector.id] ?? "", filedBy: filers[report.$filedBy.id] ?? "",
                                   policy: policies[report.$sector.id] ?? .standard))
        }
        return result
    }

    private func dto(_ loaded: ReportBook.Loaded, redaction: ReportRedaction?, names: [UUID: LocalizedText], ceptoar: String, sector: String,
                     filedBy: String, policy: DeadlinePolicy) -> ReportDTO {
        let report = loaded.report
        func scrub(_ text: String, _ language: Language) -> String { redaction?.scrub(text, language) ?? text }
        let content = loaded.current[report.reportStage].flatMap { try? JSONDecoder().decode(ReportInput.self, from: Data($0.content.utf8)) }
        let draft = content.flatMap(ReportDraft.stored)
        let observables = draft?.observables ?? []
        let kept = redaction.map { r in observables.filter(r.keeps) } ?? observables
        let current = loaded.current
        let submitted = loaded.firstSubmitted
        let deadlines = ReportStage.allCases.map { stage in
            let deadline = policy.deadline(stage, detectedAt: report.detectedAt, submitted: submitted)
            return ReportDTO.StageDeadline(
                stage: stage.rawValue, deadline: deadline, rule: policy.rule(stage).text, submittedAt: submitted[stage],
                timeliness: Timeliness.of(deadline: deadline, submittedAt: submitted[stage], now: self.now).rawValue,
                needsRevision: current[stage]?.stageStatus == .needsRevision)
        }
        let impact = draft?.impact
        return ReportDTO(
            id: report.id!, ceptoar: ceptoar, sector: sector, anonymised: redaction != nil,
            reporter: redaction == nil ? ReportDTO.Reporter(id: report.$reporter.id, name: names[report.$reporter.id] ?? LocalizedText(ja: ""), filedBy: filedBy) : nil,
            summary: LocalizedText(ja: scrub(report.summaryJa, .ja), en: report.summaryEn.map { scrub($0, .en) }),
            affectedService: scrub(report.affectedService, .ja), detectedAt: report.detectedAt, occurredAt: report.occurredAt,
            eventType: report.eventType, causes: report.causeCodes, slaBreached: report.slaBreached,
            impact: ReportDTO.Impact(serviceContinuity: impact?.serviceContinuity ?? report.severity, safety: impact?.safety ?? 0, lossOfTrust: impact?.lossOfTrust ?? 0),
            severity: report.severity, observables: kept.map { ReportDTO.Observable(kind: $0.kind.rawValue, value: $0.value) },
            withheldObservables: observables.count - kept.count, tlp: report.tlp, attribution: report.attribution, redConsent: report.redConsent,
            stage: report.stage, deadlines: deadlines,
            versions: loaded.stages.map {
                ReportDTO.StageVersion(stage: $0.stage, version: $0.version, status: $0.status, submittedAt: $0.submittedAt, returnedAt: $0.returnedAt,
                                       returnComment: $0.returnComment.map { scrub($0, .ja) })
            },
            hops: loaded.hops.sorted { ($0.reportStep, $0.receivedAt) < ($1.reportStep, $1.receivedAt) }.map {
                ReportDTO.Hop(step: $0.step, organisation: names[$0.$organisation.id] ?? LocalizedText(ja: ""), status: $0.status, receivedAt: $0.receivedAt,
                              forwardedAt: $0.forwardedAt, automatic: $0.automatic, note: $0.note.map { scrub($0, .ja) })
            },
            createdAt: report.createdAt, updatedAt: report.updatedAt)
    }
}
