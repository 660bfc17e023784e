import Vapor

/// `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 document (`OpenAPIDocument`).
struct OpenAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "v1", "openapi.json") { _ in
            var headers = HTTPHeaders()
            headers.contentType = .json
            headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
            return Response(status: .ok, headers: headers, body: .init(data: OpenAPIDocument.data))
        }
    }
}
