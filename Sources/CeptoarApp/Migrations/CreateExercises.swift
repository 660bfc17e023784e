import Fluent
import SQLKit

/// Cross-sector exercises and their injects.
struct CreateExercises: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Exercise.schema)
            .id()
            .field("created_at", .datetime, .required)
            .field("created_by", .uuid, .required, .references(User.schema, "id"))
            .field("name_ja", .string, .required)
            .field("name_en", .string)
            .field("participants", .string, .required)
            .create()
        try await database.schema(ExerciseInject.schema)
            .id()
            .field("exercise_id", .uuid, .required, .references(Exercise.schema, "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("due_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("title_ja", .string, .required)
            .field("title_en", .string)
            .field("body_ja", .string, .required)
            .field("body_en", .string)
            .field("severity", .string, .required)
            .field("sent_at", .datetime)
            .field("result", .string)
            .field("error", .string)
            .create()
        // The worker's question, every second: which injects are due and unsent.
        try await (database as! any SQLDatabase).create(index: "exercise_injects_due").on(ExerciseInject.schema).column("sent_at").column("due_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ExerciseInject.schema).delete()
        try await database.schema(Exercise.schema).delete()
    }
}
