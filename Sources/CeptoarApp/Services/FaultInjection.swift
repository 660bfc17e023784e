import Foundation

/// Crash points for the tests that prove a killed process loses nothing half-written
/// (`tests/e2e/test_crash.py`). Off unless `CEPTOAR_FAULT_KILL_AFTER_FANOUTS` is set; never set
/// it on a server anyone relies on.
enum FaultInjection {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var killAfterFanOuts: Int?
    nonisolated(unsafe) private static var fanOuts = 0

    nonisolated(unsafe) private static var killAfterSent: Int?
    nonisolated(unsafe) private static var sent = 0

    nonisolated(unsafe) private static var killAtPulledPage: Int?
    nonisolated(unsafe) private static var pulledPages = 0

    static func configure(killAfterFanOuts: Int?, killAfterSent: Int? = nil, killAtPulledPage: Int? = nil) {
        self.lock.withLock {
            self.killAfterFanOuts = killAfterFanOuts
            self.killAfterSent = killAfterSent
            self.killAtPulledPage = killAtPulledPage
        }
    }

    /// Called inside the transaction that stores a page pulled from a peer and moves the
    /// checkpoint past it: the Nth page kills the process before that transaction commits.
    static func pulledPageStored() {
        let kill = self.lock.withLock { () -> Bool in
            guard let limit = self.killAtPulledPage else { return false }
            self.pulledPages += 1
            return self.pulledPages >= limit
        }
        if kill { Foundation.kill(getpid(), SIGKILL) }
    }

    /// Called after a batch of alert messages has been sent and its outcomes committed: once
    /// the count reaches `CEPTOAR_FAULT_KILL_AFTER_SENT`, the process dies as `kill -9` would,
    /// with later batches still queued.
    static func alertMessagesRecorded(_ count: Int) {
        let kill = self.lock.withLock { () -> Bool in
            guard let limit = self.killAfterSent else { return false }
            self.sent += count
            return self.sent >= limit
        }
        if kill { Foundation.kill(getpid(), SIGKILL) }
    }

    /// Called after each hop's deliveries are inserted (inside the relay's transaction): the
    /// Nth call kills the process outright, as `kill -9` would, before anything commits.
    static func fanOutInserted() {
        let kill = self.lock.withLock { () -> Bool in
            guard let limit = self.killAfterFanOuts else { return false }
            self.fanOuts += 1
            return self.fanOuts >= limit
        }
        if kill { Foundation.kill(getpid(), SIGKILL) }
    }
}
