import Foundation
import Testing

@testable import CeptoarKit

@Suite("Rendering the characteristics map")
struct MapRenderingTests {
    let map: CharacteristicsMap

    init() throws {
        self.map = CharacteristicsMap(seed: try SeedDocument.bundled())
    }

    @Test func mergesCellsAsNISCsTableDoes() {
        // act
        let sector = MapRow.sector.spans(self.map.columns, .ja).map { "\($0.text)×\($0.span)" }
        let name = MapRow.name.spans(self.map.columns, .ja).map(\.span)
        let established = MapRow.established.spans(self.map.columns, .ja).map { "\($0.text)×\($0.span)" }
        let rules = MapRow.rules.spans(self.map.columns, .ja).map(\.span)
        // check
        #expect(sector.prefix(3) == ["情報通信×2", "金融×4", "航空×1"])
        #expect(name == [1, 1, 4, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(established == ["平成19年3月末に整備×11", "平成20年3月末に整備×3"])
        // Equal neighbouring rule dates stay separate cells, as in the source.
        #expect(rules == Array(repeating: 1, count: 14))
    }

    @Test func htmlShowsEraAndISODatesAndSpans() {
        let html = self.map.htmlTable(.ja)
        #expect(html.contains(#"<td colspan="4" data-ceptoar="banks">金融CEPTOAR連絡協議会</td>"#))
        #expect(html.contains(#"平成19年3月末に整備 <time datetime="2007-03-31">2007-03-31</time>"#))
        #expect(html.contains("平成21年3月31日現在 (2009-03-31)"))
        let english = self.map.htmlTable(.en)
        #expect(english.contains("Critical infrastructure sector"))
        #expect(english.contains("Finance CEPTOAR Liaison Council"))
        #expect(english.contains(#"Set up by Heisei 19 <time datetime="2007-03-31">2007-03-31</time>"#))
    }

    @Test func htmlEscapesEveryCell() {
        var hostile = self.map
        hostile.columns[0].features = LocalizedText(ja: #"<script>alert("x")</script>"#)
        let html = hostile.htmlTable(.ja)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
    }

    @Test func csvOpensInExcel() throws {
        // act
        let data = self.map.csv(.ja)
        // check: BOM, CRLF, one header and one line per CEPTOAR, quoting of commas
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = try #require(String(data: data.dropFirst(3), encoding: .utf8))
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 15)
        #expect(lines[0].hasPrefix("番号,キー,重要インフラ分野"))
        #expect(lines[3].contains(#""1,738社 (銀行、信用金庫、信用組合、労金、商工中金、農協等)",1738"#))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
    }

    @Test func csvDefusesFormulas() {
        #expect(CSV.field("=HYPERLINK(\"x\")") == #""'=HYPERLINK(""x"")""#)
        #expect(CSV.field("+1") == "'+1")
        #expect(CSV.field("plain") == "plain")
    }

    @Test func markdownAndJSONCarryEveryColumn() throws {
        let md = self.map.markdown(.ja)
        #expect(md.contains("| 名称 | T-CEPTOAR | 放送における情報共有体制 | 金融CEPTOAR連絡協議会 |"))
        let decoded = try JSONDecoder().decode(CharacteristicsMap.self, from: try self.map.json())
        #expect(decoded == self.map)
    }

    @Test func unknownFormatsAreNamed() {
        #expect(throws: MapFormatError.unknown("pdf")) { try MapFormat.parse("pdf") }
        #expect((try? MapFormat.parse("CSV")) == .csv)
        #expect("\(MapFormatError.unknown("pdf"))".contains("html, csv, json, md"))
    }
}

@Suite("Map differences")
struct MapDiffTests {
    @Test func listsAddedRemovedAndChangedCeptoars() throws {
        // setup
        let before = CharacteristicsMap(seed: try SeedDocument.bundled())
        var after = before
        after.asOf = Day(year: 2015, month: 4, day: 1)!
        after.columns.removeLast()  // logistics retired
        after.columns[0].memberCount = 30
        after.columns[0].members = LocalizedText(ja: "30社・団体")
        var chemicals = after.columns[1]
        chemicals.ceptoarKey = "chemicals"
        chemicals.name = LocalizedText(ja: "化学CEPTOAR")
        after.columns.append(chemicals)
        // act
        let diff = MapDiff(from: before, to: after)
        // check
        #expect(diff.changes.map(\.kind) == [.removed, .changed, .added])
        #expect(diff.changes[1].cells.map(\.row) == [.members])
        #expect(diff.text(.ja).contains("+ 追加 化学CEPTOAR [chemicals]"))
        #expect(MapDiff(from: before, to: before).changes.isEmpty)
        #expect(MapDiff(from: before, to: before).text(.en).contains("no changes"))
    }
}

@Suite("Registry change files")
struct RegistryChangeTests {
    @Test func refusesIncompleteChanges() {
        let missingMinistry = #"{"changes":[{"op":"addSector","effective":"2015-04-01","key":"chemicals","name":{"ja":"化学"}}]}"#
        #expect(throws: SeedError.self) { try RegistryChangeSet.decode(Data(missingMinistry.utf8)) }
        let badDate = #"{"changes":[{"op":"retireCeptoar","effective":"2015-02-30","key":"gas"}]}"#
        #expect {
            try RegistryChangeSet.decode(Data(badDate.utf8))
        } throws: { "\($0)".contains("2015-02-30") }
        let unknownOp = #"{"changes":[{"op":"explode","effective":"2015-04-01","key":"gas"}]}"#
        #expect(throws: SeedError.self) { try RegistryChangeSet.decode(Data(unknownOp.utf8)) }
        #expect(throws: SeedError.self) { try RegistryChangeSet.decode(Data(#"{"changes":[]}"#.utf8)) }
    }

    @Test func acceptsTheLaterHistoryExample() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/registry-2015.json")
        let set = try RegistryChangeSet.decode(try Data(contentsOf: url))
        #expect(set.changes.contains { $0.op == .addSector && $0.key == "chemicals" })
    }
}
