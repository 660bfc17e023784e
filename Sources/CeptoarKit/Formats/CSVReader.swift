import Foundation

/// Reads CSV (RFC 4180: quoted fields with doubled quotes, CRLF or LF) into records, each with
/// the line it starts on, within bounds: a file from a member's spreadsheet is hostile until
/// read. Excel's UTF-8 byte-order mark is dropped; a file that is not UTF-8 is read as
/// Shift_JIS (CP932), what Japanese Excel writes by default.
public enum CSVReader {
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    public enum Problem: Error, Equatable, Sendable {
        case unreadable
        case tooLarge(maxBytes: Int)
        case tooManyRecords(max: Int)
        case fieldTooLong(line: Int, max: Int)
        case unterminatedQuote(line: Int)
        case textAfterQuote(line: Int)

        public var message: LocalizedText {
            switch self {
            case .unreadable: LocalizedText(ja: "CSV を UTF-8 または Shift_JIS として読めません", en: "the CSV is neither UTF-8 nor Shift_JIS text")
            case .tooLarge(let max): LocalizedText(ja: "CSV は\(max / 1024) KiB までです", en: "the CSV may be at most \(max / 1024) KiB")
            case .tooManyRecords(let max): LocalizedText(ja: "CSV は見出しを除いて\(max)行までです", en: "the CSV may hold at most \(max) rows besides its header")
            case .fieldTooLong(let line, let max): LocalizedText(ja: "\(line)行目: 項目が\(max)文字を超えています", en: "line \(line): a field is longer than \(max) characters")
            case .unterminatedQuote(let line): LocalizedText(ja: "\(line)行目: 引用符（\"）が閉じていません", en: "line \(line): a quoted field is not closed")
            case .textAfterQuote(let line): LocalizedText(ja: "\(line)行目: 引用符の後に文字があります", en: "line \(line): text follows a closing quote")
            }
        }
    }

    public static func text(of data: Data, maxBytes: Int) -> Result<String, Problem> {
        guard data.count <= maxBytes else { return .failure(.tooLarge(maxBytes: maxBytes)) }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(data: bytes, encoding: .utf8) { return .success(text) }
        if let text = String(data: bytes, encoding: .shiftJIS) { return .success(text) }
        return .failure(.unreadable)
    }

    /// The records, blank lines skipped. `maxRecords` counts every record, the header too.
    public static func records(_ text: String, maxRecords: Int, maxField: Int = 8_000) -> Result<[Record], Problem> {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var start = 1
        var quoted = false
        var afterQuote = false
        var fieldStarted = false
        func endField() -> Problem? {
            guard field.count <= maxField else { return .fieldTooLong(line: start, max: maxField) }
            fields.append(field)
            field = ""
            afterQuote = false
            fieldStarted = false
            return nil
        }
        func endRecord() -> Problem? {
            if let problem = endField() { return problem }
            // A blank line is not a record.
            if !(fields.count == 1 && fields[0].isEmpty) {
                guard records.count < maxRecords else { return .tooManyRecords(max: maxRecords - 1) }
                records.append(Record(line: start, fields: fields))
            }
            fields = []
            return nil
        }
        var characters = text.makeIterator()
        var pending: Character? = characters.next()
        while let character = pending {
            pending = characters.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = characters.next()
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                    if field.count > maxField { return .failure(.fieldTooLong(line: start, max: maxField)) }
                }
                continue
            }
            switch character {
            case ",":
                if let problem = endField() { return .failure(problem) }
            case "\n", "\r\n", "\r":
                if let problem = endRecord() { return .failure(problem) }
                line += 1
                start = line
            case "\"" where !fieldStarted:
                quoted = true
                fieldStarted = true
            default:
                if afterQuote { return .failure(.textAfterQuote(line: line)) }
                fieldStarted = true
                field.append(character)
                if field.count > maxField { return .failure(.fieldTooLong(line: start, max: maxField)) }
            }
        }
        if quoted { return .failure(.unterminatedQuote(line: start)) }
        if !field.isEmpty || !fields.isEmpty || afterQuote {
            if let problem = endRecord() { return .failure(problem) }
        }
        return .success(records)
    }
}
