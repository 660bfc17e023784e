import Fluent
import SQLKit
import Vapor

/// Group commit for TAXII POSTs: envelopes that arrive while another is being written wait,
/// and are then written together — their objects in one insert, their statuses in another,
/// their audit entries in one append — in one transaction.
///
/// On SQLite every write transaction takes the one write lock, and most of the time it held
/// the lock for an envelope went to fixed costs (begin, the audit chain's head, commit and the
/// thread hops between them: 6–7 of 9–10 ms under load, measured). Shared by the envelopes
/// that queued meanwhile, those costs no longer bound the rate. An envelope is still stored
/// whole or not at all, and answered only after its transaction committed; a batch that fails
/// is retried one envelope at a time, so an envelope fails only for its own reason.
final class IngestQueue: Sendable {
    /// One envelope's share of a batch.
    struct Job: Sendable {
        var rows: [StixStore.Row]
        /// Its status and audit entry, given how many of its rows were new.
        var record: @Sendable (_ stored: Int) -> (TaxiiStatus, AuditLog.Pending)
    }

    /// The most objects one batch writes (an envelope may carry `StixIngest.maxObjects`).
    static let batchObjects = 5_000

    private let commit: GroupCommit<Job, Int>

    init(database: any Database) {
        self.commit = GroupCommit(maxWeight: Self.batchObjects, weight: { $0.rows.count }) { batch in
            try await Self.write(batch, on: database)
        }
    }

    /// Writes an envelope's rows (none for a refused one), status and audit entry; returns
    /// how many rows were new, once they are committed.
    func write(_ rows: [StixStore.Row], record: @escaping @Sendable (_ stored: Int) -> (TaxiiStatus, AuditLog.Pending)) async throws -> Int {
        try await self.commit.submit(Job(rows: rows, record: record))
    }

    /// One transaction for the batch; each job's count of new rows.
    private static func write(_ batch: [Job], on database: any Database) async throws -> [Int] {
        let rows = batch.flatMap(\.rows)
        return try await database.atomically(touchingAccounts: false) { db in
            let written = try await StixStore(database: db).insert(rows)
            // Each new (id, version) counts for the first envelope of the batch that carried it.
            var claimed: Set<String> = []
            var counts: [Int] = []
            var statuses: [TaxiiStatus] = []
            var entries: [AuditLog.Pending] = []
            for job in batch {
                var stored = 0
                for row in job.rows {
                    if written.contains(row.key), claimed.insert(row.key).inserted { stored += 1 }
                }
                let (status, entry) = job.record(stored)
                counts.append(stored)
                statuses.append(status)
                entries.append(entry)
            }
            try await TaxiiStatus.save(statuses, on: db as! any SQLDatabase)
            try await AuditLog.append(on: db, entries)
            return counts
        }
    }
}

private struct IngestQueueKey: StorageKey { typealias Value = IngestQueue }

extension Application {
    /// The node's TAXII POST queue (see `IngestQueue`).
    var ingestQueue: IngestQueue {
        get { self.storage[IngestQueueKey.self]! }
        set { self.storage[IngestQueueKey.self] = newValue }
    }
}
