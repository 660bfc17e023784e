import Foundation
import Testing

@testable import CeptoarKit

@Suite("Report statistics: fiscal periods and small-cell suppression")
struct ReportStatisticsTests {
    /// Every table consistent with what is shown, by brute force over the hidden inner cells:
    /// for each hidden cell (totals included), the values it takes across them.
    static func possibleValues(_ table: SmallCellSuppression, limit: Int) -> [SmallCellSuppression.Cell: Set<Int>] {
        let rows = table.rowCount
        let columns = table.columnCount
        let hiddenInner = table.hidden.filter { $0.row < rows && $0.column < columns }.sorted()
        var result: [SmallCellSuppression.Cell: Set<Int>] = [:]
        var counts = table.counts
        func consistent() -> Bool {
            for r in 0...rows {
                for c in 0...columns {
                    let cell = SmallCellSuppression.Cell(r, c)
                    let value = SmallCellSuppression.value(cell, in: counts)
                    switch table.shown(cell) {
                    case .value(let shown): if value != shown { return false }
                    case .small: if !(1..<table.k).contains(value) { return false }
                    case .hidden: if value < 0 { return false }
                    }
                }
            }
            return true
        }
        func fill(_ index: Int) {
            guard index < hiddenInner.count else {
                if consistent() {
                    for cell in table.hidden { result[cell, default: []].insert(SmallCellSuppression.value(cell, in: counts)) }
                }
                return
            }
            let cell = hiddenInner[index]
            for value in 0...limit {
                counts[cell.row][cell.column] = value
                fill(index + 1)
            }
        }
        fill(0)
        return result
    }

    @Test func aCellOfTwoIsHiddenAndNoHiddenCellCanBeWorkedOutFromTheTotals() {
        // One cell of 2 among larger ones: hiding it alone would let its row total give it away.
        let counts = [[2, 8, 6], [7, 9, 5], [6, 7, 10]]
        let table = SmallCellSuppression(counts: counts, k: 5)
        #expect(table.primary == [SmallCellSuppression.Cell(0, 0)])
        #expect(table.shown(.init(0, 0)) == .small)
        #expect(table.complementary.count >= 3, "\(table.complementary.sorted())")
        // Totals stay shown where they can: the grand total is 60.
        #expect(table.shown(.init(3, 3)) == .value(60))
        let possible = Self.possibleValues(table, limit: 20)
        for cell in table.hidden {
            #expect((possible[cell]?.count ?? 0) >= 2, "cell \(cell) is determined: \(possible[cell] ?? [])")
        }
        // The truth is among the possibilities (the brute force is right).
        #expect(possible[.init(0, 0)]?.contains(2) == true)
    }

    @Test func smallTotalsAndZerosAreHandled() {
        // A row whose total is under k, zeros that need no hiding, a column of small cells.
        let counts = [[0, 3, 0], [0, 1, 12], [9, 2, 8], [0, 0, 0]]
        let table = SmallCellSuppression(counts: counts, k: 5)
        #expect(table.shown(.init(0, 0)) == .value(0))
        #expect(table.shown(.init(0, 3)) == .small)
        #expect(table.primary.contains(.init(1, 1)) && table.primary.contains(.init(2, 1)) && table.primary.contains(.init(0, 1)))
        let possible = Self.possibleValues(table, limit: 16)
        for cell in table.hidden {
            #expect((possible[cell]?.count ?? 0) >= 2, "cell \(cell) is determined: \(possible[cell] ?? [])")
        }
        // Nothing under k: nothing hidden.
        #expect(SmallCellSuppression(counts: [[5, 0], [7, 9]], k: 5).hidden.isEmpty)
    }

    @Test func fiscalPeriodsRunAprilToMarchInJapanTime() throws {
        let year = try #require(StatisticsPeriod("2024"))
        #expect(year.start == Instant.date("2024-04-01T00:00:00+09:00") && year.end == Instant.date("2025-04-01T00:00:00+09:00"))
        let q4 = try #require(StatisticsPeriod("2024q4"))
        #expect(q4.start == Instant.date("2025-01-01T00:00:00+09:00") && q4.end == Instant.date("2025-04-01T00:00:00+09:00"))
        #expect(StatisticsPeriod("2024-Q1")?.end == Instant.date("2024-07-01T00:00:00+09:00"))
        #expect(year.label.ja == "令和6年度（2024年度）" && q4.label.text(.en) == "FY2024 (Reiwa 6) Q4")
        #expect(StatisticsPeriod("2008")?.label.ja == "平成20年度（2008年度）")
        for bad in ["", "24", "2024Q5", "2024Q0", "abcd", "20245", "1999", "2024QQ1", "２０２４"] { #expect(StatisticsPeriod(bad) == nil, "\(bad)") }
        // 31 March 23:59 JST is still the old year; 1 April 00:00 JST the new one.
        #expect(StatisticsPeriod.containing(try #require(Instant.date("2025-03-31T23:59:59+09:00")), quarterly: true) == StatisticsPeriod(fiscalYear: 2024, quarter: 4))
        #expect(StatisticsPeriod.containing(try #require(Instant.date("2025-03-31T15:00:00Z")), quarterly: false) == StatisticsPeriod(fiscalYear: 2025))
    }
}
