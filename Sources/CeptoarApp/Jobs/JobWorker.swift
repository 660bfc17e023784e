import Fluent
import Foundation
import SQLKit
import Vapor

/// Drains the outbox. Each `notify_delivery` job tells the member organisation's open pages
/// (by SSE) that an advisory arrived. Jobs are claimed in batches; on PostgreSQL with
/// `FOR UPDATE SKIP LOCKED`, so several nodes share the work without doing any job twice.
struct JobWorker {
    let database: any Database
    let broadcaster: Broadcaster

    /// Processes up to `limit` due jobs; returns how many.
    @discardableResult
    func drainOnce(limit: Int = 500) async throws -> Int {
        // Look before taking the write lock: an idle outbox costs one read, not a write
        // transaction (which would also mark every cached read in this process stale).
        let due = try await (self.database as! any SQLDatabase).raw("""
            SELECT id FROM jobs WHERE status = 'queued' AND run_at <= \(bind: Date()) LIMIT 1
            """).first()
        guard due != nil else { return 0 }
        let claimed: [(job: Int, delivery: Int?)] = try await self.database.atomically { db in
            let sql = db as! any SQLDatabase
            let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
            let rows = try await sql.raw("""
                SELECT id, delivery_id FROM jobs WHERE status = 'queued' AND run_at <= \(bind: Date())
                ORDER BY id LIMIT \(literal: limit)\(lock)
                """).all()
            let jobs = try rows.map { (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "delivery_id", as: Int?.self)) }
            guard !jobs.isEmpty else { return [] }
            try await sql.raw("UPDATE jobs SET status = 'done', attempts = attempts + 1 WHERE id IN (\(binds: jobs.map(\.0)))").run()
            return jobs.map { (job: $0.0, delivery: $0.1) }
        }
        let deliveryIDs = claimed.compactMap(\.delivery)
        guard !deliveryIDs.isEmpty else { return claimed.count }
        let deliveries = try await Delivery.query(on: self.database).filter(\.$id ~~ deliveryIDs).all()
        for delivery in deliveries {
            let payload = #"{"advisory":"\#(delivery.$advisory.id.uuidString)"}"#
            await self.broadcaster.publish(payload, to: delivery.$organisation.id)
        }
        return claimed.count
    }

    /// Runs until cancelled, polling briefly when idle.
    func run(logger: Logger) async {
        while !Task.isCancelled {
            do {
                let done = try await self.drainOnce()
                if done == 0 { try await Task.sleep(for: .milliseconds(200)) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("outbox worker: \(String(reflecting: error))")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// Starts the worker with the server and stops it on shutdown.
struct JobWorkerLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: Task<Void, Never>? }
    let box = Box()

    func didBootAsync(_ application: Application) async throws {
        let worker = JobWorker(database: application.db, broadcaster: application.broadcaster)
        let logger = application.logger
        self.box.task = Task { await worker.run(logger: logger) }
    }

    func shutdownAsync(_ application: Application) async {
        self.box.task?.cancel()
        await self.box.task?.value
    }
}
