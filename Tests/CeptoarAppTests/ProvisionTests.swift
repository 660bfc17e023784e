@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("External provision and relay policy")
struct ProvisionTests {
    @Test func theOriginatorDecidesAndTheDecisionIsRecorded() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "banks")])))
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            // Someone who cannot read it cannot ask to pass it on.
            #expect(try await water.send(.POST, "/api/v1/advisories/\(advisory.id)/provision-requests", json: ["recipient": "x", "purpose": "y"]).status == .forbidden)
            #expect(try await bank.send(.POST, "/api/v1/advisories/\(advisory.id)/provision-requests", json: ["recipient": "", "purpose": "y"]).status == .unprocessableEntity)
            let created = try await bank.send(.POST, "/api/v1/advisories/\(advisory.id)/provision-requests", json: ["recipient": "委託先のシステム保守会社", "purpose": "VPN装置の修正適用のため"])
            #expect(created.status == .created)
            let request = try bank.decode(Provision.DTO.self, created)
            // Only the originator decides; an approval needs its scope; a decision is final.
            #expect(try await bank.send(.POST, "/api/v1/provision-requests/\(request.id)/decision", json: ["approve": true]).status == .forbidden)
            struct Decision: Encodable { var approve: Bool; var scope: String? }
            #expect(try await nisc.send(.POST, "/api/v1/provision-requests/\(request.id)/decision", json: Decision(approve: true, scope: nil)).status == .unprocessableEntity)
            let approved = try await nisc.send(.POST, "/api/v1/provision-requests/\(request.id)/decision", json: Decision(approve: true, scope: "保守会社の担当者に限り、本文のみ、2026年12月末まで"))
            #expect(approved.status == .ok)
            #expect(try nisc.decode(Provision.DTO.self, approved).status == "approved")
            #expect(try await nisc.send(.POST, "/api/v1/provision-requests/\(request.id)/decision", json: Decision(approve: false, scope: nil)).status == .conflict)
            let seen = try bank.decode([Provision.DTO].self, try await bank.send(.GET, "/api/v1/provision-requests"))
            #expect(seen.first?.scope == "保守会社の担当者に限り、本文のみ、2026年12月末まで")
            let actions = try await AuditRecord.query(on: app.db).all().map(\.action)
            #expect(actions.contains("export_request") && actions.contains("export_approve"))
            #expect(try await AuditLog.verify(on: app.db).break == nil)
        }
    }

    @Test func greenGoesToContractorsOnlyWhereTheRulesSaySo() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let green = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", targets: [("ceptoar", "banks")])))
            let amber = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "AMBER", targets: [("ceptoar", "banks")])))
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            struct Ask: Encodable { var recipient = "委託先の保守会社"; var purpose = "修正適用"; var contractor = true }
            func ask(_ advisory: UUID) async throws -> Provision.DTO {
                let response = try await bank.send(.POST, "/api/v1/advisories/\(advisory)/provision-requests", json: Ask())
                #expect(response.status == .created)
                return try bank.decode(Provision.DTO.self, response)
            }
            // The seeded rules (v1) do not let GREEN go to contractors: the originator decides.
            #expect(try await ask(green.id).status == "pending")
            // The banks' secretariat publishes v2, which does; the member accepts it.
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            struct Rules: Encodable {
                var text = ["ja": "第2版: TLP:GREEN は委託先に提供してよい。"]; var defaultTLP = "GREEN"; var greenToContractors = true; var externalPolicy = "originator"
            }
            #expect(try await secretariat.send(.POST, "/api/v1/ceptoars/banks/rules", json: Rules()).status == .ok)
            #expect(try await bank.send(.POST, "/api/v1/ceptoars/banks/rules/accept").status == .ok)
            // Now GREEN to a contractor is approved by the rules, and recorded as theirs.
            let allowed = try await ask(green.id)
            #expect(allowed.status == "approved" && allowed.scope?.contains("v2") == true)
            let approval = try #require(try await AuditRecord.query(on: app.db).filter(\.$action == "export_approve").first())
            #expect(approval.actor == "rules:banks v2")
            // AMBER, or GREEN to someone who is not a contractor, still waits for the originator.
            #expect(try await ask(amber.id).status == "pending")
            let other = try await bank.send(.POST, "/api/v1/advisories/\(green.id)/provision-requests", json: ["recipient": "業界団体", "purpose": "共有"])
            #expect(try bank.decode(Provision.DTO.self, other).status == "pending")
            #expect(try await AuditLog.verify(on: app.db).break == nil)
        }
    }

    @Test func aHopHolderSetsItsRelayPolicy() async throws {
        try await withCeptoar(demo: true) { app in
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            #expect(try await fsa.send(.PUT, "/api/v1/relay-policy", json: ["autoForwardFrom": "urgent"]).status == .unprocessableEntity)
            // FSA now holds even critical advisories for review.
            #expect(try await fsa.send(.PUT, "/api/v1/relay-policy", json: ["autoForwardFrom": "critical"]).status == .ok)
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try await bank.send(.PUT, "/api/v1/relay-policy", json: ["autoForwardFrom": "low"]).status == .forbidden)
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            _ = try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(severity: "high", targets: [("ceptoar", "banks"), ("ceptoar", "water")]))
            #expect(try fsa.decode([HopDTO].self, try await fsa.send(.GET, "/api/v1/hops")).count == 1)
            // Water's ministry keeps the default: its members already have it.
            #expect(try await Delivery.query(on: app.db).count() == 1_393)
        }
    }
}

