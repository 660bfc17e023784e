import Foundation

/// STIX timestamps (RFC 3339, UTC, `Z`). Stored and compared as a canonical text with six
/// fractional digits, which sorts like the instant on both database engines; what a peer sent
/// is kept as it sent it inside the object.
public struct STIXTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public let canonical: String

    /// Parses `2026-12-03T10:00:00Z`, `…:00.1Z` up to nine fractional digits (beyond six are
    /// dropped); nil for anything else, an impossible date or a year outside 1–9999.
    public init?(_ text: String) {
        // On the bytes, into one buffer: every object of an envelope has two or three of these.
        let found: String?? = text.utf8.withContiguousStorageIfAvailable { Self.canonical(of: $0) }
        guard let canonical = found ?? Array(text.utf8).withUnsafeBufferPointer({ Self.canonical(of: $0) }) else { return nil }
        self.canonical = canonical
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` for an RFC 3339 UTC timestamp (1–9 fraction digits, kept
    /// to 6), nil for anything else.
    private static func canonical(of bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count >= 20, bytes.count <= 30, bytes[bytes.count - 1] == UInt8(ascii: "Z") else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
            let hour = digits(11..<13), let minute = digits(14..<16), let second = digits(17..<19),
            year >= 1, (1...12).contains(month), (1...Day.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let end = bytes.count - 1
        if end > 19 {
            guard bytes[19] == UInt8(ascii: "."), end - 20 >= 1, end - 20 <= 9, digits(20..<end) != nil else { return nil }
        } else {
            guard end == 19 else { return nil }
        }
        return String(unsafeUninitializedCapacity: 27) { out in
            for index in 0..<19 { out[index] = bytes[index] }
            out[10] = UInt8(ascii: "T")
            out[19] = UInt8(ascii: ".")
            for offset in 0..<6 { out[20 + offset] = 20 + offset < end ? bytes[20 + offset] : UInt8(ascii: "0") }
            out[26] = UInt8(ascii: "Z")
            return 27
        }
    }

    /// The instant `date` (Ceptoar's own clock), to the microsecond.
    public init(_ date: Date) {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var days = micros / 86_400_000_000
        var rest = micros % 86_400_000_000
        if rest < 0 {
            rest += 86_400_000_000
            days -= 1
        }
        let (year, month, day) = Day.civil(daysSince1970: days)
        let seconds = rest / 1_000_000
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        self.canonical = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(rest % 1_000_000, 6))Z"
    }

    public static func now() -> STIXTime { STIXTime(Date()) }

    /// Millisecond precision, as Ceptoar writes `created` and `modified` (the common form).
    public var milliseconds: String {
        String(self.canonical.prefix(23)) + "Z"
    }

    public var description: String { self.canonical }

    public static func < (lhs: STIXTime, rhs: STIXTime) -> Bool { lhs.canonical < rhs.canonical }
}
