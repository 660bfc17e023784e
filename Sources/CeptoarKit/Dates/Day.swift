import Foundation

/// A calendar day (proleptic Gregorian), the unit of every effective date in the registry.
///
/// Stored and exchanged as ISO 8601 `YYYY-MM-DD`; because that text sorts like the date,
/// it is also the database representation on both SQLite and PostgreSQL.
public struct Day: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// The years a day may fall in: from the Meiji era, as far as era dates go back, to 9999,
    /// as far as `YYYY` goes. Anything else from a request, a file or a peer is refused.
    public static let years = 1868...9999

    /// Creates a day, or returns nil for an impossible date such as 2009-02-30 or one outside `years`.
    public init?(year: Int, month: Int, day: Int) {
        guard Day.years.contains(year), (1...12).contains(month),
            (1...Day.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses strict ISO `YYYY-MM-DD`; nil for anything else or an impossible date.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The ISO 8601 form, `YYYY-MM-DD`.
    public var iso: String {
        String(format: "%04d-%02d-%02d", self.year, self.month, self.day)
    }

    public var description: String { self.iso }

    /// The last day of the given month.
    public static func endOfMonth(year: Int, month: Int) -> Day? {
        guard (1...12).contains(month) else { return nil }
        return Day(year: year, month: month, day: self.daysIn(month: month, year: year))
    }

    /// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's
    /// algorithm): what the audit chain's and STIX's hand-written timestamps both need.
    static func civil(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 to this day (negative before it): `civil`'s inverse (Hinnant's
    /// days_from_civil).
    public var daysSince1970: Int {
        let year = self.month <= 2 ? self.year - 1 : self.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * ((self.month + 9) % 12) + 2) / 5 + self.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The number of days in a month of the Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The Japanese fiscal year (April to March) this day falls in.
    public var fiscalYear: Int { self.month >= 4 ? self.year : self.year - 1 }

    public static func < (lhs: Day, rhs: Day) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = Day(iso: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a valid ISO date: \(text)"))
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.iso)
    }
}
