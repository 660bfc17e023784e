import Fluent
import SQLKit

/// The outbox gets one job per relay hop instead of one per delivery: the commit that reaches
/// 5,692 members then writes 14 jobs, not 5,692 more rows with a text key each, and the worker
/// expands a hop into its members' notifications after the commit. Deliveries lose their
/// index on the hop (only those per-delivery jobs used it; the timeline reads by advisory)
/// and their index by organisation (see `Inbox.list`).
struct NotifyPerHop: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Job.schema).field("hop_id", .uuid).update()
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX IF EXISTS idx_deliveries_hop").run()
        // No index by organisation either: an all-member fan-out wrote thousands of its entries
        // onto as many random pages. Inboxes read through the (advisory, organisation) key.
        try await sql.raw("DROP INDEX IF EXISTS idx_deliveries_organisation").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_deliveries_organisation ON deliveries (organisation_id, delivered_at)").run()
        try await sql.raw("CREATE INDEX idx_deliveries_hop ON deliveries (hop_id)").run()
        try await database.schema(Job.schema).deleteField("hop_id").update()
    }
}
