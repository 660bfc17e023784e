import Fluent
import Vapor

/// Group commit for report filings, as `IngestQueue` is for TAXII POSTs: filings that arrive
/// while another batch is being written wait, and are then written together by
/// `ReportBook.write` — each kind of row in one insert, the audit entries in one append, the
/// trend check once per subject — in one transaction. A burst (a mass exploitation, when every
/// bank reports within minutes) is when intake must keep up: written one by one, each filing
/// held the one write lock for some twenty statements and its own commit.
///
/// A filing is still written whole or not at all and answered only after its transaction
/// committed; a batch that fails is retried one filing at a time (`GroupCommit`). Also keeps
/// where each organisation may file (`targets`) and each CEPTOAR's route (`routes`), read for
/// every filing and changed only with the registry.
final class ReportFilingQueue: Sendable {
    /// The most filings one transaction writes (every report row binds some thirty values).
    static let batchFilings = 200

    let targets: FreshCache<UUID, [ReportBook.Target]>
    /// Each CEPTOAR's route (sector, secretariats, names, deadlines), shared by its members.
    let routes: FreshCache<UUID, ReportBook.Route>
    private let commit: GroupCommit<ReportBook.Filing, ReportBook.Loaded>

    init(database: any Database, lifetime: Duration) {
        self.commit = GroupCommit(maxWeight: Self.batchFilings) { filings in try await ReportBook.write(filings, on: database) }
        // The registry's changes advance `sharing`: a new member files at once.
        self.targets = FreshCache(lifetime: lifetime, generations: .sharing)
        self.routes = FreshCache(lifetime: lifetime, generations: .sharing)
    }

    /// Writes the filing; its report, hops and all, once committed.
    func file(_ filing: ReportBook.Filing) async throws -> ReportBook.Loaded {
        try await self.commit.submit(filing)
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
