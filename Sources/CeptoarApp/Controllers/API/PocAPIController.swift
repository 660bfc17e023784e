import CeptoarKit
import Vapor

/// Emergency points of contact: an organisation's roster, read by those who must reach it and
/// replaced by the organisation itself.
struct PocAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.get("poc", use: self.own)
        v1.put("poc", use: self.replace)
        v1.get("organisations", ":handle", "poc", use: self.roster)
    }

    @Sendable func own(req: Request) async throws -> PointsOfContact.RosterDTO {
        let user = try req.requireUser()
        let service = PointsOfContact(database: req.db)
        return try await service.roster(of: try await user.$organisation.get(on: req.db))
    }

    @Sendable func replace(req: Request) async throws -> PointsOfContact.RosterDTO {
        let user = try req.requireUser()
        return try await PointsOfContact(database: req.db).replace(try req.content.decode(PointsOfContact.RosterInput.self), by: user)
    }

    @Sendable func roster(req: Request) async throws -> PointsOfContact.RosterDTO {
        let user = try req.requireUser()
        let service = PointsOfContact(database: req.db)
        let organisation = try await service.organisation(req.parameters.get("handle") ?? "")
        try await service.requireRead(organisation, by: user)
        return try await service.roster(of: organisation)
    }
}
