import Vapor

/// Security headers on every response, errors included: a strict Content-Security-Policy
/// (scripts and styles from this site only, nothing inline, no framing), `nosniff`, no
/// referrer (signed acknowledgement links carry their token in the path), and HSTS when the
/// site is served over HTTPS (`CEPTOAR_SECURE_COOKIES=1`).
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let strictTransportSecurity: Bool

    static let contentSecurityPolicy = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' \(StaticAssets.mapDocumentStyleHash)",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            response = ErrorRenderingMiddleware.response(for: error, request: request)
        }
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ]
        for (name, value) in headers where !response.headers.contains(name: name) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        if self.strictTransportSecurity {
            response.headers.replaceOrAdd(name: .strictTransportSecurity, value: "max-age=31536000; includeSubDomains")
        }
        // What a signed-in user sees is theirs: never kept by a shared cache or the back button
        // of a shared terminal.
        if request.auth.has(User.self), !response.headers.contains(name: .cacheControl) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}
