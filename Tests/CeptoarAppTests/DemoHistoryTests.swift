@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

/// The demo nation's generated past: the same from the same seed, written once, all marked
/// synthetic, and with open work for the demo accounts to find.
@Suite("Demo nation: the generated past year")
struct DemoHistoryTests {
    struct Shape: Equatable {
        var advisories: [String]
        var deliveries: Int
        var acknowledged: Int
        var drillTargets: Int
        var reached: Int
        var reports: Int
        var situation: [String]
    }

    static func shape(_ app: Application) async throws -> Shape {
        let sql = app.db as! any SQLDatabase
        func count(_ query: SQLQueryString) async throws -> Int { try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0 }
        return Shape(
            advisories: try await Advisory.query(on: app.db).sort(\.$createdAt).all().map { "\($0.titleJa)|\($0.severity)|\($0.tlp)" },
            deliveries: try await count("SELECT COUNT(*) AS n FROM deliveries"),
            acknowledged: try await count("SELECT COUNT(*) AS n FROM deliveries WHERE acknowledged_at IS NOT NULL"),
            drillTargets: try await count("SELECT COUNT(*) AS n FROM alert_targets"),
            reached: try await count("SELECT COUNT(*) AS n FROM alert_targets WHERE acknowledged_at IS NOT NULL"),
            reports: try await count("SELECT COUNT(*) AS n FROM incident_reports"),
            situation: try await SituationChange.query(on: app.db).sort(\.$createdAt).all().map { "\($0.scopeKind):\($0.scopeKey)=\($0.level)" })
    }

    @Test func theSameSeedGivesTheSameYearWrittenOnceAndMarkedSynthetic() async throws {
        var shapes: [Shape] = []
        for _ in 0..<2 {
            try await withCeptoar(demo: true) { app in
                let summary = try await DemoHistory(database: app.db).generate()
                #expect(summary.advisories == 52 && summary.drills == 28 && summary.situationChanges == 8)
                #expect(summary.failureCases == 4 && summary.agreements == 2)
                let shape = try await Self.shape(app)
                shapes.append(shape)
                // A second run (a restart of serve --demo) writes nothing.
                #expect(try await DemoHistory(database: app.db).generate().advisories == 0)
                #expect(try await Self.shape(app) == shape)
                // Everything generated says so.
                let sql = app.db as! any SQLDatabase
                for table in ["advisories", "alerts", "incident_reports", "situation_changes", "failure_cases", "agreements"] {
                    let real = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE synthetic = \(bind: false)").first()?.decode(column: "n", as: Int.self)
                    #expect(real == 0, "\(table)")
                }
                // The year has something on every CEPTOAR's activity; the levels end normal but water.
                let map = try await MapQuery(database: app.db).map(asOf: .today)
                let current = try await SituationBook(database: app.db).current()
                #expect(current.filter { $0.value.situationLevel > .normal }.map(\.key) == [.ceptoar("water")])
                let this = try await ActivityQuery(database: app.db).report(FiscalYear.of(.today)!, for: map.columns)
                let last = try await ActivityQuery(database: app.db).report(FiscalYear(year: FiscalYear.of(.today)!.year - 1)!, for: map.columns)
                for (a, b) in zip(this.rows, last.rows) {
                    #expect(a.drills + b.drills == 2, "\(a.ceptoar): two drills a year")
                    #expect(a.advisoriesReceived + b.advisoriesReceived > 0 || a.ceptoar == "water", "\(a.ceptoar)")
                }
                // Failure cases and the agreement in force count in the year's activity.
                let rows = Dictionary(uniqueKeysWithValues: zip(this.rows, last.rows).map { ($0.ceptoar, ($0, $1)) })
                let banks = try #require(rows["banks"])
                #expect(banks.0.failureCasesPublished + banks.1.failureCasesPublished == 2)
                #expect(banks.0.agreementsActive == 1 && banks.1.agreementsActive == 1)
                #expect(rows["water"].map { $0.0.failureCasesPublished + $0.1.failureCasesPublished } == 1)
                #expect(rows["t-ceptoar"].map { $0.0.agreementsActive + $0.1.agreementsActive } == 0, "a proposal is not in force")
                // The proposal waits for the electricity CEPTOAR's secretariat.
                let power = try await APIClient.demo(app, "power-secretariat@demo.ceptoar.example")
                #expect(try power.decode(Home.self, try await power.send(.GET, "/api/v1/home")).work.agreementsAwaitingApproval == 1)
                // Open work for the demo accounts.
                let bank = try await APIClient.demo(app, ReportTests.bankEmail)
                let home = try bank.decode(Home.self, try await bank.send(.GET, "/api/v1/home"))
                #expect(home.work.unacknowledgedAdvisories >= 1 && home.work.reportsDue + home.work.reportsOverdue >= 1)
                let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
                #expect(try fsa.decode(Home.self, try await fsa.send(.GET, "/api/v1/home")).work.heldHops == 1)
                let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
                #expect(try secretariat.decode(Home.self, try await secretariat.send(.GET, "/api/v1/home")).work.heldHops == 1)
            }
        }
        #expect(shapes.count == 2 && shapes[0] == shapes[1])
        #expect(shapes[0].acknowledged > 0 && shapes[0].acknowledged < shapes[0].deliveries)
        #expect(shapes[0].reached > 0 && shapes[0].reached < shapes[0].drillTargets)
    }
}
