@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Relay of advisories")
struct RelayTests {
    /// The scenario: NISC publishes an AMBER advisory to finance and local government.
    @Test func amberAdvisoryReachesFinanceAndLocalGovernmentOnly() async throws {
        try await withCeptoar(demo: true) { app in
            // setup
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            // act
            let published = try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("sector", "finance"), ("sector", "government")]))
            // check: ministries, then CEPTOARs, then every member
            #expect(published.status == .created)
            let advisory = try nisc.decode(AdvisoryDTO.self, published)
            let hops = try await RelayHop.query(on: app.db).filter(\.$advisory.$id == advisory.id).with(\.$organisation).all()
            #expect(Set(hops.filter { $0.stage == "ministry" }.compactMap(\.organisation.key)) == ["fsa", "mic"])
            #expect(hops.filter { $0.stage == "ceptoar" }.count == 5)
            #expect(hops.allSatisfy { $0.status == "forwarded" && $0.automatic })
            let delivered = try await Delivery.query(on: app.db).filter(\.$advisory.$id == advisory.id).count()
            #expect(delivered == 1_738 + 327 + 41 + 28 + 1_863)
            // One outbox job per CEPTOAR hop, each naming its hop.
            let jobs = try await Job.query(on: app.db).all()
            #expect(jobs.count == 5 && jobs.allSatisfy { $0.kind == "notify_hop" && $0.hopID != nil })

            // A member who accepted the rules reads and acknowledges.
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try await bank.send(.GET, "/api/v1/advisories/\(advisory.id)").status == .ok)
            #expect(try await bank.send(.POST, "/api/v1/advisories/\(advisory.id)/acknowledge", json: ["comment": "適用済み"]).status == .ok)
            #expect(try await bank.send(.POST, "/api/v1/advisories/\(advisory.id)/acknowledge", json: ["comment": "again"]).status == .conflict)

            // A member that has not accepted its rules cannot open it, until it accepts.
            let pending = try await APIClient.demo(app, "pending@demo.ceptoar.example")
            let refused = try await pending.send(.GET, "/api/v1/advisories/\(advisory.id)")
            #expect(refused.status == .forbidden)
            #expect(refused.body.string.contains("handling rules"))
            let inbox = try pending.decode(InboxDTO.self, try await pending.send(.GET, "/api/v1/inbox"))
            #expect(inbox.items.first?.redacted == true && inbox.items.first?.title == nil)
            #expect(try await pending.send(.POST, "/api/v1/ceptoars/banks/rules/accept").status == .ok)
            #expect(try await pending.send(.GET, "/api/v1/advisories/\(advisory.id)").status == .ok)

            // A member of the water CEPTOAR cannot open it at all.
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            let denied = try await water.send(.GET, "/api/v1/advisories/\(advisory.id)")
            #expect(denied.status == .forbidden)
            #expect(try water.decode(InboxDTO.self, try await water.send(.GET, "/api/v1/inbox")).total == 0)

            // The originator's timeline shows the acknowledgement.
            let timeline = try nisc.decode(TimelineDTO.self, try await nisc.send(.GET, "/api/v1/advisories/\(advisory.id)/timeline"))
            #expect(timeline.acknowledged == 1)
            #expect(timeline.read == 2)
            #expect(timeline.delivered == delivered)
            #expect(try await bank.send(.GET, "/api/v1/advisories/\(advisory.id)/timeline").status == .forbidden)

            // The audit chain verifies, and fails after a row is edited by hand.
            #expect(try await AuditLog.verify(on: app.db).break == nil)
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_log SET detail = '{\"tlp\":\"CLEAR\"}' WHERE sequence = 2").run()
            #expect(try await AuditLog.verify(on: app.db).break == .edited(sequence: 2))
        }
    }

    @Test func aRetriedFanOutDoublesNothing() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "water")])))
            let before = try await Delivery.query(on: app.db).count()
            let jobs = try await Job.query(on: app.db).count()
            // act: the members hop runs its fan-out again, as a restart after a crash would
            let hop = try #require(try await RelayHop.query(on: app.db).filter(\.$advisory.$id == advisory.id).filter(\.$stage == "ceptoar").first())
            try await app.db.transaction { db in try await Relay(database: db).fanOut(hop) }
            // check
            #expect(before == 1_393)
            #expect(try await Delivery.query(on: app.db).count() == before)
            #expect(try await Job.query(on: app.db).count() == jobs)
        }
    }

    @Test func aRetryWithTheSameIdempotencyKeyRelaysOnce() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let input = AdvisoryInput.sample(targets: [("ceptoar", "water")])
            let key: HTTPHeaders = ["Idempotency-Key": "nisc-2026-0042"]
            let first = try await nisc.send(.POST, "/api/v1/advisories", json: input, headers: key)
            #expect(first.status == .created)
            let retry = try await nisc.send(.POST, "/api/v1/advisories", json: input, headers: key)
            #expect(retry.status == .ok && retry.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try nisc.decode(AdvisoryDTO.self, retry).id == nisc.decode(AdvisoryDTO.self, first).id)
            #expect(try await Advisory.query(on: app.db).count() == 1)
            #expect(try await Delivery.query(on: app.db).count() == 1_393)
            // The key names one request: another advisory under it is refused, and nothing changes.
            var other = input
            other.title.ja = "別件"
            let reused = try await nisc.send(.POST, "/api/v1/advisories", json: other, headers: key)
            #expect(reused.status == .conflict)
            #expect(try await nisc.send(.POST, "/api/v1/advisories", json: input, headers: ["Idempotency-Key": String(repeating: "k", count: 201)]).status == .badRequest)
            #expect(try await Advisory.query(on: app.db).count() == 1)
            // Another organisation's key space is its own.
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let own = AdvisoryInput.sample(targets: [("ceptoar", "t-ceptoar")])
            #expect(try await secretariat.send(.POST, "/api/v1/advisories", json: own, headers: key).status == .created)
        }
    }

    @Test func retriesThatRaceStillRelayOnce() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let input = AdvisoryInput.sample(targets: [("ceptoar", "water")])
            // Four copies of one request at once (a client retrying on a timeout, say).
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 1...4 {
                    group.addTask { try await nisc.send(.POST, "/api/v1/advisories", json: input, headers: ["Idempotency-Key": "race-1"]).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .ok }.count == 3, "\(statuses)")
            #expect(try await Advisory.query(on: app.db).count() == 1)
            #expect(try await Delivery.query(on: app.db).count() == 1_393)
        }
    }

    @Test func heldHopsWaitForReviewNotesAndTighterMarkings() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "medium", targets: [("ceptoar", "banks"), ("ceptoar", "local-government")])))
            #expect(try await Delivery.query(on: app.db).count() == 0)
            // FSA reviews its hop and forwards with a note; banks' secretariat tightens to AMBER.
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let queue = try fsa.decode([HopDTO].self, try await fsa.send(.GET, "/api/v1/hops"))
            #expect(queue.count == 1)
            let mic = try await APIClient.demo(app, "mic@demo.ceptoar.example")
            #expect(try await mic.send(.POST, "/api/v1/hops/\(queue[0].id)/forward").status == .forbidden)
            #expect(try await fsa.send(.POST, "/api/v1/hops/\(queue[0].id)/forward", json: ["note": "金融分野では特にインターネットバンキングに注意"]).status == .ok)
            #expect(try await fsa.send(.POST, "/api/v1/hops/\(queue[0].id)/forward").status == .conflict)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let banksHop = try secretariat.decode([HopDTO].self, try await secretariat.send(.GET, "/api/v1/hops"))[0]
            let widen = try await secretariat.send(.POST, "/api/v1/hops/\(banksHop.id)/forward", json: ["tlp": "CLEAR"])
            #expect(widen.status == .unprocessableEntity)
            #expect(widen.body.string.contains("never widen"))
            #expect(try await secretariat.send(.POST, "/api/v1/hops/\(banksHop.id)/forward", json: ["tlp": "AMBER"]).status == .ok)
            #expect(try await Delivery.query(on: app.db).count() == 1_738)
            // MIC withholds, with a reason; nothing reaches local government.
            let micHop = try mic.decode([HopDTO].self, try await mic.send(.GET, "/api/v1/hops"))[0]
            #expect(try await mic.send(.POST, "/api/v1/hops/\(micHop.id)/withhold", json: ["reason": ""]).status == .unprocessableEntity)
            #expect(try await mic.send(.POST, "/api/v1/hops/\(micHop.id)/withhold", json: ["reason": "自治体向けには別途通知済み"]).status == .ok)
            #expect(try await Delivery.query(on: app.db).count() == 1_738)
            // The member sees the note.
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            let read = try bank.decode(AdvisoryDTO.self, try await bank.send(.GET, "/api/v1/advisories/\(advisory.id)"))
            #expect(read.notes == ["金融分野では特にインターネットバンキングに注意"])
            let timeline = try nisc.decode(TimelineDTO.self, try await nisc.send(.GET, "/api/v1/advisories/\(advisory.id)/timeline"))
            #expect(timeline.hops.contains { $0.status == "withheld" && $0.withheldReason == "自治体向けには別途通知済み" })
        }
    }

    @Test func redGoesOnlyToNamedOrganisations() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let notNamed = try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "RED", targets: [("ceptoar", "banks")]))
            #expect(notNamed.status == .unprocessableEntity)
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "RED", targets: [("organisation", "demo-banks-0001")])))
            #expect(try await Delivery.query(on: app.db).count() == 1)
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try await bank.send(.GET, "/api/v1/advisories/\(advisory.id)").status == .ok)
            for other in ["banks-secretariat@demo.ceptoar.example", "fsa@demo.ceptoar.example", "pending@demo.ceptoar.example"] {
                let client = try await APIClient.demo(app, other)
                #expect(try await client.send(.GET, "/api/v1/advisories/\(advisory.id)").status == .forbidden, "\(other)")
            }
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/advisories/\(advisory.id)").status == .unauthorized)
        }
    }

    @Test func secretariatsPublishToTheirOwnMembersOnly() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let own = try await secretariat.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "low", targets: [("ceptoar", "banks")]))
            #expect(own.status == .created)
            #expect(try await Delivery.query(on: app.db).count() == 1_738)
            let foreign = try await secretariat.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "water")]))
            #expect(foreign.status == .unprocessableEntity)
            let member = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try await member.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "banks")])).status == .forbidden)
            #expect(try await Advisory.query(on: app.db).count() == 1)
        }
    }

    @Test func badInputChangesNothing() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            var cases: [(AdvisoryInput, HTTPStatus)] = []
            var unknownTLP = AdvisoryInput.sample(targets: [("sector", "finance")]); unknownTLP.tlp = "WHITE"; cases.append((unknownTLP, .unprocessableEntity))
            var emptyTitle = AdvisoryInput.sample(targets: [("sector", "finance")]); emptyTitle.title.ja = "  "; cases.append((emptyTitle, .unprocessableEntity))
            var oversize = AdvisoryInput.sample(targets: [("sector", "finance")]); oversize.body.ja = String(repeating: "あ", count: 40_000); cases.append((oversize, .payloadTooLarge))
            cases.append((AdvisoryInput.sample(targets: [("sector", "space")]), .unprocessableEntity))
            cases.append((AdvisoryInput.sample(targets: [("sector", "finance"), ("organisation", "nobody")]), .unprocessableEntity))
            cases.append((AdvisoryInput.sample(targets: []), .unprocessableEntity))
            var badReference = AdvisoryInput.sample(targets: [("sector", "finance")]); badReference.references = ["javascript:alert(1)"]; cases.append((badReference, .unprocessableEntity))
            for (input, status) in cases {
                let response = try await nisc.send(.POST, "/api/v1/advisories", json: input)
                #expect(response.status == status, "\(input.title.ja.prefix(10)) \(input.tlp) \(input.targets.map(\.key))")
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            }
            #expect(try await Advisory.query(on: app.db).count() == 0)
            #expect(try await RelayHop.query(on: app.db).count() == 0)
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action != "token_create").count() == 0)
        }
    }

    @Test func correctionsFormAChainAndWithdrawalIsSeen() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let first = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "water")])))
            var correction = AdvisoryInput.sample(targets: [("ceptoar", "water")])
            correction.supersedes = first.id
            correction.title.ja = "【訂正】VPN装置の脆弱性を悪用する攻撃について"
            let second = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: correction))
            #expect(second.seriesID == first.id && second.version == 2 && second.supersedes == first.id)
            #expect(try await nisc.send(.POST, "/api/v1/advisories/\(first.id)/withdraw", json: ["reason": "訂正版を発出"]).status == .ok)
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            let inbox = try water.decode(InboxDTO.self, try await water.send(.GET, "/api/v1/inbox"))
            #expect(inbox.items.count == 2)
            #expect(inbox.items.first { $0.advisoryID == first.id }?.withdrawn == true)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            #expect(try await secretariat.send(.POST, "/api/v1/advisories/\(second.id)/withdraw", json: ["reason": "x"]).status == .forbidden)
            // A past expiry cannot be given; an advisory whose expiry passes shows as expired.
            var stale = AdvisoryInput.sample(targets: [("ceptoar", "water")])
            stale.expiresAt = Date().addingTimeInterval(-60)
            #expect(try await nisc.send(.POST, "/api/v1/advisories", json: stale).status == .unprocessableEntity)
            let stored = try #require(try await Advisory.find(second.id, on: app.db))
            stored.expiresAt = Date().addingTimeInterval(-1)
            // Written as the app writes (a commit ends this process's cached reads).
            try await app.db.atomically { db in try await stored.save(on: db) }
            let after = try water.decode(InboxDTO.self, try await water.send(.GET, "/api/v1/inbox"))
            #expect(after.items.first { $0.advisoryID == second.id }?.expired == true)
            #expect(after.items.first { $0.advisoryID == first.id }?.expired == false)
        }
    }

    @Test func theInboxSearchesAndFiltersWithoutRevealingWhatItRedacts() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: three advisories to the banks, of different severity and marking (high or
            // above, so every hop forwards them at once)
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            var vpn = AdvisoryInput.sample(tlp: "AMBER", severity: "critical", targets: [("ceptoar", "banks")])
            vpn.title.en = "VPN appliance under attack"
            var phishing = AdvisoryInput.sample(tlp: "GREEN", severity: "high", targets: [("ceptoar", "banks")])
            phishing.title.ja = "フィッシングメールの増加について"
            phishing.title.en = "More phishing mail"
            phishing.body.ja = "送信元を確認してください。100%_安全な方法はありません。"
            phishing.body.en = "Check the sender."
            var clear = AdvisoryInput.sample(tlp: "CLEAR", severity: "high", targets: [("ceptoar", "banks")])
            clear.title.ja = "定期点検のお知らせ"
            clear.title.en = "Scheduled maintenance"
            clear.body.ja = "点検します。"
            clear.body.en = "Maintenance."
            for input in [vpn, phishing, clear] {
                #expect(try await nisc.send(.POST, "/api/v1/advisories", json: input).status == .created)
            }
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            func inbox(_ client: APIClient, _ query: String) async throws -> InboxDTO {
                try client.decode(InboxDTO.self, try await client.send(.GET, "/api/v1/inbox" + query))
            }
            // act + check: newest first, paged
            #expect(try await inbox(bank, "").items.map { $0.title?.en } == ["Scheduled maintenance", "More phishing mail", "VPN appliance under attack"])
            let second = try await inbox(bank, "?per=2&page=2")
            #expect(second.total == 3 && second.items.map { $0.title?.en } == ["VPN appliance under attack"])
            // search: case-insensitive, in titles and bodies, both languages; % and _ match themselves
            #expect(try await inbox(bank, "?q=vpn").items.map { $0.title?.en } == ["VPN appliance under attack"])
            #expect(try await inbox(bank, "?q=%E3%83%95%E3%82%A3%E3%83%83%E3%82%B7%E3%83%B3%E3%82%B0").total == 1)  // フィッシング
            #expect(try await inbox(bank, "?q=SENDER").total == 1)
            #expect(try await inbox(bank, "?q=100%25_").total == 1)
            #expect(try await inbox(bank, "?q=%25").total == 1)
            #expect(try await inbox(bank, "?q=nothing-like-this").total == 0)
            // filters
            #expect(try await inbox(bank, "?severity=critical").items.map(\.tlp) == ["AMBER"])
            #expect(try await inbox(bank, "?tlp=green").items.map { $0.title?.en } == ["More phishing mail"])
            #expect(try await inbox(bank, "?tlp=CLEAR&severity=critical").total == 0)
            #expect(try await bank.send(.GET, "/api/v1/inbox?severity=urgent").status == .badRequest)
            #expect(try await bank.send(.GET, "/api/v1/inbox?tlp=PURPLE").status == .badRequest)
            #expect(try await bank.send(.GET, "/api/v1/inbox?per=500").status == .badRequest)
            // A member that has not accepted the rules sees two rows redacted, and a search
            // for their words finds nothing: the search must not reveal what the list hides.
            let pending = try await APIClient.demo(app, "pending@demo.ceptoar.example")
            let list = try await inbox(pending, "")
            #expect(list.total == 3 && list.items.filter(\.redacted).count == 2)
            #expect(try await inbox(pending, "?q=vpn").total == 0)
            #expect(try await inbox(pending, "?q=phishing").total == 0)
            #expect(try await inbox(pending, "?q=maintenance").total == 1)
        }
    }
}

