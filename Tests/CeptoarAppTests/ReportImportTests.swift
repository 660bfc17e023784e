@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Incident reports: CSV upload and reports by mail")
struct ReportImportTests {
    static let header = "summary_ja,affected_service,detected_at,event_type,causes,sla_breached,service_continuity,safety,loss_of_trust,observables,tlp,attribution"

    static func row(hoursAgo: Double = 1, detected: String? = nil, event: String = "unavailability") -> String {
        let at = detected ?? ReportDraft.rfc3339(Date().addingTimeInterval(-hoursAgo * 3600))
        return "勘定系の障害,勘定系,\(at),\(event),unintentional.hardware,yes,3,0,1,cve:CVE-2024-3400; ip:203.0.113.9,AMBER,anonymised"
    }

    static func upload(_ client: APIClient, _ csv: String) async throws -> TestingHTTPResponse {
        try await client.send(.POST, "/api/v1/reports/import", body: csv, contentType: "text/csv")
    }

    @Test func aCSVFilesEveryRowIntoTheSameFlow() async throws {
        try await withCeptoar(demo: true) { app in
            let member = try await APIClient.demo(app, ReportTests.bankEmail)
            let response = try await Self.upload(member, [Self.header, Self.row(hoursAgo: 1), Self.row(hoursAgo: 3)].joined(separator: "\r\n"))
            #expect(response.status == .created, "\(response.body.string)")
            let imported = try member.decode(ReportAPIController.Imported.self, response)
            #expect(imported.filed.map(\.line) == [2, 3])
            // Each landed as a first report held at the banks' CEPTOAR, like one filed by the API.
            for row in imported.filed {
                let report = try member.decode(ReportDTO.self, try await member.send(.GET, "/api/v1/reports/\(row.id)"))
                #expect(report.ceptoar == "banks" && report.stage == "first" && report.hops.map(\.step) == ["ceptoar"] && report.severity == 3)
            }
            let audit = try await AuditRecord.query(on: app.db).filter(\.$action == "report_import").all()
            #expect(audit.count == 1 && audit[0].detail.contains("csv"))
        }
    }

    @Test func oneWrongRowRefusesTheFileNamingItAndNothingIsFiled() async throws {
        try await withCeptoar(demo: true) { app in
            let member = try await APIClient.demo(app, ReportTests.bankEmail)
            let future = ReportDraft.rfc3339(Date().addingTimeInterval(86_400))
            let response = try await Self.upload(member, [Self.header, Self.row(), Self.row(detected: future, event: "outage")].joined(separator: "\n"))
            #expect(response.status == .unprocessableEntity)
            let problem = try JSONValue.decode(Data(buffer: response.body))
            #expect(problem["fields"] == ["rows[3].detectedAt", "rows[3].eventType"])
            #expect(problem["detail"]?.string?.contains("line 3") == true)
            #expect(try await IncidentReport.query(on: app.db).count() == 0)

            // A file that is no list of reports, and one too large, are refused whole.
            for bad in ["ceptoar,colour\nbanks,red\n", Self.header + "\n\"" + Self.row()] {
                let refused = try await Self.upload(member, bad)
                #expect(refused.status == .unprocessableEntity && refused.body.string.contains("\"file\""), "\(refused.body.string)")
            }
            let huge = try await Self.upload(member, Self.header + "\n" + String(repeating: Self.row() + "\n", count: 10_000))
            #expect(huge.status.code == 413 || huge.status == .unprocessableEntity)
            #expect(try await IncidentReport.query(on: app.db).count() == 0)
        }
    }

    @Test func onlyMembersImportAndOnlyToTheirOwnCeptoar() async throws {
        try await withCeptoar(demo: true) { app in
            // A member of the water CEPTOAR names the banks' one; NISC belongs to none.
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            let named = try await Self.upload(water, "ceptoar," + Self.header + "\nbanks," + Self.row())
            #expect(named.status == .forbidden && named.body.string.contains("rows[2].ceptoar"))
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            #expect(try await Self.upload(nisc, Self.header + "\n" + Self.row()).status == .forbidden)
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/reports/import", headers: ["Content-Type": "text/csv"], body: ByteBuffer(string: Self.header)).status == .unauthorized)
            #expect(try await IncidentReport.query(on: app.db).count() == 0)
        }
    }

    // MARK: mail

    static let authserv = "mx.ceptoar.example"

    static func intake(_ app: Application) -> MailIntake {
        var settings = app.ceptoar.notify
        settings.intakeDomain = "reports.ceptoar.example"
        settings.intakeAuthservID = Self.authserv
        return MailIntake(database: app.db, settings: settings)
    }

    static func mail(from: String = ReportTests.bankEmail, stamp: String? = "dmarc=pass header.from=demo.ceptoar.example", body: String) -> Data {
        var lines = ["From: 銀行 <\(from)>", "To: banks@reports.ceptoar.example", "Subject: report", "Message-ID: <m1@demo.ceptoar.example>"]
        if let stamp { lines.insert("Authentication-Results: \(Self.authserv); \(stamp)", at: 0) }
        return Data((lines.joined(separator: "\r\n") + "\r\n\r\n" + body.replacingOccurrences(of: "\n", with: "\r\n")).utf8)
    }

    static func template(detected: String = ReportDraft.rfc3339(Date().addingTimeInterval(-3600))) -> String {
        """
        概要: インターネットバンキング停止
        影響を受けたサービス: IB
        検知日時: \(detected)
        事象の種類: unavailability
        要因: intentional.unauthorised_access
        サービスレベル未達: はい
        サービスの継続性: 2
        安全性: 0
        信頼の失墜: 1
        TLP: AMBER
        報告者名の扱い: anonymised
        """
    }