@Suite("Attachments")
struct AttachmentTests {
    @Test func storedWithTheirHashAndReadOnlyAsTheAdvisoryAllows() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "banks")])))
            let text = "indicator,type\n203.0.113.7,ip\n"
            let content = Data(text.utf8)
            func upload(_ client: APIClient, _ name: String, _ data: Data) async throws -> TestingHTTPResponse {
                var headers: HTTPHeaders = ["Accept-Language": "en"]
                headers.bearerAuthorization = BearerAuthorization(token: client.token)
                headers.contentType = HTTPMediaType(type: "text", subType: "csv")
                return try await app.testing().sendRequest(.POST, "/api/v1/advisories/\(advisory.id)/attachments?filename=\(name)", headers: headers, body: ByteBuffer(data: data))
            }
            let created = try await upload(nisc, "iocs.csv", content)
            #expect(created.status == .created)
            let dto = try nisc.decode(AttachmentAPIController.DTO.self, created)
            // The stored hash is the SHA-256 of exactly the uploaded bytes (APIToken.hash is SHA-256 hex of UTF-8).
            #expect(dto.sha256 == APIToken.hash(text))
            #expect(dto.size == content.count)
            // Mistakes: no name, a path, an empty body, too large, not the originator.
            #expect(try await upload(nisc, "", content).status == .unprocessableEntity)
            #expect(try await upload(nisc, "..%2Fetc%2Fpasswd", content).status == .unprocessableEntity)
            #expect(try await upload(nisc, "empty.txt", Data()).status == .unprocessableEntity)
            #expect(try await upload(nisc, "big.bin", Data(count: AttachmentAPIController.maxBytes + 1)).status == .payloadTooLarge)
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try await upload(bank, "x.txt", content).status == .forbidden)
            // A recipient downloads exactly what was stored; a water member cannot.
            let download = try await bank.send(.GET, "/api/v1/attachments/\(dto.id)")
            #expect(download.status == .ok)
            #expect(Data(buffer: download.body) == content)
            #expect(try bank.decode([AttachmentAPIController.DTO].self, try await bank.send(.GET, "/api/v1/advisories/\(advisory.id)/attachments")).count == 1)
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            #expect(try await water.send(.GET, "/api/v1/attachments/\(dto.id)").status == .forbidden)
            let stored = try await AdvisoryAttachment.query(on: app.db).count()
            #expect(stored == 1)
        }
    }
}

