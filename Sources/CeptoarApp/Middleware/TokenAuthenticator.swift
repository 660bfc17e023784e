import Fluent
import Vapor

/// Authenticates machine clients by `Authorization: Bearer <token>`; the token is hashed
/// and looked up, never compared in clear.
struct TokenAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        let hash = APIToken.hash(bearer.token)
        guard let token = try await APIToken.query(on: request.db).filter(\.$tokenHash == hash).with(\.$user).first() else {
            return
        }
        if let expires = token.expiresAt, expires < Date() { return }
        guard token.user.active else { return }
        // Record use at most once a minute: a write per request would serialise every API call.
        if token.lastUsedAt.map({ Date().timeIntervalSince($0) > 60 }) ?? true {
            token.lastUsedAt = Date()
            try await token.save(on: request.db)
        }
        request.auth.login(token.user)
    }
}

extension Request {
    /// The signed-in user, or a 401 in the request's language.
    func requireUser() throws -> User {
        guard let user = self.auth.get(User.self) else { throw UserError.unauthenticated }
        return user
    }
}
