@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

/// Direct sharing: an agreement's lifecycle, and TAXII collections seen through the policy.
@Suite("Sharing under agreements (TAXII)")
struct SharingTests {
    static let key = "t-ceptoar-electricity-2026"
    static let telecom = "ceptoar:t-ceptoar"
    static let power = "ceptoar:electricity"

    static func proposal(key: String = Self.key, maxTLP: String = "AMBER") -> Agreements.Proposal {
        Agreements.Proposal(
            key: key, title: LocalizedText(ja: "情報通信・電力 相互合意", en: "Telecom and power agreement"), parties: [telecom, power], direction: "both",
            categories: nil, objectTypes: nil, originSectors: nil, maxTLP: maxTLP, anonymised: true, mayPassOn: false,
            validFrom: "2026-01-01", validTo: "2099-03-31", retentionDays: 365,
            contacts: [telecom: "T-CEPTOAR 事務局 03-0000-0000", power: "電気事業連合会 情報通信部 03-1111-1111"])
    }

    /// A TAXII client on the in-memory tester.
    struct Taxii {
        let app: Application
        let token: String?
        var accept = "application/taxii+json;version=2.1"

        static func demo(_ app: Application, _ email: String) async throws -> Taxii {
            Taxii(app: app, token: try await APIClient.demo(app, email).token)
        }

        func send(_ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String = "application/taxii+json;version=2.1", basic: Bool = false) async throws -> TestingHTTPResponse {
            var headers: HTTPHeaders = ["Accept": self.accept, "Accept-Language": "en"]
            if let token {
                if basic { headers.basicAuthorization = BasicAuthorization(username: "client", password: token) } else { headers.bearerAuthorization = BearerAuthorization(token: token) }
            }
            var buffer: ByteBuffer?
            if let body {
                headers.replaceOrAdd(name: .contentType, value: contentType)
                buffer = ByteBuffer(string: body)
            }
            return try await self.app.testing().sendRequest(method, path, headers: headers, body: buffer)
        }

        func json(_ path: String) async throws -> JSONValue {
            let response = try await self.send(.GET, path)
            #expect(response.status == .ok, "\(path): \(response.body.string)")
            return try JSONValue.decode(Data(buffer: response.body))
        }
    }

    static func collection(_ id: String) -> String { "/taxii2/api/collections/\(id)/" }

    static func activeAgreement(_ app: Application) async throws {
        let telecom = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
        let proposed = try await telecom.send(.POST, "/api/v1/agreements", json: Self.proposal())
        #expect(proposed.status == .created, "\(proposed.body.string)")
        let power = try await APIClient.demo(app, "power-secretariat@demo.ceptoar.example")
        let approved = try power.decode(Agreements.DTO.self, try await power.send(.POST, "/api/v1/agreements/\(Self.key)/approve"))
        #expect(approved.status == "active")
    }

    /// The agreement in force, and the power secretariat as a TAXII client posting to its
    /// collection under the agreement's pseudonym.
    static func powerUnderActiveAgreement(_ app: Application) async throws -> (power: Taxii, author: String, agreement: String) {
        try await Self.activeAgreement(app)
        let power = try await Taxii.demo(app, "power-secretariat@demo.ceptoar.example")
        return (power, CollectionReader.pseudonym(agreement: Self.key, party: Self.power), Self.collection(TaxiiCollections.agreementCollectionID(Self.key)))
    }

