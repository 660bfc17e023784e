@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("The characteristics map from the registry")
struct MapAPITests {
    @Test func mapAsOfTheSeedDayMatchesTheSeedCellForCell() async throws {
        try await withCeptoar { app in
            // act
            let response = try await app.testing().sendRequest(.GET, "/api/v1/map?as_of=2009-03-31")
            // check
            #expect(response.status == .ok)
            let map = try JSONDecoder().decode(CharacteristicsMap.self, from: Data(buffer: response.body))
            let expected = CharacteristicsMap(seed: try SeedDocument.bundled())
            #expect(map.columns.count == 14)
            #expect(map.grid(.ja) == expected.grid(.ja))
            #expect(map.grid(.en) == expected.grid(.en))
            #expect(map.memberCount == 5_692)
        }
    }

    @Test func mapRemembersWhenEachCeptoarBegan() async throws {
        try await withCeptoar { app in
            let query = MapQuery(database: app.db)
            // Before the first CEPTOARs, in the seven existing sectors' first year, and after the new three.
            #expect(try await query.map(asOf: Day(iso: "2007-03-30")!).columns.isEmpty)
            let first = try await query.map(asOf: Day(iso: "2007-03-31")!)
            #expect(first.columns.count == 11)
            #expect(first.sectorCount == 7)
            #expect(try await query.map(asOf: Day(iso: "2008-03-31")!).columns.count == 14)
        }
    }

    @Test func impossibleDatesAreA400WithProblemJSON() async throws {
        try await withCeptoar(seeded: false) { app in
            for path in ["/api/v1/map?as_of=2009-02-30", "/api/v1/map?as_of=yesterday", "/api/v1/map/diff?from=2009-03-31"] {
                let response = try await app.testing().sendRequest(.GET, path, headers: english)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
                let problem = try JSONDecoder().decode(Problem.self, from: Data(buffer: response.body))
                #expect(problem.status == 400)
                #expect(!problem.detail.isEmpty)
            }
            let japanese = try await app.testing().sendRequest(.GET, "/api/v1/map?as_of=2009-02-30", headers: ["Accept-Language": "ja"])
            #expect(japanese.body.string.contains("日付が正しくありません"))
        }
    }

    @Test func mapPageShowsTheTableInBothLanguages() async throws {
        try await withCeptoar { app in
            let browser = Browser(app)
            let ja = try await browser.get("/map?as_of=2009-03-31")
            #expect(ja.status == .ok)
            #expect(ja.body.string.contains(#"<td colspan="4" data-ceptoar="banks">金融CEPTOAR連絡協議会</td>"#))
            #expect(ja.body.string.contains("平成21年3月31日現在"))
            browser.language = "en"
            let en = try await browser.get("/map?as_of=2009-03-31&lang=en")
            #expect(en.body.string.contains("Finance CEPTOAR Liaison Council"))
            #expect(en.body.string.contains(#"<html lang="en">"#))
            let csv = try await browser.get("/map/export?format=csv&as_of=2009-03-31")
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
            #expect(Array(Data(buffer: csv.body).prefix(3)) == [0xEF, 0xBB, 0xBF])
            let bad = try await browser.get("/map/export?format=pdf")
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("unknown format &#39;pdf&#39;; use one of: html, csv, json, md"))
            browser.language = "ja"
            let badJa = try await browser.get("/map/export?format=pdf")
            #expect(badJa.body.string.contains("不明な形式です"))
        }
    }

    @Test func pagesAreJapaneseFirstAndEnglishByChoice() async throws {
        try await withCeptoar { app in
            let plain = try await app.testing().sendRequest(.GET, "/map", headers: ["Accept": "text/html", "Accept-Language": "en-US"])
            #expect(plain.body.string.contains(#"<html lang="ja">"#))
            let switched = try await app.testing().sendRequest(.GET, "/lang/en?back=/map")
            #expect(switched.status == .seeOther)
            #expect(switched.headers.first(name: .location) == "/map")
            #expect(switched.headers.setCookie?["lang"]?.string == "en")
            let offsite = try await app.testing().sendRequest(.GET, "/lang/en?back=//evil.example/")
            #expect(offsite.headers.first(name: .location) == "/")
            // The API follows Accept-Language.
            let api = try await app.testing().sendRequest(.GET, "/api/v1/map?as_of=x", headers: ["Accept-Language": "en"])
            #expect(api.body.string.contains("is not a valid date"))
        }
    }
}

@Suite("A CEPTOAR's own page")
struct CeptoarPageTests {
    @Test func showsSheetGroupsOverviewAndHistory() async throws {
        try await withCeptoar(demo: true) { app in
            let browser = Browser(app)
            let page = try await browser.get("/ceptoars/t-ceptoar?as_of=2009-03-31")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("T-CEPTOAR運営委員会"))
            #expect(html.components(separatedBy: #"data-testid="group""#).count - 1 == 5)
            #expect(html.contains("平成20年度"))
            #expect(html.contains("(電気通信) T-CEPTOAR"))
            #expect(html.contains(#"<td data-testid="registered-members">29</td>"#))
            // The overview's own <p> markers become paragraphs; nothing of it is raw HTML.
            #expect(html.contains("&lt;平成20年度の活動状況等を可能な範囲内で、記載&gt;"))
            let api = try await app.testing().sendRequest(.GET, "/api/v1/ceptoars/banks?as_of=2009-03-31")
            #expect(api.status == .ok)
            #expect(api.body.string.contains("銀行等CEPTOAR"))
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/ceptoars/banks?as_of=2006-01-01").status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/ceptoars/nope").status == .notFound)
        }
    }
}
