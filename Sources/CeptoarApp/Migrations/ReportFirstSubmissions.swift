import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// When each stage of a report was first submitted, kept on the report row. Statistics count
/// timeliness from it for a whole year of reports; reading it from the stage rows took a
/// lookup per report and stage (three correlated subqueries each, or a grouping of the year's
/// stage rows), which was most of the nation's statistics page (measured on 100,000 reports:
/// 0.27 s on SQLite, 0.40 s on PostgreSQL to read FY2025). A first submission never changes —
/// a correction is a later version — so the copy cannot drift from the stages.
struct ReportFirstSubmissions: AsyncMigration {
    static let columns: [(ReportStage, String)] = ReportStage.allCases.map { ($0, "\($0.rawValue)_submitted_at") }

    func prepare(on database: any Database) async throws {
        for (_, column) in Self.columns {
            try await database.schema(IncidentReport.schema).field(.string(column), .datetime).update()
        }
        try await Self.backfill(on: database as! any SQLDatabase)
        let sql = database as! any SQLDatabase
        // Covers the statistics' read whole, so no report row is touched.
        var index = sql.create(index: "incident_reports_statistics_stages").on(IncidentReport.schema)
            .column("detected_at").column("exercise").column("sector_id").column("event_type").column("causes").column("id")
        for (_, column) in Self.columns { index = index.column(column) }
        try await index.run()
        try await sql.drop(index: "incident_reports_statistics").run()
    }

    /// Sets the columns from the stage rows where they are not set (after a bulk load too).
    static func backfill(on sql: any SQLDatabase) async throws {
        for (stage, column) in Self.columns {
            try await sql.raw("""
                UPDATE \(ident: IncidentReport.schema) SET \(ident: column) = (SELECT MIN(s.submitted_at) FROM \(ident: ReportStageRecord.schema) s
                WHERE s.report_id = \(ident: IncidentReport.schema).id AND s.stage = \(bind: stage.rawValue)) WHERE \(ident: column) IS NULL
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(index: "incident_reports_statistics").on(IncidentReport.schema)
            .column("detected_at").column("exercise").column("sector_id").column("event_type").column("causes").column("id").run()
        try await sql.drop(index: "incident_reports_statistics_stages").run()
        for (_, column) in Self.columns {
            try await database.schema(IncidentReport.schema).deleteField(.string(column)).update()
        }
    }
}