    @Test func anAgreementIsProposedApprovedSuspendedAndRecorded() async throws {
        try await withCeptoar(demo: true) { app in
            let telecom = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            // Refused proposals name every field that is wrong, and store nothing.
            var bad = Self.proposal()
            bad.maxTLP = "RED"
            bad.parties = [Self.telecom]
            bad.retentionDays = 0
            let refused = try await telecom.send(.POST, "/api/v1/agreements", json: bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("maxTLP") && refused.body.string.contains("parties") && refused.body.string.contains("retentionDays"))
            var strict = Self.proposal()
            strict.maxTLP = "AMBER+STRICT"
            #expect(try await telecom.send(.POST, "/api/v1/agreements", json: strict).status == .unprocessableEntity)
            // A member may not propose; a secretariat not party to it may not either.
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            #expect(try await member.send(.POST, "/api/v1/agreements", json: Self.proposal()).status == .forbidden)
            let banks = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            #expect(try await banks.send(.POST, "/api/v1/agreements", json: Self.proposal()).status == .forbidden)
            #expect(try await AgreementRecord.query(on: app.db).count() == 0)

            let proposed = try telecom.decode(Agreements.DTO.self, try await telecom.send(.POST, "/api/v1/agreements", json: Self.proposal()))
            #expect(proposed.status == "proposed" && proposed.awaiting == [Self.power])
            // The proposer cannot approve for the other side; a non-party cannot even see it.
            #expect(try await telecom.send(.POST, "/api/v1/agreements/\(Self.key)/approve").status == .forbidden)
            let water = try await APIClient.demo(app, "water-secretariat@demo.ceptoar.example")
            #expect(try await water.send(.GET, "/api/v1/agreements/\(Self.key)").status == .notFound)
            #expect(try await water.send(.POST, "/api/v1/agreements/\(Self.key)/approve").status == .notFound)
            let power = try await APIClient.demo(app, "power-secretariat@demo.ceptoar.example")
            let active = try power.decode(Agreements.DTO.self, try await power.send(.POST, "/api/v1/agreements/\(Self.key)/approve"))
            #expect(active.status == "active" && active.awaiting.isEmpty)
            // Suspending needs a reason; then it is suspended until resumed.
            #expect(try await power.send(.POST, "/api/v1/agreements/\(Self.key)/suspend", json: ["reason": ""]).status == .unprocessableEntity)
            let suspended = try power.decode(Agreements.DTO.self, try await power.send(.POST, "/api/v1/agreements/\(Self.key)/suspend", json: ["reason": "見直しのため"]))
            #expect(suspended.status == "suspended")
            #expect(try await telecom.send(.POST, "/api/v1/agreements/\(Self.key)/suspend", json: ["reason": "again"]).status == .conflict)
            let resumed = try telecom.decode(Agreements.DTO.self, try await telecom.send(.POST, "/api/v1/agreements/\(Self.key)/resume", json: ["reason": "再開"]))
            #expect(resumed.status == "active")
            let history = try #require(resumed.history).map(\.change)
            #expect(history == ["proposed", "approved", "activated", "suspended", "resumed"])
            let audited = try await AuditRecord.query(on: app.db).filter(\.$action ~~ ["agreement-proposed", "agreement-approved", "agreement-activated", "agreement-suspended", "agreement-resumed"]).count()
            #expect(audited == 5)
            // Twice the same key is a conflict.
            #expect(try await telecom.send(.POST, "/api/v1/agreements", json: Self.proposal()).status == .conflict)
        }
    }

