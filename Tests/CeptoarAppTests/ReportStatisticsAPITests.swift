@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Report statistics: shared back with small cells suppressed")
struct ReportStatisticsAPITests {
    @Test func aSectorsFiscalYearShowsItsCountsAndHidesTheSmallOnes() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: seven outages by intrusion and two leaks by a hardware fault at the banks,
            // one outage at a water utility; all filed two hours after detection.
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            for index in 0..<9 {
                var input = ReportInput.outage(bankName: "某行")
                if index >= 7 { (input.eventType, input.causes) = ("leak", ["unintentional.hardware"]) }
                #expect(try await bank.send(.POST, "/api/v1/reports", json: input).status == .created)
            }
            #expect(try await water.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "某水道")).status == .created)
            let period = try #require(StatisticsPeriod.containing(Date().addingTimeInterval(-2 * 3600), quarterly: false)).text

            // act
            let response = try await water.send(.GET, "/api/v1/report-statistics?scope=finance&period=\(period)")

            // check: the seven show; the two are "<5" and so is the leak row's total; the
            // complementary cells hide whatever would give the two away.
            #expect(response.status == .ok)
            let answer = try water.decode(ReportStatistics.Answer.self, response)
            let table = answer.byEventAndCause
            let unavailability = try #require(table.rows.firstIndex(of: "unavailability"))
            let leak = try #require(table.rows.firstIndex(of: "leak"))
            let intentional = try #require(table.columns.firstIndex(of: "intentional"))
            let unintentional = try #require(table.columns.firstIndex(of: "unintentional"))
            #expect(table.cells[leak][unintentional].status == "small" && table.rowTotals[leak].status == "small")
            #expect(table.cells[leak][unintentional].value == nil)
            // With a leak hidden, the column and the grand total would give it away: they are hidden too.
            #expect(table.columnTotals[unintentional].status != "shown" || table.total.status != "shown")
            #expect(!response.body.string.contains("\"value\":2"))
            #expect(table.cells[unavailability][intentional].value == 7 && table.cells[unavailability][intentional].status == "shown")
            #expect(table.total.status == "hidden" && table.columnTotals[unintentional].status == "small")
            #expect(answer.medianMinutesToFirstReport.map { (119...121).contains($0) } == true, "\(String(describing: answer.medianMinutesToFirstReport))")
            #expect(answer.stagesOnTimeShare == 1.0 && answer.stagesCounted.value == 9)
            #expect(answer.periodLabel.ja.hasSuffix("年度（\(period)年度）"))

            // The nation adds the water report; a quarter counts its own.
            let nation = try water.decode(ReportStatistics.Answer.self, try await water.send(.GET, "/api/v1/report-statistics?period=\(period)"))
            #expect(nation.scope == "nation" && nation.byEventAndCause.cells[unavailability][intentional].value == 8)

            // CSV: the same, "<5" where hidden.
            let csv = try await water.send(.GET, "/api/v1/report-statistics.csv?scope=finance&period=\(period)")
            #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.contains("event_by_cause,leak,unintentional,<5") && csv.body.string.hasPrefix("table,row,column,value\r\n"))

            // Bad input: a clear 400 or 404; no one signed out.
            for bad in ["scope=FINANCE", "period=2024Q5", "period=1999", "scope=nowhere"] {
                let refused = try await water.send(.GET, "/api/v1/report-statistics?\(bad)")
                #expect([.badRequest, .notFound].contains(refused.status), "\(bad)")
            }
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/report-statistics").status == .unauthorized)

            // The page: the table, the charts, "<5", in Japanese and English.
            let browser = Browser(app)
            try await browser.signIn("water@demo.ceptoar.example", DemoNation.password)
            let page = try await browser.get("/report-statistics?scope=finance&period=\(period)")
            let html = page.body.string
            #expect(page.status == .ok && html.contains(#"data-testid="statistics-table""#) && html.contains("<svg") && html.contains("&lt;5"))
            #expect(html.contains("システム等の利用困難") && html.contains("令和"))
            browser.language = "en"
            #expect(try await browser.get("/report-statistics?scope=finance&period=\(period)").body.string.contains("Median time from detection"))
            #expect(try await browser.get("/report-statistics?period=abc").status == .badRequest)
        }
    }
}

@Suite("Report statistics: first submissions kept on the report")
struct ReportFirstSubmissionTests {
    /// Each stage's first submission as the stage rows say.
    static func fromStages(_ app: Application, _ report: UUID) async throws -> [ReportStage: Date] {
        let stages = try await ReportStageRecord.query(on: app.db).filter(\.$report.$id == report).all()
        var first: [ReportStage: Date] = [:]
        for stage in stages { first[stage.reportStage] = min(first[stage.reportStage] ?? .distantFuture, stage.submittedAt) }
        return first
    }

    static func onReport(_ report: IncidentReport) -> [ReportStage: Date] {
        var result: [ReportStage: Date] = [:]
        result[.first] = report.firstSubmittedAt
        result[.followUp] = report.followUpSubmittedAt
        result[.final] = report.finalSubmittedAt
        return result
    }

    @Test func theReportKeepsEachStagesFirstSubmissionThroughCorrectionsAndTheBackfillAgrees() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            let filed = try bank.decode(ReportDTO.self, try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "x")))
            try await Task.sleep(for: .milliseconds(1100))
            // A correction of the first report and a follow-up: the first stays the first.
            #expect(try await bank.send(.POST, "/api/v1/reports/\(filed.id)/stages/first", json: ReportInput.outage(bankName: "x")).status == .created)
            #expect(try await bank.send(.POST, "/api/v1/reports/\(filed.id)/stages/follow_up", json: ReportInput.outage(bankName: "x")).status == .created)
            let report = try #require(try await IncidentReport.find(filed.id, on: app.db))
            let expected = try await Self.fromStages(app, filed.id)
            #expect(expected.count == 2 && Self.onReport(report) == expected)
            #expect(abs((report.firstSubmittedAt ?? .distantPast).timeIntervalSince(filed.createdAt)) < 1)

            // The migration's backfill (also run after the benchmark's bulk load) sets the same.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE incident_reports SET first_submitted_at = NULL, follow_up_submitted_at = NULL, final_submitted_at = NULL").run()
            #expect(Self.onReport(try #require(try await IncidentReport.find(filed.id, on: app.db))).isEmpty)
            try await ReportFirstSubmissions.backfill(on: sql)
            let backfilled = try #require(try await IncidentReport.find(filed.id, on: app.db))
            #expect(Self.onReport(backfilled).mapValues { $0.timeIntervalSince1970.rounded() } == expected.mapValues { $0.timeIntervalSince1970.rounded() })
        }
    }
}
