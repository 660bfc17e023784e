@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

/// The home page counts what needs each person, from what the system recorded — and a visitor
/// sees none of it.
@Suite("Home page: what needs each role now")
struct HomeTests {
    static func home(_ client: APIClient) async throws -> Home {
        try client.decode(Home.self, try await client.send(.GET, "/api/v1/home"))
    }

    @Test func eachRoleCountsItsOwnWork() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            #expect(try await Self.home(fsa).work.heldHops == 0)

            // An advisory waits at FSA; once forwarded, the bank has one to acknowledge.
            _ = try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "medium", targets: [("ceptoar", "banks")]))
            #expect(try await Self.home(fsa).work.heldHops == 1)
            #expect(try await Self.home(nisc).work.heldHops == 0)
            #expect(try await Self.home(nisc).work.week.advisoriesPublished == 1)
            let hop = try fsa.decode([HopDTO].self, try await fsa.send(.GET, "/api/v1/hops"))[0]
            _ = try await fsa.send(.POST, "/api/v1/hops/\(hop.id)/forward")
            let banksHop = try secretariat.decode([HopDTO].self, try await secretariat.send(.GET, "/api/v1/hops"))[0]
            #expect(try await Self.home(secretariat).work.heldHops == 1)
            _ = try await secretariat.send(.POST, "/api/v1/hops/\(banksHop.id)/forward")
            #expect(try await Self.home(fsa).work.heldHops == 0)
            #expect(try await Self.home(bank).work.unacknowledgedAdvisories == 1)
            #expect(try await Self.home(bank).work.week.advisoriesReceived == 1)
            #expect(try await Self.home(water).work.unacknowledgedAdvisories == 0, "another sector's member got nothing")

            // The bank files a report: its next stage is due; the secretariat holds it; a return
            // for revision shows on the bank's home.
            let filed = try bank.decode(ReportDTO.self, try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "デモ銀行")))
            let bankHome = try await Self.home(bank)
            #expect(bankHome.work.reportsDue == 1 && bankHome.work.reportsOverdue == 0 && bankHome.work.week.reportsFiled == 1)
            #expect(try await Self.home(secretariat).work.heldReports == 1)
            #expect(try await Self.home(secretariat).work.week.reportsReceived == 1)
            _ = try await secretariat.send(.POST, "/api/v1/reports/\(filed.id)/stages/first/return", json: ["comment": "原因を追記してください"])
            #expect(try await Self.home(bank).work.reportsNeedingRevision == 1)
            // A report detected four days ago whose follow-up never came is overdue.
            _ = try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(detectedHoursAgo: 96, bankName: "デモ銀行"))
            #expect(try await Self.home(bank).work.reportsOverdue == 1)

            // The situation for each person's own scopes.
            let scopes = try await Self.home(bank).situation.map(\.scope)
            #expect(scopes == ["nation", "sector:finance", "ceptoar:banks"])
            #expect(try await Self.home(water).situation.map(\.scope) == ["nation", "sector:water", "ceptoar:water"])
            #expect(try await Self.home(nisc).situation.map(\.scope) == ["nation"])
            _ = try await secretariat.send(.POST, "/api/v1/situation", json: SituationAPITests.input("sector:finance", "warning", links: [SituationLink(kind: "report", id: filed.id)]))
            #expect(try await Self.home(nisc).situation.map(\.scope) == ["nation", "sector:finance"], "NISC sees every raised scope")
            #expect(try await Self.home(bank).situation.first { $0.scope == "sector:finance" }?.level == "warning")
            #expect(try await Self.home(secretariat).work.week.situationChanges == 1)
        }
    }

    @Test func thePageShowsTheTilesOfTheRoleAndAVisitorNone() async throws {
        try await withCeptoar(demo: true) { app in
            let visitor = try await Browser(app).get("/")
            #expect(visitor.status == .ok && !visitor.body.string.contains("data-count="))
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            _ = try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "デモ銀行"))
            let member = Browser(app)
            try await member.signIn(ReportTests.bankEmail, DemoNation.password)
            let page = try await member.get("/").body.string
            #expect(page.contains(#"data-count="reports_due">1<"#))
            #expect(!page.contains(#"data-count="held_hops""#), "a member holds no relay step")
            let secretariat = Browser(app)
            try await secretariat.signIn("banks-secretariat@demo.ceptoar.example", DemoNation.password)
            let work = try await secretariat.get("/").body.string
            #expect(work.contains(#"data-count="held_reports">1<"#) && work.contains(#"data-count="inbound_messages""#))
            #expect(work.contains("/ceptoars/banks/inbound"))
            #expect(!work.contains(#"data-count="reports_due""#))
            secretariat.language = "en"
            #expect(try await secretariat.get("/").body.string.contains("Reports waiting at your step"))
        }
    }
}
