import Foundation

/// An instant as a member writes it: RFC 3339 with its offset (`2026-12-03T09:15:00+09:00`, or
/// `Z`), seconds optional fraction, years 1868–9999. Parsed by hand into whole seconds since
/// 1970, so no date a request carries can overflow or be read in the server's own time zone.
public enum Instant {
    /// Seconds since 1970-01-01T00:00:00Z; nil for anything that is not such a timestamp.
    public static func seconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard (20...40).contains(bytes.count) else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<from + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == 0x2D, let month = number(5, 2), bytes[7] == 0x2D, let day = number(8, 2),
              bytes[10] == 0x54 || bytes[10] == 0x74, let hour = number(11, 2), bytes[13] == 0x3A, let minute = number(14, 2),
              bytes[16] == 0x3A, let second = number(17, 2),
              let date = Day(year: year, month: month, day: day), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            guard index > start, index - start <= 9 else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case 0x5A, 0x7A:
            index += 1
        case 0x2B, 0x2D:
            guard let hours = number(index + 1, 2), index + 3 < bytes.count, bytes[index + 3] == 0x3A, let minutes = number(index + 4, 2),
                  hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == 0x2D ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = Int64(date.daysSince1970)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
    }

    public static func date(_ text: String) -> Date? {
        self.seconds(text).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The day (in Japan, UTC+9, which has no summer time) of an instant.
    public static func japaneseDay(_ date: Date) -> Day? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e12 else { return nil }
        let days = Int64(((seconds + 9 * 3600) / 86_400).rounded(.down))
        let civil = Day.civil(daysSince1970: days)
        return Day(year: Int(civil.year), month: Int(civil.month), day: Int(civil.day))
    }
}
