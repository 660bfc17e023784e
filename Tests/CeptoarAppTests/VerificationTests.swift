@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

/// Verifying roster addresses by a code sent over the channel. The mail round trip against a
/// real SMTP server is in tests/e2e/test_alert_pages.py; here: the rules around it.
@Suite("Address verification")
struct VerificationTests {
    struct Request: Encodable { var channel: String; var address: String }
    struct Confirm: Encodable { var channel: String; var address: String; var code: String }

    @Test func refusalsAreClearAndNothingIsStored() async throws {
        try await withCeptoar(demo: true) { app in
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            // No mail relay configured: said so, nothing stored.
            let mail = try await member.send(.POST, "/api/v1/poc/verification", json: Request(channel: "email", address: "primary.demo-t-ceptoar-0001@example.jp"))
            #expect(mail.status == .serviceUnavailable)
            #expect(try member.decode(Problem.self, mail).detail.contains("CEPTOAR_SMTP_URL"))
            // A phone without a gateway cannot get a code automatically.
            let roster = try member.decode(PointsOfContact.RosterDTO.self, try await member.send(.GET, "/api/v1/poc"))
            let mobile = try #require(roster.contacts.flatMap(\.methods).first { $0.channel == "mobile" }?.address)
            let phone = try await member.send(.POST, "/api/v1/poc/verification", json: Request(channel: "mobile", address: mobile))
            #expect(phone.status == .unprocessableEntity)
            #expect(try member.decode(Problem.self, phone).detail.contains("no gateway"))
            // Someone else's address, or one not on the roster.
            #expect(try await member.send(.POST, "/api/v1/poc/verification", json: Request(channel: "email", address: "primary.demo-banks-0001@example.jp")).status == .notFound)
            #expect(try await member.send(.POST, "/api/v1/poc/verification", json: Request(channel: "meeting", address: "x")).status == .unprocessableEntity)
            #expect(try await PocVerification.query(on: app.db).count() == 0)
        }
    }

    @Test func theRightCodeVerifiesWrongOnesCountAndRunOut() async throws {
        try await withCeptoar(demo: true) { app in
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            let organisation = try await APIClient.organisationID(app, "member@demo.ceptoar.example")
            let address = "primary.demo-t-ceptoar-0001@example.jp"
            // A code as `send` stores it (its delivery is tested against a real server in e2e).
            let verification = PocVerification()
            verification.id = UUID()
            verification.$organisation.id = organisation
            verification.channel = "email"
            verification.address = address
            verification.codeHash = AddressVerification.hash("482913", verification.id!)
            verification.createdAt = Date()
            verification.expiresAt = Date().addingTimeInterval(1_800)
            verification.attempts = 0
            try await app.db.atomically { db in try await verification.create(on: db) }

            let wrong = try await member.send(.POST, "/api/v1/poc/verification/confirm", json: Confirm(channel: "email", address: address, code: "000000"))
            #expect(wrong.status == .unprocessableEntity)
            #expect(try member.decode(Problem.self, wrong).detail.contains("4 tries left"))
            #expect(try await PocVerification.find(verification.id, on: app.db)?.attempts == 1)
            // Full-width digits as a Japanese keyboard types them are accepted.
            let right = try await member.send(.POST, "/api/v1/poc/verification/confirm", json: Confirm(channel: "email", address: address, code: "４８２９１３"))
            #expect(right.status == .ok)
            let roster = try member.decode(PointsOfContact.RosterDTO.self, try await member.send(.GET, "/api/v1/poc"))
            #expect(roster.contacts.flatMap(\.methods).filter(\.verified).map(\.address) == [address])
            // Used once: the same code again finds nothing valid.
            #expect(try await member.send(.POST, "/api/v1/poc/verification/confirm", json: Confirm(channel: "email", address: address, code: "482913")).status == .unprocessableEntity)

            // Five wrong tries use a code up.
            let second = PocVerification()
            second.id = UUID()
            second.$organisation.id = organisation
            second.channel = "phone"
            second.address = try #require(roster.contacts.first { $0.rank == "primary" }?.methods.first { $0.channel == "phone" }?.address)
            second.codeHash = AddressVerification.hash("111111", second.id!)
            second.createdAt = Date()
            second.expiresAt = Date().addingTimeInterval(1_800)
            second.attempts = 0
            try await app.db.atomically { db in try await second.create(on: db) }
            for _ in 0..<5 {
                #expect(try await member.send(.POST, "/api/v1/poc/verification/confirm", json: Confirm(channel: "phone", address: second.address, code: "222222")).status == .unprocessableEntity)
            }
            #expect(try await member.send(.POST, "/api/v1/poc/verification/confirm", json: Confirm(channel: "phone", address: second.address, code: "111111")).status == .tooManyRequests)
        }
    }
}
