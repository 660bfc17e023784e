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
