import Fluent
import Vapor

/// Signs in the user a session cookie names — and only that. Vapor's stock session
/// authenticator also *writes* a session for whoever is signed in when the response leaves,
/// so every API call made with a bearer token created a session row (a database write per
/// request, and a cookie handed to a machine client). Sign-in writes the session explicitly
/// (`WebController.login`); this reads it.
///
/// A session is good for `lifetime` from sign-in, whatever the cookie says: the server, not
/// the browser, decides when a stolen cookie stops working.
///
/// The user comes from the users cache while fresh (`ReadCaches.users`): any committed write
/// that may change an account advances its generation, so a deactivation here is seen at once
/// and one on another node within the cache's lifetime.
struct SessionUserAuthenticator: AsyncMiddleware {
    static let issuedKey = "issued"
    /// How long a sign-in lasts (the cookie's max-age says the same to the browser).
    static let lifetime: TimeInterval = 12 * 3600

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.hasSession, let id = request.session.authenticated(User.self) {
            let issued = request.session.data[Self.issuedKey].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
            if let issued, Date().timeIntervalSince(issued) < Self.lifetime,
                let user = try await request.application.readCaches.users.value(for: id, read: { try await User.find(id, on: request.db) }), user.active
            {
                request.auth.login(user)
            }
        }
        return try await next.respond(to: request)
    }

    /// Marks a freshly signed-in session with its time of issue.
    static func stamp(_ session: Session, at date: Date = Date()) {
        session.data[Self.issuedKey] = String(Int(date.timeIntervalSince1970))
    }
}
