@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Situation assessment and large-incident mode")
struct SituationAPITests {
    typealias Input = SituationBook.ChangeInput

    static func input(_ scope: String, _ level: String, links: [SituationLink], rationale: String = "同一CVEを悪用した停止報告が3件", largeIncident: Bool? = nil) -> Input {
        Input(scope: scope, level: level, rationale: LocalizedText(ja: rationale, en: "three outage reports exploiting one CVE"), links: links, largeIncident: largeIncident)
    }

    /// Rows that a refused change must leave as they were.
    static func footprint(_ app: Application) async throws -> [Int] {
        [try await SituationChange.query(on: app.db).count(), try await AuditRecord.query(on: app.db).count(), try await Advisory.query(on: app.db).count()]
    }

    @Test func theBanksSecretariatRaisesFinanceCitingReportsAndMembersAreTold() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, ReportTests.bankEmail)
            var reports: [SituationLink] = []
            for _ in 0..<3 {
                let filed = try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: "デモ銀行"))
                reports.append(SituationLink(kind: "report", id: try bank.decode(ReportDTO.self, filed).id))
            }
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let before = try secretariat.decode(SituationListDTO.self, try await secretariat.send(.GET, "/api/v1/situation?scope=sector:finance")).scopes[0]
            #expect(before.level == "normal" && before.coordinated)
            #expect(before.proposal?.level == "warning", "three open severity-3 reports")
            #expect(before.proposal?.reasons.first?.ja.contains("深刻度3") == true)

            // Refusals: nothing written by any of them.
            let water = try await APIClient.demo(app, "water-secretariat@demo.ceptoar.example")
            let power = try await APIClient.demo(app, "power-secretariat@demo.ceptoar.example")
            let untouched = try await Self.footprint(app)
            let refusals: [(APIClient, Input, HTTPStatus, String)] = [
                (secretariat, Self.input("sector:finance", "warning", links: reports, rationale: "  "), .unprocessableEntity, "rationale"),
                (secretariat, Self.input("sector:finance", "warning", links: []), .unprocessableEntity, "at least one"),
                (secretariat, Self.input("sector:finance", "warning", links: [SituationLink(kind: "report", id: UUID())]), .unprocessableEntity, "may not read"),
                (secretariat, Self.input("sector:finance", "warning", links: [SituationLink(kind: "rumour", id: UUID())]), .unprocessableEntity, "kind must be"),
                (secretariat, Self.input("sector:finance", "red", links: reports), .unprocessableEntity, "unknown level"),
                (secretariat, Self.input("sector:nowhere", "warning", links: reports), .unprocessableEntity, "no such scope"),
                (secretariat, Self.input("sector:finance\r\nX-Injected: 1", "warning", links: reports), .unprocessableEntity, "not a scope"),
                (secretariat, Self.input("nation", "warning", links: reports), .forbidden, "coordinator"),
                (secretariat, Self.input("sector:finance", "warning", links: reports, largeIncident: true), .forbidden, "only NISC"),
                (bank, Self.input("ceptoar:banks", "warning", links: reports), .forbidden, "coordinator"),
                (water, Self.input("sector:finance", "warning", links: reports), .forbidden, "coordinator"),
                (power, Self.input("ceptoar:electricity", "warning", links: reports), .unprocessableEntity, "may not read"),
            ]
            for (client, input, status, message) in refusals {
                let response = try await client.send(.POST, "/api/v1/situation", json: input)
                #expect(response.status == status, "\(input.scope) \(input.level): \(response.body.string)")
                #expect(response.body.string.contains(message), "\(response.body.string)")
                #expect(response.headers.contentType?.subType == "problem+json")
            }
            #expect(try await Self.footprint(app) == untouched)

            let raised = try await secretariat.send(.POST, "/api/v1/situation", json: Self.input("sector:finance", "警戒", links: reports))
            #expect(raised.status == .created, "\(raised.body.string)")
            let finance = try secretariat.decode(SituationDTO.self, raised)
            #expect(finance.level == "warning" && finance.label.ja == "警戒" && !finance.largeIncident)
            #expect(Set(finance.current?.links ?? []) == Set(reports))
            let notice = try #require(finance.current?.notice)

            // Members see it: the level in the API and the plain text, the notice in their inbox.
            let seen = try bank.decode(SituationListDTO.self, try await bank.send(.GET, "/api/v1/situation")).scopes
            #expect(seen.first { $0.scope == "sector:finance" }?.level == "warning")
            #expect(seen.first { $0.scope == "nation" }?.level == "normal")
            #expect(!seen.contains { $0.scope == "sector:water" }, "another sector's level is not the bank's")
            let text = try await bank.send(.GET, "/api/v1/situation.txt")
            #expect(text.headers.contentType?.subType == "plain")
            #expect(text.body.string.contains("sector:finance\twarning\t警戒\t-\t"))
            let bankOrg = try await APIClient.organisationID(app, ReportTests.bankEmail)
            #expect(try await Delivery.query(on: app.db).filter(\.$advisory.$id == notice).filter(\.$organisation.$id == bankOrg).count() == 1)
            let read = try bank.decode(AdvisoryDTO.self, try await bank.send(.GET, "/api/v1/advisories/\(notice)"))
            #expect(read.title.ja.contains("警戒") && read.tlp == "AMBER")

            // Another sector's member may not read the finance timeline; its coordinator reads it whole.
            let waterMember = try await APIClient.demo(app, "water@demo.ceptoar.example")
            #expect(try await waterMember.send(.GET, "/api/v1/situation?scope=sector:finance").status == .forbidden)
            #expect(try await waterMember.send(.GET, "/api/v1/situation?scope=sector:%E9%87%91").status == .badRequest)
            let history = try secretariat.decode(SituationListDTO.self, try await secretariat.send(.GET, "/api/v1/situation?scope=sector:finance")).scopes[0].history ?? []
            #expect(history.count == 1 && history[0].setBy == "banks-secretariat@demo.ceptoar.example")
            let audit = try await AuditRecord.query(on: app.db).filter(\.$action == "situation_change").all()
            #expect(audit.count == 1 && audit[0].subject == "situation:sector:finance")
        }
    }

    @Test func theNationAtEmergencyForwardsHeldHopsAtOnceUntilLowered() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let held = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "medium", targets: [("ceptoar", "banks")])))
            #expect(try await RelayHop.query(on: app.db).filter(\.$status == "held").count() == 1)
            #expect(try await Delivery.query(on: app.db).filter(\.$advisory.$id == held.id).count() == 0)

            let links = [SituationLink(kind: "advisory", id: held.id)]
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            #expect(try await fsa.send(.POST, "/api/v1/situation", json: Self.input("nation", "emergency", links: links)).status == .forbidden)
            let raised = try await nisc.send(.POST, "/api/v1/situation", json: Self.input("nation", "緊急", links: links, rationale: "全国的な大規模障害"))
            #expect(raised.status == .created, "\(raised.body.string)")
            let nation = try nisc.decode(SituationDTO.self, raised)
            #expect(nation.level == "emergency" && nation.largeIncident)
            #expect(nation.current?.effects["held_hops_forwarded"] == "1")
            // The held hop went on, and so did the banks' hop it opened: members have it now.
            #expect(try await RelayHop.query(on: app.db).filter(\.$status == "held").count() == 0)
            #expect(try await Delivery.query(on: app.db).filter(\.$advisory.$id == held.id).count() > 0)
            let forwards = try await AuditRecord.query(on: app.db).filter(\.$action == "forward").filter(\.$actor == Relay.largeIncidentActor).count()
            #expect(forwards == 2)
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "large_incident_start").count() == 1)

            // While the mode lasts, a new medium advisory is not held anywhere.
            let next = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "medium", targets: [("ceptoar", "banks")])))
            #expect(try await RelayHop.query(on: app.db).filter(\.$status == "held").count() == 0)
            #expect(try await Delivery.query(on: app.db).filter(\.$advisory.$id == next.id).count() > 0)

            // NISC lowers the nation: the mode ends, and review is back.
            let lowered = try nisc.decode(SituationDTO.self, try await nisc.send(.POST, "/api/v1/situation", json: Self.input("nation", "warning", links: links, rationale: "復旧が進んだため")))
            #expect(lowered.level == "warning" && !lowered.largeIncident)
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "large_incident_end").count() == 1)
            _ = try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "medium", targets: [("ceptoar", "banks")]))
            #expect(try await RelayHop.query(on: app.db).filter(\.$status == "held").count() == 1)

            // NISC's switch: large-incident mode for one sector without 緊急.
            let switched = try nisc.decode(SituationDTO.self, try await nisc.send(.POST, "/api/v1/situation", json: Self.input("sector:finance", "warning", links: links, rationale: "金融分野の広域障害", largeIncident: true)))
            #expect(switched.largeIncident && switched.current?.effects["held_hops_forwarded"] == "1")
            #expect(try await RelayHop.query(on: app.db).filter(\.$status == "held").count() == 0)
            let refused = try await nisc.send(.POST, "/api/v1/situation", json: Self.input("sector:finance", "emergency", links: links, largeIncident: false))
            #expect(refused.status == .unprocessableEntity)
        }
    }
}

