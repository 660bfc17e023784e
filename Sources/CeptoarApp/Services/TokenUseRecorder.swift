import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// When each API token was last used ("last used" in the token list), written in batches off
/// the request path. Written in the request, it was an UPDATE with a commit of its own: a
/// thousand reporters filing at once queued a thousand single-row write transactions behind
/// the report batches for SQLite's one writer (and each ran the log's checkpoint in its
/// commit). Uses are kept here and written together, one transaction, at most `delay` after
/// the first; a token used again meanwhile is written once. Flushed on shutdown.
final class TokenUseRecorder: Sendable {
    private let database: any Database
    private let delay: Duration
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var pending: [UUID: Date] = [:]
        var scheduled = false
        /// Set by `close`: the database is going away, nothing more is written.
        var closed = false
    }

    init(database: any Database, delay: Duration = .seconds(2), logger: Logger) {
        self.database = database
        self.delay = delay
        self.logger = logger
    }

    /// Notes that the token was used at `at`; written within `delay`.
    func record(_ token: UUID, at: Date) {
        self.keep([token: at])
    }

    /// Adds uses to those waiting (the later time wins) and schedules a flush within `delay`
    /// if none is; nothing once closed.
    private func keep(_ uses: [UUID: Date]) {
        let schedule = self.state.withLockedValue { state -> Bool in
            guard !state.closed else { return false }
            state.pending.merge(uses) { max($0, $1) }
            guard !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        guard schedule else { return }
        Task {
            try? await Task.sleep(for: self.delay)
            await self.flush()
        }
    }

    /// Writes every use noted so far. A failed write is logged and the uses kept for the next.
    func flush() async {
        let pending = self.state.withLockedValue { state -> [UUID: Date] in
            defer {
                state.pending = [:]
                state.scheduled = false
            }
            return state.pending
        }
        guard !pending.isEmpty else { return }
        do {
            // Changes no one's sign-in: the token cache stays warm.
            try await self.database.atomically(touchingAccounts: false) { db in
                let sql = db as! any SQLDatabase
                for (token, at) in pending {
                    try await sql.update(APIToken.schema).set("last_used_at", to: at).where("id", .equal, token).run()
                }
            }
        } catch {
            self.logger.warning("recording API token use: \(String(reflecting: error))")
            // Kept for the next try; after `close` dropped (retrying on a closed database
            // would go on for ever).
            self.keep(pending)
        }
    }

    /// Writes what is left and records nothing more: the application is stopping.
    func close() async {
        await self.flush()
        self.state.withLockedValue { state in
            state.closed = true
            state.pending = [:]
        }
    }
}

/// Writes what is left when the application stops.
struct TokenUseLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.tokenUse.close()
    }
}

private struct TokenUseRecorderKey: StorageKey { typealias Value = TokenUseRecorder }

extension Application {
    /// The process's recorder of API token use (see `TokenUseRecorder`).
    var tokenUse: TokenUseRecorder {
        get { self.storage[TokenUseRecorderKey.self]! }
        set { self.storage[TokenUseRecorderKey.self] = newValue }
    }
}