    @Test func anAmberAdvisoryCrossesAnonymisedToTheOtherPartyOnly() async throws {
        try await withCeptoar(demo: true) { app in
            try await Self.activeAgreement(app)
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            var amber = AdvisoryInput.sample(tlp: "AMBER", targets: [("ceptoar", "t-ceptoar")])
            amber.references = ["CVE-2024-3400", "198.51.100.7", "https://www.nisc.go.jp/"]
            #expect(try await secretariat.send(.POST, "/api/v1/advisories", json: amber).status == .created)
            var red = AdvisoryInput.sample(tlp: "RED", targets: [("organisation", "demo-t-ceptoar-0001")])
            red.title = LocalizedText(ja: "赤の情報", en: "A red item")
            #expect(try await secretariat.send(.POST, "/api/v1/advisories", json: red).status == .created)
            let agreement = Self.collection(TaxiiCollections.agreementCollectionID(Self.key))

            let power = try await Taxii.demo(app, "power-secretariat@demo.ceptoar.example")
            let listed = try await power.json("/taxii2/api/collections/")
            let ids = listed["collections"]?.array?.compactMap { $0["id"]?.string } ?? []
            #expect(ids.contains(TaxiiCollections.agreementCollectionID(Self.key)))
            let envelope = try await power.json(agreement + "objects/")
            let objects = try #require(envelope["objects"]?.array)
            let types = Set(objects.compactMap { $0["type"]?.string })
            #expect(types.isSuperset(of: ["report", "vulnerability", "indicator", "language-content"]))
            #expect(!types.contains("identity"))
            let text = envelope.encoded()
            // Anonymised: no originator's identity, name or id; the agreement's pseudonym instead.
            let secretariatOrganisation = try #require(try await Organisation.query(on: app.db).filter(\.$key == "t-ceptoar-secretariat").first())
            #expect(!text.contains(Parties.stixParty(secretariatOrganisation).identityID))
            #expect(!text.contains(secretariatOrganisation.nameJa))
            let pseudonym = CollectionReader.pseudonym(agreement: Self.key, party: Self.telecom)
            #expect(objects.allSatisfy { $0["created_by_ref"]?.string == pseudonym })
            #expect(objects.allSatisfy { $0["object_marking_refs"] == [.string(TLPMarking.id(.amber))] })
            // The RED advisory never crosses.
            #expect(!text.contains("赤の情報"))
            // Basic authentication with the token as the password works alike.
            #expect(try await power.send(.GET, agreement + "objects/", basic: true).status == .ok)

            // A non-party: the agreement collection does not exist for it; the community is closed.
            let water = try await Taxii.demo(app, "water-secretariat@demo.ceptoar.example")
            #expect(try await water.send(.GET, agreement + "objects/").status == .notFound)
            let community = Self.collection(TaxiiCollections.communityCollectionID("t-ceptoar"))
            let closed = try await water.send(.GET, community + "objects/")
            #expect(closed.status == .forbidden && closed.headers.contentType?.subType == "taxii+json")
            #expect(try JSONValue.decode(Data(buffer: closed.body))["http_status"] == "403")
            // Without a token: 401 with a challenge.
            let anonymous = Taxii(app: app, token: nil)
            let challenged = try await anonymous.send(.GET, community + "objects/")
            #expect(challenged.status == .unauthorized && challenged.headers.first(name: "WWW-Authenticate") != nil)

            // Suspended: the other party reads nothing and may post nothing.
            let secretariatAPI = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            #expect(try await secretariatAPI.send(.POST, "/api/v1/agreements/\(Self.key)/suspend", json: ["reason": "見直し"]).status == .ok)
            #expect(try await power.send(.GET, agreement + "objects/").status == .forbidden)
            #expect(try await power.send(.POST, agreement + "objects/", body: #"{"objects":[]}"#).status == .forbidden)
        }
    }

    static func indicator(_ index: Int, by author: String, tlp: TLP = .amber) -> JSONValue {
        let id = STIXIdentifier.make("indicator", name: "test:\(author):\(index)")
        return [
            "type": "indicator", "spec_version": "2.1", "id": .string(id), "created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z",
            "created_by_ref": .string(author), "name": .string("suspicious address \(index)"), "pattern": .string("[ipv4-addr:value = '203.0.113.\(index % 250)']"),
            "pattern_type": "stix", "valid_from": "2026-12-01T00:00:00Z", "object_marking_refs": [.string(TLPMarking.id(tlp))],
        ]
    }

    static func envelope(_ objects: [JSONValue]) -> String { JSONValue.object(["objects": .array(objects)]).encoded() }