extension SituationAPITests {
    /// In large-incident mode a step's wait is the policy's shortened one, for the scope's
    /// targets only; outside the mode, the policy's own.
    @Test func escalationWaitsShortenInLargeIncidentMode() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "medium", targets: [("ceptoar", "banks")])))
            var policy = AlertTests.twoSteps
            policy.steps[0].waitSeconds = 600
            policy.largeIncidentFactor = 0.1
            func drill(_ key: String) async throws -> (Date, [Date]) {
                let started = try nisc.decode(AlertTests.Started.self, try await nisc.send(.POST, "/api/v1/alerts", json: AlertTests.drill(key, policy: policy)))
                let alert = try #require(try await Alert.find(started.alert.id, on: app.db))
                let next = try await AlertTarget.query(on: app.db).filter(\.$alert.$id == started.alert.id).all().compactMap(\.nextStepAt)
                return (alert.createdAt, next)
            }
            let (before, normal) = try await drill("water")
            #expect(!normal.isEmpty && normal.allSatisfy { abs($0.timeIntervalSince(before) - 600) < 5 })
            _ = try await nisc.send(.POST, "/api/v1/situation", json: Self.input("sector:finance", "emergency", links: [SituationLink(kind: "advisory", id: advisory.id)]))
            let (start, shortened) = try await drill("banks")
            #expect(!shortened.isEmpty && shortened.allSatisfy { abs($0.timeIntervalSince(start) - 60) < 5 }, "600 s × 0.1")
            let (other, unchanged) = try await drill("water")
            #expect(!unchanged.isEmpty && unchanged.allSatisfy { abs($0.timeIntervalSince(other) - 600) < 5 }, "water is not in the mode")
        }
    }
}

