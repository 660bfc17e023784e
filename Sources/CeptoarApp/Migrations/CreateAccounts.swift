import Fluent

/// Users, API tokens and the sign-in throttle.
struct CreateAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("created_at", .datetime)
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("roles", .string, .required)
            .field("active", .bool, .required)
            .unique(on: "email")
            .create()
        try await database.schema(APIToken.schema)
            .id()
            .field("created_at", .datetime)
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime)
            .field("last_used_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(LoginThrottle.schema)
            .id()
            .field("identifier", .string, .required)
            .field("failures", .int, .required)
            .field("blocked_until", .datetime)
            .unique(on: "identifier")
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [LoginThrottle.schema, APIToken.schema, User.schema] {
            try await database.schema(schema).delete()
        }
    }
}
