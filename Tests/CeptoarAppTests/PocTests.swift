@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Emergency points of contact")
struct PocTests {
    typealias Roster = PointsOfContact.RosterInput
    typealias Contact = PointsOfContact.ContactInput
    typealias Method = PointsOfContact.MethodInput

    static let roster = Roster(contacts: [
        Contact(rank: "secondary", name: "佐藤 花子", title: "情報システム部 課長", availableAlways: false, hours: "平日 9:00–17:45", methods: [
            Method(channel: "email", address: "sato@bank.example.jp", note: nil), Method(channel: "phone", address: "03-1234-5678", note: "代表"),
        ]),
        Contact(rank: "primary", name: "鈴木 一郎", title: "CSIRT 責任者", availableAlways: true, hours: nil, methods: [
            Method(channel: "email", address: "Suzuki@Bank.Example.JP", note: nil), Method(channel: "mobile", address: "090-1111-2222", note: nil),
            Method(channel: "satellite_phone", address: "+870 776 123 456", note: "災害時"),
        ]),
    ])

    @Test func aMemberKeepsItsRosterAndItsSecretariatReadsIt() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            // act
            let saved = try await bank.send(.PUT, "/api/v1/poc", json: Self.roster)
            // check: stored in rank order, addresses in one form, unverified, audited
            #expect(saved.status == .ok)
            let roster = try bank.decode(PointsOfContact.RosterDTO.self, saved)
            #expect(roster.contacts.map(\.rank) == ["primary", "secondary"])
            #expect(roster.contacts[0].methods.map(\.address) == ["Suzuki@bank.example.jp", "09011112222", "+870776123456"])
            #expect(roster.contacts.flatMap(\.methods).allSatisfy { !$0.verified })
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "poc_change").count() == 1)
            // The banks' secretariat and NISC read it; the water member and the telecom
            // secretariat (another CEPTOAR) may not.
            let organisation = roster.organisationID
            for (email, status) in [
                ("banks-secretariat@demo.ceptoar.example", HTTPStatus.ok), ("nisc@demo.ceptoar.example", .ok),
                ("water@demo.ceptoar.example", .forbidden), ("secretariat@demo.ceptoar.example", .forbidden),
            ] {
                let reader = try await APIClient.demo(app, email)
                #expect(try await reader.send(.GET, "/api/v1/organisations/\(organisation)/poc").status == status, "\(email)")
            }
            #expect(try await bank.send(.GET, "/api/v1/organisations/no-such-org/poc").status == .notFound)
        }
    }

    @Test func verificationSurvivesAnEditOnlyForUnchangedAddresses() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try await bank.send(.PUT, "/api/v1/poc", json: Self.roster).status == .ok)
            // Two addresses were verified (as the code exchange of issue #4 will record).
            for address in ["Suzuki@bank.example.jp", "09011112222"] {
                let method = try #require(try await PocMethod.query(on: app.db).filter(\.$address == address).first())
                method.verifiedAt = Date()
                try await app.db.atomically { db in try await method.save(on: db) }
            }
            // The mobile number changes; the mail address stays.
            var edited = Self.roster
            edited.contacts[1].methods[1].address = "090-3333-4444"
            let roster = try bank.decode(PointsOfContact.RosterDTO.self, try await bank.send(.PUT, "/api/v1/poc", json: edited))
            let methods = Dictionary(uniqueKeysWithValues: roster.contacts[0].methods.map { ($0.address, $0.verified) })
            #expect(methods == ["Suzuki@bank.example.jp": true, "09033334444": false, "+870776123456": false])
        }
    }

    @Test func mistakesAreRefusedAndNothingChanges() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try await bank.send(.PUT, "/api/v1/poc", json: Self.roster).status == .ok)
            let before = try await PocMethod.query(on: app.db).count()
            var noPrimary = Self.roster
            noPrimary.contacts.remove(at: 1)
            var badMail = Self.roster
            badMail.contacts[1].methods[0].address = "suzuki.bank.example.jp"
            var badChannel = Self.roster
            badChannel.contacts[0].methods[0].channel = "pager"
            var noHours = Self.roster
            noHours.contacts[0].hours = " "
            var noMethods = Self.roster
            noMethods.contacts[0].methods = []
            for (input, words) in [
                (noPrimary, "primary"), (badMail, "contact 2, method 1: not an email address"), (badChannel, "unknown channel 'pager'"),
                (noHours, "give the hours"), (noMethods, "ways to reach them"), (Roster(contacts: []), "1 to 20 contacts"),
            ] {
                let response = try await bank.send(.PUT, "/api/v1/poc", json: input)
                #expect(response.status == .unprocessableEntity, "\(words)")
                #expect(response.body.string.contains(words), "\(response.body.string)")
            }
            let japanese = try await app.testing().sendRequest(.PUT, "/api/v1/poc", headers: ["Authorization": "Bearer \(bank.token)", "Accept-Language": "ja", "Content-Type": "application/json"], body: ByteBuffer(data: try JSONEncoder().encode(badMail)))
            #expect(japanese.body.string.contains("メールアドレスの形式ではありません"))
            #expect(try await PocMethod.query(on: app.db).count() == before)
            #expect(try await app.testing().sendRequest(.PUT, "/api/v1/poc").status == .unauthorized)
        }
    }

    @Test func thePageSavesTheFilledSlotsAndShowsMistakes() async throws {
        try await withCeptoar(demo: true) { app in
            let browser = Browser(app)
            #expect(try await browser.get("/poc").status == .seeOther)
            try await browser.signIn("bank@demo.ceptoar.example", DemoNation.password)
            let page = try await browser.get("/poc")
            // The demo's made-up roster, saved and in the form; the form below replaces it.
            #expect(page.status == .ok && page.body.string.contains("primary.demo-banks-0001@example.jp"))
            #expect(page.body.string.components(separatedBy: #"data-testid="saved-contact""#).count == 4)
            let csrf = try browser.csrf(from: page)
            var form = [
                "_csrf": csrf, "c0_rank": "primary", "c0_name": "鈴木 一郎", "c0_always": "on",
                "c0_m0_channel": "email", "c0_m0_address": "suzuki@bank.example.jp",
                "c0_m1_channel": "mobile", "c0_m1_address": "090-1111-2222", "c0_m1_note": "夜間",
                "c1_rank": "secondary", "c1_name": "", "c1_m0_channel": "email", "c1_m0_address": "",
            ]
            let saved = try await browser.post("/poc", form: form)
            #expect(saved.status == .ok && saved.body.string.contains(#"data-testid="poc-saved""#))
            let roster = try await PointsOfContact(database: app.db).roster(of: try #require(try await Organisation.query(on: app.db).filter(\.$key == "demo-banks-0001").first()))
            #expect(roster.contacts.count == 1 && roster.contacts[0].methods.map(\.address) == ["suzuki@bank.example.jp", "09011112222"])
            // A mistake comes back with what was typed; the saved roster stays.
            form["c0_m0_address"] = "suzuki at bank"
            let refused = try await browser.post("/poc", form: form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("メールアドレスの形式ではありません") && refused.body.string.contains(#"value="suzuki at bank""#))
            #expect(try await PocMethod.query(on: app.db).filter(\.$address == "suzuki@bank.example.jp").count() == 1)
        }
    }
}
