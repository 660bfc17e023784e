import Fluent

/// Sign-in counts also per client address, forgotten after a quiet period: each count keeps
/// the time of its latest failure.
struct LoginThrottleQuietPeriod: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginThrottle.schema).field("last_failure_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginThrottle.schema).deleteField("last_failure_at").update()
    }
}
