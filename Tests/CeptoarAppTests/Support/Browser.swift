import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

/// A cookie-keeping client over the in-memory tester, for page flows with sessions and CSRF.
final class Browser {
    let app: Application
    var cookies: [String: String] = [:]
    var language = "ja"

    init(_ app: Application) {
        self.app = app
    }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await self.send(.GET, path, form: nil)
    }

    @discardableResult
    func post(_ path: String, form: [String: String]) async throws -> TestingHTTPResponse {
        try await self.send(.POST, path, form: form.map { ($0.key, $0.value) })
    }

    /// A form with repeated names (checkboxes: `reports[]`).
    @discardableResult
    func post(_ path: String, pairs: [(String, String)]) async throws -> TestingHTTPResponse {
        try await self.send(.POST, path, form: pairs)
    }

    /// The CSRF token embedded in the last page that had a form.
    func csrf(from response: TestingHTTPResponse) throws -> String {
        let html = response.body.string
        let range = try #require(html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression))
        return String(html[range].dropFirst(#"name="_csrf" value=""#.count).dropLast())
    }

    /// Opens the sign-in page and signs in.
    @discardableResult
    func signIn(_ email: String, _ password: String) async throws -> TestingHTTPResponse {
        let page = try await self.get("/login")
        return try await self.post("/login", form: ["email": email, "password": password, "_csrf": try self.csrf(from: page)])
    }

    private func send(_ method: HTTPMethod, _ path: String, form: [(String, String)]?) async throws -> TestingHTTPResponse {
        // The browser's own locale is English, as a headless one is: pages must still be Japanese
        // unless the user chose English (the `lang` cookie of the language switch).
        var headers: HTTPHeaders = ["Accept": "text/html", "Accept-Language": "en-US,en;q=0.9"]
        var cookies = self.cookies
        cookies["lang"] = self.language
        headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        var body: ByteBuffer?
        if let form {
            headers.contentType = .urlEncodedForm
            let encoded = form.map { key, value in
                "\(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["_", "[", "]"])) ?? "")=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&")
            body = ByteBuffer(string: encoded)
        }
        let response = try await self.app.testing().sendRequest(method, path, headers: headers, body: body)
        // A value's debug description never reaches a page (a SQLQueryString once filled a
        // <select> when type inference chose SQLKit's `joined`).
        for leak in ["SQLRaw(", "SQLQueryString(", "Optional(", "LocalizedText("] {
            if let range = response.body.string.range(of: leak) {
                Issue.record("\(leak) on \(path): …\(response.body.string[range.lowerBound...].prefix(160))")
            }
        }
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { self.cookies[parts[0]] = parts[1] }
        }
        return response
    }
}
