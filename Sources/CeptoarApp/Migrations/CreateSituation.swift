import Fluent
import SQLKit

/// The situation's history: one append-only table; the newest row of a scope is its level.
struct CreateSituation: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SituationChange.schema)
            .id()
            .field("created_at", .datetime, .required)
            .field("actor_id", .uuid, .required, .references(User.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("advisory_id", .uuid, .references(Advisory.schema, "id"))
            .field("scope_kind", .string, .required)
            .field("scope_key", .string, .required)
            .field("level", .string, .required)
            .field("large_incident", .bool, .required)
            .field("rationale_ja", .string, .required)
            .field("rationale_en", .string)
            .field("links", .string, .required)
            .field("actor_email", .string, .required)
            .field("effects", .string, .required)
            .field("exercise", .bool, .required)
            .field("synthetic", .bool, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "situation_changes_scope").on(SituationChange.schema)
            .column("scope_kind").column("scope_key").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SituationChange.schema).delete()
    }
}
