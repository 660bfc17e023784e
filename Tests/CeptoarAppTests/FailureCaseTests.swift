@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Failure cases: written from reports, refused while naming a reporter, relayed once clean")
struct FailureCaseTests {
    static func caseInput(reports: [UUID], event: String = "インターネットバンキングの認証装置の脆弱性を突かれ、サービスが停止した。") -> FailureCaseInput {
        FailureCaseInput(
            title: LocalizedText(ja: "VPN装置の脆弱性を起点とするサービス停止", en: "Outages starting from a VPN appliance vulnerability"),
            businessType: "銀行", event: event, cause: "修正プログラムの適用遅れ（意図的要因・不正侵入）",
            countermeasure: "修正プログラムの即時適用と装置の監視強化", lessons: "境界装置の脆弱性情報は受領当日に評価すること", tlp: "AMBER", reports: reports)
    }

    @Test func fiscWritesACaseFromThreeBanksReportsAndItReachesTheSectorOnceClean() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: three banks report the same CVE, anonymised past their CEPTOAR; the first
            // also files one that goes no further than the CEPTOAR.
            let banks = try await ReportCorrelationTests.reporters(app)
            var ids: [UUID] = []
            var names: [String] = []
            for (index, bank) in banks.enumerated() {
                let organisation = try #require(try await Organisation.query(on: app.db).filter(\.$key == "demo-banks-000\(index + 1)").first())
                names.append(organisation.nameJa)
                let filed = try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: organisation.nameJa))
                #expect(filed.status == .created)
                ids.append(try bank.decode(ReportDTO.self, filed).id)
            }
            let home = try banks[0].decode(
                ReportDTO.self, try await banks[0].send(.POST, "/api/v1/reports", json: ReportInput.outage(attribution: "ceptoar_only", bankName: names[0])))
            let fisc = try await APIClient.demo(app, "fisc@demo.ceptoar.example")

            // FISC, the finance analysis body, reads the three anonymised and not the fourth.
            let listed = try await fisc.send(.GET, "/api/v1/reports")
            let listing = try fisc.decode(ReportAPIController.Listing.self, listed)
            #expect(Set(listing.items.map(\.id)) == Set(ids))
            #expect(listing.items.allSatisfy { $0.anonymised && $0.reporter == nil })
            for name in names { #expect(!listed.body.string.contains(name)) }
            #expect(try await fisc.send(.GET, "/api/v1/reports/\(home.id)").status == .forbidden)
            #expect(try await fisc.send(.GET, "/api/v1/reports/\(ids[0])").status == .ok)

            // Refusals, each leaving nothing behind: a case from the report that stops at the
            // CEPTOAR, by a member, by another sector's secretariat, with an unknown report, or
            // with fields missing.
            let refusals: [(APIClient, FailureCaseInput, HTTPStatus)] = [
                (fisc, Self.caseInput(reports: ids + [home.id]), .forbidden),
                (banks[0], Self.caseInput(reports: ids), .forbidden),
                (try await APIClient.demo(app, "water-secretariat@demo.ceptoar.example"), Self.caseInput(reports: ids), .forbidden),
                (fisc, Self.caseInput(reports: [UUID()]), .unprocessableEntity),
                (fisc, Self.caseInput(reports: [ids[0], ids[0]]), .unprocessableEntity),
            ]
            for (client, input, status) in refusals {
                let response = try await client.send(.POST, "/api/v1/failure-cases", json: input)
                #expect(response.status == status, "\(response.body.string)")
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            }
            var empty = Self.caseInput(reports: ids)
            (empty.event, empty.lessons) = ("  ", "")
            let incomplete = try await fisc.send(.POST, "/api/v1/failure-cases", json: empty)
            #expect(incomplete.status == .unprocessableEntity)
            #expect(incomplete.body.string.contains("\"event\"") && incomplete.body.string.contains("\"lessons\""))
            #expect(try await FailureCase.query(on: app.db).count() == 0)

            // act: a draft whose event names the second bank and whose lessons name the third's domain.
            let advisoriesBefore = try await Advisory.query(on: app.db).count()
            var leaking = Self.caseInput(reports: ids, event: "\(names[1])のインターネットバンキングが停止した。")
            leaking.lessons = "bank0003.example.jp の境界装置は当日中に評価すること"
            let written = try await fisc.send(.POST, "/api/v1/failure-cases", json: leaking)
            #expect(written.status == .created)
            let draft = try fisc.decode(FailureCaseDTO.self, written)
            #expect(draft.status == "draft" && Set(draft.reports ?? []) == Set(ids) && draft.sector == "finance")
            // A draft is the author's alone.
            #expect(try await banks[0].send(.GET, "/api/v1/failure-cases/\(draft.id)").status == .forbidden)

            // check: publishing is refused, naming the two fields, and nothing is relayed.
            let refused = try await fisc.send(.POST, "/api/v1/failure-cases/\(draft.id)/publish")
            #expect(refused.status == .unprocessableEntity)
            let problem = refused.body.string
            #expect(problem.contains("\"event\"") && problem.contains("\"lessons\"") && !problem.contains("\"cause\""), "\(problem)")
            #expect(try await Advisory.query(on: app.db).count() == advisoriesBefore)
            #expect(try await FailureCase.find(draft.id, on: app.db)?.status == "draft")

            // Cleaned, it publishes: an "analysis result" advisory to every finance CEPTOAR.
            #expect(try await fisc.send(.PUT, "/api/v1/failure-cases/\(draft.id)", json: Self.caseInput(reports: ids)).status == .ok)
            let published = try await fisc.send(.POST, "/api/v1/failure-cases/\(draft.id)/publish")
            #expect(published.status == .ok, "\(published.body.string)")
            let done = try fisc.decode(FailureCaseDTO.self, published)
            let advisoryID = try #require(done.advisory)
            #expect(done.status == "published")
            let advisory = try #require(try await Advisory.find(advisoryID, on: app.db))
            #expect(advisory.category == "analysis" && advisory.tlp == "AMBER" && advisory.titleJa.hasPrefix("【障害事例】"))
            for name in names { #expect(!advisory.bodyJa.contains(name)) }
            // Every bank that accepted the rules has it delivered; so does a securities firm
            // (the finance sector); a water utility does not.
            let delivered = Set(try await Delivery.query(on: app.db).filter(\.$advisory.$id == advisoryID).all().map { $0.$organisation.id })
            #expect(delivered.contains(try await APIClient.organisationID(app, ReportTests.bankEmail)))
            let securities = try #require(try await Organisation.query(on: app.db).filter(\.$key == "demo-securities-0001").first())
            #expect(delivered.contains(try securities.requireID()))
            #expect(!delivered.contains(try await APIClient.organisationID(app, "water@demo.ceptoar.example")))
            #expect(try await banks[0].send(.GET, "/api/v1/advisories/\(advisoryID)").status == .ok)
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            #expect(try await water.send(.GET, "/api/v1/advisories/\(advisoryID)").status == .forbidden)
            // A bank reads the case itself, without the reports it came from; the water utility cannot.
            let read = try await banks[0].send(.GET, "/api/v1/failure-cases/\(draft.id)")
            #expect(read.status == .ok)
            let seen = try banks[0].decode(FailureCaseDTO.self, read)
            #expect(seen.reports == nil)
            #expect(try await water.send(.GET, "/api/v1/failure-cases/\(draft.id)").status == .forbidden)
            // Published once; a published case is not edited.
            #expect(try await fisc.send(.POST, "/api/v1/failure-cases/\(draft.id)/publish").status == .conflict)
            #expect(try await fisc.send(.PUT, "/api/v1/failure-cases/\(draft.id)", json: Self.caseInput(reports: ids)).status == .conflict)
            let audited = try await AuditRecord.query(on: app.db).filter(\.$action ~~ ["case_written", "case_revised", "case_published"]).count()
            #expect(audited == 3)
        }
    }

    @Test func onlyNISCAndTheSectorsMinistryDesignateAnalysisBodies() async throws {
        try await withCeptoar(demo: true) { app in
            let body = FailureCaseAPIController.Bodies(organisations: ["fisc", "jpcert"])
            for email in ["mic@demo.ceptoar.example", "banks-secretariat@demo.ceptoar.example", "fisc@demo.ceptoar.example"] {
                let client = try await APIClient.demo(app, email)
                #expect(try await client.send(.PUT, "/api/v1/sectors/finance/analysis-bodies", json: body).status == .forbidden, "\(email)")
            }
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let unknown = try await fsa.send(.PUT, "/api/v1/sectors/finance/analysis-bodies", json: FailureCaseAPIController.Bodies(organisations: ["nobody"]))
            #expect(unknown.status == .unprocessableEntity)
            #expect(try fsa.decode(FailureCaseAPIController.Bodies.self, try await fsa.send(.GET, "/api/v1/sectors/finance/analysis-bodies")).organisations == ["fisc"])
            #expect(try await fsa.send(.PUT, "/api/v1/sectors/finance/analysis-bodies", json: body).status == .ok)
            #expect(try fsa.decode(FailureCaseAPIController.Bodies.self, try await fsa.send(.GET, "/api/v1/sectors/finance/analysis-bodies")).organisations == ["fisc", "jpcert"])
        }
    }
}
