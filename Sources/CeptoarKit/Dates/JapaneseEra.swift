/// Japanese imperial eras (元号) used in government documents, newest last.
public enum JapaneseEra: String, CaseIterable, Sendable {
    case meiji = "明治"
    case taisho = "大正"
    case showa = "昭和"
    case heisei = "平成"
    case reiwa = "令和"

    /// The first day of the era.
    public var start: Day {
        switch self {
        case .meiji: return Day(year: 1868, month: 1, day: 25)!
        case .taisho: return Day(year: 1912, month: 7, day: 30)!
        case .showa: return Day(year: 1926, month: 12, day: 25)!
        case .heisei: return Day(year: 1989, month: 1, day: 8)!
        case .reiwa: return Day(year: 2019, month: 5, day: 1)!
        }
    }

    /// The romanised name, for English text.
    public var romanised: String {
        switch self {
        case .meiji: return "Meiji"
        case .taisho: return "Taisho"
        case .showa: return "Showa"
        case .heisei: return "Heisei"
        case .reiwa: return "Reiwa"
        }
    }

    /// The era a day belongs to, or nil before Meiji.
    public static func of(_ day: Day) -> JapaneseEra? {
        self.allCases.last { $0.start <= day }
    }

    /// The Gregorian year of the era's year N (元年 is 1).
    public func gregorianYear(_ eraYear: Int) -> Int { self.start.year + eraYear - 1 }
}
