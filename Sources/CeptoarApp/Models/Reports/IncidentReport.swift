import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// An incident report (情報連絡) filed by a member organisation to one of its CEPTOARs. The row
/// holds the facts of the latest submitted stage, for lists, correlation and statistics; what
/// each stage said is kept, never edited, in `ReportStageRecord`.
final class IncidentReport: Model, @unchecked Sendable {
    static let schema = "incident_reports"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // reference fields
    @Parent(key: "organisation_id") var reporter: Organisation
    @Parent(key: "filed_by_id") var filedBy: User
    @Parent(key: "ceptoar_id") var ceptoar: Ceptoar
    @Parent(key: "sector_id") var sector: Sector

    // data fields: the latest submitted stage's facts
    @Field(key: "summary_ja") var summaryJa: String
    @OptionalField(key: "summary_en") var summaryEn: String?
    @Field(key: "affected_service") var affectedService: String
    @Field(key: "detected_at") var detectedAt: Date
    @OptionalField(key: "occurred_at") var occurredAt: Date?
    @Field(key: "event_type") var eventType: String
    /// Cause codes, comma-separated, sorted.
    @Field(key: "causes") var causes: String
    @Field(key: "sla_breached") var slaBreached: Bool
    @Field(key: "severity") var severity: Int
    @Field(key: "tlp") var tlp: String
    @Field(key: "attribution") var attribution: String
    @Field(key: "red_consent") var redConsent: Bool
    /// The furthest stage submitted (`first`, `follow_up`, `final`).
    @Field(key: "stage") var stage: String
    /// Marked exercise or synthetic (demo history): never counted in real statistics.
    /// When each stage was first submitted (see `ReportFirstSubmissions`): what timeliness counts.
    @OptionalField(key: "first_submitted_at") var firstSubmittedAt: Date?
    @OptionalField(key: "follow_up_submitted_at") var followUpSubmittedAt: Date?
    @OptionalField(key: "final_submitted_at") var finalSubmittedAt: Date?
    @Field(key: "exercise") var exercise: Bool
    @Field(key: "synthetic") var synthetic: Bool

    init() {}

    var reportStage: ReportStage { ReportStage(rawValue: self.stage) ?? .first }
    var marking: TLP { TLP(rawValue: self.tlp) ?? .red }
    var reportAttribution: ReportAttribution { ReportAttribution(rawValue: self.attribution) ?? .ceptoarOnly }
    var causeCodes: [String] { self.causes.split(separator: ",").map(String.init) }

    /// Copies a stage's checked content onto the report.
    func apply(_ draft: ReportDraft, stage: ReportStage, at now: Date) {
        self.summaryJa = draft.summary.ja
        self.summaryEn = draft.summary.en
        self.affectedService = draft.affectedService
        self.detectedAt = draft.detectedAt
        self.occurredAt = draft.occurredAt
        self.eventType = draft.eventType.rawValue
        self.causes = draft.causes.map(\.code).joined(separator: ",")
        self.slaBreached = draft.slaBreached
        self.severity = draft.severity
        self.tlp = draft.tlp.rawValue
        self.attribution = draft.attribution.rawValue
        self.redConsent = draft.redConsent
        if stage > self.reportStage || self.stage.isEmpty { self.stage = stage.rawValue }
        switch stage {
        case .first: self.firstSubmittedAt = self.firstSubmittedAt ?? now
        case .followUp: self.followUpSubmittedAt = self.followUpSubmittedAt ?? now
        case .final: self.finalSubmittedAt = self.finalSubmittedAt ?? now
        }
        self.updatedAt = now
    }
}

/// One version of one stage as the reporter submitted it. Never edited: a correction, or the
/// answer to "needs revision", is the next version; only its review state moves.
final class ReportStageRecord: Model, @unchecked Sendable {
    static let schema = "report_stages"

    enum Status: String, Codable {
        /// The version in force.
        case submitted
        /// Returned by the CEPTOAR with a comment; the reporter submits a new version.
        case needsRevision = "needs_revision"
        /// A later version replaced it.
        case superseded
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "report_id") var report: IncidentReport
    @Parent(key: "submitted_by_id") var submittedBy: User
    @OptionalParent(key: "returned_by_id") var returnedBy: User?

    @Field(key: "stage") var stage: String
    @Field(key: "version") var version: Int
    @Field(key: "status") var status: String
    /// The checked content as JSON (`ReportContent`).
    @Field(key: "content") var content: String
    @Field(key: "submitted_at") var submittedAt: Date
    @OptionalField(key: "returned_at") var returnedAt: Date?
    @OptionalField(key: "return_comment") var returnComment: String?

    init() {}

    var reportStage: ReportStage { ReportStage(rawValue: self.stage) ?? .first }
    var stageStatus: Status { Status(rawValue: self.status) ?? .superseded }
}

/// One step of a report's upward relay (CEPTOAR → competent ministry → NISC): who holds it,
/// when it arrived, and whether it was forwarded, held for review, or stopped there.
final class ReportHop: Model, @unchecked Sendable {
    static let schema = "report_hops"

