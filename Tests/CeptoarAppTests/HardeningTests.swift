@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

/// The requests an attacker tried against the demo nation, each now refused with a 4xx while
/// the server goes on (a trap would end the test process itself, so each test proves both).
@Suite("Hardening: no trap from input")
struct NoTrapTests {
    @Test func hugePagesAreRefusedNotOverflowed() async throws {
        try await withCeptoar(demo: true) { app in
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            for path in [
                "/api/v1/inbox?page=9223372036854775807", "/api/v1/inbox?page=9223372036854775807&q=vpn", "/api/v1/inbox?per=9223372036854775807",
                "/api/v1/inbox?page=-9223372036854775808", "/api/v1/inbox?page=1e300", "/api/v1/organisations?page=9223372036854775807",
                "/api/v1/organisations?page=2&per=9223372036854775807", "/api/v1/inbox?page=10001",
            ] {
                let response = try await member.send(.GET, path)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.headers.contentType?.subType == "problem+json", "\(path)")
            }
            for day in ["0001-01-01", "1867-12-31", "99999-01-01"] {
                #expect(try await member.send(.GET, "/api/v1/map?as_of=\(day)").status == .badRequest, "\(day)")
            }
            // The last page allowed still answers.
            #expect(try await member.send(.GET, "/api/v1/inbox?page=10000&q=vpn").status == .ok)
            #expect(try await member.send(.GET, "/api/v1/organisations?page=10000&per=500").status == .ok)
            // The pages behind a session too.
            let browser = Browser(app)
            try await browser.signIn("member@demo.ceptoar.example", DemoNation.password)
            #expect(try await browser.get("/organisations?page=9223372036854775807").status == .badRequest)
            #expect(try await browser.get("/inbox?page=9223372036854775807").status == .badRequest)
            #expect(try await browser.get("/inbox").status == .ok)
        }
    }

    @Test func anEscalationFormWithAHugeWaitIsRefusedAndAMemberIsRefusedFirst() async throws {
        try await withCeptoar(demo: true) { app in
            let member = Browser(app)
            try await member.signIn("member@demo.ceptoar.example", DemoNation.password)
            let page = try await member.get("/ceptoars/t-ceptoar/escalation")
            let form = ["_csrf": try member.csrf(from: page), "s0_rank_primary": "on", "s0_channel_email": "on", "s0_wait": "1e300", "repeat": "0"]
            #expect(try await member.post("/ceptoars/t-ceptoar/escalation", form: form).status == .forbidden)
            let secretariat = Browser(app)
            try await secretariat.signIn("secretariat@demo.ceptoar.example", DemoNation.password)
            let csrf = try secretariat.csrf(from: try await secretariat.get("/ceptoars/t-ceptoar/escalation"))
            for wait in ["1e300", "inf", "nan", "-5", "1441", "9223372036854775807"] {
                var bad = form
                bad["_csrf"] = csrf
                bad["s0_wait"] = wait
                let response = try await secretariat.post("/ceptoars/t-ceptoar/escalation", form: bad)
                #expect(response.status == .unprocessableEntity, "wait \(wait)")
            }
            var hugeRepeat = form
            hugeRepeat["_csrf"] = csrf
            hugeRepeat["s0_wait"] = "10"
            hugeRepeat["repeat"] = "99999999999999999999"
            #expect(try await secretariat.post("/ceptoars/t-ceptoar/escalation", form: hugeRepeat).status == .unprocessableEntity)
            // Nothing was changed by any of it.
            let api = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            #expect(try api.decode(EscalationPolicy.self, try await api.send(.GET, "/api/v1/ceptoars/t-ceptoar/escalation-policy")) == .standard)
        }
    }

    @Test func boundedParsingRefusesWhatWouldTrap() throws {
        #expect(throws: InputError.self) { try RequestedPage(page: "9223372036854775807", per: nil, defaultPer: 50, maximumPer: 200) }
        #expect(throws: InputError.self) { try BoundedInput.scaled("1e300", field: "w", scale: 60, in: 1...86_400) }
        #expect(throws: InputError.self) { try BoundedInput.scaled("nan", field: "w", scale: 60, in: 1...86_400) }
        #expect(throws: InputError.self) { try BoundedInput.scaled(String(repeating: "9", count: 400), field: "w", scale: 60, in: 1...86_400) }
        #expect(try BoundedInput.scaled("1.5", field: "w", scale: 60, in: 1...86_400) == 90)
        let last = try RequestedPage(page: "10000", per: "200", defaultPer: 50, maximumPer: 200)
        #expect(last.offset == 9_999 * 200)
        // Days from 1868 (Meiji) to 9999 only.
        #expect(Day(iso: "1867-12-31") == nil && Day(iso: "0001-01-01") == nil && Day(iso: "1868-01-01") != nil && Day(iso: "9999-12-31") != nil)
        // Figures shown on pages are clamped, never converted blindly.
        #expect(BoundedInput.wholeNumber(.infinity) == 1_000_000_000 && BoundedInput.wholeNumber(.nan) == -1_000_000_000 && BoundedInput.wholeNumber(2.6) == 3)
    }
}

