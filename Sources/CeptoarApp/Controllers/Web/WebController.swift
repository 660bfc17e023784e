import CeptoarKit
import Vapor

/// The pages people use: home, sign-in, the map, the directory, the language switch.
struct WebController: RouteCollection {
    let accounts: @Sendable (Request) -> Accounts

    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: self.home)
        routes.get("login", use: self.loginForm)
        routes.post("login", use: self.login)
        routes.post("logout", use: self.logout)
        routes.get("lang", ":code", use: self.switchLanguage)
        routes.get("map", use: self.map)
        routes.get("map", "export", use: self.export)
        routes.get("organisations", use: self.directory)
        routes.get("ceptoars", ":key", use: self.ceptoar)
    }

    @Sendable func ceptoar(req: Request) async throws -> Response {
        let day = try req.day("as_of", default: .today)
        let profile = try await CeptoarProfile.load(key: req.parameters.get("key") ?? "", asOf: day, on: req.db)
        var page = CeptoarPage(profile: profile)
        // The year's activity is for the community: counts of advisories, drills and reports.
        if req.auth.has(User.self) {
            let text = req.queryItems["fy"]
            guard let year = text.map(FiscalYear.init(text:)) ?? FiscalYear.of(day) else {
                throw UserError.badRequest(ja: "年度の指定が不正です: \(text?.prefix(40) ?? "")（例: 2008, 平成20年度）", en: "not a fiscal year: \(text?.prefix(40) ?? "") (e.g. 2008)")
            }
            page.activity = try await ActivityQuery(database: req.db).report(year, for: [profile.column])
        }
        return Self.html(page.render(req))
    }

    @Sendable func home(req: Request) async throws -> Response {
        let map = try await req.maps.map(asOf: .today)
        guard let user = req.auth.get(User.self) else { return Self.html(HomePage(map: map).render(req)) }
        let home = try await req.application.homeCache.home(for: user, on: req.db)
        return Self.html(HomePage(map: map, work: home.work, situation: home.situation, secretariatCeptoars: home.secretariatCeptoars).render(req))
    }

    @Sendable func loginForm(req: Request) async throws -> Response {
        Self.html(LoginPage().render(req))
    }

    struct LoginForm: Content {
        var email: String?
        var password: String?
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let email = form.email ?? ""
        do {
            let user = try await self.accounts(req).authenticate(email: email, password: form.password ?? "", client: req.remoteAddress?.ipAddress)
            // A new session id on sign-in, so a session id known before sign-in is worth nothing.
            if let old = req.session.id {
                try await req.application.sessions.driver.deleteSession(old, for: req).get()
                req.session.id = nil
            }
            req.session.data = SessionData()
            req.auth.login(user)
            req.session.authenticate(user)
            SessionUserAuthenticator.stamp(req.session)
            req.session.data["csrf"] = [UInt8].random(count: 32).base64
            req.logger.info("signed in", metadata: ["user": "\(user.email)"])
            return req.redirect(to: SiteURL.home, redirectType: .normal)
        } catch let failure as Accounts.Failure {
            let response = Self.html(LoginPage(error: failure.message(req.language), email: email).render(req))
            response.status = failure.status
            response.headers.add(contentsOf: failure.headers)
            return response
        }
    }

    @Sendable func logout(req: Request) async throws -> Response {
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: SiteURL.home, redirectType: .normal)
    }

    @Sendable func switchLanguage(req: Request) async throws -> Response {
        guard let code = req.parameters.get("code"), let language = Language(rawValue: code) else {
            throw UserError.notFound(ja: "その言語はありません", en: "no such language")
        }
        // Only a same-site path: no other host, and no CR/LF to split the response's headers.
        let back = ProtocolText.sameSitePath(req.queryItems["back"]) ?? "/"
        let response = req.redirect(to: back, redirectType: .normal)
        response.cookies["lang"] = HTTPCookies.Value(string: language.rawValue, maxAge: 365 * 86_400, path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }

    @Sendable func map(req: Request) async throws -> Response {
        let day = try req.day("as_of", default: Request.defaultMapDay)
        let map = try await req.maps.map(asOf: day)
        return Self.html(MapPage(map: map).render(req))
    }

    @Sendable func export(req: Request) async throws -> Response {
        let formatText = req.query[String.self, at: "format"] ?? "csv"
        let format: MapFormat
        do {
            format = try MapFormat.parse(formatText)
        } catch {
            throw UserError.badRequest(
                ja: "不明な形式です: \(formatText)（html, csv, json, md）", en: "\(error)")
        }
        let day = try req.day("as_of", default: Request.defaultMapDay)
        let map = try await req.maps.map(asOf: day)
        let response = Response(status: .ok, body: .init(data: try format.render(map, language: req.language)))
        response.headers.replaceOrAdd(name: .contentType, value: format.contentType)
        if format != .html {
            response.headers.replaceOrAdd(
                name: .contentDisposition, value: #"attachment; filename="ceptoar-map-\#(day.iso).\#(format.rawValue)""#)
        }
        return response
    }

    @Sendable func directory(req: Request) async throws -> Response {
        guard req.auth.has(User.self) else {
            return req.redirect(to: SiteURL.login, redirectType: .normal)
        }
        let query = req.queryItems["q"] ?? ""
        let kind = req.queryItems["kind"].flatMap { $0.isEmpty ? nil : $0 }
        let page = try RequestedPage(page: req.queryItems["page"], per: nil, defaultPer: 50, maximumPer: Directory.maximumPer)
        let result = try await Directory(database: req.db).search(query: query, kind: kind, page: page, on: .today)
        return Self.html(DirectoryPage(query: query, kind: kind, page: result).render(req))
    }

    static func html(_ text: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = .html
        return response
    }
}
