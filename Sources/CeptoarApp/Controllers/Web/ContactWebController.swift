import CeptoarKit
import Vapor

/// Pages of a CEPTOAR's public emergency contact and of its secretariat's queue.
struct ContactWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("ceptoars", ":key", "contact", use: self.page)
        routes.post("ceptoars", ":key", "contact", use: self.send)
        routes.get("ceptoars", ":key", "inbound", use: self.queue)
        routes.post("inbound", ":id", "handled", use: self.handled)
    }

    @Sendable func page(req: Request) async throws -> Response {
        let sheet = try await PublicContact(database: req.db).sheet(req.parameters.get("key") ?? "")
        return WebController.html(ContactPage(sheet: sheet).render(req))
    }

    @Sendable func send(req: Request) async throws -> Response {
        let key = req.parameters.get("key") ?? ""
        let service = PublicContact(database: req.db)
        let sheet = try await service.sheet(key)
        let input = try req.content.decode(PublicContact.MessageInput.self)
        do {
            let message = try await service.receive(
                input, for: key, from: req.remoteAddress?.ipAddress ?? "unknown", throttle: req.application.inboundThrottle)
            let response = WebController.html(ContactPage(sheet: sheet, received: message).render(req))
            response.status = .created
            return response
        } catch let error as UserError {
            // The form comes back with what was typed and the reason, nothing saved.
            let response = WebController.html(ContactPage(sheet: sheet, form: input, error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }

    @Sendable func queue(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let key = req.parameters.get("key") ?? ""
        let messages = try await PublicContact(database: req.db).queue(key, by: user)
        return WebController.html(InboundQueuePage(ceptoar: key, messages: messages).render(req))
    }

    @Sendable func handled(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw UserError.notFound(ja: "受付が見つかりません", en: "no such message")
        }
        let service = PublicContact(database: req.db)
        _ = try await service.markHandled(id, by: user)
        guard let message = try await InboundMessage.find(id, on: req.db) else { return req.redirect(to: SiteURL.home) }
        let ceptoar = try await message.$ceptoar.get(on: req.db)
        return req.redirect(to: "/ceptoars/\(ceptoar.key)/inbound", redirectType: .normal)
    }
}
