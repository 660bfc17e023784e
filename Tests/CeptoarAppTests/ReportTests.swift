@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

extension ReportInput {
    /// A bank's first report of an outage; its text names the bank and its own site.
    static func outage(detectedHoursAgo: Double = 2, tlp: String = "AMBER", attribution: String = "anonymised", bankName: String, cve: String = "CVE-2024-3400") -> ReportInput {
        var input = ReportInput()
        input.summary = LocalizedText(ja: "\(bankName)のインターネットバンキングが停止。https://ib.bank0001.example.jp/ で障害", en: "\(bankName) internet banking is down")
        input.affectedService = "インターネットバンキング"
        input.detectedAt = ReportDraft.rfc3339(Date().addingTimeInterval(-detectedHoursAgo * 3600))
        input.eventType = "unavailability"
        input.causes = ["intentional.unauthorised_access"]
        input.slaBreached = true
        input.impact = Impact(serviceContinuity: 3, safety: 0, lossOfTrust: 2)
        input.observables = [Observable(kind: "cve", value: cve), Observable(kind: "domain", value: "ib.bank0001.example.jp"), Observable(kind: "ip", value: "203.0.113.7")]
        input.tlp = tlp
        input.attribution = attribution
        return input
    }
}

@Suite("Incident reports: filing, stages, upward relay")
struct ReportTests {
    static let bankEmail = "bank@demo.ceptoar.example"

    /// Registers the bank's own domain as one of its contacts' addresses, as a real bank would.
    static func bankContact(_ app: Application) async throws -> (id: UUID, name: String, key: String) {
        let bank = try #require(try await Organisation.query(on: app.db).filter(\.$key == "demo-banks-0001").first())
        let contact = PocContact()
        contact.$organisation.id = try bank.requireID()
        contact.rank = "primary"
        contact.position = 0
        contact.name = "システム部 山田"
        contact.availableAlways = true
        try await contact.create(on: app.db)
        let method = PocMethod()
        method.$contact.id = try contact.requireID()
        method.channel = "email"
        method.address = "csirt@bank0001.example.jp"
        method.position = 0
        method.published = false
        try await method.create(on: app.db)
        return (try bank.requireID(), bank.nameJa, bank.key ?? "")
    }

