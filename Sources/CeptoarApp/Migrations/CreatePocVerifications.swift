import Fluent
import SQLKit

/// Codes sent to a contact address to prove it reaches someone (verified flag on the roster).
struct CreatePocVerifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PocVerification.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("channel", .string, .required)
            .field("address", .string, .required)
            .field("code_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("used_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX idx_poc_verifications_address ON poc_verifications (organisation_id, channel, address)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PocVerification.schema).delete()
    }
}