@Suite("Hardening: one effective marking")
struct EffectiveMarkingTests {
    @Test func aTightenedForwardHoldsForEveryReaderAndEveryExport() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: GREEN, medium (so hops wait for review), to the banks' CEPTOAR
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", severity: "medium", targets: [("ceptoar", "banks")])))
            // act: FSA tightens to AMBER+STRICT; the secretariat forwards as it received it
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let fsaHop = try fsa.decode([HopDTO].self, try await fsa.send(.GET, "/api/v1/hops"))[0]
            #expect(try await fsa.send(.POST, "/api/v1/hops/\(fsaHop.id)/forward", json: ["tlp": "AMBER+STRICT"]).status == .ok)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let banksHop = try secretariat.decode([HopDTO].self, try await secretariat.send(.GET, "/api/v1/hops"))[0]
            #expect(banksHop.tlp == "AMBER+STRICT")
            #expect(try await secretariat.send(.POST, "/api/v1/hops/\(banksHop.id)/forward").status == .ok)
            // check: the recipient holds it as AMBER+STRICT everywhere it can look
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try bank.decode(AdvisoryDTO.self, try await bank.send(.GET, "/api/v1/advisories/\(advisory.id)")).tlp == "AMBER+STRICT")
            let inbox = try bank.decode(InboxDTO.self, try await bank.send(.GET, "/api/v1/inbox"))
            #expect(inbox.items.map(\.tlp) == ["AMBER+STRICT"])
            #expect(try bank.decode(InboxDTO.self, try await bank.send(.GET, "/api/v1/inbox?tlp=GREEN")).total == 0)
            #expect(try bank.decode(InboxDTO.self, try await bank.send(.GET, "/api/v1/inbox?tlp=AMBER%2BSTRICT")).total == 1)
            let cap = try await bank.send(.GET, "/api/v1/advisories/\(advisory.id)/cap")
            #expect(cap.body.string.contains("TLP:AMBER+STRICT") && !cap.body.string.contains("TLP:GREEN"))
            let browser = Browser(app)
            try await browser.signIn("bank@demo.ceptoar.example", DemoNation.password)
            let page = try await browser.get("/advisories/\(advisory.id)")
            #expect(page.body.string.contains("TLP:AMBER+STRICT") && !page.body.string.contains("TLP:GREEN<"))
            // Members of other sectors, and community organisations it was not sent to, no longer
            // read it as GREEN.
            for email in ["water@demo.ceptoar.example", "member@demo.ceptoar.example", "analyst@demo.ceptoar.example", "city@demo.ceptoar.example"] {
                let other = try await APIClient.demo(app, email)
                #expect(try await other.send(.GET, "/api/v1/advisories/\(advisory.id)").status == .forbidden, "\(email)")
                #expect(try await other.send(.GET, "/api/v1/advisories/\(advisory.id)/cap").status == .forbidden, "\(email)")
            }
            // The originator keeps its own marking.
            #expect(try nisc.decode(AdvisoryDTO.self, try await nisc.send(.GET, "/api/v1/advisories/\(advisory.id)")).tlp == "GREEN")
        }
    }

    @Test func amberToOneOrganisationIsNotReadByTheRestOfItsCeptoar() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: a second bank's member who accepted the banks' rules
            _ = try await app.accounts(on: app.db).createUser(
                email: "bank2@test.example", displayName: "bank 2", organisationKey: "demo-banks-0002", roles: ["member"], password: "a-long-password-1")
            let bank2 = try await APIClient.demo(app, "bank2@test.example")
            #expect(try await bank2.send(.POST, "/api/v1/ceptoars/banks/rules/accept").status == .ok)
            // act: AMBER to one bank only
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "AMBER", targets: [("organisation", "demo-banks-0001")])))
            // check
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            #expect(try await bank.send(.GET, "/api/v1/advisories/\(advisory.id)").status == .ok)
            let refused = try await bank2.send(.GET, "/api/v1/advisories/\(advisory.id)")
            #expect(refused.status == .forbidden)
            #expect(refused.body.string.contains("sender chose"))
            #expect(try bank2.decode(InboxDTO.self, try await bank2.send(.GET, "/api/v1/inbox")).total == 0)
        }
    }

    @Test func theTimelinePageShowsARedTitleOnlyToThoseWhoMayReadIt() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            var input = AdvisoryInput.sample(tlp: "RED", targets: [("organisation", "demo-banks-0001")])
            input.title.ja = "赤の件名・非公開"
            input.title.en = "red secret title"
            let published = try await secretariat.send(.POST, "/api/v1/advisories", json: input)
            #expect(published.status == .created)
            let advisory = try secretariat.decode(AdvisoryDTO.self, published)
            // NISC oversees the relay but was not named: the API refuses it the advisory, and the
            // timeline page does not show the title either.
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            #expect(try await nisc.send(.GET, "/api/v1/advisories/\(advisory.id)").status == .forbidden)
            let browser = Browser(app)
            try await browser.signIn("nisc@demo.ceptoar.example", DemoNation.password)
            let page = try await browser.get("/advisories/\(advisory.id)/timeline")
            #expect(page.status == .ok)
            #expect(!page.body.string.contains("赤の件名") && page.body.string.contains("title-withheld"))
            // The originator sees its own title.
            let own = Browser(app)
            try await own.signIn("banks-secretariat@demo.ceptoar.example", DemoNation.password)
            #expect(try await own.get("/advisories/\(advisory.id)/timeline").body.string.contains("赤の件名"))
        }
    }
}