@Suite("Concurrent writers")
struct ConcurrencyTests {
    /// After an alert, members acknowledge at once. On SQLite every connection of the pool
    /// writes; none of these may fail for another's lock.
    @Test func manyMembersAcknowledgeAtOnce() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "water")])))
            let accounts = app.accounts(on: app.db)
            var clients: [APIClient] = []
            for n in 1...40 {
                let key = "demo-water-" + String(repeating: "0", count: 4 - String(n + 10).count) + String(n + 10)
                _ = try await accounts.createUser(email: "w\(n)@water.example", displayName: "w\(n)", organisationKey: key, roles: ["member"], password: "a-long-password")
                clients.append(try await APIClient.demo(app, "w\(n)@water.example"))
            }
            // act: every member reads and acknowledges concurrently
            let statuses = try await withThrowingTaskGroup(of: [UInt].self) { group in
                for client in clients {
                    group.addTask {
                        let read = try await client.send(.GET, "/api/v1/advisories/\(advisory.id)")
                        let ack = try await client.send(.POST, "/api/v1/advisories/\(advisory.id)/acknowledge", json: ["comment": "ok"])
                        return [read.status.code, ack.status.code]
                    }
                }
                var all: [UInt] = []
                for try await pair in group { all += pair }
                return all
            }
            // check
            #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses.filter { $0 != 200 })")
            #expect(try await Delivery.query(on: app.db).filter(\.$acknowledgedAt != nil).count() == 40)
            #expect(try await AuditLog.verify(on: app.db).break == nil)
        }
    }
}
