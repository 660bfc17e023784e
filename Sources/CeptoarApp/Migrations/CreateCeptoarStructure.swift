import Fluent

/// Sub-groups, memberships, overview sheets and lineage: the structure around each CEPTOAR.
struct CreateCeptoarStructure: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CeptoarGroup.schema)
            .id()
            .field("ceptoar_id", .uuid, .required, .references(Ceptoar.schema, "id"))
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("name_ja", .string, .required)
            .field("name_en", .string)
            .field("valid_from", .string, .required)
            .field("valid_to", .string)
            .unique(on: "ceptoar_id", "code", "valid_from")
            .create()
        try await database.schema(Membership.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("ceptoar_id", .uuid, .required, .references(Ceptoar.schema, "id"))
            .field("group_id", .uuid, .references(CeptoarGroup.schema, "id"))
            .field("role", .string, .required)
            .field("valid_from", .string, .required)
            .field("valid_to", .string)
            .unique(on: "organisation_id", "ceptoar_id", "role", "valid_from")
            .create()
        try await database.schema(CeptoarOverview.schema)
            .id()
            .field("ceptoar_id", .uuid, .required, .references(Ceptoar.schema, "id"))
            .field("fiscal_year", .int, .required)
            .field("name_text", .string, .required)
            .field("secretariat_text", .string, .required)
            .field("body", .string, .required)
            .unique(on: "ceptoar_id", "fiscal_year")
            .create()
        try await database.schema(CeptoarLineage.schema)
            .id()
            .field("predecessor_id", .uuid, .required, .references(Ceptoar.schema, "id"))
            .field("successor_id", .uuid, .required, .references(Ceptoar.schema, "id"))
            .field("kind", .string, .required)
            .field("effective", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [CeptoarLineage.schema, CeptoarOverview.schema, Membership.schema, CeptoarGroup.schema] {
            try await database.schema(schema).delete()
        }
    }
}
