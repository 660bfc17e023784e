import Fluent

struct CreateRegistryRevision: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RegistryRevision.schema)
            .field("id", .int, .identifier(auto: false))
            .field("revision", .int, .required)
            .create()
        let row = RegistryRevision()
        row.id = 1
        row.revision = 0
        try await row.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RegistryRevision.schema).delete()
    }
}
