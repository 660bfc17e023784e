import Fluent

/// Handling rules and their acceptance, relay policies, and the audit hash chain.
struct CreateHandlingRules: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(HandlingRules.schema)
            .id()
            .field("created_at", .datetime)
            .field("ceptoar_id", .uuid, .required, .references(Ceptoar.schema, "id"))
            .field("version", .int, .required)
            .field("effective_from", .string, .required)
            .field("text_ja", .string, .required)
            .field("text_en", .string)
            .field("default_tlp", .string, .required)
            .field("green_to_contractors", .bool, .required)
            .field("external_policy", .string, .required)
            .unique(on: "ceptoar_id", "version")
            .create()
        try await database.schema(RulesAcceptance.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("rules_id", .uuid, .required, .references(HandlingRules.schema, "id"))
            .field("accepted_by", .uuid, .references(User.schema, "id"))
            .field("accepted_at", .datetime, .required)
            .unique(on: "organisation_id", "rules_id")
            .create()
        try await database.schema(RelayPolicySetting.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("auto_forward_from", .string, .required)
            .unique(on: "organisation_id")
            .create()
        try await database.schema(AuditRecord.schema)
            .field("sequence", .int, .identifier(auto: false))
            .field("at", .string, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("subject", .string, .required)
            .field("detail", .string, .required)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [AuditRecord.schema, RelayPolicySetting.schema, RulesAcceptance.schema, HandlingRules.schema] {
            try await database.schema(schema).delete()
        }
    }
}
