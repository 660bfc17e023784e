import Crypto
import Vapor

/// Every form a page posts carries the session's CSRF token; a state-changing request
/// without the right one is refused before it reaches a handler.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method != .GET, request.method != .HEAD, request.method != .OPTIONS {
            let sent = (try? request.content.get(String.self, at: Self.field)) ?? request.headers.first(name: "X-CSRF-Token")
            guard let expected = request.session.data["csrf"], let sent,
                Self.constantTimeEqual(Array(expected.utf8), Array(sent.utf8))
            else {
                throw UserError(
                    status: .forbidden,
                    ja: "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてください。",
                    en: "the form has expired or was not sent from this site; reload the page and try again")
            }
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
