import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// The append-only audit log: every publish, forward, withhold, read, acknowledgement, export,
/// approval and rule change, chained by SHA-256 (see `AuditChain`).
enum AuditLog {
    /// An entry waiting to be appended.
    struct Pending: Sendable {
        var actor: String
        var action: String
        var subject: String
        var detail: [String: String]
    }

    /// Appends one entry. Call inside the transaction of the action it records, so the action
    /// and its entry commit together.
    static func append(on db: any Database, actor: String, action: String, subject: String, detail: [String: String] = [:]) async throws {
        try await self.append(on: db, [Pending(actor: actor, action: action, subject: subject, detail: detail)])
    }

    /// Appends entries in order with one read of the chain's head and one insert. On
    /// PostgreSQL a transaction-scoped advisory lock makes concurrent appenders take turns;
    /// SQLite has one writer at a time anyway.
    static func append(on db: any Database, _ pending: [Pending]) async throws {
        guard !pending.isEmpty else { return }
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(7151)").run()
        }
        // The head and the rows without the model and SQLKit's builder: an append happens in
        // every write transaction, and model reflection was most of its cost.
        let head = try await sql.raw("SELECT sequence, hash FROM \(ident: AuditRecord.schema) ORDER BY sequence DESC LIMIT 1").first()
        var previous = try head.map { (try $0.decode(column: "sequence", as: Int.self), try $0.decode(column: "hash", as: String.self)) }
        var rows: [[ColumnValue]] = []
        let now = Date()
        for item in pending {
            // Keys sorted, so the same detail always hashes the same.
            let detail = JSONValue.object(item.detail.mapValues { .string($0) }).encoded()
            let entry = AuditChain.next(after: previous, at: now, actor: item.actor, action: item.action, subject: item.subject, detail: detail)
            previous = (entry.sequence, entry.hash)
            rows.append([
                .integer(entry.sequence), .text(entry.at), .text(entry.actor), .text(entry.action), .text(entry.subject),
                .text(entry.detail), .text(entry.previousHash), .text(entry.hash),
            ])
        }
        try await sql.insertValues(
            into: AuditRecord.schema, columns: ["sequence", "at", "actor", "action", "subject", "detail", "previous_hash", "hash"], rows)
    }

    /// Appends in a transaction of its own, for actions that change nothing else (a read).
    static func record(on db: any Database, actor: String, action: String, subject: String, detail: [String: String] = [:]) async throws {
        try await db.atomically { db in
            try await self.append(on: db, actor: actor, action: action, subject: subject, detail: detail)
        }
    }

    /// Checks the whole chain; the first break, or nil when intact. Returns the entry count too.
    static func verify(on db: any Database) async throws -> (count: Int, break: AuditChain.Break?) {
        let entries = try await AuditRecord.query(on: db).sort(\.$id).all().map(\.entry)
        return (entries.count, AuditChain.verify(entries))
    }
}

extension JSONEncoder {
    /// Sorted keys, so the same value is always the same text (agreement terms, TAXII errors).
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
