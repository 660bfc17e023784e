import Foundation

/// A JSON value as read from a peer or a file, or built to send: STIX objects are open-ended
/// (custom properties, extensions), so they are handled as values, not as fixed structs.
public enum JSONValue: Sendable, Equatable, Codable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Compact JSON with sorted keys: the same object always gives the same text, so a stored
    /// object and one sent again compare byte for byte.
    public func encoded() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        JSONText.write(self, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses JSON text (strict, nesting bounded: see `JSONText`).
    public static func decode(_ text: some DataProtocol) throws -> JSONValue {
        try JSONText.parse(Array(text))
    }

    /// A TAXII envelope or STIX bundle, with each item of its `objects` list also as the
    /// text it came in (see `JSONText.parse(_:keepingItemsOf:)`).
    public static func decodeEnvelope(_ text: some DataProtocol) throws -> (value: JSONValue, objects: [String]) {
        let (value, items) = try JSONText.parse(Array(text), keepingItemsOf: "objects")
        return (value, items)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
