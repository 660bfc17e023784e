import CeptoarKit
import Vapor

/// Agreement pages: the list and proposal form, one agreement, and its actions — the same
/// `Agreements` service as the API, so the pages can refuse nothing the API would allow.
struct AgreementWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("agreements", use: self.list)
        routes.post("agreements", use: self.propose)
        routes.get("agreements", ":key", use: self.detail)
        for action in ["approve", "suspend", "resume", "terminate"] {
            routes.post("agreements", ":key", .constant(action)) { req async throws -> Response in try await self.act(req, action) }
        }
    }

    @Sendable func list(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return WebController.html(try await self.listPage(req, user).render(req))
    }

    private func listPage(_ req: Request, _ user: User, error: String? = nil, notice: String? = nil) async throws -> AgreementListPage {
        let service = Agreements(database: req.db)
        var agreements: [Agreements.DTO] = []
        for record in try await service.visible(to: user) { agreements.append(try await service.dto(record)) }
        let acting = try await Parties(database: req.db).actingFor(user).sorted()
        return AgreementListPage(agreements: agreements, acting: acting, error: error, notice: notice)
    }

    @Sendable func propose(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let proposal = AgreementListPage.proposal(from: try req.content.decode([String: String].self))
        do {
            let record = try await Agreements(database: req.db).propose(proposal, by: user)
            return req.redirect(to: "/agreements/\(record.key)")
        } catch let error as UserError {
            let response = WebController.html(try await self.listPage(req, user, error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }

    @Sendable func detail(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return WebController.html(try await self.detailPage(req, user, key: req.parameters.get("key") ?? "").render(req))
    }

    private func detailPage(_ req: Request, _ user: User, key: String, error: String? = nil, notice: String? = nil) async throws -> AgreementDetailPage {
        let service = Agreements(database: req.db)
        let record = try await service.readable(key, by: user)
        let dto = try await service.dto(record, history: true)
        let acting = try await Parties(database: req.db).actingFor(user)
        var actions: [String] = []
        if record.partyList.contains(where: acting.contains) {
            switch record.agreementStatus {
            case .proposed:
                if dto.awaiting.contains(where: acting.contains) { actions.append("approve") }
                actions.append("terminate")
            case .active: actions += ["suspend", "terminate"]
            case .suspended: actions += ["resume", "terminate"]
            case .terminated: break
            }
        }
        return AgreementDetailPage(agreement: dto, actions: actions, error: error, notice: notice)
    }

    func act(_ req: Request, _ action: String) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let key = req.parameters.get("key") ?? ""
        let form = try req.content.decode([String: String].self)
        let service = Agreements(database: req.db)
        _ = try await service.readable(key, by: user)
        do {
            if action == "approve" {
                _ = try await service.approve(key, by: user)
            } else {
                _ = try await service.change(key, to: action, reason: form["reason"], by: user)
            }
            let done = req.language == .ja ? "操作を記録しました。" : "Done and recorded."
            return WebController.html(try await self.detailPage(req, user, key: key, notice: done).render(req))
        } catch let error as UserError {
            let response = WebController.html(try await self.detailPage(req, user, key: key, error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }
}
