@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Accounts, sign-in, sessions, CSRF and tokens")
struct AccountTests {
    @Test func everyDemoRoleCanSignIn() async throws {
        try await withCeptoar(demo: true) { app in
            for demo in DemoNation.users {
                // setup
                let browser = Browser(app)
                // act
                let response = try await browser.signIn(demo.email, DemoNation.password)
                // check
                #expect(response.status == .seeOther, "\(demo.email)")
                let home = try await browser.get("/")
                #expect(home.body.string.contains(#"data-testid="signed-in-as""#), "\(demo.email)")
                #expect(home.body.string.contains(demo.roles[0].label.ja))
            }
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefused() async throws {
        try await withCeptoar(demo: true) { app in
            let browser = Browser(app)
            _ = try await browser.get("/login")
            let forged = try await browser.post("/login", form: ["email": "admin@demo.ceptoar.example", "password": DemoNation.password])
            #expect(forged.status == .forbidden)
            let wrong = try await browser.post("/login", form: ["email": "admin@demo.ceptoar.example", "password": DemoNation.password, "_csrf": "x"])
            #expect(wrong.status == .forbidden)
            #expect(browser.cookies["ceptoar_session"] != nil)
            // Sign in properly, then a logout without the token must not sign out.
            try await browser.signIn("admin@demo.ceptoar.example", DemoNation.password)
            let logout = try await browser.post("/logout", form: [:])
            #expect(logout.status == .forbidden)
            #expect(try await browser.get("/organisations").status == .ok)
        }
    }

    @Test func wrongPasswordsAreSlowedDown() async throws {
        // A first delay of a minute, so a slow machine cannot outlast it between two requests.
        try await withCeptoar(demo: true, environment: ["CEPTOAR_LOGIN_FAILURES_BEFORE_DELAY": "3", "CEPTOAR_LOGIN_DELAY_SECONDS": "60"]) { app in
            let browser = Browser(app)
            for attempt in 1...3 {
                let response = try await browser.signIn("nisc@demo.ceptoar.example", "not-the-password")
                #expect(response.status == .unauthorized, "attempt \(attempt)")
                #expect(response.body.string.contains("メールアドレスまたはパスワードが正しくありません"))
            }
            // The right password now waits too: the delay is not a hint that it was right.
            let blocked = try await browser.signIn("nisc@demo.ceptoar.example", DemoNation.password)
            #expect(blocked.status == .tooManyRequests)
            #expect((50...60).contains(Int(blocked.headers.first(name: "Retry-After") ?? "") ?? 0))
            // Unknown accounts fail the same way.
            let unknown = try await browser.signIn("nobody@demo.ceptoar.example", "whatever-password")
            #expect(unknown.status == .unauthorized)
        }
    }

    @Test func theDelayDoublesAndEnds() async throws {
        try await withCeptoar(demo: true) { app in
            // setup: explicit times, so the test does not depend on how fast the machine is
            let accounts = Accounts(database: app.db, passwords: app.password.async, failuresBeforeDelay: 2, delaySeconds: 2)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let email = "fsa@demo.ceptoar.example"
            func attempt(_ password: String, at seconds: Double) async -> Accounts.Failure? {
                do {
                    _ = try await accounts.authenticate(email: email, password: password, now: start.addingTimeInterval(seconds))
                    return nil
                } catch let failure as Accounts.Failure {
                    return failure
                } catch {
                    return .badCredentials
                }
            }
            // act and check: two failures arm the delay (2 s), the third doubles it (4 s)
            #expect(await attempt("wrong", at: 0) == .badCredentials)
            #expect(await attempt("wrong", at: 1) == .badCredentials)
            #expect(await attempt(DemoNation.password, at: 2) == .throttled(retryAfter: 1))
            #expect(await attempt("wrong", at: 3.5) == .badCredentials)
            #expect(await attempt(DemoNation.password, at: 4) == .throttled(retryAfter: 4))
            // Once the delay has passed, the right password works and the count starts again.
            #expect(await attempt(DemoNation.password, at: 8) == nil)
            #expect(await attempt("wrong", at: 9) == .badCredentials)
        }
    }

    @Test func directoryNeedsSignInAndSearches() async throws {
        try await withCeptoar(demo: true) { app in
            let browser = Browser(app)
            let anonymous = try await browser.get("/organisations")
            #expect(anonymous.status == .seeOther)
            try await browser.signIn("member@demo.ceptoar.example", DemoNation.password)
            let page = try await browser.get("/organisations?q=" + "水道".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("1394件"))  // 1,393 members and the association
            let percent = try await browser.get("/organisations?q=%25")
            #expect(percent.body.string.contains(">0件<"))
            let badKind = try await browser.get("/organisations?kind=martian")
            #expect(badKind.status == .badRequest)
        }
    }

    @Test func tokensAreStoredHashedAndAuthenticateTheAPI() async throws {
        try await withCeptoar(demo: true) { app in
            // setup
            let (token, secret) = try await app.accounts(on: app.db).createToken(for: "analyst@demo.ceptoar.example", name: "ci", days: 30)
            // check: only the hash is stored
            let stored = try #require(try await APIToken.find(token.id, on: app.db))
            #expect(stored.tokenHash != secret)
            #expect(stored.tokenHash == APIToken.hash(secret))
            var headers = english
            headers.bearerAuthorization = BearerAuthorization(token: secret)
            let me = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: headers)
            #expect(me.status == .ok)
            #expect(me.body.string.contains("analyst@demo.ceptoar.example"))
            let search = try await app.testing().sendRequest(.GET, "/api/v1/organisations?q=jpcert", headers: headers)
            #expect(search.body.string.contains("JPCERT"))
            headers.bearerAuthorization = BearerAuthorization(token: secret + "x")
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
            // An expired token is refused (changed as the server writes: in a transaction).
            stored.expiresAt = Date().addingTimeInterval(-1)
            try await app.db.atomically { db in try await stored.save(on: db) }
            headers.bearerAuthorization = BearerAuthorization(token: secret)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
        }
    }

    @Test func aChangeMadeElsewhereIsSeenWithinTheReadCacheLifetime() async throws {
        try await withCeptoar(demo: true, environment: ["CEPTOAR_READ_CACHE_MS": "300"]) { app in
            let (token, secret) = try await app.accounts(on: app.db).createToken(for: "analyst@demo.ceptoar.example", name: "ci", days: 30)
            var headers = english
            headers.bearerAuthorization = BearerAuthorization(token: secret)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: headers).status == .ok)
            // Another node (or a command on the same file) deactivates the user: no write by
            // this process tells the cache, so only its lifetime bounds the delay.
            try await (app.db as! any SQLDatabase).raw("UPDATE users SET active = \(bind: false) WHERE id = \(bind: token.$user.id)").run()
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
        }
    }

    /// Sessions are read through a cache (a page view costs no query for its cookie): signing
    /// out must still end the session at once, for a copy of the cookie too, and a deactivated
    /// account must stop signing in with the next request.
    @Test func aSignedOutOrDeactivatedSessionEndsAtOnceThoughSessionsAreCached() async throws {
        try await withCeptoar(demo: true, environment: ["CEPTOAR_READ_CACHE_MS": "60000"]) { app in
            let browser = Browser(app)
            try await browser.signIn("bank@demo.ceptoar.example", DemoNation.password)
            let page = try await browser.get("/inbox")
            #expect(page.status == .ok)
            let copy = Browser(app)
            copy.cookies = browser.cookies
            #expect(try await copy.get("/inbox").status == .ok)
            let out = try await browser.post("/logout", form: ["_csrf": try browser.csrf(from: page)])
            #expect(out.status == .seeOther)
            #expect(try await copy.get("/inbox").status != .ok, "the copied cookie after sign-out")

            let other = Browser(app)
            try await other.signIn("water@demo.ceptoar.example", DemoNation.password)
            #expect(try await other.get("/inbox").status == .ok)
            let water = try #require(try await User.query(on: app.db).filter(\.$email == "water@demo.ceptoar.example").first())
            water.active = false
            try await app.db.atomically { db in try await water.save(on: db) }
            #expect(try await other.get("/inbox").status != .ok, "a deactivated account")
        }
    }

    @Test func tokensNeverOpenSessionsAndSessionsExpireOnTheServer() async throws {
        try await withCeptoar(demo: true) { app in
            // A bearer token answers the API without writing a session or setting a cookie.
            let (_, secret) = try await app.accounts(on: app.db).createToken(for: "bank@demo.ceptoar.example", name: "ci", days: 30)
            var headers = english
            headers.bearerAuthorization = BearerAuthorization(token: secret)
            for _ in 1...3 {
                let inbox = try await app.testing().sendRequest(.GET, "/api/v1/inbox", headers: headers)
                #expect(inbox.status == .ok)
                #expect(inbox.headers.setCookie == nil)
            }
            #expect(try await SessionRecord.query(on: app.db).count() == 0)
            // A browser's session is written at sign-in, not again on each page it reads.
            let browser = Browser(app)
            try await browser.signIn("bank@demo.ceptoar.example", DemoNation.password)
            let record = try #require(try await SessionRecord.query(on: app.db).first())
            let before = record.data
            #expect(try await browser.get("/inbox").status == .ok)
            #expect(try await browser.get("/organisations").status == .ok)
            #expect(try await SessionRecord.query(on: app.db).count() == 1)
            #expect(try await SessionRecord.query(on: app.db).first()?.data == before)
            // Past its lifetime the session signs no one in, whatever the cookie's own age says.
            record.data[SessionUserAuthenticator.issuedKey] = String(Int(Date().timeIntervalSince1970 - SessionUserAuthenticator.lifetime - 1))
            try await app.db.atomically { db in try await record.save(on: db) }
            let stale = try await browser.get("/inbox")
            #expect(stale.status != .ok)
            #expect(try await browser.get("/organisations").status != .ok)
        }
    }

    @Test func userCreationRefusesMistakes() async throws {
        try await withCeptoar { app in
            let accounts = app.accounts(on: app.db)
            _ = try await accounts.createUser(email: "Liaison@MIC.example", displayName: "MIC", organisationKey: "mic", roles: ["ministry_liaison"], password: "a-long-password")
            await #expect(throws: Accounts.Failure.duplicateEmail("liaison@mic.example")) {
                try await accounts.createUser(email: "liaison@mic.example", displayName: "x", organisationKey: "mic", roles: ["member"], password: "a-long-password")
            }
            await #expect(throws: Accounts.Failure.unknownOrganisation("nope")) {
                try await accounts.createUser(email: "a@b.example", displayName: "x", organisationKey: "nope", roles: ["member"], password: "a-long-password")
            }
            await #expect(throws: Accounts.Failure.unknownRole("king")) {
                try await accounts.createUser(email: "a@b.example", displayName: "x", organisationKey: "mic", roles: ["king"], password: "a-long-password")
            }
            await #expect(throws: Accounts.Failure.weakPassword) {
                try await accounts.createUser(email: "a@b.example", displayName: "x", organisationKey: "mic", roles: ["member"], password: "short")
            }
            await #expect(throws: Accounts.Failure.invalidEmail("not-an-email")) {
                try await accounts.createUser(email: "not-an-email", displayName: "x", organisationKey: "mic", roles: ["member"], password: "a-long-password")
            }
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }
}

