import Crypto
import Vapor

/// Every form a page posts carries the session's CSRF token; a state-changing request
/// without the right one is refused before it reaches a handler.
///
/// On the API the same holds for a request that a session cookie signed in: a cross-site
/// form can post to `/api/v1/…` with the victim's cookie, so such a request must carry the
/// token in `X-CSRF-Token`, which no cross-site form can set. A request signed in by its
/// bearer token is exempt, and so is one nobody signed in (public endpoints decide alone).
/// The API reads JSON: a form-encoded or multipart body, which any site can make a browser
/// send, is refused with 415 before anything reads it.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"
    static let header = "X-CSRF-Token"

    enum Surface { case pages, api }
    let surface: Surface

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method != .GET, request.method != .HEAD, request.method != .OPTIONS else {
            return try await next.respond(to: request)
        }
        if self.surface == .api {
            if let type = request.headers.contentType, type == .urlEncodedForm || type == .formData {
                throw UserError(
                    status: .unsupportedMediaType, ja: "API は JSON（application/json）で送信してください",
                    en: "the API takes JSON (application/json), not form or multipart bodies")
            }
            guard request.auth.has(User.self), !request.signedInByToken else { return try await next.respond(to: request) }
        }
        let sent = self.surface == .pages
            ? (try? request.content.get(String.self, at: Self.field)) ?? request.headers.first(name: Self.header)
            : request.headers.first(name: Self.header)
        guard let expected = request.session.data["csrf"], let sent,
            Self.constantTimeEqual(Array(expected.utf8), Array(sent.utf8))
        else {
            throw UserError(
                status: .forbidden,
                ja: "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてください。",
                en: "the form has expired or was not sent from this site; reload the page and try again")
        }
        return try await next.respond(to: request)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Request {
    /// The session's CSRF token, created on first use.
    var csrfToken: String {
        if let token = self.session.data["csrf"] { return token }
        let token = [UInt8].random(count: 32).base64
        self.session.data["csrf"] = token
        return token
    }
}
