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
        guard id.utf8.count <= 300, let range = id.range(of: "--") else { return nil }
        let type = String(id[..<range.lowerBound])
        let rest = String(id[range.upperBound...])
        guard STIXObjectCheck.isTypeName(type), rest.count == 36, let uuid = UUID(uuidString: rest) else { return nil }
        // RFC 4122 variant (10xx in the clock_seq_hi byte).
        guard (uuid.uuid.8 & 0xC0) == 0x80 else { return nil }
        return (type, uuid)
    }
}
