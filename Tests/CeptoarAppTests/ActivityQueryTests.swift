@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

/// The year's activity counted from what happened, exercises left out.
@Suite("The year's activity per CEPTOAR")
struct ActivityQueryTests {
    @Test func theYearCountsWhatHappenedAndNoExercise() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let banks = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            // Two advisories reach the banks' hop: one is forwarded after review, one withheld;
            // a third is marked exercise and never counted.
            for _ in 0..<3 {
                _ = try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "medium", targets: [("ceptoar", "banks")]))
                for hop in try fsa.decode([HopDTO].self, try await fsa.send(.GET, "/api/v1/hops")) {
                    _ = try await fsa.send(.POST, "/api/v1/hops/\(hop.id)/forward")
                }
            }
            let held = try banks.decode([HopDTO].self, try await banks.send(.GET, "/api/v1/hops"))
            #expect(held.count == 3)
            _ = try await banks.send(.POST, "/api/v1/hops/\(held[0].id)/forward")
            _ = try await banks.send(.POST, "/api/v1/hops/\(held[1].id)/withhold", json: ["reason": "対象外"])
            try await (app.db as! any SQLDatabase).raw("UPDATE advisories SET exercise = \(bind: true) WHERE id = \(bind: held[2].advisoryID)").run()
            // The T-CEPTOAR secretariat drills its 29 members; one acknowledges.
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let drill = try secretariat.decode(AlertTests.Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: AlertTests.drill()))
            _ = try await (try await APIClient.demo(app, "member@demo.ceptoar.example")).send(.POST, "/api/v1/alerts/\(drill.alert.id)/ack")
            // Two real reports from a bank, one marked exercise.
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            var ids: [UUID] = []
            for _ in 0..<3 { ids.append(try bank.decode(ReportDTO.self, try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "デモ銀行"))).id) }
            try await (app.db as! any SQLDatabase).raw("UPDATE incident_reports SET exercise = \(bind: true) WHERE id = \(bind: ids[2])").run()
            _ = try await banks.send(.POST, "/api/v1/situation", json: SituationAPITests.input("ceptoar:banks", "caution", links: [SituationLink(kind: "report", id: ids[0])]))

            let map = try await MapQuery(database: app.db).map(asOf: .today)
            let year = try #require(FiscalYear.of(.today))
            let report = try await ActivityQuery(database: app.db).report(year, for: map.columns)
            #expect(report.rows.map(\.ceptoar) == map.columns.map(\.ceptoarKey))
            let row = try #require(report.rows.first { $0.ceptoar == "banks" })
            #expect(row.advisoriesReceived == 3, "the situation notice reached the banks' hop too")
            #expect(row.advisoriesRelayed == 2)
            #expect(row.medianRelaySeconds != nil)
            #expect(row.reportsFirst == 2 && row.reportsFollowUp == 0 && row.stagesOnTime == 2 && row.stagesLate == 0)
            #expect(row.situationChanges == 1)
            let telecom = try #require(report.rows.first { $0.ceptoar == "t-ceptoar" })
            #expect(telecom.drills == 1 && telecom.drillTargets == 29 && telecom.drillReached == 1 && telecom.reachRate == "3.4%")
            #expect(telecom.reports == 0 && telecom.advisoriesReceived == 0)
            // Another year has none of it.
            let before = try await ActivityQuery(database: app.db).report(FiscalYear(year: year.year - 1)!, for: map.columns)
            #expect(before.rows.allSatisfy { $0.advisoriesReceived == 0 && $0.drills == 0 && $0.reports == 0 && $0.situationChanges == 0 })

            // The CEPTOAR page shows it to a signed-in reader, not to a visitor; a bad year is a 400.
            let browser = Browser(app)
            #expect(!(try await browser.get("/ceptoars/banks").body.string.contains(#"data-testid="activity""#)))
            try await browser.signIn(ReportTests.bankEmail, DemoNation.password)
            let page = try await browser.get("/ceptoars/banks").body.string
            #expect(page.contains(#"data-testid="activity""#) && page.contains(year.japanese))
            #expect(try await browser.get("/ceptoars/banks?fy=20x8").status == .badRequest)
        }
    }
}
