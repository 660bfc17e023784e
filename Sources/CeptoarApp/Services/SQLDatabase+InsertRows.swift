import FluentSQLiteDriver
import Foundation
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

    /// Multi-row inserts of plain values, for the hot write paths (a TAXII envelope, its status,
    /// its audit entry). On SQLite the statement goes to SQLite as its own text and values, past
    /// SQLKit's serialiser and the driver's Codable encoder — those were a third of an
    /// envelope's time inside the write lock. On PostgreSQL it is SQLKit's insert as usual.
    /// `ignoringConflicts` names a unique key whose duplicates are skipped; the values of the
    /// `returning` columns of each row written come back as text.
    @discardableResult
    func insertValues(into table: String, columns: [String], _ rows: [[ColumnValue]], ignoringConflicts key: [String]? = nil,
                      returning: [String] = [], chunk: Int = 500) async throws -> [[String?]] {
        var written: [[String?]] = []
        if self.dialect.name == "sqlite", let lite = self as? any SQLiteDatabase {
            let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
            let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
            var tail = key.map { " ON CONFLICT (" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + ") DO NOTHING" } ?? ""
            if !returning.isEmpty { tail += " RETURNING " + returning.map { "\"\($0)\"" }.joined(separator: ", ") }
            for part in rows.chunked(chunk) {
                var binds: [SQLiteData] = []
                binds.reserveCapacity(part.count * columns.count)
                for row in part { for value in row { binds.append(value.sqlite) } }
                let statement = head + Array(repeating: placeholders, count: part.count).joined(separator: ",") + tail
                for row in try await SQLiteRows.all(lite, statement, binds) {
                    written.append(returning.map { row.column($0)?.string })
                }
            }
            return written
        }
        for part in rows.chunked(chunk) {
            var insert = self.insert(into: table).columns(columns)
            for row in part { insert = insert.values(row.map(\.bind)) }
            if let key { insert = insert.ignoringConflicts(with: key) }
            if returning.isEmpty {
                try await insert.run()
                continue
            }
            for row in try await insert.returning(returning.map { SQLColumn($0) }).all() {
                written.append(try returning.map { try row.decodeNil(column: $0) ? nil : row.decode(column: $0, as: String.self) })
            }
        }
        return written
    }
}

/// One column's value, in the representation each driver stores without its encoder: on
/// SQLite UUIDs as their upper-case text, Booleans as 0/1 and dates as seconds since 1970 —
/// what SQLiteKit's encoder writes, so the models read these rows back as their own.
enum ColumnValue: Sendable {
    case text(String?)
    case integer(Int?)
    case bool(Bool)
    case uuid(UUID?)
    case date(Date?)

    var sqlite: SQLiteData {
        switch self {
        case .text(let value): value.map { .text($0) } ?? .null
        case .integer(let value): value.map { .integer($0) } ?? .null
        case .bool(let value): .integer(value ? 1 : 0)
        case .uuid(let value): value.map { .text($0.uuidString) } ?? .null
        case .date(let value): value.map { .float($0.timeIntervalSince1970) } ?? .null
        }
    }

    /// A missing value is the literal NULL, not a bound one: PostgreSQL takes a NULL bound as
    /// text for text, and refuses it in a timestamp or uuid column.
    var bind: any SQLExpression {
        switch self {
        case .text(let value): value.map { SQLBind($0) } ?? SQLLiteral.null
        case .integer(let value): value.map { SQLBind($0) } ?? SQLLiteral.null
        case .bool(let value): SQLBind(value)
        case .uuid(let value): value.map { SQLBind($0) } ?? SQLLiteral.null
        case .date(let value): value.map { SQLBind($0) } ?? SQLLiteral.null
        }
    }
}
