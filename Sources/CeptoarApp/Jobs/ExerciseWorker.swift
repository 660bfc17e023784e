import CeptoarKit
import Fluent
import Foundation
import Vapor

/// Sends exercise injects when their time comes (checked twice a second: an inject goes out
/// within a second of its planned time), and keeps going across restarts — what is due and
/// unsent is in the database.
struct ExerciseWorker {
    let database: any Database
    let routes: RouteTable
    var poll: Duration = .milliseconds(500)

    func run(logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await Exercises(database: self.database).sendDue(routes: self.routes)
                try await Task.sleep(for: self.poll)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("exercise worker: \(String(reflecting: error))")
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }
}

/// Starts the exercise worker with the server and stops it on shutdown.
struct ExerciseWorkerLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: Task<Void, Never>? }
    let box = Box()

    func didBootAsync(_ application: Application) async throws {
        let worker = ExerciseWorker(database: application.db, routes: RouteTable(settings: application.ceptoar.notify))
        let logger = application.logger
        self.box.task = Task { await worker.run(logger: logger) }
    }

    func shutdownAsync(_ application: Application) async {
        self.box.task?.cancel()
        await self.box.task?.value
    }
}
