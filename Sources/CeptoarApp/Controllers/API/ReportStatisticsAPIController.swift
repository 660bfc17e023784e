import CeptoarKit
import Vapor

/// Report statistics for a sector or the nation, per fiscal year or quarter, as JSON and CSV,
/// for any signed-in member of the community: small cells are suppressed before they leave.
struct ReportStatisticsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.get("report-statistics", use: self.json)
        v1.get("report-statistics.csv", use: self.csv)
    }

    @Sendable func json(req: Request) async throws -> ReportStatistics.Answer {
        _ = try req.requireUser()
        let (scope, period) = try Self.parameters(req)
        return try await ReportStatistics(database: req.db).statistics(scope, period)
    }

    @Sendable func csv(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let (scope, period) = try Self.parameters(req)
        let answer = try await ReportStatistics(database: req.db).statistics(scope, period)
        let response = Response(status: .ok, body: .init(string: answer.csv()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: #"attachment; filename="report-statistics-\#(scope.text)-\#(period.text).csv""#)
        return response
    }

    /// `scope` (nation, or a sector key; default nation) and `period` (2024 or 2024Q1; default this fiscal year).
    static func parameters(_ req: Request) throws -> (ReportStatistics.Scope, StatisticsPeriod) {
        let scopeText = req.queryItems["scope"] ?? "nation"
        guard let scope = ReportStatistics.Scope(scopeText) else {
            throw UserError(status: .badRequest, ja: "scope は nation か分野のキーです", en: "scope: nation or a sector key")
        }
        var period = StatisticsPeriod.containing(Date(), quarterly: false)!
        if let text = req.queryItems["period"] {
            guard let parsed = StatisticsPeriod(text) else {
                throw UserError(status: .badRequest, ja: "period は年度（2024）か四半期（2024Q1）です", en: "period: a fiscal year (2024) or a quarter (2024Q1), 2000 to 2100")
            }
            period = parsed
        }
        return (scope, period)
    }
}
