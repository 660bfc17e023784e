import Foundation
import Vapor

/// Runs alerts: fires due escalation steps and sends due messages, polling every
/// `CEPTOAR_NOTIFY_POLL_MS`. Everything it acts on is in the database, so a restarted server
/// carries on where the last one stopped.
struct AlertWorker {
    let escalator: Escalator
    let dispatcher: Dispatcher
    let poll: Duration

    /// One round; returns how much it did (0: nothing was due).
    @discardableResult
    func runOnce(now: Date = Date()) async throws -> Int {
        let queued = try await self.escalator.fireDue(now: now)
        let sent = try await self.dispatcher.dispatchOnce(now: now)
        return queued + sent
    }

    func run(logger: Logger) async {
        while !Task.isCancelled {
            do {
                if try await self.runOnce() == 0 { try await Task.sleep(for: self.poll) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("alert worker: \(String(reflecting: error))")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

extension Application {
    /// The alert worker for this application (also used by tests to run a round by hand).
    func alertWorker() async throws -> AlertWorker {
        let settings = self.ceptoar.notify
        let routes = RouteTable(settings: settings)
        let dispatcher = Dispatcher(
            database: self.db, settings: settings, client: self.client, broadcaster: self.broadcaster, limiter: self.rateLimiter,
            ackKey: try await AlertSecrets.ackKey(on: self.db))
        return AlertWorker(escalator: Escalator(database: self.db, routes: routes), dispatcher: dispatcher, poll: .milliseconds(settings.pollMilliseconds))
    }

    private struct RateLimiterKey: StorageKey { typealias Value = RateLimiter }

    var rateLimiter: RateLimiter {
        if let existing = self.storage[RateLimiterKey.self] { return existing }
        let created = RateLimiter()
        self.storage[RateLimiterKey.self] = created
        return created
    }
}

/// Starts the alert worker with the server and stops it (between batches) on shutdown.
struct AlertWorkerLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: Task<Void, Never>? }
    let box = Box()

    func didBootAsync(_ application: Application) async throws {
        let worker = try await application.alertWorker()
        let logger = application.logger
        self.box.task = Task { await worker.run(logger: logger) }
    }

    func shutdownAsync(_ application: Application) async {
        self.box.task?.cancel()
        await self.box.task?.value
    }
}
