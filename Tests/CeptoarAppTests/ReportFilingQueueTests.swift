@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Incident reports: filings written together")
struct ReportFilingQueueTests {
    static func bank(_ app: Application) async throws -> User {
        try #require(try await User.query(on: app.db).filter(\.$email == ReportTests.bankEmail).first())
    }

    /// The filing queue writes its rows past Fluent, by these lists: each must name every
    /// field of its model, or a field would silently be left out of every filing.
    @Test func theInsertColumnsNameEveryFieldOfTheirModels() {
        #expect(Set(IncidentReport.columns) == Set(IncidentReport.keys.map(\.description)))
        #expect(Set(ReportStageRecord.columns) == Set(ReportStageRecord.keys.map(\.description)))
        #expect(Set(ReportHop.columns) == Set(ReportHop.keys.map(\.description)))
        #expect(Set(ReportObservableRecord.columns) == Set(ReportObservableRecord.keys.map(\.description)))
        #expect(IncidentReport.columns.count == Set(IncidentReport.columns).count)
    }

    /// A token's use is written after the request, in a batch: the token list shows it once
    /// the recorder has flushed, and a request that uses the token writes nothing itself.
    @Test func tokenUseIsRecordedOffTheRequestPath() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == ReportTests.bankEmail).first())
            let before = try #require(try await APIToken.query(on: app.db).filter(\.$user.$id == user.requireID()).filter(\.$name == "test").first())
            #expect(before.lastUsedAt == nil)
            #expect(try await bank.send(.GET, "/api/v1/reports").status == .ok)
            await app.tokenUse.flush()
            let after = try #require(try await APIToken.find(before.id, on: app.db))
            let used = try #require(after.lastUsedAt)
            #expect(abs(used.timeIntervalSinceNow) < 60)
        }
    }

    /// Once the application stops, a use is no longer recorded (nor retried for ever against a
    /// closed database).
    @Test func tokenUseIsNotRecordedAfterClose() async throws {
        try await withCeptoar(demo: true) { app in
            _ = try await APIClient.demo(app, ReportTests.bankEmail)
            let token = try #require(try await APIToken.query(on: app.db).filter(\.$name == "test").first())
            await app.tokenUse.close()
            app.tokenUse.record(try token.requireID(), at: Date())
            await app.tokenUse.flush()
            #expect(try await APIToken.find(token.id, on: app.db)?.lastUsedAt == nil)
        }
    }

    @Test func concurrentFilingsAreAllWrittenWithTheirHopsTrendsAndAnUnbrokenAuditChain() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            // Forty filings at once, as a mass exploitation brings them.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        var input = ReportInput.outage(detectedHoursAgo: Double(index) / 10, bankName: "x")
                        input.observables = [.init(kind: "cve", value: "CVE-2024-3400"), .init(kind: "ip", value: "198.51.100.\(index)")]
                        return try await bank.send(.POST, "/api/v1/reports", json: input).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count == 40 && statuses.allSatisfy { $0 == .created })
            let reports = try await IncidentReport.query(on: app.db).all()
            #expect(reports.count == 40)
            // Every report has its stage, its observables and its held hop at the CEPTOAR.
            #expect(try await ReportStageRecord.query(on: app.db).count() == 40)
            #expect(try await ReportObservableRecord.query(on: app.db).count() == 80)
            let hops = try await ReportHop.query(on: app.db).all()
            #expect(hops.count == 40 && Set(hops.map { $0.$report.id }) == Set(reports.compactMap(\.id)) && hops.allSatisfy { $0.hopStatus == .held })
            // One flag per subject, holding all forty.
            let flags = try await TrendFlag.query(on: app.db).all()
            #expect(flags.count == 2 && flags.allSatisfy { $0.reportCount == 40 })
            let members = try await TrendFlagReport.reports(of: flags.compactMap(\.id), on: app.db as! any SQLDatabase)
            #expect(flags.allSatisfy { Set(members[$0.id!] ?? []) == Set(reports.compactMap(\.id)) })
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "report_file").count() == 40)
            // Each report is in one audit entry per flag: the raising (with as many as were in the
            // window then — a batch may hold more than three) or its own widening.
            let raised = try await AuditRecord.query(on: app.db).filter(\.$action == "trend_raised").all()
            let widened = try await AuditRecord.query(on: app.db).filter(\.$action == "trend_widened").count()
            let inRaising = try raised.map { try JSONDecoder().decode([String: String].self, from: Data($0.detail.utf8))["reports"].flatMap(Int.init) ?? 0 }
            #expect(raised.count == 2 && inRaising.allSatisfy { $0 >= 3 } && inRaising.reduce(0, +) + widened == 80)
            let verified = try await AuditLog.verify(on: app.db)
            #expect(verified.break == nil)
        }
    }

    @Test func aFilingThatCannotBeWrittenFailsAloneAndABatchIsWholeOrNothing() async throws {
        try await withCeptoar(demo: true) { app in
            let user = try await Self.bank(app)
            let book = ReportBook(database: app.db)
            let good = try await book.prepare(ReportInput.outage(bankName: "x"), ceptoar: nil, by: user, now: Date())
            // Its CEPTOAR gone from the registry between the check and the write.
            var bad = try await book.prepare(ReportInput.outage(bankName: "x"), ceptoar: nil, by: user, now: Date())
            bad.ceptoar = UUID()

            // Written together, neither is.
            await #expect(throws: (any Error).self) { try await ReportBook.write([good, bad], on: app.db) }
            #expect(try await IncidentReport.query(on: app.db).count() == 0)
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "report_file").count() == 0)

            // Through the queue, with others around it: each good one is written, the bad one refused.
            var others: [ReportBook.Filing] = []
            for _ in 0..<5 { others.append(try await book.prepare(ReportInput.outage(bankName: "x"), ceptoar: nil, by: user, now: Date())) }
            let results = await withTaskGroup(of: (UUID, Bool).self) { group in
                for filing in [good, bad] + others {
                    group.addTask { (filing.id, (try? await app.reportFiling.file(filing)) != nil) }
                }
                return await group.reduce(into: [UUID: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(results[bad.id] == false)
            #expect(([good] + others).allSatisfy { results[$0.id] == true })
            #expect(Set(try await IncidentReport.query(on: app.db).all().compactMap(\.id)) == Set(([good] + others).map(\.id)))
            #expect(try await AuditLog.verify(on: app.db).break == nil)
        }
    }

    @Test func theFilingsAnswerIsTheReportAsItsReporterReadsItBack() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            // One filing first, so where the bank files is cached with the default deadlines…
            #expect(try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "x")).status == .created)
            // …then the sector agrees deadlines of its own: the next answer carries them.
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let deadlines = ["first": "12h from detection", "followUp": "48h from first_report", "final": "2 months from previous_stage"]
            #expect(try await fsa.send(.PUT, "/api/v1/sectors/finance/report-deadlines", json: deadlines).status == .ok)
            let filed = try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "x"))
            #expect(filed.status == .created)
            let id = try bank.decode(ReportDTO.self, filed).id
            let read = try await bank.send(.GET, "/api/v1/reports/\(id)")
            func object(_ text: String) throws -> NSDictionary { try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary) }
            let answer = try object(filed.body.string)
            #expect(answer == (try object(read.body.string)), "\(filed.body.string)\n\(read.body.string)")
            #expect(try bank.decode(ReportDTO.self, filed).deadlines.map(\.rule) == ["12h from detection", "48h from first_report", "2 months from previous_stage"])
        }
    }
}
