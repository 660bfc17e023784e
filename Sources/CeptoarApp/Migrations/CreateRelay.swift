import Fluent
import SQLKit

/// Advisories, their targets, relay hops, deliveries and the outbox.
struct CreateRelay: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Advisory.schema)
            .id()
            .field("created_at", .datetime)
            .field("originator_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("author_id", .uuid, .required, .references(User.schema, "id"))
            .field("supersedes_id", .uuid, .references(Advisory.schema, "id"))
            .field("series_id", .uuid, .required)
            .field("version", .int, .required)
            .field("title_ja", .string, .required)
            .field("title_en", .string)
            .field("body_ja", .string, .required)
            .field("body_en", .string)
            .field("severity", .string, .required)
            .field("category", .string, .required)
            .field("tlp", .string, .required)
            .field("references", .string, .required)
            .field("expires_at", .datetime)
            .field("withdrawn_at", .datetime)
            .field("withdrawn_reason", .string)
            .unique(on: "series_id", "version")
            .create()
        try await database.schema(AdvisoryTarget.schema)
            .id()
            .field("advisory_id", .uuid, .required, .references(Advisory.schema, "id"))
            .field("kind", .string, .required)
            .field("target_key", .string, .required)
            .create()
        try await database.schema(RelayHop.schema)
            .id()
            .field("advisory_id", .uuid, .required, .references(Advisory.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("ceptoar_id", .uuid, .references(Ceptoar.schema, "id"))
            .field("parent_id", .uuid, .references(RelayHop.schema, "id"))
            .field("actor_id", .uuid, .references(User.schema, "id"))
            .field("stage", .string, .required)
            .field("status", .string, .required)
            .field("tlp", .string, .required)
            .field("audience_groups", .string, .required)
            .field("audience_organisations", .string, .required)
            .field("received_at", .datetime, .required)
            .field("reviewed_at", .datetime)
            .field("forwarded_at", .datetime)
            .field("automatic", .bool, .required)
            .field("note", .string)
            .field("withheld_reason", .string)
            .create()
        try await database.schema(Delivery.schema)
            .field("id", .int, .identifier(auto: true))
            .field("advisory_id", .uuid, .required, .references(Advisory.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("hop_id", .uuid, .required, .references(RelayHop.schema, "id"))
            .field("delivered_at", .datetime, .required)
            .field("read_at", .datetime)
            .field("read_by", .uuid, .references(User.schema, "id"))
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by", .uuid, .references(User.schema, "id"))
            .field("ack_comment", .string)
            .unique(on: "advisory_id", "organisation_id")
            .create()
        try await database.schema(Job.schema)
            .field("id", .int, .identifier(auto: true))
            .field("kind", .string, .required)
            .field("idempotency_key", .string, .required)
            .field("delivery_id", .int)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("last_error", .string)
            .unique(on: "idempotency_key")
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            "CREATE INDEX idx_deliveries_organisation ON deliveries (organisation_id, delivered_at)",
            "CREATE INDEX idx_deliveries_hop ON deliveries (hop_id)",
            "CREATE INDEX idx_relay_hops_advisory ON relay_hops (advisory_id)",
            "CREATE INDEX idx_relay_hops_organisation ON relay_hops (organisation_id, status)",
            "CREATE INDEX idx_jobs_status ON jobs (status, run_at)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [Job.schema, Delivery.schema, RelayHop.schema, AdvisoryTarget.schema, Advisory.schema] {
            try await database.schema(schema).delete()
        }
    }
}
