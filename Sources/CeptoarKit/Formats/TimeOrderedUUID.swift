import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562 §5.7): the Unix time in milliseconds in the first 48 bits,
    /// then the version, 74 random bits and the variant. Rows keyed by these land at the end
    /// of their indexes: with random (version 4) ids, every new report, stage, observable and
    /// hop — and every index on a report id — dirtied a page of its own somewhere in the
    /// index, so a batch of a hundred filings wrote thousands of pages to SQLite's log and
    /// again at the checkpoint. Still unguessable enough for an id (74 random bits); access
    /// never rests on an id being secret.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        let seconds = date.timeIntervalSince1970
        // Clock values only, but never trap on one: before 1970 or past year 10889 is 0.
        let milliseconds: UInt64 = seconds.isFinite && seconds > 0 && seconds < 2.8e11 ? UInt64(seconds * 1000) : 0
        var random = SystemRandomNumberGenerator()
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: high & 0x0F)
        bytes[7] = UInt8(truncatingIfNeeded: high >> 8)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (high >> 16) & 0x3F)
        for index in 9..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 9))) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
