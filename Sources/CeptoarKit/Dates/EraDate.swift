import Foundation

/// A date as Japanese government documents write it (平成19年3月末, 平成19年4月, 平成21年3月31日),
/// kept beside its machine form.
///
/// The seed writes dates with month precision ("平成19年1月制定") or as the end of a month
/// ("平成19年3月末に整備"); `precision` records which, so nothing more exact is invented.
public struct EraDate: Hashable, Sendable, Codable {
    public enum Precision: String, Sendable, Codable {
        case day
        case month
    }

    /// The first day of the period the text names (the end of the month for 末).
    public let day: Day
    public let precision: Precision

    public init(day: Day, precision: Precision) {
        self.day = day
        self.precision = precision
    }

    /// ISO 8601: `YYYY-MM-DD`, or `YYYY-MM` for month precision.
    public var iso: String {
        switch self.precision {
        case .day: return self.day.iso
        case .month: return String(format: "%04d-%02d", self.day.year, self.day.month)
        }
    }

    /// Parses ISO `YYYY-MM-DD` or `YYYY-MM`.
    public init?(iso: String) {
        if let day = Day(iso: iso) {
            self.init(day: day, precision: .day)
        } else if let day = Day(iso: iso + "-01") {
            self.init(day: day, precision: .month)
        } else {
            return nil
        }
    }

    /// Finds the first era date in a text: `平成19年3月末`, `平成19年4月`, `令和元年5月1日`.
    /// 末 (end of month) gives the month's last day with day precision.
    public init?(japanese text: String) {
        let pattern = #"(明治|大正|昭和|平成|令和)(元|[0-9０-９]+)年([0-9０-９]+)月(末|([0-9０-９]+)日)?"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ i: Int) -> String? {
            guard let range = Range(match.range(at: i), in: text) else { return nil }
            return String(text[range])
        }
        guard let eraName = group(1), let era = JapaneseEra(rawValue: eraName),
            let yearText = group(2), let monthText = group(3),
            let month = Int(Self.halfWidth(monthText))
        else { return nil }
        let eraYear = yearText == "元" ? 1 : Int(Self.halfWidth(yearText)) ?? 0
        // Bounded before the addition: 平成9223372036854775807年 in a file must not trap. No era
        // has lasted 100 years (昭和 ran to 64).
        guard (1...99).contains(eraYear) else { return nil }
        let year = era.gregorianYear(eraYear)
        if group(4) == "末" {
            guard let day = Day.endOfMonth(year: year, month: month) else { return nil }
            self.init(day: day, precision: .day)
        } else if let dayText = group(5) {
            guard let d = Int(Self.halfWidth(dayText)), let day = Day(year: year, month: month, day: d)
            else { return nil }
            self.init(day: day, precision: .day)
        } else {
            guard let day = Day(year: year, month: month, day: 1) else { return nil }
            self.init(day: day, precision: .month)
        }
        // An era date before its era began (平成1年1月1日) is not a real date.
        guard JapaneseEra.of(self.day) == era || self.precision == .month else { return nil }
    }

    /// The Japanese era form: 平成19年3月 (month) or 平成21年3月31日 (day); 元年 for year one.
    public var japanese: String {
        guard let era = JapaneseEra.of(self.day) else { return self.iso }
        let eraYear = self.day.year - era.start.year + 1
        let yearText = eraYear == 1 ? "元" : String(eraYear)
        switch self.precision {
        case .month: return "\(era.rawValue)\(yearText)年\(self.day.month)月"
        case .day: return "\(era.rawValue)\(yearText)年\(self.day.month)月\(self.day.day)日"
        }
    }

    /// An English form with the era: "Heisei 19 (2007-03)".
    public var englishEra: String {
        guard JapaneseEra.of(self.day) != nil else { return self.iso }
        return "\(self.englishEraYear) (\(self.iso))"
    }

    /// The era year alone, in English: "Heisei 19", "Reiwa 1".
    public var englishEraYear: String {
        guard let era = JapaneseEra.of(self.day) else { return String(self.day.year) }
        return "\(era.romanised) \(self.day.year - era.start.year + 1)"
    }

    private static func halfWidth(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar -> Character in
            if (0xFF10...0xFF19).contains(scalar.value) {
                return Character(UnicodeScalar(scalar.value - 0xFF10 + 0x30)!)
            }
            return Character(scalar)
        })
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = EraDate(iso: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an ISO date or month: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.iso)
    }
}
