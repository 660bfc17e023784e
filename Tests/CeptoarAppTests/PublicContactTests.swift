@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("A CEPTOAR's public emergency contact")
struct PublicContactTests {
    struct Message: Encodable {
        var name = "山田 太郎"
        var organisation = "○○電力株式会社"
        var email = "yamada@power.example.jp"
        var phone: String? = "03-9999-0000"
        var subject = "不審な通信の共有"
        var body = "貴セプター構成員宛てと思われる不審メールを受信しました。"
    }

    @Test func outsidersWriteAndOnlyTheSecretariatReads() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: the banks' secretariat publishes one of its two methods
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let roster = PointsOfContact.RosterInput(contacts: [
                .init(rank: "primary", name: "事務局 当番", title: "全銀協 事務局", availableAlways: true, hours: nil, methods: [
                    .init(channel: "email", address: "ceptoar@zenginkyo.example.jp", note: nil, published: true),
                    .init(channel: "mobile", address: "090-0000-1111", note: "当番携帯（非公開）", published: false),
                ]),
            ])
            #expect(try await secretariat.send(.PUT, "/api/v1/poc", json: roster).status == .ok)
            // The public sheet shows the published method only.
            let sheet = try await app.testing().sendRequest(.GET, "/api/v1/ceptoars/banks/contact")
            #expect(sheet.status == .ok)
            #expect(sheet.body.string.contains("ceptoar@zenginkyo.example.jp") && !sheet.body.string.contains("09000001111"))
            // act: anyone may write, without signing in
            var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept-Language": "en"]
            let sent = try await app.testing().sendRequest(.POST, "/api/v1/ceptoars/banks/inbound", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(Message())))
            #expect(sent.status == .created)
            // check: it waits in the secretariat's queue; the member, another CEPTOAR's
            // secretariat and anonymous callers cannot read it; NISC can
            let queue = try secretariat.decode([PublicContact.MessageDTO].self, try await secretariat.send(.GET, "/api/v1/ceptoars/banks/inbound"))
            #expect(queue.map(\.subject) == ["不審な通信の共有"] && queue[0].phone == "0399990000" && queue[0].status == "new")
            for (email, status) in [
                ("bank@demo.ceptoar.example", HTTPStatus.forbidden), ("secretariat@demo.ceptoar.example", .forbidden), ("nisc@demo.ceptoar.example", .ok),
            ] {
                #expect(try await APIClient.demo(app, email).send(.GET, "/api/v1/ceptoars/banks/inbound").status == status, "\(email)")
            }
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/ceptoars/banks/inbound").status == .unauthorized)
            // Handled once; the second time is a conflict.
            #expect(try await secretariat.send(.POST, "/api/v1/inbound/\(queue[0].id)/handled").status == .ok)
            #expect(try await secretariat.send(.POST, "/api/v1/inbound/\(queue[0].id)/handled").status == .conflict)
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action ~~ ["inbound", "inbound_handled"]).count() == 2)
            // Mistakes are refused and nothing is queued; an unknown CEPTOAR is a 404.
            var bad = Message()
            bad.email = "yamada at power"
            let refused = try await app.testing().sendRequest(.POST, "/api/v1/ceptoars/banks/inbound", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(bad)))
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("not an email address"))
            var empty = Message()
            empty.body = "  "
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/ceptoars/banks/inbound", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(empty))).status == .unprocessableEntity)
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/ceptoars/nope/inbound", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(Message()))).status == .notFound)
            #expect(try await InboundMessage.query(on: app.db).count() == 1)
            // A flood from one sender is cut off after ten a minute.
            headers.replaceOrAdd(name: "Accept-Language", value: "ja")
            var statuses: [HTTPStatus] = []
            for _ in 1...12 {
                statuses.append(try await app.testing().sendRequest(.POST, "/api/v1/ceptoars/water/inbound", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(Message()))).status)
            }
            #expect(statuses.contains(.tooManyRequests))
            #expect(try await InboundMessage.query(on: app.db).count() <= 11)
        }
    }

    @Test func thePublicPageTakesAMessageWithoutSigningIn() async throws {
        try await withCeptoar(demo: true) { app in
            let browser = Browser(app)
            let page = try await browser.get("/ceptoars/water/contact")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Write to") || page.body.string.contains("への連絡"))
            #expect(page.body.string.contains(#"data-testid="no-published-methods""#))
            let csrf = try browser.csrf(from: page)
            var form = ["_csrf": csrf, "name": "山田", "organisation": "水道局", "email": "not-an-address", "subject": "件名", "body": "本文"]
            let refused = try await browser.post("/ceptoars/water/contact", form: form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains(#"value="水道局""#))
            form["email"] = "yamada@city.example.jp"
            let accepted = try await browser.post("/ceptoars/water/contact", form: form)
            #expect(accepted.status == .created)
            #expect(accepted.body.string.contains(#"data-testid="inbound-received""#))
            #expect(try await InboundMessage.query(on: app.db).count() == 1)
        }
    }

    @Test func theThrottleCountsTheLastSixtySecondsNotTheClockMinute() {
        let throttle = InboundThrottle(perMinute: 10)
        // Five seconds before a clock minute turns.
        let start = Date(timeIntervalSince1970: 1_795_734_055)
        for i in 0..<10 { #expect(throttle.allow("a", now: start.addingTimeInterval(Double(i) * 0.5))) }
        // The minute has turned, but ten came in the last sixty seconds.
        #expect(!throttle.allow("a", now: start.addingTimeInterval(10)))
        #expect(throttle.allow("b", now: start.addingTimeInterval(10)))
        #expect(throttle.allow("a", now: start.addingTimeInterval(61)))
    }
}
