import FluentSQLiteDriver
import NIOConcurrencyHelpers
import SQLKit

/// Reads rows on SQLite from the driver's own connection, collected on the driver's thread.
///
/// Every query through Fluent or SQLKit ends in SQLiteNIO's futures API, which hands each row
/// back to the event loop as a task and a future of its own and then waits for all of them: for
/// a TAXII page of 101 rows that cost more than the query itself, and for an envelope's insert
/// as much again for its `RETURNING` rows. SQLiteNIO's async API on the connection calls back on
/// its own thread and answers once.
enum SQLiteRows {
    static func all(_ database: any SQLiteDatabase, _ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        try await database.withConnection { (connection: SQLiteConnection) in
            let rows = NIOLockedValueBox<[SQLiteRow]>([])
            try await connection.query(sql, binds) { row in rows.withLockedValue { $0.append(row) } }
            return rows.withLockedValue { $0 }
        }
    }
}

extension SQLDatabase {
    /// The text of `column` in each row of `query` (nil for NULL); on SQLite by `SQLiteRows`.
    func texts(of column: String, _ query: SQLQueryString) async throws -> [String?] {
        if self.dialect.name == "sqlite", let lite = self as? any SQLiteDatabase {
            let (sql, binds) = self.serialize(query)
            let encoder = SQLiteDataEncoder()
            let rows = try await SQLiteRows.all(lite, sql, try binds.map { try encoder.encode($0) })
            return rows.map { $0.column(column)?.string }
        }
        return try await self.raw(query).all().map { row in try row.decodeNil(column: column) ? nil : row.decode(column: column, as: String.self) }
    }
}
