import Fluent
import SQLKit

/// Analysis bodies per sector, failure cases and the reports each was written from.
struct CreateFailureCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AnalysisBody.schema)
            .id()
            .field("sector_id", .uuid, .required, .references(Sector.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("designated_at", .datetime, .required)
            .unique(on: "sector_id", "organisation_id")
            .create()
        try await database.schema(FailureCase.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("written_by_id", .uuid, .required, .references(User.schema, "id"))
            .field("sector_id", .uuid, .required, .references(Sector.schema, "id"))
            .field("advisory_id", .uuid, .references(Advisory.schema, "id"))
            .field("status", .string, .required)
            .field("title_ja", .string, .required)
            .field("title_en", .string)
            .field("business_type", .string, .required)
            .field("event", .string, .required)
            .field("cause", .string, .required)
            .field("countermeasure", .string, .required)
            .field("lessons", .string, .required)
            .field("tlp", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("published_at", .datetime)
            .create()
        try await database.schema(FailureCaseSource.schema)
            .id()
            .field("case_id", .uuid, .required, .references(FailureCase.schema, "id"))
            .field("report_id", .uuid, .required, .references(IncidentReport.schema, "id"))
            .unique(on: "case_id", "report_id")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "failure_cases_author").on(FailureCase.schema).column("organisation_id").column("status").run()
        try await sql.create(index: "failure_case_reports_report").on(FailureCaseSource.schema).column("report_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [FailureCaseSource.schema, FailureCase.schema, AnalysisBody.schema] {
            try await database.schema(schema).delete()
        }
    }
}
