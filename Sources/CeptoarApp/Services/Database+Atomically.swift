import Fluent
import SQLKit

/// SQLite allows one writer at a time, and a transaction that has read and then wants to write
/// fails at once ("database is locked") if another connection wrote meanwhile — the busy
/// handler cannot help there. So on SQLite a write transaction takes the write lock when it
/// begins (`BEGIN IMMEDIATE`); other writers then wait in the busy handler instead of failing,
/// and this process's own write transactions queue at one gate rather than spin. On
/// PostgreSQL transactions run side by side as usual.
extension Database {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        // Already inside one: the work joins it, and the outermost commit counts.
        if WriteGate.holding { return try await body(self) }
        guard (self as? any SQLDatabase)?.dialect.name == "sqlite" else {
            let result = try await WriteGate.$holding.withValue(true) { try await self.transaction(body) }
            WriteGeneration.process.advance()
            return result
        }
        await WriteGate.shared.acquire()
        do {
            let result = try await WriteGate.$holding.withValue(true) {
                try await self.withConnection { connection in
                    let sql = connection as! any SQLDatabase
                    try await sql.raw("BEGIN IMMEDIATE").run()
                    if WALCheckpointer.running {
                        // The background checkpointer moves the log (see `WALCheckpointer`); a
                        // larger page cache keeps a fan-out's thousands of index pages in memory
                        // until the commit instead of spilling them to the log mid-transaction.
                        try await sql.raw("PRAGMA wal_autocheckpoint = 0").run()
                        try await sql.raw("PRAGMA cache_size = -65536").run()
                    }
                    do {
                        // Set again here: the driver may run this closure in a task of its own,
                        // which does not inherit task-locals (found when an escalation step
                        // fired inside an alert's transaction waited for its own gate).
                        let result = try await WriteGate.$holding.withValue(true) { try await body(connection) }
                        try await sql.raw("COMMIT").run()
                        WriteGeneration.process.advance()
                        return result
                    } catch {
                        try? await sql.raw("ROLLBACK").run()
                        throw error
                    }
                }
            }
            await WriteGate.shared.release()
            return result
        } catch {
            await WriteGate.shared.release()
            throw error
        }
    }
}

/// A first-come, first-served lock for SQLite write transactions.
actor WriteGate {
    static let shared = WriteGate()
    /// Set inside a transaction begun by `atomically`, so a nested call joins it (and, on
    /// SQLite, does not wait for itself).
    @TaskLocal static var holding = false

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard self.busy else {
            self.busy = true
            return
        }
        await withCheckedContinuation { self.waiting.append($0) }
    }

    func release() {
        if self.waiting.isEmpty {
            self.busy = false
        } else {
            self.waiting.removeFirst().resume()
        }
    }
}
