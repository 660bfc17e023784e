import CeptoarKit
import Vapor

/// One's own API tokens: list, create (the secret is in the answer once), revoke.
struct TokenAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tokens = routes.grouped("api", "v1", "tokens")
        tokens.get(use: self.list)
        tokens.post(use: self.create)
        tokens.delete(":id", use: self.revoke)
    }

    struct TokenDTO: Content {
        var id: UUID
        var name: String
        var createdAt: Date?
        var expiresAt: Date?
        var lastUsedAt: Date?
    }

    struct CreateInput: Content {
        var name: String
        /// 1 to 3,650; 90 when absent.
        var days: Int?
    }

    struct Created: Content {
        var token: TokenDTO
        /// Shown this once; only its hash is kept.
        var secret: String
    }

    @Sendable func list(req: Request) async throws -> [TokenDTO] {
        let user = try req.requireUser()
        return try await req.application.accounts(on: req.db).tokens(of: user).map(Self.dto)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(CreateInput.self)
        let (token, secret) = try await req.application.accounts(on: req.db).createToken(for: user, name: input.name, days: input.days, actor: user.email)
        return try await Created(token: Self.dto(token), secret: secret).encodeResponse(status: .created, for: req)
    }

    @Sendable func revoke(req: Request) async throws -> HTTPStatus {
        let user = try req.requireUser()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw UserError.notFound(ja: "トークンが見つかりません", en: "no such token")
        }
        try await req.application.accounts(on: req.db).revokeToken(id, owner: user, actor: user.email)
        return .noContent
    }

    static func dto(_ token: APIToken) -> TokenDTO {
        TokenDTO(id: token.id ?? UUID(), name: token.name, createdAt: token.createdAt, expiresAt: token.expiresAt, lastUsedAt: token.lastUsedAt)
    }
}
