import Fluent

struct CreateSector: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Sector.schema)
            .id()
            .field("key", .string, .required)
            .unique(on: "key")
            .create()
        try await database.schema(SectorVersion.schema)
            .id()
            .field("sector_id", .uuid, .required, .references(Sector.schema, "id"))
            .field("ministry_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("valid_from", .string, .required)
            .field("valid_to", .string)
            .field("name_ja", .string, .required)
            .field("name_en", .string)
            .field("change_note", .string)
            .unique(on: "sector_id", "valid_from")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SectorVersion.schema).delete()
        try await database.schema(Sector.schema).delete()
    }
}