@Suite("Hardening: protocol lines and web defences")
struct ProtocolAndWebTests {
    @Test func anAddressWithLineBreaksNeverReachesTheRosterOrTheWire() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            for address in ["a@bank.example.jp\r\nRCPT TO:<x@evil.example>", "a@bank.example.jp\tb", "a@bank\n.example.jp", "a\u{0}@bank.example.jp"] {
                let roster = PointsOfContact.RosterInput(contacts: [
                    .init(rank: "primary", name: "鈴木", title: nil, availableAlways: true, hours: nil, methods: [.init(channel: "email", address: address, note: nil, published: nil)])
                ])
                let response = try await bank.send(.PUT, "/api/v1/poc", json: roster)
                #expect(response.status == .unprocessableEntity || response.status == .badRequest, "\(address.debugDescription)")
                let verification = try await bank.send(.POST, "/api/v1/poc/verification", json: ["channel": "email", "address": address])
                #expect(verification.status == .unprocessableEntity || verification.status == .badRequest, "\(address.debugDescription)")
            }
            #expect(try await PocMethod.query(on: app.db).filter(\.$address ~~ "evil").count() == 0)
            // The last check before the wire refuses it too, for rows stored before the first.
            let message = MailMessage(from: MailAddress("ceptoar@example.jp"), to: [MailAddress("a@b.jp\r\nRCPT TO:<x@evil.example>")], subject: "s", body: "b", messageID: "m@x")
            #expect(message.wireProblem != nil)
        }
    }

    @Test func theLanguageSwitchNeverWritesAttackerHeaders() async throws {
        try await withCeptoar(seeded: false) { app in
            for back in ["/%0d%0aSet-Cookie:%20evil=1", "//evil.example/", "/%5cevil.example", "https://evil.example/", "/%09/evil.example"] {
                let response = try await app.testing().sendRequest(.GET, "/lang/en?back=\(back)")
                #expect(!response.headers[.setCookie].contains { $0.contains("evil") }, "\(back)")
                let location = response.headers.first(name: .location)
                #expect(location == nil || location == "/", "\(back) → \(location ?? "")")
                #expect(response.status == .seeOther || response.status == .badRequest, "\(back)")
            }
            let fine = try await app.testing().sendRequest(.GET, "/lang/en?back=/map%3Fas_of%3D2009-03-31")
            #expect(fine.headers.first(name: .location) == "/map?as_of=2009-03-31")
        }
    }

    @Test func controlCharactersInRequestsAreRefusedBeforeAnyHandler() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            var input = AdvisoryInput.sample(tlp: "CLEAR", targets: [("ceptoar", "water")])
            input.body.ja = "本文\u{0}隠し"
            let response = try await nisc.send(.POST, "/api/v1/advisories", json: input)
            #expect(response.status == .badRequest)
            input.body.ja = "本文\n\t二行目"  // newlines and tabs belong in a body
            input.title.ja = "件名\u{1B}[31m"
            #expect(try await nisc.send(.POST, "/api/v1/advisories", json: input).status == .badRequest)
            #expect(try await nisc.send(.GET, "/api/v1/inbox?q=%00").status == .badRequest)
            #expect(try await nisc.send(.GET, "/api/v1/ceptoars/t%0d%0aX-Evil:%201/rules").status == .badRequest)
            #expect(try await Advisory.query(on: app.db).count() == 0)
            input.title.ja = "件名"
            #expect(try await nisc.send(.POST, "/api/v1/advisories", json: input).status == .created)
            // Fields of one line refuse line breaks even where a body may have them.
            input.title.ja = "件名\nBcc: evil@example.jp"
            #expect(try await nisc.send(.POST, "/api/v1/advisories", json: input).status == .unprocessableEntity)
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let alert = try await secretariat.send(.POST, "/api/v1/alerts", json: Alerts.Input(
                kind: "drill", scope: "ceptoar", key: "t-ceptoar", title: .init(ja: "訓練\r\nBcc: evil@example.jp")))
            #expect(alert.status == .unprocessableEntity)
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            let roster = PointsOfContact.RosterInput(contacts: [
                .init(rank: "primary", name: "鈴木\n一郎", title: nil, availableAlways: true, hours: nil, methods: [.init(channel: "email", address: "a@example.jp", note: nil, published: nil)])
            ])
            #expect(try await member.send(.PUT, "/api/v1/poc", json: roster).status == .unprocessableEntity)
            let contact = PublicContact.MessageInput(name: "山田", organisation: "水道局", email: "yamada@example.jp", phone: nil, subject: "件名\nX: y", body: "本文\n二行目")
            let inbound = try await app.testing().sendRequest(
                .POST, "/api/v1/ceptoars/t-ceptoar/inbound", headers: ["Content-Type": "application/json"], body: ByteBuffer(data: try JSONEncoder().encode(contact)))
            #expect(inbound.status == .unprocessableEntity)
            #expect(try await Alert.query(on: app.db).count() == 0)
        }
    }

    @Test func theAPITakesASessionCookieOnlyWithTheCSRFHeaderAndNeverAForm() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let advisory = try nisc.decode(AdvisoryDTO.self, try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "CLEAR", targets: [("ceptoar", "banks")])))
            let browser = Browser(app)
            try await browser.signIn("bank@demo.ceptoar.example", DemoNation.password)
            let csrf = try browser.csrf(from: try await browser.get("/inbox"))
            let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let path = "/api/v1/advisories/\(advisory.id)/acknowledge"
            // A cross-site form: form-encoded, multipart, or JSON-less plain text — all refused.
            let form = try await app.testing().sendRequest(.POST, path, headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"], body: ByteBuffer(string: "comment=x"))
            #expect(form.status == .unsupportedMediaType)
            let multipart = try await app.testing().sendRequest(.POST, path, headers: ["Cookie": cookie, "Content-Type": "multipart/form-data; boundary=x"], body: ByteBuffer(string: "--x--"))
            #expect(multipart.status == .unsupportedMediaType)
            let plain = try await app.testing().sendRequest(.POST, path, headers: ["Cookie": cookie, "Content-Type": "text/plain"], body: ByteBuffer(string: "{}"))
            #expect(plain.status == .forbidden)
            let noToken = try await app.testing().sendRequest(.POST, path, headers: ["Cookie": cookie, "Content-Type": "application/json"], body: ByteBuffer(string: "{}"))
            #expect(noToken.status == .forbidden)
            #expect(try await Delivery.query(on: app.db).filter(\.$acknowledgedAt != nil).count() == 0)
            // The page's own script would send the header: then it counts.
            let ok = try await app.testing().sendRequest(.POST, path, headers: ["Cookie": cookie, "Content-Type": "application/json", "X-CSRF-Token": csrf], body: ByteBuffer(string: "{}"))
            #expect(ok.status == .ok)
            // A bearer token needs no CSRF header; a bad bearer does not fall back on the cookie.
            let badBearer = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: ["Cookie": cookie, "Authorization": "Bearer nope"])
            #expect(badBearer.status == .unauthorized)
        }
    }

    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        try await withCeptoar(seeded: true, environment: ["CEPTOAR_SECURE_COOKIES": "1"]) { app in
            for path in ["/", "/map", "/api/v1/map", "/no-such-page", "/api/v1/no-such", "/health", StaticAssets.stylesheetPath] {
                let response = try await app.testing().sendRequest(.GET, path)
                let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "\(path)")
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(response.headers.first(name: "Referrer-Policy") == "no-referrer", "\(path)")
                #expect(response.headers.first(name: .strictTransportSecurity)?.hasPrefix("max-age=") == true, "\(path)")
            }
            // No page carries inline script or style for the policy to block.
            let home = try await app.testing().sendRequest(.GET, "/map")
            #expect(!home.body.string.contains("<script>") && !home.body.string.contains("style=") && !home.body.string.contains("<style"))
        }
        try await withCeptoar(seeded: false) { app in
            let plain = try await app.testing().sendRequest(.GET, "/")
            #expect(plain.headers.first(name: .strictTransportSecurity) == nil)
        }
    }
}

