import Foundation
import Fluent
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import SQLKit

/// SQLite allows one writer at a time, and a transaction that has read and then wants to write
/// fails at once ("database is locked") if another connection wrote meanwhile — the busy
/// handler cannot help there. So on SQLite a write transaction takes the write lock when it
/// begins (`BEGIN IMMEDIATE`); other writers then wait in the busy handler instead of failing,
/// and this process's own write transactions queue at one gate rather than spin. On
/// PostgreSQL transactions run side by side as usual.
extension Database {
    /// `touchingAccounts: false` declares that the transaction writes nothing a token signs in
    /// by (users, tokens): the token cache then survives it. Only the TAXII ingest says so —
    /// its objects, statuses and audit entries — so a posting client's next request does not
    /// read its token again.
    func atomically<T: Sendable>(touchingAccounts: Bool = true, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        // Already inside one: the work joins it, and the outermost commit counts.
        if WriteGate.holding { return try await body(self) }
        guard (self as? any SQLDatabase)?.dialect.name == "sqlite" else {
            let result = try await WriteGate.$holding.withValue(true) { try await self.transaction(body) }
            WriteGeneration.advanceAfterCommit(accounts: touchingAccounts)
            return result
        }
        await WriteGate.shared.acquire()
        do {
            let result = try await WriteGate.$holding.withValue(true) {
                try await self.withConnection { connection in
                    let sql = connection as! any SQLDatabase
                    try await sql.raw("BEGIN IMMEDIATE").run()
                    if WALCheckpointer.running, SQLiteSettings.shared.needed(by: connection) {
                        // The background checkpointer moves the log (see `WALCheckpointer`); a
                        // larger page cache keeps a fan-out's thousands of index pages in memory
                        // until the commit instead of spilling them to the log mid-transaction.
                        // Both belong to the connection: set once on each, not per transaction
                        // (two statements, each a round trip to the driver's threads, were a
                        // tenth of a TAXII POST's time in the write lock).
                        try await sql.raw("PRAGMA wal_autocheckpoint = 0").run()
                        try await sql.raw("PRAGMA cache_size = -65536").run()
                        SQLiteSettings.shared.done(on: connection)
                    }
                    do {
                        // Set again here: the driver may run this closure in a task of its own,
                        // which does not inherit task-locals (found when an escalation step
                        // fired inside an alert's transaction waited for its own gate).
                        let result = try await WriteGate.$holding.withValue(true) { try await body(connection) }
                        try await sql.raw("COMMIT").run()
                        WriteGeneration.advanceAfterCommit(accounts: touchingAccounts)
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

/// Which of this process's SQLite connections already carry the per-connection settings that
/// `atomically` makes. Held weakly: a connection the pool closed is forgotten, and a new one
/// at the same address is not taken for it.
final class SQLiteSettings: @unchecked Sendable {
    static let shared = SQLiteSettings()

    private final class Weak {
        weak var connection: SQLiteConnection?
        init(_ connection: SQLiteConnection) { self.connection = connection }
    }

    private let lock = NSLock()
    private var configured: [ObjectIdentifier: Weak] = [:]

    /// The driver's connection under Fluent's, read without a round trip: SQLiteNIO hands a
    /// connection to the closure at once.
    private static func underlying(_ database: any Database) -> SQLiteConnection? {
        guard let lite = database as? any SQLiteDatabase else { return nil }
        let found = NIOLockedValueBox<SQLiteConnection?>(nil)
        _ = lite.withConnection { connection in
            found.withLockedValue { $0 = connection }
            return connection.eventLoop.makeSucceededVoidFuture()
        }
        return found.withLockedValue { $0 }
    }

    func needed(by database: any Database) -> Bool {
        guard let connection = Self.underlying(database) else { return true }
        return self.lock.withLock { self.configured[ObjectIdentifier(connection)]?.connection !== connection }
    }

    func done(on database: any Database) {
        guard let connection = Self.underlying(database) else { return }
        self.lock.withLock {
            self.configured = self.configured.filter { $0.value.connection != nil }
            self.configured[ObjectIdentifier(connection)] = Weak(connection)
        }
    }
}