    @Test func thePowerSidePostsAndTheTelecomMembersReadIt() async throws {
        try await withCeptoar(demo: true) { app in
            let (power, author, agreement) = try await Self.powerUnderActiveAgreement(app)
            let first = try await power.send(.POST, agreement + "objects/", body: Self.envelope([Self.indicator(1, by: author)]))
            #expect(first.status == .accepted, "\(first.body.string)")
            let status = try JSONValue.decode(Data(buffer: first.body))
            #expect(status["success_count"] == .integer(1) && status["status"] == "complete")
            // The status is kept for its owner.
            let statusID = try #require(status["id"]?.string)
            #expect(try await power.send(.GET, "/taxii2/api/status/\(statusID)/").status == .ok)
            let water = try await Taxii.demo(app, "water-secretariat@demo.ceptoar.example")
            #expect(try await water.send(.GET, "/taxii2/api/status/\(statusID)/").status == .notFound)
            // The same (id, modified) again: a success that stores nothing.
            let again = try JSONValue.decode(Data(buffer: try await power.send(.POST, agreement + "objects/", body: Self.envelope([Self.indicator(1, by: author)])).body))
            #expect(again["success_count"] == .integer(1))
            #expect(try await StixObjectRecord.query(on: app.db).filter(\.$type == "indicator").count() == 1)

            // T-CEPTOAR's members read it in their community collection; the power side does not get it back.
            let member = try await Taxii.demo(app, "member@demo.ceptoar.example")
            let community = try await member.json(Self.collection(TaxiiCollections.communityCollectionID("t-ceptoar")) + "objects/?match[type]=indicator")
            #expect(community["objects"]?.array?.count == 1)
            let back = try await power.json(agreement + "objects/?match[type]=indicator")
            #expect(back["objects"]?.array?.isEmpty == true)

            // Refused objects: another's author, RED, unknown marking, above the ceiling, broken form —
            // each named in the status, and the good one beside them not stored either.
            let stranger = STIXIdentifier.make("identity", name: "someone-else")
            var unknownMarking = Self.indicator(5, by: author).object!
            unknownMarking["object_marking_refs"] = [.string(STIXIdentifier.make("marking-definition", name: "statement"))]
            var broken = Self.indicator(6, by: author).object!
            broken["modified"] = "yesterday"
            let mixed = [Self.indicator(2, by: author), Self.indicator(3, by: stranger), Self.indicator(4, by: author, tlp: .red), .object(unknownMarking), .object(broken)]
            let refused = try JSONValue.decode(Data(buffer: try await power.send(.POST, agreement + "objects/", body: Self.envelope(mixed)).body))
            #expect(refused["success_count"] == .integer(0) && refused["failure_count"] == .integer(5))
            let messages = refused["failures"]?.array?.compactMap { $0["message"]?.string } ?? []
            #expect(messages.contains { $0.contains("created_by_ref") } && messages.contains { $0.contains("RED") } && messages.contains { $0.contains("modified") })
            #expect(messages.contains { $0.contains("whole or not at all") })
            #expect(try await StixObjectRecord.query(on: app.db).filter(\.$type == "indicator").count() == 1)
        }
    }

    @Test func envelopesPostedTogetherAreWrittenTogetherAndEachAnsweredForItself() async throws {
        try await withCeptoar(demo: true) { app in
            let (power, author, agreement) = try await Self.powerUnderActiveAgreement(app)
            // Eight envelopes at once: six of their own objects, one repeating an object of
            // the first, one refused (an object by someone else).
            var envelopes = (0..<6).map { n in Self.envelope((0..<5).map { Self.indicator(100 + n * 10 + $0, by: author) }) }
            envelopes.append(Self.envelope([Self.indicator(100, by: author), Self.indicator(200, by: author)]))
            envelopes.append(Self.envelope([Self.indicator(300, by: STIXIdentifier.make("identity", name: "someone-else"))]))
            let answers = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
                for (position, envelope) in envelopes.enumerated() {
                    group.addTask {
                        let response = try await power.send(.POST, agreement + "objects/", body: envelope)
                        #expect(response.status == .accepted, "\(response.body.string)")
                        return (position, try JSONValue.decode(Data(buffer: response.body)))
                    }
                }
                var answers: [Int: JSONValue] = [:]
                for try await (position, answer) in group { answers[position] = answer }
                return answers
            }
            for position in 0..<6 { #expect(answers[position]?["success_count"] == .integer(5)) }
            #expect(answers[6]?["success_count"] == .integer(2))
            #expect(answers[7]?["success_count"] == .integer(0) && answers[7]?["failure_count"] == .integer(1))
            // Every object once; each status kept as answered.
            #expect(try await StixObjectRecord.query(on: app.db).filter(\.$type == "indicator").count() == 31)
            for answer in answers.values {
                let id = try #require(answer["id"]?.string)
                let kept = try await power.json("/taxii2/api/status/\(id)/")
                #expect(kept == answer)
            }
            // One audit entry per envelope; the new rows counted once across them; the chain intact.
            let entries = try await AuditRecord.query(on: app.db).filter(\.$action == "taxii-add").all()
            #expect(entries.count == 8)
            let stored = entries.compactMap { try? JSONValue.decode(Data($0.detail.utf8))["stored"]?.string.flatMap(Int.init) }
            #expect(stored.count == 8 && stored.reduce(0, +) == 31)
            #expect(try await AuditLog.verify(on: app.db).break == nil)

            // An object is stored as it was sent, not written out again.
            let sent = #"{ "type": "indicator", "spec_version": "2.1", "id": "\#(STIXIdentifier.make("indicator", name: "as-sent"))", "#
                + #""created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z", "created_by_ref": "\#(author)", "#
                + #""name": "as sent", "pattern": "[ipv4-addr:value = '203.0.113.9']", "pattern_type": "stix", "valid_from": "2026-12-01T00:00:00Z", "#
                + #""object_marking_refs": ["\#(TLPMarking.id(.amber))"] }"#
            #expect(try await power.send(.POST, agreement + "objects/", body: "{\"objects\": [ \(sent) ]}").status == .accepted)
            let record = try #require(try await StixObjectRecord.query(on: app.db).filter(\.$objectID == STIXIdentifier.make("indicator", name: "as-sent")).first())
            #expect(record.body == sent)
        }
    }

