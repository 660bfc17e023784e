import Vapor

/// The TAXII surface's front door: authentication by API token alone (Bearer, or Basic with
/// the token as the password — never a session cookie, so no cross-site request can post),
/// and content negotiation (406 for an Accept TAXII cannot answer, 415 for a body that is not
/// TAXII JSON).
struct TaxiiMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.auth.logout(User.self)
        if let authorization = request.headers.first(name: .authorization) {
            let token: String?
            if let bearer = request.headers.bearerAuthorization {
                token = bearer.token
            } else if let basic = request.headers.basicAuthorization {
                token = basic.password
            } else {
                token = nil
            }
            guard let token, !token.isEmpty, authorization.utf8.count <= 1024 else { throw TaxiiError.unauthenticated }
            try await TokenAuthenticator.signIn(token: token, for: request)
            guard request.auth.has(User.self) else { throw TaxiiError.unauthenticated }
        }
        guard Self.acceptable(request.headers[.accept]) else {
            throw TaxiiError(status: .notAcceptable, ja: "Accept は application/taxii+json;version=2.1 です", en: "this server answers application/taxii+json;version=2.1 only")
        }
        if request.method == .POST {
            guard let type = request.headers.contentType, type.type == "application", type.subType == "taxii+json",
                type.parameters["version"].map({ $0 == "2.1" }) ?? true
            else {
                throw TaxiiError(status: .unsupportedMediaType, ja: "Content-Type は application/taxii+json;version=2.1 です", en: "send application/taxii+json;version=2.1")
            }
        }
        return try await next.respond(to: request)
    }

    /// No Accept, `*/*`, `application/*`, or TAXII JSON of version 2.1 (the unversioned type
    /// counts as 2.1).
    static func acceptable(_ values: [String]) -> Bool {
        let ranges = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !ranges.isEmpty else { return true }
        return ranges.contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let type = parts.first else { return false }
            if type == "*/*" || type == "application/*" { return true }
            guard type == "application/taxii+json" else { return false }
            let version = parts.dropFirst().first { $0.hasPrefix("version=") }.map { String($0.dropFirst(8)) }
            return version == nil || version == "2.1"
        }
    }
}
