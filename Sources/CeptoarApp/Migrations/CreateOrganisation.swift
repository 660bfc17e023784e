import Fluent

struct CreateOrganisation: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Organisation.schema)
            .id()
            .field("created_at", .datetime)
            .field("key", .string)
            .field("kind", .string, .required)
            .field("name_ja", .string, .required)
            .field("name_en", .string)
            .field("search_text", .string, .required)
            .field("valid_from", .string, .required)
            .field("valid_to", .string)
            .field("synthetic", .bool, .required)
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Organisation.schema).delete()
    }
}
