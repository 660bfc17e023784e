import Foundation

/// A Japanese fiscal year (年度): April 1 to March 31 of the next year, named by the year it
/// starts in — FY2008 is 平成20年度, 2008-04-01 to 2009-03-31.
public struct FiscalYear: Hashable, Sendable, Codable, Comparable {
    public let year: Int

    public static let range = 1989...2200

    public init?(year: Int) {
        guard Self.range.contains(year) else { return nil }
        self.year = year
    }

    /// `2008`, `FY2008`, `平成20年度`, `令和元年度`.
    public init?(text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.uppercased().hasPrefix("FY") ? String(trimmed.dropFirst(2)) : trimmed
        if digits.count <= 4, let year = Int(digits) {
            self.init(year: year)
            return
        }
        guard trimmed.hasSuffix("年度"), trimmed.count <= 12,
              let day = EraDate(japanese: String(trimmed.dropLast(2)) + "年4月")?.day
        else { return nil }
        self.init(year: day.year)
    }

    public var first: Day { Day(year: self.year, month: 4, day: 1)! }
    public var last: Day { Day(year: self.year + 1, month: 3, day: 31)! }

    /// The instants it covers, in Japan time: [April 1 00:00 JST, next April 1 00:00 JST).
    public var start: Date { Self.midnightJST(self.first) }
    public var end: Date { Self.midnightJST(Day(year: self.year + 1, month: 4, day: 1)!) }

    private static func midnightJST(_ day: Day) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day.daysSince1970) * 86_400 - 9 * 3_600)
    }

    /// 平成20年度 (the era of the year it starts in, as the government names it: 令和元年度 for 2019).
    public var japanese: String {
        let june = Day(year: self.year, month: 6, day: 1)!
        guard let era = JapaneseEra.of(june) else { return "\(self.year)年度" }
        let eraYear = self.year - era.start.year + 1
        return "\(era.rawValue)\(eraYear == 1 ? "元" : String(eraYear))年度"
    }

    /// "FY2008 (Heisei 20)".
    public var english: String {
        "FY\(self.year) (\(EraDate(day: Day(year: self.year, month: 6, day: 1)!, precision: .month).englishEraYear))"
    }

    public func label(_ language: Language) -> String {
        language == .ja ? "\(self.japanese)（\(self.first.iso)〜\(self.last.iso)）" : "\(self.english), \(self.first.iso) to \(self.last.iso)"
    }

    /// The fiscal year a day falls in.
    public static func of(_ day: Day) -> FiscalYear? {
        FiscalYear(year: day.month >= 4 ? day.year : day.year - 1)
    }

    public static func < (lhs: FiscalYear, rhs: FiscalYear) -> Bool { lhs.year < rhs.year }
}
