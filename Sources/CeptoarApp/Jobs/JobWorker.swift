import Fluent
import Foundation
import SQLKit
import Vapor

/// Drains the outbox. Each `notify_hop` job tells the open pages (by SSE) of every member
/// organisation that hop reached that an advisory arrived (`notify_delivery`, from before
/// `NotifyPerHop`, does the same for one delivery). Jobs are claimed in batches; on PostgreSQL with
/// `FOR UPDATE SKIP LOCKED`, so several nodes share the work without doing any job twice.
struct JobWorker {
    let database: any Database
    let broadcaster: Broadcaster

    /// Processes up to `limit` due jobs; returns how many member organisations were told (or,
    /// if more, how many jobs were done), so 0 means the outbox was empty.
    @discardableResult
    func drainOnce(limit: Int = 500) async throws -> Int {
        // Look before taking the write lock: an idle outbox costs one read, not a write
        // transaction (which would also mark every cached read in this process stale).
        let due = try await (self.database as! any SQLDatabase).raw("""
            SELECT id FROM jobs WHERE status = 'queued' AND run_at <= \(bind: Date()) LIMIT 1
            """).first()
        guard due != nil else { return 0 }
        let claimed: [(job: Int, delivery: Int?, hop: UUID?)] = try await self.database.atomically { db in
            let sql = db as! any SQLDatabase
            let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
            let rows = try await sql.raw("""
                SELECT id, delivery_id, hop_id FROM jobs WHERE status = 'queued' AND run_at <= \(bind: Date())
                ORDER BY id LIMIT \(literal: limit)\(lock)
                """).all()
            let jobs = try rows.map {
                (job: try $0.decode(column: "id", as: Int.self), delivery: try $0.decode(column: "delivery_id", as: Int?.self),
                    hop: try $0.decode(column: "hop_id", as: UUID?.self))
            }
            guard !jobs.isEmpty else { return [] }
            try await sql.raw("UPDATE jobs SET status = 'done', attempts = attempts + 1 WHERE id IN (\(binds: jobs.map(\.job)))").run()
            return jobs
        }
        let sql = self.database as! any SQLDatabase
        var reached: [(advisory: UUID, organisation: UUID)] = []
        let hops = claimed.compactMap(\.hop)
        if !hops.isEmpty {
            // Through the hop to its advisory, so the deliveries are found by their (advisory,
            // organisation) key rather than by scanning for the hop.
            let rows = try await sql.raw("""
                SELECT d.advisory_id, d.organisation_id FROM relay_hops h
                JOIN deliveries d ON d.advisory_id = h.advisory_id AND d.hop_id = h.id WHERE h.id IN (\(binds: hops))
                """).all()
            reached += try rows.map { (try $0.decode(column: "advisory_id", as: UUID.self), try $0.decode(column: "organisation_id", as: UUID.self)) }
        }
        let deliveries = claimed.compactMap(\.delivery)
        if !deliveries.isEmpty {
            let rows = try await sql.raw("SELECT advisory_id, organisation_id FROM deliveries WHERE id IN (\(binds: deliveries))").all()
            reached += try rows.map { (try $0.decode(column: "advisory_id", as: UUID.self), try $0.decode(column: "organisation_id", as: UUID.self)) }
        }
        for (advisory, organisation) in reached {
            await self.broadcaster.publish(#"{"advisory":"\#(advisory.uuidString)"}"#, to: organisation)
        }
        return max(reached.count, claimed.count)
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
