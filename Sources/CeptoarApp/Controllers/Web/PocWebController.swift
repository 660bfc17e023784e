import CeptoarKit
import Fluent
import Vapor

/// The page where an organisation keeps its emergency contacts.
struct PocWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("poc", use: self.page)
        routes.post("poc", use: self.save)
        routes.post("poc", "verify", use: self.sendCode)
        routes.post("poc", "verify", "confirm", use: self.confirmCode)
    }

    @Sendable func sendCode(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode([String: String].self)
        let request = AddressVerification.Request(channel: form["channel"] ?? "", address: form["address"] ?? "")
        return try await self.answer(req, user) {
            let sent = try await PocVerificationAPIController.service(req).send(request, by: user)
            return req.language == .ja ? "\(sent.address) に確認コードを送りました（30分間有効）。届いたコードを入力してください。"
                : "A code was sent to \(sent.address) (valid for 30 minutes). Enter it below."
        }
    }

    @Sendable func confirmCode(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode([String: String].self)
        let confirmation = AddressVerification.Confirmation(channel: form["channel"] ?? "", address: form["address"] ?? "", code: form["code"] ?? "")
        return try await self.answer(req, user) {
            _ = try await PocVerificationAPIController.service(req).confirm(confirmation, by: user)
            return req.language == .ja ? "\(confirmation.address) を確認済みにしました。" : "\(confirmation.address) is verified."
        }
    }

    /// The roster page with what happened, or with the reason it did not (and its status).
    private func answer(_ req: Request, _ user: User, _ action: () async throws -> String) async throws -> Response {
        do {
            let notice = try await action()
            return WebController.html(try await self.render(req, user: user, PocPage(roster: try await self.roster(req, user), notice: notice)))
        } catch let error as UserError {
            let page = PocPage(roster: try await self.roster(req, user), error: req.language == .ja ? error.ja : error.en)
            let response = WebController.html(try await self.render(req, user: user, page))
            response.status = error.status
            return response
        }
    }

    @Sendable func page(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return WebController.html(try await self.render(req, user: user, PocPage(roster: try await self.roster(req, user))))
    }

    @Sendable func save(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let input = PocPage.roster(from: try req.content.decode([String: String].self))
        do {
            let roster = try await PointsOfContact(database: req.db).replace(input, by: user)
            return WebController.html(try await self.render(req, user: user, PocPage(roster: roster, saved: true)))
        } catch let error as UserError {
            // The form comes back as typed, with the reason; nothing was saved.
            let page = PocPage(roster: try await self.roster(req, user), form: input, error: req.language == .ja ? error.ja : error.en)
            let response = WebController.html(try await self.render(req, user: user, page))
            response.status = error.status
            return response
        }
    }

    private func roster(_ req: Request, _ user: User) async throws -> PointsOfContact.RosterDTO {
        try await PointsOfContact(database: req.db).roster(of: try await user.$organisation.get(on: req.db))
    }

    private func render(_ req: Request, user: User, _ page: PocPage) async throws -> String {
        var page = page
        if user.has(.ceptoarSecretariat) {
            let own = try await Relay(database: req.db).secretariatCeptoars(of: user.$organisation.id)
            page.queues = try await Ceptoar.query(on: req.db).filter(\.$id ~~ Array(own)).all().map(\.key).sorted()
        }
        return page.render(req)
    }
}
