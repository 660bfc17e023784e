import CeptoarKit
import Fluent
import Vapor

/// A signed-in person's home: the work counts, their scopes' situation, their secretariats.
struct Home: Content, Sendable {
    var work: HomeWork
    var situation: [SituationDTO]
    var secretariatCeptoars: [String]
}

/// Homes as recently read, per user (see `FreshCache`): the page is the most requested one,
/// and its dozen counts change far less often than it is reloaded.
final class HomeCache: Sendable {
    let homes: FreshCache<UUID, Home>

    init(lifetime: Duration) {
        self.homes = FreshCache(lifetime: lifetime)
    }

    func home(for user: User, on db: any Database) async throws -> Home {
        try await self.homes.value(for: try user.requireID()) {
            let view = try await SituationView.load(for: user, on: db)
            // The scopes the person belongs to or coordinates, and — for NISC — any scope raised.
            let own = view.readable.filter { scope in
                switch scope {
                case .nation: true
                case .sector(let key): view.person.sectors.contains(key)
                case .ceptoar(let key): view.person.ceptoars.contains(key)
                }
            }
            let raised = view.person.isNISC ? view.readable.filter { (view.current[$0]?.situationLevel ?? .normal) > .normal } : []
            var seen = Set<SituationScope>()
            let scopes = (own + raised).filter { seen.insert($0).inserted }
            return Home(
                work: try await HomeWork.load(for: user, on: db), situation: scopes.map { view.dto($0) },
                secretariatCeptoars: view.person.secretariatCeptoars.sorted())
        }
    }
}

private struct HomeCacheKey: StorageKey { typealias Value = HomeCache }

extension Application {
    var homeCache: HomeCache {
        get { self.storage[HomeCacheKey.self]! }
        set { self.storage[HomeCacheKey.self] = newValue }
    }
}
