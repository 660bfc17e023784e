import Fluent
import SQLKit

/// Indexes for the as-of queries and the directory. Plain `CREATE INDEX` is the same on
/// SQLite and PostgreSQL.
struct CreateSearchIndexes: AsyncMigration {
    static let statements = [
        "CREATE INDEX idx_memberships_ceptoar ON memberships (ceptoar_id, valid_from)",
        "CREATE INDEX idx_memberships_organisation ON memberships (organisation_id)",
        "CREATE INDEX idx_organisations_kind ON organisations (kind)",
        "CREATE INDEX idx_ceptoar_versions_valid ON ceptoar_versions (valid_from, valid_to)",
    ]

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for statement in Self.statements {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for name in ["idx_memberships_ceptoar", "idx_memberships_organisation", "idx_organisations_kind", "idx_ceptoar_versions_valid"] {
            try await sql.raw(SQLQueryString("DROP INDEX \(unsafeRaw: name)")).run()
        }
    }
}
