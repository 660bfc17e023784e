import Fluent
import SQLKit

/// Lets a publisher retry safely: an advisory remembers the `Idempotency-Key` it was published
/// with (unique per originating organisation) and a hash of the request, so a retry after a
/// lost response or a server crash returns the advisory instead of relaying it twice.
struct AdvisoryIdempotency: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        try await database.schema(Advisory.schema).field("idempotency_key", .string).update()
        try await database.schema(Advisory.schema).field("request_hash", .string).update()
        try await (database as! any SQLDatabase).raw(
            "CREATE UNIQUE INDEX idx_advisories_idempotency ON advisories (originator_id, idempotency_key)"
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX idx_advisories_idempotency").run()
        try await database.schema(Advisory.schema).deleteField("request_hash").update()
        try await database.schema(Advisory.schema).deleteField("idempotency_key").update()
    }
}
