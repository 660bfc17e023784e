import Foundation

/// Counts the write transactions this process has committed (`Database.atomically` advances
/// `process` after each commit). A cached answer remembers the count it was read at, and is
/// stale as soon as this process writes anything — so a user never reads past their own write.
final class WriteGeneration: @unchecked Sendable {
    static let process = WriteGeneration()
    /// Advanced by what changes who may share what (agreements, handling rules and their
    /// acceptance, the registry): the sharing caches key on it, so a TAXII POST — a write —
    /// does not throw away every requester's context.
    static let sharing = WriteGeneration()
    /// Advanced by every write transaction that may change who a token signs in (all but the
    /// TAXII ingest's, see `Database.atomically`): the token cache keys on it.
    static let accounts = WriteGeneration()

    static func advanceAfterCommit(accounts: Bool) {
        Self.process.advance()
        if accounts { Self.accounts.advance() }
    }

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
    /// Reads under way, so callers that miss together wait for the same one.
    private var reading: [Key: (generation: UInt64, task: Task<Value, any Error>)] = [:]

    init(lifetime: Duration, generations: WriteGeneration = .process, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.generations = generations
        self.capacity = capacity
    }

    /// The cached value, or `read()`'s — stored with the generation seen *before* reading, so
    /// a write that commits while the read runs makes the new entry stale at once. Callers
    /// that miss together share one read: when an entry ages out under load, the database
    /// sees one query, not one per waiting request.
    func value(for key: Key, read: @escaping @Sendable () async throws -> Value) async throws -> Value {
        guard self.lifetime > .zero else { return try await read() }
        let generation = self.generations.current
        let now = ContinuousClock.now
        let found: Value?
        let task: Task<Value, any Error>?
        (found, task) = self.lock.withLock {
            if let entry = self.entries[key], entry.generation == generation, now - entry.readAt < self.lifetime {
                return (entry.value, nil)
            }
            if let running = self.reading[key], running.generation == generation { return (nil, running.task) }
            let task = Task { try await read() }
            self.reading[key] = (generation, task)
            return (nil, task)
        }
        if let found { return found }
        guard let task else { return try await read() }
        do {
            let value = try await task.value
            self.lock.withLock {
                if let running = self.reading[key], running.generation == generation { self.reading[key] = nil }
                // Past capacity, start again rather than track ages: entries live a second anyway.
                if self.entries.count >= self.capacity { self.entries.removeAll(keepingCapacity: true) }
                if (self.entries[key]?.generation ?? 0) <= generation {
                    self.entries[key] = Entry(value: value, generation: generation, readAt: now)
                }
            }
            return value
        } catch {
            self.lock.withLock {
                if let running = self.reading[key], running.generation == generation { self.reading[key] = nil }
            }
            throw error
        }
    }

    /// Drops the entry for `key` (and any read under way for it): the next caller reads afresh.
    /// For writes that do not go through `Database.atomically`, such as a session's end.
    func forget(_ key: Key) {
        self.lock.withLock {
            self.entries[key] = nil
            self.reading[key] = nil
        }
    }
}