@Suite("Operations and configuration")
struct OperationsTests {
    @Test func healthReadyAndMetrics() async throws {
        try await withCeptoar { app in
            #expect(try await app.testing().sendRequest(.GET, "/health").status == .ok)
            let ready = try await app.testing().sendRequest(.GET, "/ready")
            #expect(ready.body.string.contains("\"ready\""))
            _ = try await app.testing().sendRequest(.GET, "/api/v1/map")
            let metrics = try await app.testing().sendRequest(.GET, "/metrics")
            #expect(metrics.headers.contentType?.description.hasPrefix("text/plain") == true)
            #expect(metrics.body.string.contains("ceptoar_organisations "))
            #expect(metrics.body.string.contains("http_requests_total"))
        }
    }

    @Test(arguments: [
        "mysql://u@h/db", "postgres://h/db", "postgres://u@/db", "postgres://u@h", "postgres://u@h:port/db", "not a url",
    ])
    func malformedDatabaseURLsAreRefusedClearly(url: String) {
        #expect(throws: ConfigurationError.self) { try AppConfiguration.load(environment: ["DATABASE_URL": url]) }
    }

    @Test func settingsHaveDefaultsAndCheckedValues() throws {
        let defaults = try AppConfiguration.load(environment: [:])
        #expect(defaults.database == .sqlite(path: "./ceptoar.sqlite"))
        #expect(defaults.bcryptCost == 12)
        let chosen = try AppConfiguration.load(environment: ["CEPTOAR_DATABASE": "/tmp/x.sqlite"], options: LaunchOptions(databasePath: "/tmp/y.sqlite"))
        #expect(chosen.database == .sqlite(path: "/tmp/y.sqlite"))
        #expect(try AppConfiguration.load(environment: ["DATABASE_URL": "postgres://u:p@127.0.0.1:5432/c"]).database == .postgres(url: "postgres://u:p@127.0.0.1:5432/c"))
        #expect(throws: ConfigurationError.self) { try AppConfiguration.load(environment: ["CEPTOAR_BCRYPT_COST": "99"]) }
        #expect(throws: ConfigurationError.self) { try AppConfiguration.load(environment: ["CEPTOAR_LOG_FORMAT": "xml"]) }
    }

    @Test func launchOptionsAreTakenOutBeforeVapor() throws {
        var arguments = ["ceptoar", "serve", "--demo", "--database", "/tmp/a.sqlite", "--port", "8080"]
        let options = try LaunchOptions.extract(from: &arguments)
        #expect(options == LaunchOptions(databasePath: "/tmp/a.sqlite", demo: true))
        #expect(arguments == ["ceptoar", "serve", "--port", "8080"])
        var missing = ["ceptoar", "seed", "--database"]
        #expect(throws: ConfigurationError.self) { try LaunchOptions.extract(from: &missing) }
    }
}
