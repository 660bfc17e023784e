import CeptoarKit
import Fluent
import Vapor

/// The page where an organisation keeps its emergency contacts.
struct PocWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("poc", use: self.page)
        routes.post("poc", use: self.save)
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
