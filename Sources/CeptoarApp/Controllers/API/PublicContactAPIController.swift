import CeptoarKit
import Vapor

/// A CEPTOAR's public emergency contact (no sign-in to write to it) and its secretariat's queue.
struct PublicContactAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.get("ceptoars", ":key", "contact", use: self.sheet)
        v1.post("ceptoars", ":key", "inbound", use: self.receive)
        v1.get("ceptoars", ":key", "inbound", use: self.queue)
        v1.post("inbound", ":id", "handled", use: self.handled)
    }

    @Sendable func sheet(req: Request) async throws -> PublicContact.ContactSheet {
        try await PublicContact(database: req.db).sheet(req.parameters.get("key") ?? "")
    }

    @Sendable func receive(req: Request) async throws -> Response {
        let input = try req.content.decode(PublicContact.MessageInput.self)
        let message = try await PublicContact(database: req.db).receive(
            input, for: req.parameters.get("key") ?? "", from: req.remoteAddress?.ipAddress ?? "unknown", throttle: req.application.inboundThrottle)
        return try await PublicContact.dto(message).encodeResponse(status: .created, for: req)
    }

    @Sendable func queue(req: Request) async throws -> [PublicContact.MessageDTO] {
        try await PublicContact(database: req.db).queue(req.parameters.get("key") ?? "", by: try req.requireUser())
    }

    @Sendable func handled(req: Request) async throws -> PublicContact.MessageDTO {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw UserError.notFound(ja: "受付が見つかりません", en: "no such message")
        }
        return try await PublicContact(database: req.db).markHandled(id, by: try req.requireUser())
    }
}

private struct InboundThrottleKey: StorageKey { typealias Value = InboundThrottle }

extension Application {
    /// Shared by the public endpoint and the public page.
    var inboundThrottle: InboundThrottle {
        get { self.storage[InboundThrottleKey.self]! }
        set { self.storage[InboundThrottleKey.self] = newValue }
    }
}
