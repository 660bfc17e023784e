import CeptoarKit
import Vapor

/// `GET /api/v1/map` and `/api/v1/map/diff`: the characteristics map as JSON. Public, as
/// NISC publishes the map.
struct MapAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let map = routes.grouped("api", "v1", "map")
        map.get(use: self.map)
        map.get("diff", use: self.diff)
        routes.get("api", "v1", "ceptoars", ":key", use: self.ceptoar)
    }

    /// One CEPTOAR as of a day (default today): map column, groups, overview sheets, history.
    @Sendable func ceptoar(req: Request) async throws -> CeptoarProfile {
        let day = try req.day("as_of", default: .today)
        return try await CeptoarProfile.load(key: req.parameters.get("key") ?? "", asOf: day, on: req.db)
    }

    @Sendable func map(req: Request) async throws -> Response {
        let day = try req.day("as_of", default: Request.defaultMapDay)
        let map = try await req.maps.map(asOf: day)
        return Response(status: .ok, headers: ["Content-Type": "application/json; charset=utf-8"], body: .init(data: try map.json()))
    }

    @Sendable func diff(req: Request) async throws -> MapDiff {
        guard req.query[String.self, at: "from"] != nil, req.query[String.self, at: "to"] != nil else {
            throw UserError.badRequest(ja: "from と to の両方の日付を指定してください", en: "give both from and to dates")
        }
        let from = try req.day("from", default: Request.defaultMapDay)
        let to = try req.day("to", default: Request.defaultMapDay)
        let query = req.maps
        return MapDiff(from: try await query.map(asOf: from), to: try await query.map(asOf: to), language: req.language)
    }
}

extension MapDiff: Content {}
extension CeptoarProfile: Content {}
