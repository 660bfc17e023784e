import Fluent
import SQLKit

/// The emergency point-of-contact roster (contacts per organisation and their channels), and
/// the queue where outsiders' messages to a CEPTOAR's public contact land.
struct CreatePointsOfContact: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PocContact.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("rank", .string, .required)
            .field("position", .int, .required)
            .field("name", .string, .required)
            .field("title", .string)
            .field("available_always", .bool, .required)
            .field("hours", .string)
            .field("updated_at", .datetime)
            .create()
        try await database.schema(PocMethod.schema)
            .id()
            .field("contact_id", .uuid, .required, .references(PocContact.schema, "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("address", .string, .required)
            .field("position", .int, .required)
            .field("note", .string)
            .field("verified_at", .datetime)
            .field("published", .bool, .required, .sql(.default(false)))
            .create()
        try await database.schema(InboundMessage.schema)
            .id()
            .field("ceptoar_id", .uuid, .required, .references(Ceptoar.schema, "id"))
            .field("received_at", .datetime, .required)
            .field("sender_name", .string, .required)
            .field("sender_organisation", .string, .required)
            .field("sender_email", .string, .required)
            .field("sender_phone", .string)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("handled_by", .uuid, .references(User.schema, "id"))
            .field("handled_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_poc_contacts_organisation ON poc_contacts (organisation_id)").run()
        try await sql.raw("CREATE INDEX idx_poc_methods_contact ON poc_methods (contact_id)").run()
        try await sql.raw("CREATE INDEX idx_inbound_messages_ceptoar ON inbound_messages (ceptoar_id, received_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InboundMessage.schema).delete()
        try await database.schema(PocMethod.schema).delete()
        try await database.schema(PocContact.schema).delete()
    }
}
