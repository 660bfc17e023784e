import Foundation

/// CSV as spreadsheet users in Japan open it: UTF-8 with a byte-order mark (so Excel reads
/// Japanese), CRLF line ends, quoted where needed, and formula-safe.
public enum CSV {
    public static func document(_ lines: [[String]]) -> Data {
        let text = lines.map { $0.map(Self.field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
    }

    public static func field(_ value: String) -> String {
        // A leading =, +, - or @ would run as a formula in Excel: prefix it with a quote mark.
        var value = value
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}
