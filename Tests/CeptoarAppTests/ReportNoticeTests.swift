@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Incident reports: the reporter is told when a stage is returned")
struct ReportNoticeTests {
    @Test func aReturnQueuesANoticeThatReachesTheReportersPagesAndNoOneElses() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await ReportTests.bankContact(app)
            let member = try await APIClient.demo(app, ReportTests.bankEmail)
            let report = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: bank.name)))
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            // A comment is hostile text too: line breaks and a lone dot must not break the mail.
            let comment = "発生時刻を追記してください。\r\n.\r\nQUIT"
            #expect(try await secretariat.send(.POST, "/api/v1/reports/\(report.id)/stages/first/return", json: ["comment": comment]).status == .ok)

            let notices = try await ReportNotice.query(on: app.db).all()
            #expect(notices.count == 1)
            let notice = try #require(notices.first)
            #expect(notice.email == ReportTests.bankEmail && notice.stage == "first" && notice.state == "queued" && notice.comment == comment.trimmingCharacters(in: .whitespacesAndNewlines))

            let broadcaster = app.broadcaster
            let (_, bankPages) = await broadcaster.subscribe(bank.id)
            let water = try await APIClient.organisationID(app, "water@demo.ceptoar.example")
            let (waterID, waterPages) = await broadcaster.subscribe(water)
            // Without a mail relay the pages still hear it; the mail is marked failed, not retried forever.
            let worker = ReportNoticeWorker(database: app.db, broadcaster: broadcaster, settings: NotifySettings())
            #expect(try await worker.drainOnce() == 1)
            var heard = bankPages.makeAsyncIterator()
            #expect(await heard.next() == #"{"report":"\#(report.id.uuidString.lowercased())","returned":"first"}"#)
            await broadcaster.unsubscribe(water, waterID)
            var unheard = waterPages.makeAsyncIterator()
            #expect(await unheard.next() == nil)
            let after = try #require(try await ReportNotice.find(notice.id, on: app.db))
            #expect(after.state == "failed" && after.lastError?.contains("CEPTOAR_SMTP_URL") == true)
            #expect(try await worker.drainOnce() == 0)

            // The mail it would send: the comment, the link, nothing that breaks the wire.
            let mail = worker.message(after)
            #expect(mail.to.map(\.address) == [ReportTests.bankEmail] && mail.wireProblem == nil)
            #expect(mail.body.contains("発生時刻を追記してください") && mail.body.contains("/reports/\(report.id.uuidString.lowercased())"))
            #expect(!mail.rendered.contains("\r\n.\r\n"))
        }
    }

    @Test func noReturnNoNotice() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await ReportTests.bankContact(app)
            let member = try await APIClient.demo(app, ReportTests.bankEmail)
            let report = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: bank.name)))
            // The reporter cannot return its own report; a refused return queues nothing.
            #expect(try await member.send(.POST, "/api/v1/reports/\(report.id)/stages/first/return", json: ["comment": "x"]).status == .forbidden)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            #expect(try await secretariat.send(.POST, "/api/v1/reports/\(report.id)/stages/final/return", json: ["comment": "x"]).status == .conflict)
            #expect(try await ReportNotice.query(on: app.db).count() == 0)
        }
    }
}