    enum Status: String, Codable {
        case held, forwarded
        /// The end of the relay for this report: NISC, or a step the reporter's choice stops at.
        case final
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "report_id") var report: IncidentReport
    @Parent(key: "organisation_id") var organisation: Organisation
    @OptionalParent(key: "actor_id") var actor: User?

    @Field(key: "step") var step: String
    @Field(key: "status") var status: String
    @Field(key: "received_at") var receivedAt: Date
    @OptionalField(key: "forwarded_at") var forwardedAt: Date?
    @Field(key: "automatic") var automatic: Bool
    @OptionalField(key: "note") var note: String?

    init() {}

    var reportStep: AccessPolicy.ReportStep { AccessPolicy.ReportStep(rawValue: self.step) ?? .ceptoar }
    var hopStatus: Status { Status(rawValue: self.status) ?? .held }
}

/// A report's observables in canonical form (`kind:value`), indexed with the detection time
/// so correlation finds the reports that share one within a window.
final class ReportObservableRecord: Model, @unchecked Sendable {
    static let schema = "report_observables"

    @ID(key: .id) var id: UUID?
    @Parent(key: "report_id") var report: IncidentReport
    @Field(key: "key") var key: String
    @Field(key: "detected_at") var detectedAt: Date

    init() {}
}

/// Who (which organisation, at which step) has opened a report: what its reporter sees.
final class ReportRead: Model, @unchecked Sendable {
    static let schema = "report_reads"

    @ID(key: .id) var id: UUID?
    @Parent(key: "report_id") var report: IncidentReport
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "user_id") var user: User
    @Field(key: "step") var step: String
    @Field(key: "first_read_at") var firstReadAt: Date

    init() {}
}

/// A sector's agreed deadlines for report stages, when they differ from NISC's defaults.
final class ReportDeadlineSetting: Model, @unchecked Sendable {
    static let schema = "report_deadline_settings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "sector_id") var sector: Sector
    /// `DeadlinePolicy` as JSON.
    @Field(key: "policy") var policy: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// How an organisation's report hops treat an arriving report: forwarded at once from a
/// severity on, or held for review.
final class ReportRelaySetting: Model, @unchecked Sendable {
    static let schema = "report_relay_settings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    /// Reports of at least this severity go on at once; nil: every report is reviewed.
    @OptionalField(key: "forward_from_severity") var forwardFromSeverity: Int?

    init() {}
}

/// A trend in a sector: three or more reports sharing an event type or a CVE within 72 hours.
/// Raised when the report that makes the third arrives, and widened as more join its window.
final class TrendFlag: Model, @unchecked Sendable {
    static let schema = "trend_flags"

    @ID(key: .id) var id: UUID?
    @Parent(key: "sector_id") var sector: Sector
    /// `event_type` or `cve`.
    @Field(key: "kind") var kind: String
    @Field(key: "value") var value: String
    @Field(key: "raised_at") var raisedAt: Date
    /// The detection times of the first and last report in it.
    @Field(key: "window_start") var windowStart: Date
    @Field(key: "window_end") var windowEnd: Date
    @Field(key: "report_count") var reportCount: Int

    init() {}
}

/// A report in a trend flag: one row per report, so joining a flag is one insert however
/// large it has grown. Read and written with SQLKit (a pair has no id of its own).
enum TrendFlagReport {
    static let schema = "trend_flag_reports"

    /// Adds the reports to the flag; those that were not in it already, in the order given.
    @discardableResult
    static func insert(flag: UUID, reports: [UUID], on sql: any SQLDatabase) async throws -> [UUID] {
        var added: [UUID] = []
        // In slices: every row binds two parameters, and SQLite takes at most 32,766.
        for slice in stride(from: 0, to: reports.count, by: 1_000).map({ reports[$0..<min($0 + 1_000, reports.count)] }) {
            let present = Set(try await sql.select().column("flag_id").column("report_id").from(Self.schema).where("flag_id", .equal, flag)
                .where("report_id", .in, Array(slice)).all(decoding: Member.self).map(\.report_id))
            var seen = present
            let missing = slice.filter { seen.insert($0).inserted }
            guard !missing.isEmpty else { continue }
            var insert = sql.insert(into: Self.schema).columns("flag_id", "report_id")
            for report in missing { insert = insert.values(SQLBind(flag), SQLBind(report)) }
            try await insert.run()
            added += missing
        }
        return added
    }

    /// The reports of each flag, in no particular order.
    static func reports(of flags: [UUID], on sql: any SQLDatabase) async throws -> [UUID: [UUID]] {
        guard !flags.isEmpty else { return [:] }
        let rows = try await sql.select().column("flag_id").column("report_id").from(Self.schema).where("flag_id", .in, flags).all(decoding: Member.self)
        return Dictionary(grouping: rows, by: \.flag_id).mapValues { $0.map(\.report_id) }
    }

    /// The flags a report is in.
    static func flags(of report: UUID, on sql: any SQLDatabase) async throws -> [UUID] {
        try await sql.select().column("flag_id").column("report_id").from(Self.schema).where("report_id", .equal, report).all(decoding: Member.self).map(\.flag_id)
    }

    /// A row, named as its columns are.
    private struct Member: Decodable {
        var flag_id: UUID
        var report_id: UUID
    }
}
