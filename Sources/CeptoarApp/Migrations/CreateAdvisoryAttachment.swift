import Fluent

struct CreateAdvisoryAttachment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AdvisoryAttachment.schema)
            .id()
            .field("created_at", .datetime)
            .field("advisory_id", .uuid, .required, .references(Advisory.schema, "id"))
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("data", .data, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AdvisoryAttachment.schema).delete()
    }
}
