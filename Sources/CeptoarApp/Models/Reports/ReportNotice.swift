import Fluent
import Foundation

/// A message to a reporter about its report — today: a stage returned for revision — written in
/// the transaction that made it, and sent after the commit by `ReportNoticeWorker`: by mail to
/// the person who filed the report, and live (SSE) to the reporting organisation's open pages.
final class ReportNotice: Model, @unchecked Sendable {
    static let schema = "report_notices"

    enum State: String {
        case queued, sent
        /// No mail relay, or it kept refusing: the page still shows the return.
        case failed
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "report_id") var report: IncidentReport
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "email") var email: String
    @Field(key: "kind") var kind: String
    @Field(key: "stage") var stage: String
    @Field(key: "comment") var comment: String
    @Field(key: "state") var state: String
    @Field(key: "tries") var tries: Int
    @Field(key: "next_try_at") var nextTryAt: Date
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "last_error") var lastError: String?

    init() {}
}
