@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Relay pages and live events")
struct RelayPageTests {
    @Test func theOutboxWorkerTellsTheMembersOpenPages() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: a page of the water member subscribes
            let water = try #require(try await Organisation.query(on: app.db).filter(\.$key == "demo-water-0001").first())
            let (_, stream) = await app.broadcaster.subscribe(try water.requireID())
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "water")])))
            // act
            let worker = JobWorker(database: app.db, broadcaster: app.broadcaster)
            var drained = 0
            while true {
                let done = try await worker.drainOnce()
                if done == 0 { break }
                drained += done
            }
            // check: the one job done once, every member told, and the event arrived
            #expect(drained == 1_393)
            #expect(try await Job.query(on: app.db).filter(\.$status == "queued").count() == 0)
            var iterator = stream.makeAsyncIterator()
            let event = await iterator.next()
            #expect(event == #"{"advisory":"\#(advisory.id.uuidString)"}"#)
            #expect(try await worker.drainOnce() == 0)
        }
    }

    @Test func memberReadsAndAcknowledgesOnThePages() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(targets: [("ceptoar", "banks")])))
            let browser = Browser(app)
            try await browser.signIn("bank@demo.ceptoar.example", DemoNation.password)
            let inbox = try await browser.get("/inbox")
            #expect(inbox.body.string.contains("VPN装置の脆弱性"))
            #expect(inbox.body.string.contains("未読"))
            let page = try await browser.get("/advisories/\(advisory.id)")
            #expect(page.body.string.contains(#"data-testid="ack-form""#))
            let ack = try await browser.post("/advisories/\(advisory.id)/acknowledge", form: ["comment": "対応済み", "_csrf": try browser.csrf(from: page)])
            #expect(ack.status == .seeOther)
            #expect(try await browser.get("/advisories/\(advisory.id)").body.string.contains(#"data-testid="acknowledged""#))
            // Without the CSRF token nothing happens.
            #expect(try await browser.post("/advisories/\(advisory.id)/acknowledge", form: ["comment": "x"]).status == .forbidden)

            let pending = Browser(app)
            try await pending.signIn("pending@demo.ceptoar.example", DemoNation.password)
            let redacted = try await pending.get("/inbox")
            #expect(redacted.body.string.contains(#"data-testid="redacted""#))
            #expect(!redacted.body.string.contains("VPN装置"))
            let prompt = try await pending.get("/advisories/\(advisory.id)")
            #expect(prompt.status == .forbidden)
            #expect(prompt.body.string.contains(#"data-testid="accept-rules""#))
            let accepted = try await pending.post("/ceptoars/banks/rules/accept", form: ["back": "/advisories/\(advisory.id)", "_csrf": try pending.csrf(from: prompt)])
            #expect(accepted.headers.first(name: .location) == "/advisories/\(advisory.id)")
            #expect(try await pending.get("/advisories/\(advisory.id)").status == .ok)
        }
    }

    @Test func publishingAndReviewingOnThePages() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = Browser(app)
            try await nisc.signIn("nisc@demo.ceptoar.example", DemoNation.password)
            let form = try await nisc.get("/advisories/new")
            #expect(form.status == .ok)
            let bad = try await nisc.post("/advisories", form: ["titleJa": "", "bodyJa": "x", "severity": "low", "category": "other", "tlp": "GREEN", "_csrf": try nisc.csrf(from: form)])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("件名を入力してください"))
            let good = try await nisc.post("/advisories", form: [
                "titleJa": "【情報提供】分析結果", "bodyJa": "本文", "severity": "low", "category": "analysis", "tlp": "GREEN",
                "ceptoars[]": "water", "_csrf": try nisc.csrf(from: form),
            ])
            #expect(good.status == .seeOther)
            let timeline = try await nisc.get(try #require(good.headers.first(name: .location)))
            #expect(timeline.body.string.contains("確認待ち"))
            let mhlw = try await app.accounts(on: app.db).createUser(email: "liaison@mhlw.example", displayName: "厚労省", organisationKey: "mhlw", roles: ["ministry_liaison"], password: "a-long-password")
            _ = mhlw
            let liaison = Browser(app)
            try await liaison.signIn("liaison@mhlw.example", "a-long-password")
            let queue = try await liaison.get("/hops")
            #expect(queue.body.string.contains("【情報提供】分析結果"))
            #expect(queue.body.string.contains(#"data-testid="review-row""#))
        }
    }
}
