@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Failure cases: pages")
struct FailureCasePageTests {
    static func form(_ csrf: String, reports: [UUID], event: String) -> [(String, String)] {
        [
            ("_csrf", csrf), ("title_ja", "勘定系停止の事例"), ("title_en", "A core banking outage"), ("business_type", "銀行"), ("event", event),
            ("cause", "ハードウェア障害"), ("countermeasure", "冗長構成の見直し"), ("lessons", "切替手順を定期的に訓練すること"), ("tlp", "GREEN"),
        ] + reports.map { ("reports[]", $0.uuidString.lowercased()) }
    }

    @Test func fiscWritesOnThePageIsRefusedWhileItNamesABankAndPublishes() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: two banks report.
            var ids: [UUID] = []
            for email in [ReportTests.bankEmail, "pending@demo.ceptoar.example"] {
                let bank = try await APIClient.demo(app, email)
                ids.append(try bank.decode(ReportDTO.self, try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "某行"))).id)
            }
            let bankName = try #require(try await Organisation.query(on: app.db).filter(\.$key == "demo-banks-0001").first()).nameJa
            let fisc = Browser(app)
            try await fisc.signIn("fisc@demo.ceptoar.example", DemoNation.password)
            let list = try await fisc.get("/failure-cases")
            #expect(list.status == .ok && list.body.string.contains(#"data-testid="case-form""#))
            #expect(list.body.string.components(separatedBy: #"data-testid="case-report""#).count == 3)

            // act: a form with a forged report id is refused and keeps nothing.
            let forged = try await fisc.post("/failure-cases", pairs: Self.form(try fisc.csrf(from: list), reports: [], event: "x") + [("reports[]", "not-an-id")])
            #expect(forged.status == .unprocessableEntity)
            #expect(try await FailureCase.query(on: app.db).count() == 0)
            let written = try await fisc.post("/failure-cases", pairs: Self.form(try fisc.csrf(from: list), reports: ids, event: "\(bankName)で勘定系が停止"))
            #expect(written.status == .seeOther)
            let location = try #require(written.headers.first(name: .location))
            let page = try await fisc.get(location)
            #expect(page.body.string.contains(#"data-testid="publish-case""#) && page.body.string.contains("下書き"))

            // check: publishing is refused naming the event, nothing relayed; revised, it publishes.
            let refused = try await fisc.post(location + "/publish", form: ["_csrf": try fisc.csrf(from: page)])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("event") && refused.body.string.contains(#"data-testid="error""#))
            #expect(try await Advisory.query(on: app.db).filter(\.$category == "analysis").count() == 0)
            let revised = try await fisc.post(location, pairs: Self.form(try fisc.csrf(from: refused), reports: ids, event: "ある銀行で勘定系が停止"))
            #expect(revised.status == .ok && revised.body.string.contains("ある銀行で勘定系が停止"))
            let published = try await fisc.post(location + "/publish", form: ["_csrf": try fisc.csrf(from: revised)])
            #expect(published.status == .ok && published.body.string.contains(#"data-testid="case-advisory""#) && published.body.string.contains("公開済み"))
            let advisory = try #require(try await Advisory.query(on: app.db).filter(\.$category == "analysis").first())
            #expect(advisory.tlp == "GREEN")

            // A bank member reads the published case in English, with no form and no sources.
            let bank = Browser(app)
            bank.language = "en"
            try await bank.signIn(ReportTests.bankEmail, DemoNation.password)
            let read = try await bank.get(location)
            #expect(read.status == .ok && read.body.string.contains("published") && read.body.string.contains("Lessons"))
            #expect(!read.body.string.contains(#"data-testid="publish-case""#) && !read.body.string.contains("/reports/\(ids[0].uuidString.lowercased())"))
        }
    }
}
