import Testing

@testable import CeptoarKit

@Suite("Japanese era dates")
struct EraDateTests {
    @Test(arguments: [
        ("平成19年3月末に整備", "2007-03-31", EraDate.Precision.day),
        ("平成19年4月より運用開始", "2007-04", .month),
        ("平成18年9月制定", "2006-09", .month),
        ("平成21年3月末日現在", "2009-03-31", .day),
        ("令和元年5月1日", "2019-05-01", .day),
        ("平成２０年３月末", "2008-03-31", .day),
        ("平成20年2月末", "2008-02-29", .day),
    ])
    func parsesTheSeedsWording(text: String, iso: String, precision: EraDate.Precision) throws {
        // act
        let date = try #require(EraDate(japanese: text))
        // check
        #expect(date.iso == iso)
        #expect(date.precision == precision)
    }

    @Test(arguments: ["平成21年2月30日", "平成21年13月", "平成0年1月", "2009年3月", "", "令和1年4月30日"])
    func refusesImpossibleEraDates(text: String) {
        #expect(EraDate(japanese: text) == nil)
    }

    @Test func formatsInTheEraOfTheDay() throws {
        #expect(EraDate(day: Day(year: 2009, month: 3, day: 31)!, precision: .day).japanese == "平成21年3月31日")
        #expect(EraDate(day: Day(year: 2007, month: 3, day: 1)!, precision: .month).japanese == "平成19年3月")
        #expect(EraDate(day: Day(year: 2019, month: 4, day: 30)!, precision: .day).japanese == "平成31年4月30日")
        #expect(EraDate(day: Day(year: 2019, month: 5, day: 1)!, precision: .day).japanese == "令和元年5月1日")
        #expect(EraDate(day: Day(year: 1989, month: 1, day: 7)!, precision: .day).japanese == "昭和64年1月7日")
        #expect(EraDate(day: Day(year: 2026, month: 11, day: 26)!, precision: .day).englishEra == "Reiwa 8 (2026-11-26)")
    }

    @Test func roundTripsThroughISOText() throws {
        let month = try #require(EraDate(iso: "2007-01"))
        #expect(month.precision == .month)
        #expect(month.japanese == "平成19年1月")
        let day = try #require(EraDate(iso: "2007-03-31"))
        #expect(day.precision == .day)
        #expect(EraDate(iso: "2007-13") == nil)
        #expect(EraDate(iso: "March 2007") == nil)
    }
}

@Suite("Calendar days")
struct DayTests {
    @Test(arguments: ["2009-02-30", "2009-02-29", "1900-02-29", "2009-13-01", "2009-00-10", "2009-3-31", "20090331", "2009-03-31T00:00", "２００９-03-31", ""])
    func refusesImpossibleOrMalformedDates(text: String) {
        #expect(Day(iso: text) == nil)
    }

    @Test func acceptsLeapDaysAndOrders() throws {
        #expect(Day(iso: "2008-02-29") != nil)
        #expect(Day(iso: "2000-02-29") != nil)
        let a = try #require(Day(iso: "2008-03-31"))
        let b = try #require(Day(iso: "2009-03-31"))
        #expect(a < b)
        // The text sorts like the date: the registry relies on this in SQL.
        #expect(a.iso < b.iso)
        #expect(b.fiscalYear == 2008)
        #expect(Day(iso: "2009-04-01")!.fiscalYear == 2009)
    }
}

@Suite("Numbers in text")
struct NumberTextTests {
    @Test(arguments: [(0, "0"), (999, "999"), (1_000, "1,000"), (5_692, "5,692"), (1_000_000, "1,000,000"), (-1_393, "-1,393")])
    func groupsThousands(value: Int, text: String) {
        #expect(value.groupedThousands == text)
    }
}