    @Test func anAuthenticatedMembersMailFilesTheReportAndIsAnswered() async throws {
        try await withCeptoar(demo: true) { app in
            let outcome = try await Self.intake(app).receive(Self.mail(body: Self.template()), recipient: "banks@reports.ceptoar.example")
            guard case .filed(let filed, let reply) = outcome else {
                Issue.record("expected the report filed: \(outcome)")
                return
            }
            #expect(filed.count == 1 && filed[0].loaded.report.severity == 2)
            #expect(reply.to.map(\.address) == [ReportTests.bankEmail] && reply.subject.contains("Report received"))
            #expect(reply.body.contains("/reports/\(filed[0].loaded.report.id!.uuidString.lowercased())"))
            #expect(reply.headers.contains { $0.0 == "In-Reply-To" && $0.1 == "<m1@demo.ceptoar.example>" })
            #expect(reply.wireProblem == nil)
            let audit = try await AuditRecord.query(on: app.db).filter(\.$action == "report_import").all()
            #expect(audit.count == 1 && audit[0].detail.contains("mail"))
        }
    }

    @Test func aMailTheIntakeMayNotTrustIsRejectedUnansweredAndNothingFiled() async throws {
        try await withCeptoar(demo: true) { app in
            let intake = Self.intake(app)
            let forged = [
                Self.mail(stamp: nil, body: Self.template()),
                Self.mail(stamp: "dmarc=fail header.from=demo.ceptoar.example", body: Self.template()),
                Self.mail(stamp: "dmarc=pass header.from=evil.example", body: Self.template()),
                Self.mail(from: "stranger@demo.ceptoar.example", body: Self.template()),
                Data("no headers at all".utf8),
            ]
            for data in forged {
                let outcome = try await intake.receive(data, recipient: "banks@reports.ceptoar.example")
                guard case .rejected = outcome else {
                    Issue.record("expected a rejection: \(outcome)")
                    continue
                }
            }
            // Another MTA's stamp counts for nothing.
            let elsewhere = String(decoding: Self.mail(body: Self.template()), as: UTF8.self).replacingOccurrences(of: Self.authserv, with: "mx.evil.example")
            guard case .rejected = try await intake.receive(Data(elsewhere.utf8), recipient: "banks@reports.ceptoar.example") else {
                Issue.record("a foreign stamp was trusted")
                return
            }
            // Without the intake set up, every mail is rejected.
            guard case .rejected = try await MailIntake(database: app.db, settings: app.ceptoar.notify).receive(Self.mail(body: Self.template()), recipient: nil) else {
                Issue.record("an unconfigured intake accepted a mail")
                return
            }
            #expect(try await IncidentReport.query(on: app.db).count() == 0)
        }
    }

    @Test func aKnownSendersWrongMailIsAnsweredWithEveryProblemAndTheForm() async throws {
        try await withCeptoar(demo: true) { app in
            let intake = Self.intake(app)
            let future = ReportDraft.rfc3339(Date().addingTimeInterval(86_400))
            let cases: [(Data, String?, String)] = [
                (Self.mail(body: Self.template(detected: future).replacingOccurrences(of: "TLP: AMBER", with: "TLP: PURPLE")), "banks@reports.ceptoar.example", "detectedAt is in the future"),
                (Self.mail(body: "Please see the phone call."), "banks@reports.ceptoar.example", "neither the report form"),
                (Self.mail(body: Self.template()), "nobody@reports.ceptoar.example", "not addressed to a CEPTOAR"),
                (Self.mail(body: Self.template()), "water@reports.ceptoar.example", "not a member"),
                (Self.mail(body: "報告先セプター: water\n" + Self.template()), "banks@reports.ceptoar.example", "names 'water'"),
            ]
            for (data, recipient, reason) in cases {
                guard case .refused(let reply) = try await intake.receive(data, recipient: recipient) else {
                    Issue.record("expected a refusal with a reply: \(reason)")
                    continue
                }
                #expect(reply.body.contains(reason), "\(reason) not in \(reply.body)")
                #expect(reply.body.contains("detected_at: ") && reply.to.map(\.address) == [ReportTests.bankEmail])
                #expect(reply.wireProblem == nil)
            }
            #expect(try await IncidentReport.query(on: app.db).count() == 0)
        }
    }

    @Test func aCSVAttachmentFilesEveryRow() async throws {
        try await withCeptoar(demo: true) { app in
            let csv = Data(([Self.header, Self.row(hoursAgo: 1), Self.row(hoursAgo: 2)].joined(separator: "\n") + "\n").utf8).base64EncodedString(options: .lineLength76Characters)
            let body = """
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b1"

                --b1
                Content-Type: text/plain; charset=utf-8

                2件添付します。
                --b1
                Content-Type: text/csv; charset=utf-8
                Content-Disposition: attachment; filename="reports.csv"
                Content-Transfer-Encoding: base64

                \(csv)
                --b1--
                """
            let mail = String(decoding: Self.mail(body: ""), as: UTF8.self).replacingOccurrences(of: "\r\n\r\n", with: "\r\n") + body.replacingOccurrences(of: "\n", with: "\r\n")
            guard case .filed(let filed, _) = try await Self.intake(app).receive(Data(mail.utf8), recipient: "banks@reports.ceptoar.example") else {
                Issue.record("the attachment's rows were not filed")
                return
            }
            #expect(filed.map(\.line) == [2, 3])
        }
    }
}