    @Test func anAnonymisedReportReachesTheMinistryAndNISCWithoutTheBanksName() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await Self.bankContact(app)
            let member = try await APIClient.demo(app, Self.bankEmail)
            let filed = try await member.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: bank.name))
            #expect(filed.status == .created)
            let report = try member.decode(ReportDTO.self, filed)
            #expect(report.ceptoar == "banks" && report.sector == "finance" && report.severity == 3)
            #expect(report.hops.map(\.step) == ["ceptoar"] && report.hops.first?.status == "held")
            #expect(report.deadlines.first?.timeliness == "on_time")
            #expect(report.deadlines.map(\.timeliness).dropFirst() == ["due", "due"])

            // Not yet forwarded: the ministry cannot read it; no other member ever can.
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            #expect(try await fsa.send(.GET, "/api/v1/reports/\(report.id)").status == .forbidden)
            for email in ["pending@demo.ceptoar.example", "water@demo.ceptoar.example", "power-secretariat@demo.ceptoar.example", "analyst@demo.ceptoar.example"] {
                let other = try await APIClient.demo(app, email)
                let denied = try await other.send(.GET, "/api/v1/reports/\(report.id)")
                #expect(denied.status == .forbidden, "\(email)")
                #expect(try other.decode(ReportBook.ListingProbe.self, try await other.send(.GET, "/api/v1/reports")).total == 0, "\(email)")
            }
            // Only a holder of the step forwards.
            #expect(try await member.send(.POST, "/api/v1/reports/\(report.id)/forward").status == .forbidden)
            #expect(try await fsa.send(.POST, "/api/v1/reports/\(report.id)/forward").status == .forbidden)

            // The banks' CEPTOAR reads it named and forwards it; the ministry passes it on at once.
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let seen = try secretariat.decode(ReportDTO.self, try await secretariat.send(.GET, "/api/v1/reports/\(report.id)"))
            #expect(seen.reporter?.name.ja == bank.name && !seen.anonymised)
            let forwarded = try await secretariat.send(.POST, "/api/v1/reports/\(report.id)/forward", json: ["note": "\(bank.name)より第一報"])
            #expect(forwarded.status == .ok)
            let hops = try await ReportHop.query(on: app.db).filter(\.$report.$id == report.id).with(\.$organisation).all()
            #expect(Dictionary(uniqueKeysWithValues: hops.map { ($0.step, $0.status) }) == ["ceptoar": "forwarded", "ministry": "forwarded", "nisc": "final"])
            #expect(hops.first { $0.step == "ministry" }?.organisation.key == "fsa")
            #expect(try await secretariat.send(.POST, "/api/v1/reports/\(report.id)/forward").status == .conflict)

            // 金融庁 and NISC see it without the bank's name, id, domain or addresses.
            for reader in [fsa, nisc] {
                let response = try await reader.send(.GET, "/api/v1/reports/\(report.id)")
                #expect(response.status == .ok)
                let body = response.body.string
                for leak in [bank.name, bank.key, bank.id.uuidString, "bank0001.example.jp", "csirt@", "山田", Self.bankEmail] {
                    #expect(!body.contains(leak), "\(leak) in \(body)")
                }
                let dto = try reader.decode(ReportDTO.self, response)
                #expect(dto.anonymised && dto.reporter == nil)
                #expect(dto.summary.ja.contains("［報告組織］"))
                #expect(dto.observables.map(\.value) == ["CVE-2024-3400", "203.0.113.7"] && dto.withheldObservables == 1)
                let listed = try reader.decode(ReportBook.ListingProbe.self, try await reader.send(.GET, "/api/v1/reports"))
                #expect(listed.total == 1)
                #expect(!(try await reader.send(.GET, "/api/v1/reports")).body.string.contains(bank.name))
            }

            // The reporter sees who has read it; nobody else may ask.
            let readers = try member.decode([ReportAPIController.Reader].self, try await member.send(.GET, "/api/v1/reports/\(report.id)/readers"))
            #expect(Set(readers.map(\.step)) == ["ceptoar", "ministry", "nisc"])
            #expect(try await fsa.send(.GET, "/api/v1/reports/\(report.id)/readers").status == .forbidden)
            // Reads and forwards are in the audit log.
            let actions = try await AuditRecord.query(on: app.db).filter(\.$subject == "report:\(report.id)").all().map(\.action)
            #expect(actions.filter { $0 == "report_read" }.count == 3)
            #expect(actions.contains("report_file") && actions.filter { $0 == "report_forward" }.count == 2)
        }
    }

    @Test func aReportMissingFieldsIsRefusedNamingThemAndNothingIsStored() async throws {
        try await withCeptoar(demo: true) { app in
            let member = try await APIClient.demo(app, Self.bankEmail)
            let empty = try await member.send(.POST, "/api/v1/reports", json: ["summary": ["ja": ""]])
            #expect(empty.status == .unprocessableEntity)
            let problem = try member.decode(ProblemDetails.self, empty)
            #expect(Set(problem.fields ?? []).isSuperset(of: ["summary.ja", "affectedService", "detectedAt", "eventType", "causes", "slaBreached", "impact", "tlp", "attribution"]))
            var input = ReportInput.outage(bankName: "x")
            input.detectedAt = "2026-02-30T10:00:00+09:00"
            input.impact = .init(serviceContinuity: 5, safety: 0, lossOfTrust: 0)
            input.observables = [.init(kind: "ip", value: "999.1.1.1")]
            let impossible = try member.decode(ProblemDetails.self, try await member.send(.POST, "/api/v1/reports", json: input))
            #expect(impossible.status == 422 && impossible.fields == ["detectedAt", "impact", "observables[0].value"])
            var japanese = try await member.send(.POST, "/api/v1/reports", json: input, headers: ["Accept-Language": "ja"])
            #expect(japanese.body.string.contains("検知日時"))
            japanese = try await member.send(.POST, "/api/v1/reports", json: ["impact": ["safety": "high"]])
            #expect(try japanese.status == .unprocessableEntity && (try member.decode(ProblemDetails.self, japanese).fields) == ["impact.safety"])
            // A spill-over from a sector the registry does not know.
            input = ReportInput.outage(bankName: "x")
            input.causes = ["spillover.nowhere"]
            #expect(try member.decode(ProblemDetails.self, try await member.send(.POST, "/api/v1/reports", json: input)).fields == ["causes"])
            #expect(try await IncidentReport.query(on: app.db).count() == 0)
            #expect(try await ReportStageRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func onlyAMemberReportsAndOnlyToItsOwnCeptoar() async throws {
        try await withCeptoar(demo: true) { app in
            struct Filing: Encodable {
                var report: ReportInput
                var ceptoar: String
                func encode(to encoder: any Encoder) throws {
                    try self.report.encode(to: encoder)
                    var container = encoder.container(keyedBy: Key.self)
                    try container.encode(self.ceptoar, forKey: .ceptoar)
                }
                enum Key: String, CodingKey { case ceptoar }
            }
            let member = try await APIClient.demo(app, Self.bankEmail)
            let elsewhere = try await member.send(.POST, "/api/v1/reports", json: Filing(report: .outage(bankName: "x"), ceptoar: "water"))
            #expect(elsewhere.status == .forbidden)
            #expect(try member.decode(ProblemDetails.self, elsewhere).fields == ["ceptoar"])
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            #expect(try await nisc.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "x")).status == .forbidden)
            #expect(try await IncidentReport.query(on: app.db).count() == 0)
            #expect(try await member.send(.POST, "/api/v1/reports", json: Filing(report: .outage(bankName: "x"), ceptoar: "banks")).status == .created)
        }
    }

    @Test func aReportGoesNoFurtherThanItsReporterAllows() async throws {
        try await withCeptoar(demo: true) { app in
            let member = try await APIClient.demo(app, Self.bankEmail)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            // Not past the CEPTOAR at all.
            let local = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports", json: ReportInput.outage(attribution: "ceptoar_only", bankName: "x")))
            #expect(local.hops.first?.status == "final")
            let stopped = try await secretariat.send(.POST, "/api/v1/reports/\(local.id)/forward")
            #expect(stopped.status == .forbidden && stopped.body.string.contains("no further than its CEPTOAR"))
            #expect(try await fsa.send(.GET, "/api/v1/reports/\(local.id)").status == .forbidden)
            // TLP:RED stops at the CEPTOAR until the reporter consents in a new version.
            var red = ReportInput.outage(tlp: "RED", attribution: "named", bankName: "x")
            let filed = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports", json: red))
            #expect(try await secretariat.send(.POST, "/api/v1/reports/\(filed.id)/forward").status == .forbidden)
            red.redConsent = true
            let consented = try await member.send(.POST, "/api/v1/reports/\(filed.id)/stages/first", json: red)
            #expect(consented.status == .created)
            #expect(try member.decode(ReportDTO.self, consented).versions.map(\.status) == ["superseded", "submitted"])
            #expect(try await secretariat.send(.POST, "/api/v1/reports/\(filed.id)/forward").status == .ok)
            let named = try fsa.decode(ReportDTO.self, try await fsa.send(.GET, "/api/v1/reports/\(filed.id)"))
            #expect(named.reporter != nil && !named.anonymised)
        }
    }

    @Test func stagesKeepTheirDeadlinesAndAReturnReopensOne() async throws {
        try await withCeptoar(demo: true) { app in
            let member = try await APIClient.demo(app, Self.bankEmail)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            // Detected 25 hours ago, first reported now: late; the follow-up (72 h) is still due.
            let late = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports", json: ReportInput.outage(detectedHoursAgo: 25, bankName: "x")))
            #expect(late.deadlines.map(\.timeliness) == ["late", "due", "due"])
            // Detected 73 hours ago: the follow-up is overdue; the final report cannot come before it.
            let overdue = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports", json: ReportInput.outage(detectedHoursAgo: 73, bankName: "x")))
            #expect(overdue.deadlines.map(\.timeliness) == ["late", "overdue", "due"])
            #expect(try await member.send(.POST, "/api/v1/reports/\(overdue.id)/stages/final", json: ReportInput.outage(detectedHoursAgo: 73, bankName: "x")).status == .conflict)
            #expect(try await member.send(.POST, "/api/v1/reports/\(overdue.id)/stages/second", json: ReportInput.outage(bankName: "x")).status == .notFound)

            // The CEPTOAR returns the first report; a member may not; the reporter's new version answers it.
            #expect(try await member.send(.POST, "/api/v1/reports/\(late.id)/stages/first/return", json: ["comment": "原因を追記してください"]).status == .forbidden)
            #expect(try await secretariat.send(.POST, "/api/v1/reports/\(late.id)/stages/first/return", json: ["comment": " "]).status == .unprocessableEntity)
            let returned = try secretariat.decode(ReportDTO.self, try await secretariat.send(.POST, "/api/v1/reports/\(late.id)/stages/first/return", json: ["comment": "原因を追記してください"]))
            #expect(returned.deadlines.first?.needsRevision == true)
            let seen = try member.decode(ReportDTO.self, try await member.send(.GET, "/api/v1/reports/\(late.id)"))
            #expect(seen.versions.first?.status == "needs_revision" && seen.versions.first?.returnComment == "原因を追記してください")
            #expect(try await secretariat.send(.POST, "/api/v1/reports/\(late.id)/stages/first/return", json: ["comment": "again"]).status == .conflict)
            var revised = ReportInput.outage(detectedHoursAgo: 25, bankName: "x")
            revised.causes = ["intentional.unauthorised_access", "unintentional.software"]
            let answered = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports/\(late.id)/stages/first", json: revised))
            #expect(answered.versions.map(\.status) == ["superseded", "submitted"] && answered.causes == ["intentional.unauthorised_access", "unintentional.software"])
            // The first submission still decides its timeliness; the stored first version is untouched.
            #expect(answered.deadlines.first?.timeliness == "late" && answered.deadlines.first?.needsRevision == false)
            let first = try #require(try await ReportStageRecord.query(on: app.db).filter(\.$report.$id == late.id).filter(\.$version == 1).first())
            #expect(first.content.contains("intentional.unauthorised_access") && !first.content.contains("unintentional.software"))
            // A follow-up, then the final report.
            #expect(try await member.send(.POST, "/api/v1/reports/\(late.id)/stages/follow_up", json: revised).status == .created)
            let final = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports/\(late.id)/stages/final", json: revised))
            #expect(final.stage == "final" && final.deadlines.map(\.timeliness) == ["late", "on_time", "on_time"])
            // Another member may not add a stage.
            let pending = try await APIClient.demo(app, "pending@demo.ceptoar.example")
            #expect(try await pending.send(.POST, "/api/v1/reports/\(late.id)/stages/follow_up", json: revised).status == .forbidden)
        }
    }

    @Test func aSectorSetsItsOwnDeadlines() async throws {
        try await withCeptoar(demo: true) { app in
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let mic = try await APIClient.demo(app, "mic@demo.ceptoar.example")
            let rules = ["first": "12h from detection", "followUp": "48h from first_report", "final": "2 months from previous_stage"]
            #expect(try await mic.send(.PUT, "/api/v1/sectors/finance/report-deadlines", json: rules).status == .forbidden)
            let bad = try await fsa.send(.PUT, "/api/v1/sectors/finance/report-deadlines", json: ["first": "soon", "followUp": "48h from first_report", "final": "0h from detection"])
            #expect(try bad.status == .unprocessableEntity && (try fsa.decode(ProblemDetails.self, bad).fields) == ["first", "final"])
            #expect(try await fsa.send(.PUT, "/api/v1/sectors/finance/report-deadlines", json: rules).status == .ok)
            let member = try await APIClient.demo(app, Self.bankEmail)
            let report = try member.decode(ReportDTO.self, try await member.send(.POST, "/api/v1/reports", json: ReportInput.outage(detectedHoursAgo: 13, bankName: "x")))
            #expect(report.deadlines.map(\.rule) == ["12h from detection", "48h from first_report", "2 months from previous_stage"])
            #expect(report.deadlines.map(\.timeliness) == ["late", "due", "waiting"])
            let followUp = try #require(report.deadlines[1].deadline)
            #expect(abs(followUp.timeIntervalSince(report.createdAt) - 48 * 3600) < 1)
        }
    }
}

extension ReportBook {
    /// The list's envelope, for tests that only count.
    struct ListingProbe: Decodable {
        var total: Int
    }
}
