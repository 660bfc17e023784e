import Crypto
import Foundation

/// STIX identifiers: `type--UUID`. Ceptoar derives its own deterministically (UUIDv5 of a
/// name in Ceptoar's namespace), so the same advisory series is the same `report` id on every
/// node and in every export, and a correction is a new version of it, not a new object.
public enum STIXIdentifier {
    /// Ceptoar's namespace for name-based ids (a fixed random UUID).
    public static let namespace = UUID(uuidString: "6a0d6f0e-2c4b-4c8e-9d57-3b1f0c2e7a41")!

    public static func make(_ type: String, name: String) -> String {
        "\(type)--\(self.uuid5(name: name).uuidString.lowercased())"
    }

    /// RFC 4122 version 5 (SHA-1, name-based).
    public static func uuid5(name: String, namespace: UUID = Self.namespace) -> UUID {
        var bytes = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        bytes.append(contentsOf: Array(name.utf8))
        var hash = Array(Insecure.SHA1.hash(data: bytes).prefix(16))
        hash[6] = (hash[6] & 0x0F) | 0x50
        hash[8] = (hash[8] & 0x3F) | 0x80
        return UUID(uuid: (hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7],
                           hash[8], hash[9], hash[10], hash[11], hash[12], hash[13], hash[14], hash[15]))
    }

    /// Splits and checks `type--uuid`: the type is lower-case letters, digits and hyphens
    /// (3–250 characters), the UUID RFC 4122. Nil for anything else.
    public static func parse(_ id: String) -> (type: String, uuid: UUID)? {
        let bytes = Array(id.utf8)
        guard let split = bytes.withUnsafeBufferPointer({ Self.typeLength(of: $0) }) else { return nil }
        var raw = [UInt8](repeating: 0, count: 16)
        var nibbles = 0
        for byte in bytes[(split + 2)...] where byte != UInt8(ascii: "-") {
            guard let digit = RequestText.hexValue(byte) else { return nil }
            raw[nibbles / 2] |= nibbles % 2 == 0 ? UInt8(digit) << 4 : UInt8(digit)
            nibbles += 1
        }
        let uuid = UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
        return (String(decoding: bytes[..<split], as: UTF8.self), uuid)
    }

    /// Whether `id` is a well-formed identifier (of `type`, when given) — `parse` without
    /// building anything: every object of an envelope passes here several times.
    public static func isValid(_ id: String, ofType type: String? = nil) -> Bool {
        func check(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let split = Self.typeLength(of: bytes) else { return false }
            guard let type else { return true }
            return split == type.utf8.count && bytes[..<split].elementsEqual(type.utf8)
        }
        if let answer = id.utf8.withContiguousStorageIfAvailable(check) { return answer }
        return Array(id.utf8).withUnsafeBufferPointer(check)
    }

    /// The length of the type part when `bytes` are a well-formed identifier, else nil.
    static func typeLength(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count <= 300, bytes.count > 38 else { return nil }
        let split = bytes.count - 38
        guard bytes[split] == UInt8(ascii: "-"), bytes[split + 1] == UInt8(ascii: "-") else { return nil }
        guard STIXObjectCheck.isTypeName(UnsafeBufferPointer(rebasing: bytes[..<split])) else { return nil }
        var previous: UInt8 = 0
        for byte in bytes[..<split] {
            if byte == UInt8(ascii: "-") && previous == UInt8(ascii: "-") { return nil }
            previous = byte
        }
        var nibbles = 0
        for offset in 0..<36 {
            let byte = bytes[split + 2 + offset]
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let digit = RequestText.hexValue(byte) else { return nil }
            // RFC 4122 variant: 10xx in the high nibble of clock_seq_hi (the 17th digit).
            if nibbles == 16, digit & 0xC != 0x8 { return nil }
            nibbles += 1
        }
        return split
    }
}
