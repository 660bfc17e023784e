import Foundation
import Testing

@testable import CeptoarApp

@Suite("Read caches")
struct FreshCacheTests {
    /// Counts the reads a cache makes.
    final class Reads: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func next() -> Int { self.lock.withLock { self.count += 1; return self.count } }
        var total: Int { self.lock.withLock { self.count } }
    }

    @Test func theServersWritesAdvanceTheProcessCount() async throws {
        try await withCeptoar { app in
            let before = WriteGeneration.process.current
            try await app.db.atomically { db in try await AuditLog.append(on: db, actor: "test", action: "test", subject: "cache") }
            #expect(WriteGeneration.process.current > before)
        }
    }

    @Test func anEntryServesUntilThisProcessWrites() async throws {
        let writes = WriteGeneration()
        let cache = FreshCache<String, Int>(lifetime: .seconds(60), generations: writes)
        let reads = Reads()
        #expect(try await cache.value(for: "k") { reads.next() } == 1)
        #expect(try await cache.value(for: "k") { reads.next() } == 1)
        #expect(try await cache.value(for: "other") { reads.next() } == 2)
        writes.advance()
        #expect(try await cache.value(for: "k") { reads.next() } == 3)
        #expect(reads.total == 3)
    }

    @Test func aWriteDuringTheReadLeavesTheEntryStale() async throws {
        let writes = WriteGeneration()
        let cache = FreshCache<String, Int>(lifetime: .seconds(60), generations: writes)
        let reads = Reads()
        // The read sees the old data while a write commits: its answer must not be reused.
        _ = try await cache.value(for: "k") {
            let value = reads.next()
            writes.advance()
            return value
        }
        #expect(try await cache.value(for: "k") { reads.next() } == 2)
        #expect(try await cache.value(for: "k") { reads.next() } == 2)
    }

    @Test func entriesAgeOutAndZeroMeansOff() async throws {
        let short = FreshCache<String, Int>(lifetime: .milliseconds(50), generations: WriteGeneration())
        let reads = Reads()
        _ = try await short.value(for: "k") { reads.next() }
        try await Task.sleep(for: .milliseconds(80))
        #expect(try await short.value(for: "k") { reads.next() } == 2)
        let off = FreshCache<String, Int>(lifetime: .zero, generations: WriteGeneration())
        _ = try await off.value(for: "k") { reads.next() }
        #expect(try await off.value(for: "k") { reads.next() } == 4)
    }

    @Test func callersThatMissTogetherShareOneRead() async throws {
        let cache = FreshCache<String, Int>(lifetime: .seconds(60), generations: WriteGeneration())
        let reads = Reads()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.value(for: "k") {
                        try await Task.sleep(for: .milliseconds(100))
                        return reads.next()
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values == Array(repeating: 1, count: 20))
        #expect(reads.total == 1)
    }

    @Test func aFailedReadIsNotCached() async throws {
        struct Failure: Error {}
        let cache = FreshCache<String, Int>(lifetime: .seconds(60), generations: WriteGeneration())
        await #expect(throws: Failure.self) { try await cache.value(for: "k") { throw Failure() } }
        #expect(try await cache.value(for: "k") { 7 } == 7)
    }
}