@Suite("Hardening: accounts and tokens")
struct AccountHardeningTests {
    @Test func parallelWrongPasswordsAreEachCountedAndNeverA500() async throws {
        try await withCeptoar(demo: true) { app in
            let accounts = app.accounts(on: app.db)
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        do {
                            _ = try await accounts.authenticate(email: "bank@demo.ceptoar.example", password: "wrong-password", client: "192.0.2.7")
                            return "signed in"
                        } catch let failure as Accounts.Failure {
                            return failure == .badCredentials ? "bad" : "throttled"
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.count == 16 && !outcomes.contains("signed in"))
            // Every attempt checked was counted (no lost update), and no more were checked than the
            // limit allows, however they interleaved.
            let row = try #require(try await LoginThrottle.query(on: app.db).filter(\.$identifier == "bank@demo.ceptoar.example").first())
            let checked = outcomes.filter { $0 == "bad" }.count
            #expect(row.failures >= checked && row.failures <= 16)
            #expect(checked <= app.ceptoar.loginFailuresBeforeDelay, "\(outcomes)")
            // The right password is refused while the wait lasts.
            await #expect(throws: Accounts.Failure.self) {
                _ = try await accounts.authenticate(email: "bank@demo.ceptoar.example", password: DemoNation.password, client: "192.0.2.8")
            }
        }
    }

    @Test func oneAddressTryingManyAccountsIsThrottled() async throws {
        try await withCeptoar(demo: true) { app in
            let accounts = app.accounts(on: app.db)
            let limit = app.ceptoar.loginFailuresBeforeDelay * Accounts.addressFactor
            var throttled = false
            for index in 0..<(limit + 2) {
                do {
                    _ = try await accounts.authenticate(email: "nobody-\(index)@example.jp", password: "x", client: "198.51.100.9")
                } catch Accounts.Failure.throttled {
                    throttled = true
                    #expect(index >= limit)
                    break
                } catch Accounts.Failure.badCredentials {}
            }
            #expect(throttled)
            // Another address is not affected.
            _ = try await accounts.authenticate(email: "bank@demo.ceptoar.example", password: DemoNation.password, client: "203.0.113.1")
        }
    }

    @Test func tokensExpireByDefaultAndAreListedAndRevoked() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            let created = try await bank.send(.POST, "/api/v1/tokens", json: ["name": "監視スクリプト"])
            #expect(created.status == .created)
            let token = try bank.decode(TokenAPIController.Created.self, created)
            let expiry = try #require(token.token.expiresAt)
            #expect(abs(expiry.timeIntervalSinceNow - 90 * 86_400) < 120)
            let second = APIClient(app: app, token: token.secret)
            #expect(try await second.send(.GET, "/api/v1/me").status == .ok)
            let listed = try bank.decode([TokenAPIController.TokenDTO].self, try await bank.send(.GET, "/api/v1/tokens"))
            #expect(listed.count == 2)
            #expect(!(try await bank.send(.GET, "/api/v1/tokens")).body.string.contains(token.secret))
            // Someone else's token cannot be revoked; bad lifetimes are refused.
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            #expect(try await water.send(.DELETE, "/api/v1/tokens/\(token.token.id)").status == .notFound)
            #expect(try await bank.send(.POST, "/api/v1/tokens", json: ["name": "x", "days": "0"]).status == .badRequest)
            // A decoding mistake names the JSON kind expected, never a Swift type.
            let wrongType = try await bank.send(.POST, "/api/v1/tokens", json: ["name": 5])
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.body.string.contains("expected a string") && !wrongType.body.string.contains("String"), "\(wrongType.body.string)")
            struct Input: Encodable { var name: String; var days: Int }
            #expect(try await bank.send(.POST, "/api/v1/tokens", json: Input(name: "x", days: 0)).status == .unprocessableEntity)
            #expect(try await bank.send(.POST, "/api/v1/tokens", json: Input(name: "x", days: 999_999_999)).status == .unprocessableEntity)
            // Revoked: refused from then on (the cache is cleared by the write).
            #expect(try await bank.send(.DELETE, "/api/v1/tokens/\(token.token.id)").status == .noContent)
            #expect(try await second.send(.GET, "/api/v1/me").status == .unauthorized)
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "token_revoke").count() == 1)
            // A disabled user's tokens stop working.
            _ = try await app.accounts(on: app.db).setActive(false, email: "bank@demo.ceptoar.example", actor: "test")
            #expect(try await bank.send(.GET, "/api/v1/me").status == .unauthorized)
        }
    }
}
