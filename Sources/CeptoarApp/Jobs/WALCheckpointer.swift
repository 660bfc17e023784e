import Fluent
import SQLKit
import Vapor

/// Copies SQLite's write-ahead log back into the database file in the background.
///
/// By default SQLite does this inside the commit that pushes the log past 1,000 pages — and a
/// relay to every member writes several thousand, so nearly every publish paid for a full
/// checkpoint before its commit returned (about 35 ms of the relay benchmark). While this runs,
/// `Database.atomically` turns that automatic checkpoint off for its connection and the log is
/// checkpointed here instead, off the commit path. A commit is durable once its log is synced;
/// the checkpoint only moves committed pages. `PASSIVE` never blocks readers or the writer.
actor WALCheckpointer {
    /// Whether a checkpointer runs in this process (so commits may leave the log to it).
    nonisolated(unsafe) private(set) static var running = false

    private let database: any Database
    private let interval: Duration
    private var task: Task<Void, Never>?

    init(database: any Database, interval: Duration = .milliseconds(500)) {
        self.database = database
        self.interval = interval
    }

    static func isSQLite(_ database: any Database) -> Bool { (database as? any SQLDatabase)?.dialect.name == "sqlite" }

    func start(logger: Logger) {
        guard Self.isSQLite(self.database), self.task == nil else { return }
        Self.running = true
        let database = self.database, interval = self.interval
        self.task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                // Between this process's write transactions, never during one: a checkpoint
                // competing with a commit's own log writes for the disk slowed the commit.
                await WriteGate.shared.acquire()
                do {
                    try await (database as! any SQLDatabase).raw("PRAGMA wal_checkpoint(PASSIVE)").run()
                } catch {
                    logger.warning("WAL checkpoint: \(String(reflecting: error))")
                }
                await WriteGate.shared.release()
            }
        }
    }

    func stop() async {
        self.task?.cancel()
        await self.task?.value
        self.task = nil
        Self.running = false
        // One last full pass, so a clean stop leaves the log empty.
        if Self.isSQLite(self.database) { _ = try? await (self.database as! any SQLDatabase).raw("PRAGMA wal_checkpoint(TRUNCATE)").run() }
    }
}

/// Starts the checkpointer with the server and stops it on shutdown.
struct WALCheckpointerLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var checkpointer: WALCheckpointer? }
    let box = Box()

    func didBootAsync(_ application: Application) async throws {
        let checkpointer = WALCheckpointer(database: application.db)
        self.box.checkpointer = checkpointer
        await checkpointer.start(logger: application.logger)
    }

    func shutdownAsync(_ application: Application) async {
        await self.box.checkpointer?.stop()
    }
}
