import Fluent

/// Advisories and alerts can be marked exercise (an exercise's injects: the year's activity
/// and every real count leave them out) and synthetic (the demo nation's generated past, which
/// pages label as such); failure cases and agreements can be synthetic too. Existing rows are real.
struct ExerciseAndSyntheticMarks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        for schema in [Advisory.schema, Alert.schema] {
            try await database.schema(schema).field("exercise", .bool, .required, .sql(.default(false))).update()
            try await database.schema(schema).field("synthetic", .bool, .required, .sql(.default(false))).update()
        }
        for schema in [FailureCase.schema, AgreementRecord.schema] {
            try await database.schema(schema).field("synthetic", .bool, .required, .sql(.default(false))).update()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [Advisory.schema, Alert.schema] {
            try await database.schema(schema).deleteField("exercise").update()
            try await database.schema(schema).deleteField("synthetic").update()
        }
        for schema in [FailureCase.schema, AgreementRecord.schema] {
            try await database.schema(schema).deleteField("synthetic").update()
        }
    }
}
