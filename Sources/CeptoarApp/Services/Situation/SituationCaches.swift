import CeptoarKit
import Fluent
import Vapor

/// The situation as every page's banner needs it, cached: read on each page view, changed a
/// few times a year. Entries follow `FreshCache`'s rules (stale after any write here, and
/// after the read-cache lifetime for writes elsewhere).
final class SituationCaches: Sendable {
    /// A scope's level now, as the banner shows it.
    struct Level: Sendable {
        var level: SituationLevel
        var largeIncident: Bool
        var since: Date
    }

    let levels: FreshCache<Int, [SituationScope: Level]>
    let registry: FreshCache<Int, SituationRegistry>
    let people: FreshCache<UUID, AccessPolicy.Coordinator>

    init(lifetime: Duration) {
        self.levels = FreshCache(lifetime: lifetime)
        self.registry = FreshCache(lifetime: lifetime, generations: .sharing)
        self.people = FreshCache(lifetime: lifetime)
    }

    /// The scopes `user` may read whose level is 警戒 or above, or in large-incident mode —
    /// the ones every page leads with — most severe first.
    func banner(for user: User, on db: any Database) async throws -> [(scope: SituationScope, name: LocalizedText, level: Level)] {
        let levels = try await self.levels.value(for: 0) {
            try await SituationBook(database: db).current().mapValues { Level(level: $0.situationLevel, largeIncident: $0.largeIncident, since: $0.createdAt) }
        }
        let raised = levels.filter { $0.value.level >= .warning || $0.value.largeIncident }
        guard !raised.isEmpty else { return [] }
        let registry = try await self.registry.value(for: 0) { try await SituationRegistry.load(on: db) }
        let person = try await self.people.value(for: try user.requireID()) { try await SituationBook(database: db).coordinator(for: user, registry: registry) }
        return raised.filter { AccessPolicy.readSituation($0.key, by: person) == .allow }
            .map { (scope: $0.key, name: registry.name($0.key), level: $0.value) }
            .sorted { ($0.level.largeIncident ? 1 : 0, $0.level.level, $1.scope) > ($1.level.largeIncident ? 1 : 0, $1.level.level, $0.scope) }
    }
}

private struct SituationCachesKey: StorageKey { typealias Value = SituationCaches }
private struct SituationBannerKey: StorageKey { typealias Value = [(scope: SituationScope, name: LocalizedText, level: SituationCaches.Level)] }

extension Application {
    var situationCaches: SituationCaches {
        get { self.storage[SituationCachesKey.self]! }
        set { self.storage[SituationCachesKey.self] = newValue }
    }
}

extension Request {
    /// What the page frame leads with (set by `SituationBannerMiddleware`).
    var situationBanner: [(scope: SituationScope, name: LocalizedText, level: SituationCaches.Level)] {
        get { self.storage[SituationBannerKey.self] ?? [] }
        set { self.storage[SituationBannerKey.self] = newValue }
    }
}

/// Reads the banner for a signed-in user's page: a raised level leads every page of its scope.
struct SituationBannerMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let user = request.auth.get(User.self) {
            request.situationBanner = try await request.application.situationCaches.banner(for: user, on: request.db)
        }
        return try await next.respond(to: request)
    }
}
