import Foundation

/// Counts the write transactions this process has committed (`Database.atomically` advances
/// `process` after each commit). A cached answer remembers the count it was read at, and is
/// stale as soon as this process writes anything — so a user never reads past their own write.
final class WriteGeneration: @unchecked Sendable {
    static let process = WriteGeneration()

    private let lock = NSLock()
    private var value: UInt64 = 0

    var current: UInt64 { self.lock.withLock { self.value } }
    func advance() { self.lock.withLock { self.value &+= 1 } }
}

/// Answers recently read from the database, for the reads that come far more often than
/// anything changes (an API token's owner, an inbox page). An entry is used only while
/// nothing has been written in this process since it was read, and for at most `lifetime`:
/// writes made elsewhere (another node on PostgreSQL, a command on the same SQLite file) are
/// seen within that time. A lifetime of zero turns the cache off.
final class FreshCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private struct Entry {
        var value: Value
        var generation: UInt64
        var readAt: ContinuousClock.Instant
    }

    let lifetime: Duration
    private let generations: WriteGeneration
    private let capacity: Int
    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]

    init(lifetime: Duration, generations: WriteGeneration = .process, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.generations = generations
        self.capacity = capacity
    }

    /// The cached value, or `read()`'s — stored with the generation seen *before* reading, so
    /// a write that commits while the read runs makes the new entry stale at once.
    func value(for key: Key, read: () async throws -> Value) async throws -> Value {
        guard self.lifetime > .zero else { return try await read() }
        let generation = self.generations.current
        let now = ContinuousClock.now
        if let entry = self.lock.withLock({ self.entries[key] }), entry.generation == generation, now - entry.readAt < self.lifetime {
            return entry.value
        }
        let value = try await read()
        self.lock.withLock {
            // Past capacity, start again rather than track ages: entries live a second anyway.
            if self.entries.count >= self.capacity { self.entries.removeAll(keepingCapacity: true) }
            self.entries[key] = Entry(value: value, generation: generation, readAt: now)
        }
        return value
    }
}
