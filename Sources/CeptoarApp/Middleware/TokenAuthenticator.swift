import Fluent
import Vapor

/// Authenticates machine clients by `Authorization: Bearer <token>`; the token is hashed
/// and looked up, never compared in clear. The lookup is cached briefly (`ReadCaches`): a
/// client polling its inbox should not cost a database read per request just to say who it is.
struct TokenAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        try await Self.signIn(token: bearer.token, for: request)
    }

    /// Signs the request in by an API token secret (a bearer, or TAXII's Basic password).
    static func signIn(token secret: String, for request: Request) async throws {
        let hash = APIToken.hash(secret)
        let recorder = request.application.tokenUse
        let found = try await request.application.readCaches.tokens.value(for: hash) {
            // The token and its owner in one query (a cold burst of distinct reporters reads
            // one per request).
            guard let token = try await APIToken.query(on: request.db).join(User.self, on: \APIToken.$user.$id == \User.$id)
                .filter(\.$tokenHash == hash).first()
            else {
                return AuthenticatedToken(user: nil, expiresAt: nil)
            }
            // An inner join: the row has its owner, and a row that cannot be read is an error, not "no token".
            let user = try token.joined(User.self)
            // Use is recorded at most once a minute (checked when read, so at most once per
            // cache lifetime), and written off the request path (`TokenUseRecorder`).
            if token.lastUsedAt.map({ Date().timeIntervalSince($0) > 60 }) ?? true, let id = token.id {
                recorder.record(id, at: Date())
            }
            return AuthenticatedToken(user: user, expiresAt: token.expiresAt)
        }
        // A request that presents a bearer token is judged by that token alone: one that is
        // unknown, revoked, expired or whose user is disabled does not fall back on a cookie.
        request.auth.logout(User.self)
        guard let user = found.user, user.active else { return }
        if let expires = found.expiresAt, expires < Date() { return }
        request.auth.login(user)
        request.storage[SignedInByTokenKey.self] = true
    }
}

private struct SignedInByTokenKey: StorageKey { typealias Value = Bool }

extension Request {
    /// Signed in by an API token (not a session cookie): exempt from the API's CSRF check.
    var signedInByToken: Bool { self.storage[SignedInByTokenKey.self] ?? false }
}

extension Request {
    /// The signed-in user, or a 401 in the request's language.
    func requireUser() throws -> User {
        guard let user = self.auth.get(User.self) else { throw UserError.unauthenticated }
        return user
    }
}
