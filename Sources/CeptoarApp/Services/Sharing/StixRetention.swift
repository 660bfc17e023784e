import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// An agreement's retention (保存期間): what this node received under it is deleted the given
/// number of days after it arrived, whatever became of the agreement since; each deletion is
/// audited. What this node's own parties published is theirs and is kept.
struct StixRetention {
    let database: any Database

    /// Deletes what is past its agreement's retention at `now`; returns the count per agreement
    /// (agreements with nothing to delete are left out).
    @discardableResult
    func purge(now: Date = Date()) async throws -> [String: Int] {
        let sql = self.database as! any SQLDatabase
        var purged: [String: Int] = [:]
        for agreement in try await AgreementRecord.query(on: self.database).sort(\.$key).all() {
            // Validated to 1…3,650 days when agreed; clamped again so no stored value can overflow.
            let days = Double(min(max(agreement.retentionDays, 1), 3_650))
            let cutoff = STIXTime(now.addingTimeInterval(-days * 86_400)).canonical
            let key = agreement.key
            // Looked at first without the write lock: most hours there is nothing to delete.
            guard try await Self.count(key, before: cutoff, on: sql) > 0 else { continue }
            let count = try await self.database.atomically { db in
                let count = try await Self.count(key, before: cutoff, on: db as! any SQLDatabase)
                guard count > 0 else { return 0 }
                try await (db as! any SQLDatabase).raw("DELETE FROM stix_objects WHERE received_under = \(bind: key) AND date_added < \(bind: cutoff)").run()
                try await AuditLog.append(on: db, actor: "system:retention", action: "retention-purge", subject: "agreement:\(key)", detail: [
                    "objects": String(count), "receivedBefore": cutoff, "retentionDays": String(Int(days)),
                ])
                return count
            }
            if count > 0 { purged[key] = count }
        }
        return purged
    }

    private static func count(_ agreement: String, before cutoff: String, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM stix_objects WHERE received_under = \(bind: agreement) AND date_added < \(bind: cutoff)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
