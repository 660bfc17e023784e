import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("OpenAPI document")
struct OpenAPITests {
    /// Every API route the application registers is in the document, and nothing else is.
    @Test func theDocumentNamesExactlyTheRoutes() async throws {
        try await withCeptoar(seeded: false) { app in
            // setup: the routes as "METHOD /path/{param}"
            let apiPrefixes = ["/api/", "/health", "/ready", "/metrics"]
            let routes = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    switch component {
                    case .parameter(let name): return "{\(name)}"
                    default: return component.description
                    }
                }.joined(separator: "/")
                guard apiPrefixes.contains(where: path.hasPrefix) else { return nil }
                return "\(route.method.rawValue) \(path)"
            })
            // act
            let response = try await app.testing().sendRequest(.GET, "/api/v1/openapi.json")
            // check
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from the document")
            #expect(documented.subtracting(routes).sorted() == [], "documented operations that are not routes")
            // Every referenced schema exists.
            let text = response.body.string
            let components = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            for match in text.matches(of: /#\/components\/schemas\/([A-Za-z]+)/) {
                #expect(components[String(match.1)] != nil, "\(match.1)")
            }
        }
    }
}
