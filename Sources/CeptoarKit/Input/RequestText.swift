import Foundation

/// The request-wide rule for text from outside: no string in a query, a JSON body or a form
/// may hold NUL or any other control character except tab and line breaks (a body of text
/// may have those). Fields of one line (titles, names, addresses) are stricter still, where
/// they are parsed (`ProtocolText.hasControlCharacters`). Checked once per request, before any
/// handler runs, so no handler can forget it.
public enum RequestText {
    /// Allowed in a body of text: TAB, LF, CR.
    static func isForbidden(_ value: UInt32) -> Bool {
        (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || value == 0x7F || (0x80...0x9F).contains(value)
    }

    /// Whether a decoded query or form value holds a forbidden character. Query values are
    /// never text bodies, so line breaks and tabs are forbidden there too (`multiline` false).
    public static func isForbidden(_ text: String, multiline: Bool) -> Bool {
        text.unicodeScalars.contains { scalar in
            multiline ? Self.isForbidden(scalar.value) : ProtocolText.isControl(scalar)
        }
    }

    /// Whether any string of a JSON text holds a forbidden character, raw or escaped
    /// (`\u0000`, `\b`, `\f`). A linear scan of the bytes, without parsing the document:
    /// only string contents are looked at, and malformed JSON is left for the decoder to refuse.
    public static func jsonIsForbidden(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Non-generic, so the scan is specialised here rather than run through another
        // module's unspecialised generic iterator (which was a tenth of a TAXII POST).
        self.jsonIsForbidden(bytes: bytes)
    }

    public static func jsonIsForbidden(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { self.jsonIsForbidden(bytes: $0) }
    }

    static func jsonIsForbidden<Bytes: Collection>(bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var inString = false
        var iterator = bytes.makeIterator()
        var previous: UInt8 = 0
        while let byte = iterator.next() {
            defer { previous = byte }
            guard inString else {
                if byte == UInt8(ascii: "\"") { inString = true }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = false
            case UInt8(ascii: "\\"):
                guard let escaped = iterator.next() else { return false }
                switch escaped {
                case UInt8(ascii: "b"), UInt8(ascii: "f"):
                    return true
                case UInt8(ascii: "u"):
                    var value: UInt32 = 0
                    for _ in 0..<4 {
                        guard let digit = iterator.next(), let nibble = Self.hexValue(digit) else { return false }
                        value = value << 4 | nibble
                    }
                    if Self.isForbidden(value) { return true }
                default:
                    break
                }
            case 0x7F:
                return true
            case 0x80...0x9F where previous == 0xC2:
                // U+0080–U+009F in UTF-8 (C1 controls).
                return true
            default:
                // Raw control bytes inside a string are not JSON at all: the decoder refuses them.
                break
            }
        }
        return false
    }

    /// One hexadecimal digit's value, either case; nil for anything else.
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// The decoded values of an `application/x-www-form-urlencoded` text (or a query string),
    /// as far as they decode; a value whose percent-encoding is broken is skipped here and
    /// refused by the form decoder.
    public static func formValues(_ text: String) -> [String] {
        text.split(separator: "&").flatMap { pair in
            pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).compactMap {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
        }
    }
}
