@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Incident reports: pages")
struct ReportPageTests {
    static func form(_ csrf: String, _ extra: [String: String] = [:]) -> [String: String] {
        var form = [
            "_csrf": csrf, "ceptoar": "banks", "summary_ja": "勘定系システムが停止", "affected_service": "勘定系", "detected_at": "2026-12-06T09:00",
            "event_type": "unavailability", "cause_unintentional.hardware": "1", "sla_breached": "yes", "impact_service": "3", "impact_safety": "0",
            "impact_trust": "1", "observables": "cve CVE-2024-3400\nproduct 勘定系サーバ", "tlp": "AMBER", "attribution": "anonymised",
        ]
        form.merge(extra) { _, new in new }
        return form
    }

    @Test func aMemberFilesOnThePageAndTheSecretariatReturnsAndForwardsIt() async throws {
        try await withCeptoar(demo: true) { app in
            // setup
            let bank = Browser(app)
            try await bank.signIn(ReportTests.bankEmail, DemoNation.password)
            let list = try await bank.get("/reports")
            #expect(list.status == .ok && list.body.string.contains(#"data-testid="report-form""#))
            #expect(list.body.string.contains("第一報を提出する"))

            // act: a form missing the service and the impact names both, keeps the text, stores nothing.
            let bad = try await bank.post("/reports", form: Self.form(try bank.csrf(from: list), ["affected_service": "", "impact_trust": "9", "observables": "ip 999.1.1.1"]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("影響を受けたサービス") && bad.body.string.contains("勘定系システムが停止"))
            #expect(try await IncidentReport.query(on: app.db).count() == 0)
            let filed = try await bank.post("/reports", form: Self.form(try bank.csrf(from: list)))
            #expect(filed.status == .seeOther)
            let location = try #require(filed.headers.first(name: .location))
            let page = try await bank.get(location)

            // check: the reporter's page shows the stages, the form for the next one, who has read it.
            let html = page.body.string
            #expect(html.contains("勘定系システムが停止") && html.contains(#"data-testid="stage-form""#) && html.contains(#"data-testid="readers""#))
            #expect(html.contains(#"data-testid="timeliness-first""#) && !html.contains(#"data-testid="forward-report""#))
            let report = try #require(try await IncidentReport.query(on: app.db).first())
            #expect(report.severity == 3 && report.causes.contains("unintentional.hardware") && report.detectedAt == Instant.date("2026-12-06T09:00:00+09:00"))

            // Another bank's member gets a refusal, not the report.
            let other = Browser(app)
            try await other.signIn("pending@demo.ceptoar.example", DemoNation.password)
            let denied = try await other.get(location)
            #expect(denied.status == .forbidden && !denied.body.string.contains("勘定系システムが停止"))

            // The banks' secretariat returns the first report, then forwards it; English works too.
            let secretariat = Browser(app)
            secretariat.language = "en"
            try await secretariat.signIn("banks-secretariat@demo.ceptoar.example", DemoNation.password)
            let seen = try await secretariat.get(location)
            #expect(seen.body.string.contains(#"data-testid="return-first""#) && seen.body.string.contains(#"data-testid="forward-report""#))
            #expect(seen.body.string.contains("Stages and deadlines") && seen.body.string.contains("Related"))
            let returned = try await secretariat.post(location + "/stages/first/return", form: ["_csrf": try secretariat.csrf(from: seen), "comment": "原因を書いてください"])
            #expect(returned.status == .ok && returned.body.string.contains("needs revision"))
            let forwarded = try await secretariat.post(location + "/forward", form: ["_csrf": try secretariat.csrf(from: seen), "note": "第一報"])
            #expect(forwarded.status == .ok && !forwarded.body.string.contains(#"data-testid="forward-report""#))
            let again = try await secretariat.post(location + "/forward", form: ["_csrf": try secretariat.csrf(from: seen)])
            #expect(again.status == .conflict && again.body.string.contains(#"data-testid="error""#))

            // The reporter answers the return with a new version from the page.
            let reopened = try await bank.get(location)
            #expect(reopened.body.string.contains("原因を書いてください"))
            let revised = try await bank.post(location + "/stages", form: Self.form(try bank.csrf(from: reopened), ["stage": "first", "cause_other": "1"]))
            #expect(revised.status == .ok && revised.body.string.contains(#"data-testid="notice""#))
            #expect(try await ReportStageRecord.query(on: app.db).count() == 2)

            // 金融庁 reads it anonymised on its page.
            let fsa = Browser(app)
            try await fsa.signIn("fsa@demo.ceptoar.example", DemoNation.password)
            let anonymous = try await fsa.get(location)
            let bankName = try #require(try await Organisation.query(on: app.db).filter(\.$key == "demo-banks-0001").first()).nameJa
            #expect(anonymous.status == .ok && anonymous.body.string.contains("匿名化されています") && !anonymous.body.string.contains(bankName))
        }
    }
}