@Suite("Printable emergency sheets")
struct EmergencySheetTests {
    @Test func onlyTheSecretariatTheMinistryAndNISCPrintACeptoarsSheet() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await ReportTests.bankContact(app)
            let printed = { try await AuditRecord.query(on: app.db).filter(\.$action == "print_emergency_sheet").count() }
            // Denials first: a member of the CEPTOAR, another sector's secretariat, another
            // sector's ministry, a visitor; and nothing is recorded for them.
            for email in ["bank@demo.ceptoar.example", "water-secretariat@demo.ceptoar.example", "mic@demo.ceptoar.example"] {
                let browser = Browser(app)
                try await browser.signIn(email, DemoNation.password)
                let response = try await browser.get("/ceptoars/banks/emergency-sheet")
                #expect(response.status == .forbidden, "\(email)")
                #expect(response.body.string.contains("緊急連絡先一覧は、その事務局・所管省庁・NISC だけ"), "\(email)")
                #expect(!response.body.string.contains("csirt@bank0001.example.jp"))
            }
            #expect(try await Browser(app).get("/ceptoars/banks/emergency-sheet").status == .seeOther)
            #expect(try await printed() == 0)
            for email in ["banks-secretariat@demo.ceptoar.example", "fsa@demo.ceptoar.example", "nisc@demo.ceptoar.example"] {
                let browser = Browser(app)
                try await browser.signIn(email, DemoNation.password)
                let response = try await browser.get("/ceptoars/banks/emergency-sheet")
                #expect(response.status == .ok, "\(email)")
                let page = response.body.string
                #expect(page.contains("銀行等CEPTOAR 緊急連絡先一覧") && page.contains(bank.name) && page.contains("csirt@bank0001.example.jp"))
                #expect(page.contains("段階 1") && page.contains("TLP:AMBER+STRICT"))
                #expect(response.headers.first(name: .cacheControl) == "no-store")
                #expect(try await browser.get("/ceptoars/nowhere/emergency-sheet").status == .notFound)
            }
            #expect(try await printed() == 3)
        }
    }
}
