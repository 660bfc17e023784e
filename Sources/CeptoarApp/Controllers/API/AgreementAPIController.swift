import CeptoarKit
import Vapor

/// Agreements over the API: list, propose, read (with history), approve, suspend, resume, terminate.
struct AgreementAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let agreements = routes.grouped("api", "v1", "agreements")
        agreements.get(use: self.list)
        agreements.post(use: self.propose)
        agreements.get(":key", use: self.read)
        agreements.post(":key", "approve", use: self.approve)
        for change in ["suspend", "resume", "terminate"] {
            agreements.post(":key", .constant(change)) { req async throws -> Agreements.DTO in try await self.change(req, change) }
        }
    }

    @Sendable func list(req: Request) async throws -> [Agreements.DTO] {
        let service = Agreements(database: req.db)
        var result: [Agreements.DTO] = []
        for record in try await service.visible(to: try req.requireUser()) { result.append(try await service.dto(record)) }
        return result
    }

    @Sendable func propose(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let proposal = try req.content.decode(Agreements.Proposal.self)
        let service = Agreements(database: req.db)
        let record = try await service.propose(proposal, by: user)
        let response = try await service.dto(record, history: true).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/agreements/\(record.key)")
        return response
    }

    @Sendable func read(req: Request) async throws -> Agreements.DTO {
        let service = Agreements(database: req.db)
        return try await service.dto(try await service.readable(req.parameters.get("key") ?? "", by: try req.requireUser()), history: true)
    }

    @Sendable func approve(req: Request) async throws -> Agreements.DTO {
        let user = try req.requireUser()
        let service = Agreements(database: req.db)
        _ = try await service.readable(req.parameters.get("key") ?? "", by: user)
        return try await service.dto(try await service.approve(req.parameters.get("key") ?? "", by: user), history: true)
    }

    func change(_ req: Request, _ change: String) async throws -> Agreements.DTO {
        let user = try req.requireUser()
        let body = try req.content.decode(Agreements.Change.self)
        let service = Agreements(database: req.db)
        _ = try await service.readable(req.parameters.get("key") ?? "", by: user)
        return try await service.dto(try await service.change(req.parameters.get("key") ?? "", to: change, reason: body.reason, by: user), history: true)
    }
}
