import Fluent
import Vapor

/// Fluent's session driver, minus the writes that change nothing. Vapor's sessions middleware
/// saves the session after every response that had one, so each page view or cookie-carrying
/// API read was a database write (on SQLite an fsync, serialised with every other write).
/// Here the data read at the start of the request is remembered; an update with the same data
/// is skipped, and a new session with no data at all is never stored. Reads come from the
/// sessions cache (`ReadCaches.sessions`) while fresh: a page view is then no database read
/// for the cookie; this driver forgets the entry whenever it writes or ends the session.
struct WriteOnChangeSessions: SessionDriver {
    let base: any SessionDriver
    let cache: FreshCache<String, SessionData?>

    private struct ReadKey: StorageKey { typealias Value = SessionData }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        guard data.snapshot.isEmpty == false else {
            // Nothing worth keeping (a stale cookie, say): hand out an id but store nothing.
            return request.eventLoop.makeSucceededFuture(SessionID(string: [UInt8].random(count: 32).base64))
        }
        return self.base.createSession(data, for: request)
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        let base = self.base
        return request.eventLoop.makeFutureWithTask {
            try await self.cache.value(for: sessionID.string) { try await base.readSession(sessionID, for: request).get() }
        }.map { data in
            if let data { request.storage[ReadKey.self] = data }
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if request.storage[ReadKey.self] == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        self.cache.forget(sessionID.string)
        return self.base.updateSession(sessionID, to: data, for: request).always { _ in self.cache.forget(sessionID.string) }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        self.cache.forget(sessionID.string)
        return self.base.deleteSession(sessionID, for: request).always { _ in self.cache.forget(sessionID.string) }
    }
}
