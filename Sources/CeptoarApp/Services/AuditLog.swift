import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// The append-only audit log: every publish, forward, withhold, read, acknowledgement, export,
/// approval and rule change, chained by SHA-256 (see `AuditChain`).
enum AuditLog {
    /// Appends one entry. Call inside the transaction of the action it records, so the action
    /// and its entry commit together. On PostgreSQL a transaction-scoped advisory lock makes
    /// concurrent appenders take turns; SQLite has one writer at a time anyway.
    static func append(on db: any Database, actor: String, action: String, subject: String, detail: [String: String] = [:]) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(7151)").run()
        }
        let last = try await AuditRecord.query(on: db).sort(\.$id, .descending).first()
        let detailText = String(decoding: try JSONEncoder.sorted.encode(detail), as: UTF8.self)
        let entry = AuditChain.next(
            after: last.map { ($0.id ?? 0, $0.hash) }, at: Date(), actor: actor, action: action, subject: subject, detail: detailText)
        let record = AuditRecord()
        record.id = entry.sequence
        record.at = entry.at
        record.actor = entry.actor
        record.action = entry.action
        record.subject = entry.subject
        record.detail = entry.detail
        record.previousHash = entry.previousHash
        record.hash = entry.hash
        try await record.create(on: db)
    }

    /// Appends in a transaction of its own, for actions that change nothing else (a read).
    static func record(on db: any Database, actor: String, action: String, subject: String, detail: [String: String] = [:]) async throws {
        try await db.transaction { db in
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
    /// Sorted keys, so the same detail always hashes the same.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
