import SQLKit

extension SQLDatabase {
    /// Multi-row inserts in chunks small enough for SQLite's limit on bound parameters.
    func insertRows(into table: String, columns: [String], _ rows: [[any SQLExpression]], chunk: Int = 500) async throws {
        for part in rows.chunked(chunk) {
            var insert = self.insert(into: table).columns(columns)
            for row in part { insert = insert.values(row) }
            try await insert.run()
        }
    }
}
