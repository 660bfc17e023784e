import CeptoarKit
import Fluent
import Vapor

/// Situation assessment: each readable scope's level, one scope's timeline and proposal, a
/// coordinator's change, and the same levels as plain text for scripts.
struct SituationAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.get("situation", use: self.list)
        v1.get("situation.txt", use: self.text)
        v1.on(.POST, "situation", body: .collect(maxSize: "64kb"), use: self.change)
        v1.get("home", use: self.home)
    }

    /// What needs the caller now: the home page's counts, scopes and last week, as JSON.
    @Sendable func home(req: Request) async throws -> Home {
        try await req.application.homeCache.home(for: try req.requireUser(), on: req.db)
    }

    /// Every scope the caller may read; with `?scope=`, that scope alone with its timeline and,
    /// for its coordinator, the proposal.
    @Sendable func list(req: Request) async throws -> SituationListDTO {
        let user = try req.requireUser()
        let view = try await SituationView.load(for: user, on: req.db)
        guard let text = req.queryItems["scope"] else { return SituationListDTO(scopes: view.readable.map { view.dto($0) }) }
        return SituationListDTO(scopes: [try await view.detail(try SituationView.scope(text), on: req.db)])
    }

    @Sendable func text(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let view = try await SituationView.load(for: user, on: req.db)
        var lines = ["# scope\tlevel\tlabel\tlarge_incident\tsince"]
        for scope in view.readable {
            let current = view.current[scope]
            let level = current?.situationLevel ?? .normal
            lines.append([
                scope.text, level.rawValue, level.label.ja, current?.largeIncident == true ? "large-incident" : "-",
                current.map { ISO8601DateFormatter().string(from: $0.createdAt) } ?? "-",
            ].joined(separator: "\t"))
        }
        let response = Response(status: .ok, body: .init(string: lines.joined(separator: "\n") + "\n"))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["charset": "utf-8"])
        return response
    }

    @Sendable func change(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try ReportAPIController.decode(SituationBook.ChangeInput.self, req)
        let change = try await SituationBook(database: req.db).change(input, by: user)
        let view = try await SituationView.load(for: user, on: req.db)
        let response = try await view.dto(change.scope ?? .nation).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/situation?scope=\(change.scope?.text ?? "nation")")
        return response
    }
}

/// What one user may see of the situation, read once per request.
struct SituationView {
    var registry: SituationRegistry
    var person: AccessPolicy.Coordinator
    var current: [SituationScope: SituationChange]
    var readable: [SituationScope]
    var coordinated: Set<SituationScope>

    static func load(for user: User, on db: any Database) async throws -> SituationView {
        let registry = try await SituationRegistry.load(on: db)
        let book = SituationBook(database: db)
        let person = try await book.coordinator(for: user, registry: registry)
        return SituationView(
            registry: registry, person: person, current: try await book.current(), readable: SituationBook.readable(by: person, in: registry),
            coordinated: Set(SituationBook.coordinated(by: person, in: registry)))
    }

    static func scope(_ text: String) throws -> SituationScope {
        do {
            return try SituationScope(parsing: text)
        } catch {
            throw UserError(status: .badRequest, ja: error.message.ja, en: error.description, fields: ["scope"])
        }
    }

    func dto(_ scope: SituationScope) -> SituationDTO {
        let current = self.current[scope]
        let level = current?.situationLevel ?? .normal
        return SituationDTO(
            scope: scope.text, name: self.registry.name(scope), level: level.rawValue, label: level.label, largeIncident: current?.largeIncident ?? false,
            current: current.map(SituationDTO.Change.init), coordinated: self.coordinated.contains(scope))
    }

    /// One scope with its timeline and, for its coordinator, the proposal; refused (with the
    /// policy's reason) for a scope the user may not read, and 404 for one the registry lacks.
    func detail(_ scope: SituationScope, on db: any Database) async throws -> SituationDTO {
        guard self.registry.exists(scope) else {
            throw UserError.notFound(ja: "その範囲は登録されていません: \(scope.text)", en: "no such scope: \(scope.text)")
        }
        if case .deny(let denial) = AccessPolicy.readSituation(scope, by: self.person) {
            throw UserError(status: .forbidden, ja: denial.message.ja, en: denial.message.text(.en), denial: denial)
        }
        let book = SituationBook(database: db)
        var dto = self.dto(scope)
        dto.history = try await book.history(scope).map(SituationDTO.Change.init)
        if self.coordinated.contains(scope) {
            let proposal = SituationProposal(try await book.facts(scope, registry: self.registry, current: self.current))
            dto.proposal = SituationDTO.Proposal(level: proposal.level.rawValue, label: proposal.level.label, reasons: proposal.reasons)
        }
        return dto
    }
}
