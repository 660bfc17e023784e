import CeptoarKit
import Fluent
import Vapor

/// Failure case pages: the same `FailureCases` as the API. A refusal re-renders the page with
/// its message and status, keeping what the analyst typed.
struct FailureCaseWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("failure-cases", use: self.list)
        routes.on(.POST, "failure-cases", body: .collect(maxSize: "512kb"), use: self.write)
        routes.get("failure-cases", ":id", use: self.detail)
        routes.on(.POST, "failure-cases", ":id", body: .collect(maxSize: "512kb"), use: self.revise)
        routes.post("failure-cases", ":id", "publish", use: self.publish)
    }

    @Sendable func list(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return WebController.html(try await self.listPage(req, user).render(req))
    }

    private func listPage(_ req: Request, _ user: User, input: FailureCaseInput? = nil, error: String? = nil) async throws -> FailureCaseListPage {
        let cases = FailureCases(database: req.db)
        let dtos = try await cases.dtos(try await cases.list(for: user).map { FailureCases.Loaded(record: $0, reports: []) })
        return FailureCaseListPage(cases: dtos, candidates: try await self.candidates(req, user), input: input, error: error)
    }

    private func candidates(_ req: Request, _ user: User) async throws -> [ReportDTO] {
        guard user.has(.analyst) || user.has(.ceptoarSecretariat) else { return [] }
        return try await ReportPresenter(database: req.db).dtos(try await FailureCases(database: req.db).candidates(for: user))
    }

    @Sendable func write(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode(FailureCaseForm.self)
        var input: FailureCaseInput?
        do {
            input = try form.input()
            let loaded = try await FailureCases(database: req.db).write(input!, by: user)
            return req.redirect(to: "/failure-cases/\(try loaded.record.requireID().uuidString.lowercased())")
        } catch let error as UserError {
            let response = WebController.html(try await self.listPage(req, user, input: input, error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }

    @Sendable func detail(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return WebController.html(try await self.detailPage(req, user).render(req))
    }

    private func detailPage(_ req: Request, _ user: User, input: FailureCaseInput? = nil, error: String? = nil, notice: String? = nil) async throws -> FailureCaseDetailPage {
        let cases = FailureCases(database: req.db)
        let loaded = try await cases.open(try AdvisoryAPIController.id(req), by: user)
        let editable = loaded.record.caseStatus == .draft && loaded.record.$author.id == user.$organisation.id
        return FailureCaseDetailPage(
            item: try await cases.dto(loaded), editable: editable, candidates: editable ? try await self.candidates(req, user) : [],
            input: input, error: error, notice: notice)
    }

    @Sendable func revise(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode(FailureCaseForm.self)
        var input: FailureCaseInput?
        return try await self.act(req, user, input: { input }) {
            input = try form.input()
            _ = try await FailureCases(database: req.db).revise(try AdvisoryAPIController.id(req), input!, by: user)
        }
    }

    @Sendable func publish(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return try await self.act(req, user, input: { nil }) {
            _ = try await FailureCases(database: req.db).publish(try AdvisoryAPIController.id(req), by: user)
        }
    }

    /// Runs the action; the case page again with "done" or with the refusal.
    private func act(_ req: Request, _ user: User, input: () -> FailureCaseInput?, _ action: () async throws -> Void) async throws -> Response {
        do {
            try await action()
            let done = req.language == .ja ? "記録しました。" : "Done and recorded."
            return WebController.html(try await self.detailPage(req, user, notice: done).render(req))
        } catch let error as UserError {
            let response = WebController.html(try await self.detailPage(req, user, input: input(), error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }
}
