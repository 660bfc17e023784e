import Fluent
import NIOConcurrencyHelpers
import Vapor

/// Group commit for report filings, as `IngestQueue` is for TAXII POSTs: filings that arrive
/// while another batch is being written wait, and are then written together by
/// `ReportBook.write` — each kind of row in one insert, the audit entries in one append, the
/// trend check once per subject — in one transaction. A burst (a mass exploitation, when every
/// bank reports within minutes) is when intake must keep up: written one by one, each filing
/// held the one write lock for some twenty statements and its own commit.
///
/// A filing is still written whole or not at all and answered only after its transaction
/// committed; a batch that fails is retried one filing at a time, so a filing fails only for
/// its own reason. Also keeps where each organisation may file (`targets`), read for every
/// filing and changed only with the registry.
final class ReportFilingQueue: Sendable {
    struct Job: Sendable {
        var filing: ReportBook.Filing
        var done: CheckedContinuation<ReportBook.Loaded, any Error>
    }

    /// The most filings one transaction writes (every report row binds some thirty values).
    static let batchFilings = 200

    let targets: FreshCache<UUID, [ReportBook.Target]>
    private let database: any Database
    private let state = NIOLockedValueBox(State())

    private struct State {
        var pending: [Job] = []
        var writing = false
    }

    init(database: any Database, lifetime: Duration) {
        self.database = database
        // The registry's changes advance `sharing`: a new member files at once.
        self.targets = FreshCache(lifetime: lifetime, generations: .sharing)
    }

    /// Writes the filing; its report, hops and all, once committed.
    func file(_ filing: ReportBook.Filing) async throws -> ReportBook.Loaded {
        try await withCheckedThrowingContinuation { done in
            let lead = self.state.withLockedValue { state -> Bool in
                state.pending.append(Job(filing: filing, done: done))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            // The first to arrive writes until the queue is empty; the others wait for it.
            if lead { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while let batch = self.next() {
            do {
                let written = try await ReportBook.write(batch.map(\.filing), on: self.database)
                for (job, loaded) in zip(batch, written) { job.done.resume(returning: loaded) }
            } catch {
                guard batch.count > 1 else {
                    batch[0].done.resume(throwing: error)
                    continue
                }
                for job in batch {
                    do {
                        job.done.resume(returning: try await ReportBook.write([job.filing], on: self.database)[0])
                    } catch {
                        job.done.resume(throwing: error)
                    }
                }
            }
        }
    }

    private func next() -> [Job]? {
        self.state.withLockedValue { state in
            guard !state.pending.isEmpty else {
                state.writing = false
                return nil
            }
            let batch = Array(state.pending.prefix(Self.batchFilings))
            state.pending.removeFirst(batch.count)
            return batch
        }
    }
}

private struct ReportFilingQueueKey: StorageKey { typealias Value = ReportFilingQueue }

extension Application {
    /// The server's report filing queue (see `ReportFilingQueue`).
    var reportFiling: ReportFilingQueue {
        get { self.storage[ReportFilingQueueKey.self]! }
        set { self.storage[ReportFilingQueueKey.self] = newValue }
    }
}
