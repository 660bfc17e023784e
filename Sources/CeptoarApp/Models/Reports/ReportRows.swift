import Fluent
import Foundation
import SQLKit

// The columns of a new report's rows, for the filing queue's inserts (`ReportBook.write`):
// Fluent's `create` reflects over every property of every model it writes, twice (its input
// and its timestamps) — a fifth of the CPU of a burst of filings. Each list names every field
// of its model; a test checks them against the model's own keys, so a field added to a model
// and not here fails the suite rather than being left out of the insert.

extension IncidentReport {
    static let columns = [
        "id", "created_at", "updated_at", "organisation_id", "filed_by_id", "ceptoar_id", "sector_id", "summary_ja", "summary_en",
        "affected_service", "detected_at", "occurred_at", "event_type", "causes", "sla_breached", "severity", "tlp", "attribution",
        "red_consent", "stage", "first_submitted_at", "follow_up_submitted_at", "final_submitted_at", "exercise", "synthetic",
    ]

    /// The values of `columns`, of a report whose every field is set.
    var columnValues: [ColumnValue] {
        [
            .uuid(self.id), .date(self.createdAt), .date(self.updatedAt), .uuid(self.$reporter.id), .uuid(self.$filedBy.id), .uuid(self.$ceptoar.id),
            .uuid(self.$sector.id), .text(self.summaryJa), .text(self.summaryEn), .text(self.affectedService), .date(self.detectedAt),
            .date(self.occurredAt), .text(self.eventType), .text(self.causes), .bool(self.slaBreached), .integer(self.severity), .text(self.tlp),
            .text(self.attribution), .bool(self.redConsent), .text(self.stage), .date(self.firstSubmittedAt), .date(self.followUpSubmittedAt),
            .date(self.finalSubmittedAt), .bool(self.exercise), .bool(self.synthetic),
        ]
    }
}

extension ReportStageRecord {
    static let columns = [
        "id", "report_id", "submitted_by_id", "returned_by_id", "stage", "version", "status", "content", "submitted_at", "returned_at", "return_comment",
    ]

    var columnValues: [ColumnValue] {
        [
            .uuid(self.id), .uuid(self.$report.id), .uuid(self.$submittedBy.id), .uuid(self.$returnedBy.id), .text(self.stage), .integer(self.version),
            .text(self.status), .text(self.content), .date(self.submittedAt), .date(self.returnedAt), .text(self.returnComment),
        ]
    }
}

extension ReportHop {
    static let columns = ["id", "report_id", "organisation_id", "actor_id", "step", "status", "received_at", "forwarded_at", "automatic", "note"]

    var columnValues: [ColumnValue] {
        [
            .uuid(self.id), .uuid(self.$report.id), .uuid(self.$organisation.id), .uuid(self.$actor.id), .text(self.step), .text(self.status),
            .date(self.receivedAt), .date(self.forwardedAt), .bool(self.automatic), .text(self.note),
        ]
    }
}

extension ReportObservableRecord {
    static let columns = ["id", "report_id", "key", "detected_at"]

    var columnValues: [ColumnValue] { [.uuid(self.id), .uuid(self.$report.id), .text(self.key), .date(self.detectedAt)] }
}

/// A model written by `insertRows` below: its columns, their values, and how it is marked as
/// stored afterwards (so a later `save` updates it instead of inserting it again).
protocol ColumnRow: Model {
    static var columns: [String] { get }
    var columnValues: [ColumnValue] { get }
    func markStored()
}

extension IncidentReport: ColumnRow {
    func markStored() { self.$id.exists = true }
}

extension ReportStageRecord: ColumnRow {
    func markStored() { self.$id.exists = true }
}

extension ReportHop: ColumnRow {
    func markStored() { self.$id.exists = true }
}

extension ReportObservableRecord: ColumnRow {
    func markStored() { self.$id.exists = true }
}

extension Array where Element: ColumnRow {
    /// Inserts the models with one statement per 500 (`insertValues`), and marks them stored.
    func insertRows(on database: any Database) async throws {
        guard !self.isEmpty else { return }
        try await (database as! any SQLDatabase).insertValues(into: Element.schema, columns: Element.columns, self.map(\.columnValues))
        for model in self { model.markStored() }
    }
}
