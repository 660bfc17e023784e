import CeptoarKit
import Foundation

/// Maps already built, by day, valid for one registry revision. The map is read far more often
/// than the registry changes; a change bumps the revision and every node rebuilds on next read.
/// One per application (a process serves one database; tests run many applications at once).
final class MapCache: @unchecked Sendable {

    private let lock = NSLock()
    private var revision = -1
    private var maps: [Day: CharacteristicsMap] = [:]
    /// Enough for every day anyone looks at in practice; past it the cache starts again.
    private let capacity = 256

    func map(for day: Day, revision: Int) -> CharacteristicsMap? {
        self.lock.withLock { self.revision == revision ? self.maps[day] : nil }
    }

    func store(_ map: CharacteristicsMap, for day: Day, revision: Int) {
        self.lock.withLock {
            if self.revision != revision || self.maps.count >= self.capacity {
                self.maps = [:]
                self.revision = revision
            }
            self.maps[day] = map
        }
    }
}

import Vapor

private struct MapCacheKey: StorageKey { typealias Value = MapCache }

extension Request {
    /// The map query for this request's database, sharing the application's cache.
    var maps: MapQuery {
        MapQuery(database: self.db, cache: self.application.storage[MapCacheKey.self], revisions: self.application.readCaches.registryRevision)
    }
}

extension Application {
    func installMapCache() {
        self.storage[MapCacheKey.self] = MapCache()
    }
}
