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

/// Verification codes for the own organisation's roster addresses.
struct PocVerificationAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1", "poc")
        v1.post("verification", use: self.send)
        v1.post("verification", "confirm", use: self.confirm)
    }

    struct Verified: Content {
        var channel: String
        var address: String
        var verifiedAt: Date
    }

    @Sendable func send(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let sent = try await Self.service(req).send(try req.content.decode(AddressVerification.Request.self), by: user)
        return try await sent.encodeResponse(status: .accepted, for: req)
    }

    @Sendable func confirm(req: Request) async throws -> Verified {
        let user = try req.requireUser()
        let input = try req.content.decode(AddressVerification.Confirmation.self)
        let at = try await Self.service(req).confirm(input, by: user)
        return Verified(channel: input.channel, address: input.address, verifiedAt: at)
    }

    static func service(_ req: Request) -> AddressVerification {
        AddressVerification(database: req.db, settings: req.application.ceptoar.notify, client: req.application.client)
    }
}
