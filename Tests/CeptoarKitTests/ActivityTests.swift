import Foundation
import Testing

@testable import CeptoarKit

@Suite("The year's activity: fiscal years, medians, the tables")
struct ActivityTests {
    @Test func fiscalYearsRunAprilToMarchAndAreNamedAsTheGovernmentNamesThem() throws {
        let fy2008 = try #require(FiscalYear(text: "2008"))
        #expect(fy2008.first.iso == "2008-04-01" && fy2008.last.iso == "2009-03-31")
        #expect(fy2008.japanese == "平成20年度" && fy2008.english == "FY2008 (Heisei 20)")
        #expect(FiscalYear(text: "FY2008") == fy2008 && FiscalYear(text: "平成20年度") == fy2008)
        #expect(FiscalYear(year: 2019)?.japanese == "令和元年度")
        #expect(FiscalYear(text: "令和元年度")?.year == 2019)
        #expect(FiscalYear.of(Day(iso: "2009-03-31")!) == fy2008 && FiscalYear.of(Day(iso: "2009-04-01")!)?.year == 2009)
        // Japan time: 2008-03-31 15:00 UTC is already April 1 in Tokyo.
        #expect(fy2008.start == ISO8601DateFormatter().date(from: "2008-03-31T15:00:00Z"))
        #expect(fy2008.end == ISO8601DateFormatter().date(from: "2009-03-31T15:00:00Z"))
        for bad in ["", "20O8", "1800", "99999999999999999999", "FY", "平成年度", "2008年", "-2008"] {
            #expect(FiscalYear(text: bad) == nil, "\(bad)")
        }
    }

    @Test func mediansAndRatesNeverTrap() {
        #expect(CeptoarActivity.median([]) == nil)
        #expect(CeptoarActivity.median([5]) == 5)
        #expect(CeptoarActivity.median([9, 1, 5]) == 5)
        #expect(CeptoarActivity.median([1, 2, 3, 10]) == 2)
        #expect(CeptoarActivity.median([3, 5]) == 4)
        #expect(CeptoarActivity.median([Int.max, Int.max]) == Int.max)
        #expect(CeptoarActivity.percent(7, of: 8) == "87.5%")
        #expect(CeptoarActivity.percent(0, of: 0) == "—")
        #expect(CeptoarActivity.duration(750, .ja) == "12分30秒" && CeptoarActivity.duration(7_260, .en) == "2 h 1 min")
        #expect(CeptoarActivity.duration(nil, .ja) == "—")
    }

    @Test func theReportRendersInEveryFormatBesideTheMap() throws {
        let map = CharacteristicsMap(seed: try SeedDocument.bundled())
        var banks = CeptoarActivity(ceptoar: "banks", name: LocalizedText(ja: "銀行等CEPTOAR", en: "Banks CEPTOAR"), sector: "finance", sectorName: LocalizedText(ja: "金融", en: "Finance"))
        banks.advisoriesReceived = 12
        banks.advisoriesRelayed = 11
        banks.medianRelaySeconds = 750
        banks.drills = 2
        banks.drillTargets = 8
        banks.drillReached = 7
        let report = ActivityReport(fiscalYear: FiscalYear(year: 2008)!, rows: [banks])
        let md = String(decoding: try MapFormat.md.render(map, activity: report, language: .ja), as: UTF8.self)
        #expect(md.contains("## 平成20年度の各セプターの活動状況") && md.contains("| 銀行等CEPTOAR | 金融 | 12 | 11 | 12分30秒 | 2 | 87.5% |"))
        let html = String(decoding: try MapFormat.html.render(map, activity: report, language: .en), as: UTF8.self)
        #expect(html.contains("activity in FY2008 (Heisei 20)") && html.hasSuffix("</table></body></html>\n"))
        let csv = try MapFormat.csv.render(map, activity: report, language: .ja)
        #expect(csv.prefix(3) == Data([0xEF, 0xBB, 0xBF]))
        #expect(String(decoding: csv, as: UTF8.self).contains("銀行等CEPTOAR,金融,12,11,12分30秒,2,87.5%"))
        let json = try JSONSerialization.jsonObject(with: try MapFormat.json.render(map, activity: report, language: .ja)) as? [String: Any]
        #expect((json?["activity"] as? [String: Any])?["fiscalYear"] != nil && json?["map"] != nil)
    }
}
