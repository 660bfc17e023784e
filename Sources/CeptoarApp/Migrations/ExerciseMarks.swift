import Fluent

/// Advisories and alerts can be marked exercise (an exercise's injects): the year's activity
/// and every real count leave them out. Existing rows are real.
struct ExerciseMarks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Advisory.schema).field("exercise", .bool, .required, .sql(.default(false))).update()
        try await database.schema(Alert.schema).field("exercise", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Advisory.schema).deleteField("exercise").update()
        try await database.schema(Alert.schema).deleteField("exercise").update()
    }
}
