import Fluent
import SQLKit

/// Messages to reporters about their reports (a stage returned for revision), sent after the commit.
struct CreateReportNotices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ReportNotice.schema)
            .id()
            .field("report_id", .uuid, .required, .references(IncidentReport.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("email", .string, .required)
            .field("kind", .string, .required)
            .field("stage", .string, .required)
            .field("comment", .string, .required)
            .field("state", .string, .required)
            .field("tries", .int, .required)
            .field("next_try_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .field("last_error", .string)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "report_notices_due").on(ReportNotice.schema).column("state").column("next_try_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ReportNotice.schema).delete()
    }
}
