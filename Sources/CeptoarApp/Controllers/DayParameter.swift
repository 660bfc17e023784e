import CeptoarKit
import Vapor

extension Request {
    /// Reads a date query parameter; a missing one gives `fallback`, an impossible one a 400.
    func day(_ name: String, default fallback: Day) throws -> Day {
        guard let text = self.query[String.self, at: name], !text.isEmpty else { return fallback }
        guard let day = Day(iso: text) else {
            throw UserError.badRequest(
                ja: "\(name) の日付が正しくありません: \(text)（YYYY-MM-DD、1868年〜9999年で指定してください）",
                en: "\(name) is not a valid date: '\(text)' (use YYYY-MM-DD, years 1868 to 9999)")
        }
        return day
    }

    /// The day the map shows when none is asked for: the seed's as-of date (2009-03-31).
    static var defaultMapDay: Day { (try? SeedDocument.bundled().source.asOf.date) ?? Day(year: 2009, month: 3, day: 31)! }
}
