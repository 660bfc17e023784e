@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

/// A cross-sector exercise: planned by NISC only and never in the past, injects sent once and
/// on time, marked exercise everywhere, participants' actions read back as the after-action
/// report — and none of it counted in the year's activity.
@Suite("Cross-sector exercises")
struct ExerciseTests {
    static func plan(at: Date, participants: [String] = ["banks", "water"]) -> Exercises.Input {
        Exercises.Input(
            name: LocalizedText(ja: "令和8年度 分野横断的演習", en: "FY2026 cross-sector exercise"), participants: participants,
            injects: [
                Exercises.InjectInput(at: at, kind: "advisory", title: LocalizedText(ja: "広域DDoS攻撃の発生", en: "A wide DDoS attack"),
                                      body: LocalizedText(ja: "想定: 複数分野でサービス停止", en: "Scenario: outages in several sectors"), severity: "medium"),
                Exercises.InjectInput(at: at.addingTimeInterval(1), kind: "drill", title: LocalizedText(ja: "緊急連絡網の確認", en: "Contact check"),
                                      body: LocalizedText(ja: "受信したら応答してください", en: "Acknowledge on receipt"), severity: "low"),
            ])
    }

    @Test func anExerciseRunsItsInjectsOnceAndItsReportNeverCountsAsReal() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let now = Date()
            // Refusals, nothing written: a ministry, an inject in the past, an unknown CEPTOAR, no injects.
            #expect(try await fsa.send(.POST, "/api/v1/exercises", json: Self.plan(at: now.addingTimeInterval(60))).status == .forbidden)
            let past = try await nisc.send(.POST, "/api/v1/exercises", json: Self.plan(at: now.addingTimeInterval(-60)))
            #expect(past.status == .unprocessableEntity && past.body.string.contains("in the past"))
            #expect(try await nisc.send(.POST, "/api/v1/exercises", json: Self.plan(at: now.addingTimeInterval(60), participants: ["banks", "atlantis"])).status == .unprocessableEntity)
            var empty = Self.plan(at: now.addingTimeInterval(60))
            empty.injects = []
            #expect(try await nisc.send(.POST, "/api/v1/exercises", json: empty).status == .unprocessableEntity)
            #expect(try await Exercise.query(on: app.db).count() == 0)
            #expect(try await ExerciseInject.query(on: app.db).count() == 0)

            // Eight seconds ahead: time enough for the request on a loaded machine; the worker's
            // clock is given explicitly below, so the checks do not race the wall clock.
            let at = Date().addingTimeInterval(8)
            let planned = try await nisc.send(.POST, "/api/v1/exercises", json: Self.plan(at: at))
            #expect(planned.status == .created, "\(planned.body.string)")
            let exercise = try nisc.decode(AfterAction.self, planned)
            #expect(exercise.injects.map(\.kind) == ["advisory", "drill"] && exercise.injects.allSatisfy { $0.sentAt == nil })

            // Nothing before its time; each once when due.
            let routes = RouteTable()
            #expect(try await Exercises(database: app.db).sendDue(now: at.addingTimeInterval(-1), routes: routes) == 0)
            #expect(try await Exercise.query(on: app.db).count() == 1)
            let sendAt = at.addingTimeInterval(1.3)
            while Date() < sendAt { try await Task.sleep(for: .milliseconds(100)) }
            #expect(try await Exercises(database: app.db).sendDue(now: sendAt, routes: routes) == 2)
            #expect(try await Exercises(database: app.db).sendDue(now: sendAt.addingTimeInterval(60), routes: routes) == 0)
            let advisory = try #require(try await Advisory.query(on: app.db).first())
            #expect(advisory.titleJa.hasPrefix("【演習】"))
            let sql = app.db as! any SQLDatabase
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM advisories WHERE exercise = \(bind: true)").first()?.decode(column: "n", as: Int.self) == 1)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM alerts WHERE exercise = \(bind: true) AND kind = 'drill'").first()?.decode(column: "n", as: Int.self) == 2)

            // The participants act: FSA and the banks' secretariat forward, a bank acknowledges,
            // answers the drill and files an exercise report.
            for hop in try fsa.decode([HopDTO].self, try await fsa.send(.GET, "/api/v1/hops")) { _ = try await fsa.send(.POST, "/api/v1/hops/\(hop.id)/forward") }
            let banks = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            for hop in try banks.decode([HopDTO].self, try await banks.send(.GET, "/api/v1/hops")) { _ = try await banks.send(.POST, "/api/v1/hops/\(hop.id)/forward") }
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            #expect(try await bank.send(.POST, "/api/v1/advisories/\(advisory.id!)/acknowledge").status == .ok)
            let drills = try await Alert.query(on: app.db).all()
            for drill in drills { _ = try await bank.send(.POST, "/api/v1/alerts/\(drill.id!)/ack") }
            var input = ReportInput.outage(bankName: "デモ銀行")
            input.exercise = true
            #expect(try await bank.send(.POST, "/api/v1/reports", json: input).status == .created)

            // The inject never became STIX: no peer can pull a drill as a threat.
            #expect(try await StixObjectRecord.query(on: app.db).filter(\.$advisoryID == advisory.id!).count() == 0)
            #expect(try await StixObjectRecord.query(on: app.db).filter(\.$type == "report").count() == 0)

            let report = try nisc.decode(AfterAction.self, try await nisc.send(.GET, "/api/v1/exercises/\(exercise.id)"))
            #expect(report.injects.allSatisfy { ($0.lateSeconds ?? 99) <= 2 })
            let row = try #require(report.rows.first { $0.ceptoar == "banks" })
            #expect(row.acknowledged == 1 && row.deliveries > 1 && row.acknowledgeSeconds != nil)
            #expect(row.ceptoarRelaySeconds != nil && row.ministryRelaySeconds != nil)
            #expect(row.drillAnswered == 1 && row.drillTargets > 1 && row.reports == 1 && row.firstReportSeconds != nil)
            // Who reads it: NISC and the participants' secretariats; not a member, not another sector.
            #expect(try await banks.send(.GET, "/api/v1/exercises/\(exercise.id)").status == .ok)
            #expect(try await bank.send(.GET, "/api/v1/exercises/\(exercise.id)").status == .forbidden)
            let power = try await APIClient.demo(app, "power-secretariat@demo.ceptoar.example")
            #expect(try await power.send(.GET, "/api/v1/exercises/\(exercise.id)").status == .forbidden)
            let browser = Browser(app)
            try await browser.signIn("nisc@demo.ceptoar.example", DemoNation.password)
            let page = try await browser.get("/exercises/\(exercise.id)").body.string
            #expect(page.contains("<svg") && page.contains("銀行等CEPTOAR") && page.contains(#"data-testid="exercise-row""#))

            // None of it is real activity.
            let map = try await MapQuery(database: app.db).map(asOf: .today)
            let activity = try await ActivityQuery(database: app.db).report(FiscalYear.of(.today)!, for: map.columns)
            let banksYear = try #require(activity.rows.first { $0.ceptoar == "banks" })
            #expect(banksYear.advisoriesReceived == 0 && banksYear.drills == 0 && banksYear.reports == 0)
        }
    }
}
