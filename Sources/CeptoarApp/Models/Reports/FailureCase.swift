import CeptoarKit
import Fluent
import Foundation

/// An organisation designated to analyse a sector's incident reports (FISC for finance, the
/// Civil Aviation Bureau for aviation): it reads the reports that may leave their CEPTOAR, in
/// the view the reporter chose, and writes failure cases from them.
final class AnalysisBody: Model, @unchecked Sendable {
    static let schema = "analysis_bodies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "sector_id") var sector: Sector
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "designated_at") var designatedAt: Date

    init() {}

    init(sector: UUID, organisation: UUID, at: Date) {
        self.id = UUID()
        self.$sector.id = sector
        self.$organisation.id = organisation
        self.designatedAt = at
    }
}

/// A failure case (障害事例) written from one or more incident reports: the business type, the
/// event, its cause, the countermeasure and the lessons. A draft is read and edited by the
/// organisation writing it; once published (only when it names no organisation of its
/// reports) it is relayed to the sector's members as an advisory of category "analysis result".
final class FailureCase: Model, @unchecked Sendable {
    static let schema = "failure_cases"

    enum Status: String, Codable {
        case draft, published
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var author: Organisation
    @Parent(key: "written_by_id") var writtenBy: User
    @Parent(key: "sector_id") var sector: Sector
    @OptionalParent(key: "advisory_id") var advisory: Advisory?

    @Field(key: "status") var status: String
    @Field(key: "title_ja") var titleJa: String
    @OptionalField(key: "title_en") var titleEn: String?
    @Field(key: "business_type") var businessType: String
    @Field(key: "event") var event: String
    @Field(key: "cause") var cause: String
    @Field(key: "countermeasure") var countermeasure: String
    @Field(key: "lessons") var lessons: String
    @Field(key: "tlp") var tlp: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?

    init() {}

    var caseStatus: Status { Status(rawValue: self.status) ?? .draft }
    var marking: TLP { TLP(rawValue: self.tlp) ?? .amber }
}

/// A report a failure case was written from.
final class FailureCaseSource: Model, @unchecked Sendable {
    static let schema = "failure_case_reports"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var failureCase: FailureCase
    @Parent(key: "report_id") var report: IncidentReport

    init() {}

    init(caseID: UUID, reportID: UUID) {
        self.id = UUID()
        self.$failureCase.id = caseID
        self.$report.id = reportID
    }
}
