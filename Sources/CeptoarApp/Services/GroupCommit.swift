import NIOConcurrencyHelpers

/// Group commit: items that arrive while a batch is being written wait, and are then written
/// together by `write` — one transaction for the batch — up to `maxWeight` (at least one item).
/// The first to arrive writes until the queue is empty; the others wait for it. Each item is
/// answered only after its batch committed; a batch that fails is written again one item at
/// a time, so an item fails only for its own reason. Serves the TAXII POST queue
/// (`IngestQueue`) and report filings (`ReportFilingQueue`).
final class GroupCommit<Item: Sendable, Result: Sendable>: Sendable {
    private let maxWeight: Int
    private let weight: @Sendable (Item) -> Int
    /// Writes a batch in one transaction; one result per item, in order.
    private let write: @Sendable ([Item]) async throws -> [Result]
    private let state = NIOLockedValueBox(State())

    private struct Job {
        var item: Item
        var done: CheckedContinuation<Result, any Error>
    }

    private struct State {
        var pending: [Job] = []
        var writing = false
    }

    init(maxWeight: Int, weight: @escaping @Sendable (Item) -> Int = { _ in 1 }, write: @escaping @Sendable ([Item]) async throws -> [Result]) {
        self.maxWeight = maxWeight
        self.weight = weight
        self.write = write
    }

    /// Writes the item with whatever else is waiting; its result, once committed.
    func submit(_ item: Item) async throws -> Result {
        try await withCheckedThrowingContinuation { done in
            let lead = self.state.withLockedValue { state -> Bool in
                state.pending.append(Job(item: item, done: done))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if lead { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while let batch = self.next() {
            do {
                let results = try await self.write(batch.map(\.item))
                // One result per item, or no item would be answered: a short answer is a bug, not a hang.
                guard results.count == batch.count else { throw GroupCommitError.resultsMismatch(items: batch.count, results: results.count) }
                for (job, result) in zip(batch, results) { job.done.resume(returning: result) }
            } catch {
                guard batch.count > 1 else {
                    batch[0].done.resume(throwing: error)
                    continue
                }
                for job in batch {
                    do {
                        guard let result = try await self.write([job.item]).first else { throw GroupCommitError.resultsMismatch(items: 1, results: 0) }
                        job.done.resume(returning: result)
                    } catch {
                        job.done.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// The jobs waiting, up to `maxWeight` (at least one job); nil when none wait.
    private func next() -> [Job]? {
        self.state.withLockedValue { state in
            guard !state.pending.isEmpty else {
                state.writing = false
                return nil
            }
            var total = 0
            var taken = 0
            for job in state.pending {
                let weight = self.weight(job.item)
                if taken > 0 && total + weight > self.maxWeight { break }
                total += weight
                taken += 1
            }
            let batch = Array(state.pending.prefix(taken))
            state.pending.removeFirst(taken)
            return batch
        }
    }
}

enum GroupCommitError: Error, CustomStringConvertible {
    case resultsMismatch(items: Int, results: Int)

    var description: String {
        switch self {
        case .resultsMismatch(let items, let results): "group commit: \(results) results for \(items) items"
        }
    }
}
