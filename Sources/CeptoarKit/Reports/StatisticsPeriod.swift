import Foundation

/// A fiscal year (April to March, as Japanese government and business count) or one of its
/// quarters (Q1 = April–June), in Japan time.
public struct StatisticsPeriod: Hashable, Sendable {
    public let fiscalYear: Int
    /// 1–4, or nil for the whole year.
    public let quarter: Int?

    public static let years = 2000...2100

    public init?(fiscalYear: Int, quarter: Int? = nil) {
        guard Self.years.contains(fiscalYear), quarter.map({ (1...4).contains($0) }) ?? true else { return nil }
        (self.fiscalYear, self.quarter) = (fiscalYear, quarter)
    }

    /// Reads `2024` or `2024Q1` (also `2024-Q1`, lower case); nil for anything else.
    public init?(_ text: String) {
        let upper = text.uppercased().replacingOccurrences(of: "-", with: "")
        let parts = upper.split(separator: "Q", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts[0].count == 4, parts[0].allSatisfy(\.isASCII), let year = Int(parts[0]) else { return nil }
        var quarter: Int?
        if parts.count == 2 {
            guard parts[1].count == 1, let value = Int(parts[1]) else { return nil }
            quarter = value
        }
        self.init(fiscalYear: year, quarter: quarter)
    }

    public var text: String { self.quarter.map { "\(self.fiscalYear)Q\($0)" } ?? String(self.fiscalYear) }

    /// The first month (1–12) and its calendar year.
    private var startMonth: (year: Int, month: Int) {
        let offset = ((self.quarter ?? 1) - 1) * 3
        let month = 4 + offset
        return month > 12 ? (self.fiscalYear + 1, month - 12) : (self.fiscalYear, month)
    }

    /// The first instant, 00:00 JST on its first day.
    public var start: Date { Self.jst(self.startMonth.year, self.startMonth.month) }

    /// The first instant after it.
    public var end: Date {
        let (year, month) = self.startMonth
        let months = self.quarter == nil ? 12 : 3
        let total = month - 1 + months
        return Self.jst(year + total / 12, total % 12 + 1)
    }

    /// The period that contains `date` (its fiscal year, or its quarter).
    public static func containing(_ date: Date, quarterly: Bool) -> StatisticsPeriod? {
        guard let day = Instant.japaneseDay(date) else { return nil }
        let quarter = ((day.month + 8) % 12) / 3 + 1
        return StatisticsPeriod(fiscalYear: day.fiscalYear, quarter: quarterly ? quarter : nil)
    }

    /// 令和6年度 第1四半期 / FY2024 (Reiwa 6) Q1.
    public var label: LocalizedText {
        let first = Day(year: self.fiscalYear, month: 4, day: 1)!
        let era = JapaneseEra.of(first)
        let eraYear = era.map { self.fiscalYear - $0.start.year + 1 }
        let ja = era.map { "\($0.rawValue)\(eraYear == 1 ? "元" : String(eraYear!))年度" } ?? "\(self.fiscalYear)年度"
        let en = "FY\(self.fiscalYear)" + (era.map { " (\($0.romanised) \(eraYear!))" } ?? "")
        guard let quarter = self.quarter else { return LocalizedText(ja: ja + "（\(self.fiscalYear)年度）", en: en) }
        return LocalizedText(ja: ja + " 第\(quarter)四半期（\(self.fiscalYear)Q\(quarter)）", en: en + " Q\(quarter)")
    }

    private static func jst(_ year: Int, _ month: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 9 * 3600)!
        return calendar.date(from: DateComponents(year: year, month: month, day: 1))!
    }
}
