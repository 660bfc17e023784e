import Fluent

struct CreateProvisionRequest: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ProvisionRequest.schema)
            .id()
            .field("created_at", .datetime)
            .field("advisory_id", .uuid, .required, .references(Advisory.schema, "id"))
            .field("requester_organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("requested_by", .uuid, .required, .references(User.schema, "id"))
            .field("decided_by", .uuid, .references(User.schema, "id"))
            .field("recipient", .string, .required)
            .field("purpose", .string, .required)
            .field("status", .string, .required)
            .field("scope", .string)
            .field("reason", .string)
            .field("decided_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ProvisionRequest.schema).delete()
    }
}
