import Fluent
import Foundation
import SQLKit

/// A trend flag's reports move from a comma-separated list on the flag to rows of their own.
/// The list was rewritten whole on every report that joined, and each filing read every report
/// of the sector's event type within 72 hours to rebuild it: in a burst — exactly when a trend
/// matters — each filing cost more than the last (measured: 16 connections filing one CVE
/// completed nothing within 2 s). A report now joins with one insert.
struct TrendFlagMembers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TrendFlagReport.schema)
            .field("flag_id", .uuid, .required, .references(TrendFlag.schema, "id", onDelete: .cascade))
            .field("report_id", .uuid, .required, .references(IncidentReport.schema, "id", onDelete: .cascade))
            .unique(on: "flag_id", "report_id")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "trend_flag_reports_report").on(TrendFlagReport.schema).column("report_id").run()
        // The same-type count of a filing without a flag yet.
        try await sql.create(index: "incident_reports_event_type").on(IncidentReport.schema)
            .column("sector_id").column("event_type").column("detected_at").run()
        for row in try await sql.raw("SELECT id, report_ids FROM \(ident: TrendFlag.schema)").all() {
            let flag = try row.decode(column: "id", as: UUID.self)
            let ids = try row.decode(column: "report_ids", as: String.self).split(separator: ",").compactMap { UUID(uuidString: String($0)) }
            guard !ids.isEmpty else { continue }
            try await TrendFlagReport.insert(flag: flag, reports: ids, on: sql)
        }
        try await sql.raw("ALTER TABLE \(ident: TrendFlag.schema) DROP COLUMN \(ident: "report_ids")").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("ALTER TABLE \(ident: TrendFlag.schema) ADD COLUMN \(ident: "report_ids") TEXT NOT NULL DEFAULT ''").run()
        try await sql.drop(index: "incident_reports_event_type").run()
        try await database.schema(TrendFlagReport.schema).delete()
    }
}
