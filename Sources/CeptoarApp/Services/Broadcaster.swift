import Foundation
import Vapor

/// Live events for pages (Server-Sent Events), per organisation, in this process. On
/// PostgreSQL with several nodes, events would also travel by LISTEN/NOTIFY; not built yet.
actor Broadcaster {
    private var subscribers: [UUID: [UUID: AsyncStream<String>.Continuation]] = [:]

    /// A stream of event payloads for one organisation; it ends when the client goes away.
    func subscribe(_ organisation: UUID) -> (UUID, AsyncStream<String>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(100))
        self.subscribers[organisation, default: [:]][id] = continuation
        return (id, stream)
    }

    /// A keep-alive for one subscriber only; its stream writes it as an SSE comment.
    static let heartbeat = "\u{0}heartbeat"

    func heartbeat(_ organisation: UUID, _ id: UUID) {
        self.subscribers[organisation]?[id]?.yield(Self.heartbeat)
    }

    func unsubscribe(_ organisation: UUID, _ id: UUID) {
        self.subscribers[organisation]?[id]?.finish()
        self.subscribers[organisation]?[id] = nil
    }

    func publish(_ payload: String, to organisation: UUID) {
        for continuation in self.subscribers[organisation]?.values ?? [:].values {
            continuation.yield(payload)
        }
    }

    var subscriberCount: Int { self.subscribers.values.reduce(0) { $0 + $1.count } }
}

private struct BroadcasterKey: StorageKey { typealias Value = Broadcaster }

extension Application {
    var broadcaster: Broadcaster {
        get {
            if let existing = self.storage[BroadcasterKey.self] { return existing }
            let created = Broadcaster()
            self.storage[BroadcasterKey.self] = created
            return created
        }
        set { self.storage[BroadcasterKey.self] = newValue }
    }
}