    @Test func pagingThroughMoreThanAPageWithOneDateAdded() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await Taxii.demo(app, "secretariat@demo.ceptoar.example")
            let organisation = try #require(try await Organisation.query(on: app.db).filter(\.$key == "t-ceptoar-secretariat").first())
            let author = Parties.stixParty(organisation).identityID
            let community = Self.collection(TaxiiCollections.communityCollectionID("t-ceptoar"))
            // 250 objects in one envelope: one date_added for all.
            let posted = try await secretariat.send(.POST, community + "objects/", body: Self.envelope((0..<250).map { Self.indicator($0, by: author) }))
            #expect(posted.status == .accepted, "\(posted.body.string)")
            var seen: [String] = []
            var path = community + "objects/?match[type]=indicator&limit=100"
            var pages = 0
            while pages < 10 {
                pages += 1
                let response = try await secretariat.send(.GET, path)
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "X-TAXII-Date-Added-First") != nil && response.headers.first(name: "X-TAXII-Date-Added-Last") != nil)
                let page = try JSONValue.decode(Data(buffer: response.body))
                seen += page["objects"]?.array?.compactMap { $0["id"]?.string } ?? []
                guard page["more"] == true, let next = page["next"]?.string else { break }
                path = community + "objects/?match[type]=indicator&limit=100&next=\(next)"
            }
            #expect(pages == 3 && seen.count == 250 && Set(seen).count == 250)
            // Manifest and versions answer alike; the object by id too.
            let manifest = try await secretariat.json(community + "manifest/?match[type]=indicator&limit=1000")
            #expect(manifest["objects"]?.array?.count == 250)
            let one = try #require(seen.first)
            #expect(try await secretariat.json(community + "objects/\(one)/versions/")["versions"]?.array?.count == 1)
            #expect(try await secretariat.json(community + "objects/\(one)/")["objects"]?.array?.count == 1)
            // Bad input: each the right TAXII error.
            #expect(try await secretariat.send(.GET, community + "objects/?added_after=yesterday").status == .badRequest)
            #expect(try await secretariat.send(.GET, community + "objects/?next=12.34.forged").status == .badRequest)
            #expect(try await secretariat.send(.GET, community + "objects/?match[version]=sometime").status == .badRequest)
            #expect(try await secretariat.send(.GET, community + "objects/?limit=-5").status == .badRequest)
            var html = secretariat
            html.accept = "text/html"
            let notAcceptable = try await html.send(.GET, community + "objects/")
            #expect(notAcceptable.status == .notAcceptable && notAcceptable.headers.contentType?.subType == "taxii+json")
            #expect(try await secretariat.send(.POST, community + "objects/", body: "{}", contentType: "application/json").status == .unsupportedMediaType)
            #expect(try await secretariat.send(.POST, community + "objects/", body: "{not json").status == .badRequest)
            #expect(try await secretariat.send(.POST, community + "objects/", body: #"{"objects":"x"}"#).status == .unprocessableEntity)
            #expect(try await secretariat.send(.GET, "/taxii2/api/collections/00000000-0000-0000-0000-000000000000/objects/").status == .notFound)
            // Deleting one object (all its versions) by the party that posted it.
            #expect(try await secretariat.send(.DELETE, community + "objects/\(one)/").status == .ok)
            #expect(try await secretariat.send(.GET, community + "objects/\(one)/").status == .notFound)
        }
    }

    @Test func theRegistryIsPublishedAsIdentitiesAndARenameIsANewVersion() async throws {
        try await withCeptoar(demo: true) { app in
            let reader = try await Taxii.demo(app, "member@demo.ceptoar.example")
            let open = Self.collection(TaxiiCollections.publicCollectionID) + "objects/?match[type]=identity&limit=1000"
            let identities = try await reader.json(open)["objects"]?.array ?? []
            let byID = Dictionary(identities.compactMap { object in object["id"]?.string.map { ($0, object) } }, uniquingKeysWith: { first, _ in first })
            // NISC, a ministry, a secretariat, and every CEPTOAR as a group with its sector.
            let nisc = STIXIdentifier.make("identity", name: "organisation:nisc")
            #expect(byID[nisc]?["sectors"] == ["government-national"])
            // Created on its first day in the registry, so every node seeded from the map has the same version.
            let niscRow = try #require(try await Organisation.query(on: app.db).filter(\.$key == "nisc").first())
            #expect(byID[nisc]?["created"]?.string == niscRow.validFrom + "T00:00:00.000Z")
            #expect(byID[STIXIdentifier.make("identity", name: "organisation:t-ceptoar-secretariat")] != nil)
            let telecom = byID[RegistryMapping.ceptoarIdentityID("t-ceptoar")]
            #expect(telecom?["identity_class"]?.string == "group")
            #expect(telecom?["sectors"] == ["communications", "telecommunications"])
            let ceptoars = try await Ceptoar.query(on: app.db).count()
            #expect(identities.filter { $0["identity_class"]?.string == "group" }.count == ceptoars)
            // Member operators are not published: the map does not name who belongs where.
            let operators = try await Organisation.query(on: app.db).filter(\.$kind == OrganisationKind.operator_.rawValue).all()
            #expect(!operators.isEmpty)
            for organisation in operators.prefix(50) { #expect(byID[Parties.stixParty(organisation).identityID] == nil) }
            // Each is in a community collection too, the same object.
            let community = try await reader.json(Self.collection(TaxiiCollections.communityCollectionID("t-ceptoar")) + "objects/?match[id]=\(nisc)")
            #expect(community["objects"]?.array?.first == byID[nisc])
            // Nothing changed: a refresh writes nothing.
            #expect(try await RegistryIdentities(database: app.db).refresh() == 0)
            // A rename is a new version of the same identity; the first stays.
            let rename = RegistryChangeSet(changes: [
                RegistryChange(op: .renameCeptoar, effective: .today, key: "t-ceptoar", name: LocalizedText(ja: "情報通信セプター", en: "Telecom CEPTOAR")),
            ])
            _ = try await RegistryEditor(database: app.db).apply(rename)
            let id = RegistryMapping.ceptoarIdentityID("t-ceptoar")
            let versions = try await reader.json(Self.collection(TaxiiCollections.publicCollectionID) + "objects/\(id)/versions/")["versions"]?.array ?? []
            #expect(versions.count == 2)
            let latest = try await reader.json(Self.collection(TaxiiCollections.publicCollectionID) + "objects/\(id)/")["objects"]?.array?.first
            #expect(latest?["name"]?.string == "情報通信セプター")
            #expect(latest?["created"] == telecom?["created"])
            #expect(latest?["modified"] != telecom?["modified"])
        }
    }

    @Test func whatWasReceivedUnderAnAgreementIsDeletedAfterItsRetention() async throws {
        try await withCeptoar(demo: true) { app in
            let (power, author, agreement) = try await Self.powerUnderActiveAgreement(app)
            let posted = try await power.send(.POST, agreement + "objects/", body: Self.envelope([Self.indicator(1, by: author), Self.indicator(2, by: author)]))
            #expect(posted.status == .accepted, "\(posted.body.string)")
            let indicators = try await StixObjectRecord.query(on: app.db).filter(\.$type == "indicator").sort(\.$objectID).all()
            #expect(indicators.count == 2)
            let ownBefore = try await StixObjectRecord.query(on: app.db).filter(\.$receivedUnder == nil).count()
            // Nothing is past 365 days yet.
            #expect(try await StixRetention(database: app.db).purge().isEmpty)
            // One arrived 366 days ago (as if), the other today.
            let old = try #require(indicators.first)
            old.dateAdded = STIXTime(Date().addingTimeInterval(-366 * 86_400)).canonical
            try await old.save(on: app.db)
            #expect(try await StixRetention(database: app.db).purge() == [Self.key: 1])
            let left = try await StixObjectRecord.query(on: app.db).filter(\.$type == "indicator").all()
            #expect(left.map(\.objectID) == [indicators[1].objectID])
            // This node's own objects are never touched; the deletion is in the audit log.
            #expect(try await StixObjectRecord.query(on: app.db).filter(\.$receivedUnder == nil).count() == ownBefore)
            let entry = try await AuditRecord.query(on: app.db).filter(\.$action == "retention-purge").first()
            #expect(entry?.subject == "agreement:\(Self.key)")
            #expect(try await StixRetention(database: app.db).purge().isEmpty)
        }
    }

    @Test func theStoreWritesWhatTheModelReadsBack() async throws {
        try await withCeptoar { app in
            // The SQLite path writes past SQLKit; every column must read back through Fluent as written.
            let advisory = UUID()
            let peer = UUID()
            let row = StixStore.Row(
                objectID: STIXIdentifier.make("indicator", name: "store-round-trip"), type: "indicator", versionKey: "2026-12-03T00:00:00.000000Z",
                revoked: true, tlp: .amber, createdByRef: "identity--x", body: #"{"a":"\u0000é"}"#, advisoryID: advisory, category: "vulnerability",
                originSector: "finance", sourceParty: "ceptoar:finance", community: "finance", receivedUnder: "some-agreement", peerID: peer)
            let plain = StixStore.Row(
                objectID: STIXIdentifier.make("indicator", name: "store-round-trip-2"), type: "indicator", versionKey: "2026-12-03T00:00:00.000000Z",
                revoked: false, tlp: .clear, body: "{}", sourceParty: "registry")
            let stored = try await app.db.atomically { db in try await StixStore(database: db).insert([row, plain, row]) }
            #expect(stored == [row.objectID + "|" + row.versionKey, plain.objectID + "|" + plain.versionKey])
            // The same again stores nothing.
            #expect(try await app.db.atomically { db in try await StixStore(database: db).insert([row]) }.isEmpty)
            let back = try #require(try await StixObjectRecord.query(on: app.db).filter(\.$objectID == row.objectID).first())
            #expect(back.advisoryID == advisory && back.peerID == peer && back.revoked == true && back.tlp == "AMBER")
            #expect(back.body == row.body && back.createdByRef == "identity--x" && back.category == "vulnerability" && back.originSector == "finance")
            #expect(back.community == "finance" && back.receivedUnder == "some-agreement" && back.sourceParty == "ceptoar:finance" && back.specVersion == "2.1")
            let other = try #require(try await StixObjectRecord.query(on: app.db).filter(\.$objectID == plain.objectID).first())
            #expect(other.advisoryID == nil && other.peerID == nil && other.revoked == false && other.createdByRef == nil && other.community == nil)
            #expect(other.dateAdded == back.dateAdded && (other.id ?? 0) > (back.id ?? 0))
            // Found by the advisory it belongs to, as the relay's queries look for it.
            #expect(try await StixObjectRecord.query(on: app.db).filter(\.$advisoryID == advisory).count() == 1)
        }
    }
}
