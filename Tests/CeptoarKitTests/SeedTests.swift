import Foundation
import Testing

@testable import CeptoarKit

/// The 2009 table in the original seed text, merged cells filled in from the left, then the
/// documented resolutions applied: what every cell of the map must show.
func expectedGridFromSourceText(_ seed: SeedDocument) throws -> [[String]] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/seed-2009-source.txt")
    let text = try String(contentsOf: url, encoding: .utf8)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let first = lines.firstIndex(where: { $0.hasPrefix("重要インフラ分野\t") }) else {
        throw SeedError.invalid("no table in the source text")
    }
    var grid: [[String]] = []
    for line in lines[first..<(first + 10)] {
        var cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let label = cells.removeFirst()
        var filled: [String] = []
        for cell in cells { filled.append(cell.isEmpty ? (filled.last ?? "") : cell) }
        if let resolution = seed.resolutions.first(where: { $0.row == label }) {
            // The row's distinct values, in order, fill the spans the narrative gives.
            let values = cells.filter { !$0.isEmpty }
            for (index, span) in resolution.spans.enumerated() {
                for column in span[0]...span[1] { filled[column - 1] = values[index] }
            }
        }
        grid.append([label] + filled)
    }
    return grid
}

@Suite("The 2009 seed")
struct SeedTests {
    @Test func holdsAllFourteenCeptoarsAndTheNationsMembers() throws {
        // act
        let seed = try SeedDocument.bundled()
        // check
        #expect(seed.ceptoars.count == 14)
        #expect(seed.sectors.count == 10)
        #expect(seed.totalMembers == 5_692)
        #expect(seed.source.asOf.date == Day(year: 2009, month: 3, day: 31))
        #expect(seed.ceptoars.filter { $0.umbrella == "finance-council" }.count == 4)
    }

    @Test func everyCellMatchesTheSourceTable() throws {
        // setup
        let seed = try SeedDocument.bundled()
        let map = CharacteristicsMap(seed: seed)
        // act
        let grid = map.grid(.ja)
        // check: cell for cell, the Japanese exactly as written
        let expected = try expectedGridFromSourceText(seed)
        #expect(grid.count == expected.count)
        for (row, (actual, wanted)) in zip(grid, expected).enumerated() {
            #expect(actual.count == 15, "row \(row)")
            for (column, (a, w)) in zip(actual, wanted).enumerated() {
                #expect(a == w, "row \(wanted[0]) column \(column)")
            }
        }
    }

    @Test func resolvesMergedCellsAgainstTheNarrative() throws {
        let seed = try SeedDocument.bundled()
        let local = try #require(seed.ceptoars.first { $0.key == "local-government" })
        // 自治体CEPTOAR belongs to the seven existing sectors (April 2007), not the 2008 three.
        #expect(local.established.date.iso == "2007-03-31")
        #expect(local.poc.date.iso == "2007-04")
        let newOnes = seed.ceptoars.filter { $0.established.date.iso == "2008-03-31" }.map(\.key)
        #expect(newOnes == ["medical", "water", "logistics"])
    }

    @Test func machineDatesAgreeWithTheEraText() throws {
        for ceptoar in try SeedDocument.bundled().ceptoars {
            for cell in [ceptoar.established, ceptoar.poc, ceptoar.rules] {
                #expect(EraDate(japanese: cell.text) == cell.date, "\(ceptoar.key): \(cell.text)")
            }
        }
    }

    @Test func keepsTheOverviewSheetAndSubGroups() throws {
        let seed = try SeedDocument.bundled()
        let t = try #require(seed.ceptoars.first)
        #expect(t.groups?.map(\.code) == ["運営委員会", "SG1", "SG2", "SG3", "SG4"])
        #expect(t.overviews?.first?.name == "(電気通信) T-CEPTOAR")
        #expect(t.overviews?.first?.body.contains("T-CEPTOAR運営委員会の設置") == true)
    }

    @Test func aSeedThatDoesNotParseNamesWhere() {
        let broken = Data(#"{"source": {"file": 3}}"#.utf8)
        #expect {
            try SeedDocument.decode(broken, name: "broken.json")
        } throws: { error in
            guard case SeedError.unparsable(let file, let detail) = error else { return false }
            return file == "broken.json" && detail.contains("source")
        }
        #expect(throws: SeedError.self) { try SeedDocument.decode(Data("not json".utf8)) }
    }

    @Test func aSeedWithDanglingReferencesIsRefused() throws {
        let url = try #require(Bundle.module.url(forResource: "map-2009", withExtension: "json", subdirectory: "seed"))
        var json = try String(contentsOf: url, encoding: .utf8)
        json = json.replacingOccurrences(of: #""sector": "water""#, with: #""sector": "no-such-sector""#)
        #expect(throws: SeedError.invalid("CEPTOAR 'water' names unknown sector 'no-such-sector'")) {
            try SeedDocument.decode(Data(json.utf8))
        }
    }
}

