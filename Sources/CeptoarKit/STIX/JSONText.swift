/// JSON text to `JSONValue` and back, by hand: Foundation's JSONDecoder, driven through
/// `Codable` for an open-ended value, spent most of a TAXII POST failing its way through the
/// possible types of every member. The parser is strict RFC 8259, bounded in nesting (a hostile
/// peer cannot exhaust the stack), and refuses numbers that do not fit a finite Double.
public enum JSONText {
    static let maxDepth = 64

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try self.parse(bytes, keepingItemsOf: nil).value
    }

    /// Parses, and when the text is an object whose member `key` is an array, also returns
    /// each item of that array as the text it was sent in (a TAXII envelope's objects, stored
    /// as received instead of written out again). Member names must be unique (RFC 7493): with
    /// a repeated name, what is checked and what is kept could differ.
    static func parse(_ bytes: [UInt8], keepingItemsOf key: String?) throws -> (value: JSONValue, items: [String]) {
        var parser = Parser(bytes: bytes, keptKey: key)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw Failure(description: "text after the JSON value at byte \(parser.index)") }
        return (value, parser.kept)
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        /// The top-level member whose array items are kept as text, and those texts.
        var keptKey: String? = nil
        var keeping = false
        var kept: [String] = []

        mutating func skipSpace() {
            while self.index < self.bytes.count {
                switch self.bytes[self.index] {
                case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
                default: return
                }
            }
        }

        func fail(_ what: String) -> Failure { Failure(description: "\(what) at byte \(self.index)") }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < JSONText.maxDepth else { throw self.fail("nested deeper than \(JSONText.maxDepth)") }
            guard self.index < self.bytes.count else { throw self.fail("unexpected end") }
            switch self.bytes[self.index] {
            case UInt8(ascii: "{"): return try self.object(depth: depth)
            case UInt8(ascii: "["): return try self.array(depth: depth)
            case UInt8(ascii: "\""): return .string(try self.string())
            case UInt8(ascii: "t"): try self.literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try self.literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try self.literal("null"); return .null
            default: return try self.number()
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let count = word.utf8CodeUnitCount
            guard self.index + count <= self.bytes.count else { throw self.fail("unexpected character") }
            for offset in 0..<count where self.bytes[self.index + offset] != word.utf8Start[offset] { throw self.fail("unexpected character") }
            self.index += count
        }

        mutating func object(depth: Int) throws -> JSONValue {
            self.index += 1
            var members: [String: JSONValue] = [:]
            self.skipSpace()
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "}") {
                self.index += 1
                return .object(members)
            }
            while true {
                self.skipSpace()
                guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else { throw self.fail("expected a member name") }
                let key = try self.string()
                self.skipSpace()
                guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else { throw self.fail("expected ':'") }
                self.index += 1
                self.skipSpace()
                self.keeping = depth == 0 && key == self.keptKey
                let value = try self.value(depth: depth + 1)
                self.keeping = false
                guard members.updateValue(value, forKey: key) == nil else { throw self.fail("a repeated member name") }
                self.skipSpace()
                guard self.index < self.bytes.count else { throw self.fail("unexpected end in an object") }
                if self.bytes[self.index] == UInt8(ascii: ",") { self.index += 1; continue }
                guard self.bytes[self.index] == UInt8(ascii: "}") else { throw self.fail("expected ',' or '}'") }
                self.index += 1
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws -> JSONValue {
            self.index += 1
            var items: [JSONValue] = []
            self.skipSpace()
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "]") {
                self.index += 1
                return .array(items)
            }
            let keep = self.keeping && depth == 1
            self.keeping = false
            while true {
                self.skipSpace()
                let start = self.index
                items.append(try self.value(depth: depth + 1))
                if keep { self.kept.append(String(decoding: self.bytes[start..<self.index], as: UTF8.self)) }
                self.skipSpace()
                guard self.index < self.bytes.count else { throw self.fail("unexpected end in an array") }
                if self.bytes[self.index] == UInt8(ascii: ",") { self.index += 1; continue }
                guard self.bytes[self.index] == UInt8(ascii: "]") else { throw self.fail("expected ',' or ']'") }
                self.index += 1
                return .array(items)
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard self.index + 4 <= self.bytes.count else { throw self.fail("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = RequestText.hexValue(self.bytes[self.index]) else { throw self.fail("bad \\u escape") }
                value = value << 4 | digit
                self.index += 1
            }
            return value
        }

        mutating func string() throws -> String {
            self.index += 1
            // Most strings have no escape: made straight from their bytes, with no buffer between.
            let first = self.index
            var ascii = true
            while self.index < self.bytes.count {
                let byte = self.bytes[self.index]
                if byte == UInt8(ascii: "\"") {
                    let end = self.index
                    let text: String?
                    if ascii {
                        // ASCII is UTF-8 as it stands: no validation, and none of the unspecialised
                        // generic path below (its type-metadata lookups were a third of a parse).
                        text = self.bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[first..<end]), as: UTF8.self) }
                    } else {
                        text = String(validating: self.bytes[first..<end], as: UTF8.self)
                    }
                    guard let text else { throw self.fail("a string that is not UTF-8") }
                    self.index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                if byte >= 0x80 { ascii = false }
                self.index += 1
            }
            self.index = first
            var out: [UInt8] = []
            var start = self.index
            while true {
                guard self.index < self.bytes.count else { throw self.fail("unterminated string") }
                let byte = self.bytes[self.index]
                if byte == UInt8(ascii: "\"") {
                    out.append(contentsOf: self.bytes[start..<self.index])
                    self.index += 1
                    break
                }
                guard byte >= 0x20 else { throw self.fail("a raw control character in a string") }
                if byte != UInt8(ascii: "\\") {
                    self.index += 1
                    continue
                }
                out.append(contentsOf: self.bytes[start..<self.index])
                self.index += 1
                guard self.index < self.bytes.count else { throw self.fail("unterminated escape") }
                let escape = self.bytes[self.index]
                self.index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try self.hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard self.index + 2 <= self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\\"), self.bytes[self.index + 1] == UInt8(ascii: "u") else {
                            throw self.fail("a lone surrogate")
                        }
                        self.index += 2
                        let low = try self.hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw self.fail("a lone surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw self.fail("a lone surrogate")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw self.fail("not a Unicode scalar") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw self.fail("unknown escape")
                }
                start = self.index
            }
            // Invalid UTF-8 from outside is refused, not repaired.
            guard let text = String(validating: out, as: UTF8.self) else { throw self.fail("a string that is not UTF-8") }
            return text
        }

        mutating func number() throws -> JSONValue {
            let start = self.index
            var isInteger = true
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
            guard self.index < self.bytes.count, (48...57).contains(self.bytes[self.index]) else { throw self.fail("unexpected character") }
            if self.bytes[self.index] == 48 {
                self.index += 1
            } else {
                while self.index < self.bytes.count, (48...57).contains(self.bytes[self.index]) { self.index += 1 }
            }
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
                isInteger = false
                self.index += 1
                guard self.index < self.bytes.count, (48...57).contains(self.bytes[self.index]) else { throw self.fail("a digit must follow '.'") }
                while self.index < self.bytes.count, (48...57).contains(self.bytes[self.index]) { self.index += 1 }
            }
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "e") || self.bytes[self.index] == UInt8(ascii: "E") {
                isInteger = false
                self.index += 1
                if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
                guard self.index < self.bytes.count, (48...57).contains(self.bytes[self.index]) else { throw self.fail("a digit must follow the exponent") }
                while self.index < self.bytes.count, (48...57).contains(self.bytes[self.index]) { self.index += 1 }
            }
            let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
            if isInteger, let integer = Int64(text) { return .integer(integer) }
            guard let double = Double(text), double.isFinite else { throw self.fail("a number out of range") }
            return .number(double)
        }
    }

    // MARK: writing

    /// Compact, keys sorted by their UTF-8 bytes, `/` and non-ASCII unescaped.
    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .number(let number): out.append(contentsOf: (number.isFinite ? String(number) : "null").utf8)
        case .string(let text): self.write(string: text, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                self.write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (position, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                self.write(string: member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                self.write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func write(string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied whole.
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: string.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 48, 48, hex(byte >> 4), hex(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
