import FluentSQLiteDriver
import NIOConcurrencyHelpers

/// Reads rows on SQLite from the driver's own connection, collected on the driver's thread.
///
/// Every query through Fluent or SQLKit ends in SQLiteNIO's futures API, which hands each row
/// back to the event loop as a task and a future of its own; SQLiteNIO's async API on the
/// connection calls back on its own thread and answers once. Used inside a transaction (an
/// envelope's `RETURNING` rows), where the connection is at hand. Not for reads outside one:
/// a TAXII page read this way, through the pool's checkout and a task, measured slower
/// (26,569 against 37,989 objects/s over two connections), so pages stay on SQLKit.
enum SQLiteRows {
    static func all(_ database: any SQLiteDatabase, _ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        try await database.withConnection { (connection: SQLiteConnection) in
            let rows = NIOLockedValueBox<[SQLiteRow]>([])
            try await connection.query(sql, binds) { row in rows.withLockedValue { $0.append(row) } }
            return rows.withLockedValue { $0 }
        }
    }
}
