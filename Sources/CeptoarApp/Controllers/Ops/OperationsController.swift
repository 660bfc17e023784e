import Fluent
import Prometheus
import SQLKit
import Vapor

/// Liveness, readiness and Prometheus metrics for whoever runs Ceptoar.
struct OperationsController: RouteCollection {
    let metrics: PrometheusCollectorRegistry

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: self.health)
        routes.get("ready", use: self.ready)
        routes.get("metrics", use: self.scrape)
    }

    struct Status: Content {
        var status: String
        var database: String?
    }

    /// The process is up.
    @Sendable func health(req: Request) async throws -> Status {
        Status(status: "ok", database: nil)
    }

    /// The process can serve: the database answers.
    @Sendable func ready(req: Request) async throws -> Response {
        do {
            _ = try await (req.db as! any SQLDatabase).raw("SELECT 1").all()
            return try await Status(status: "ready", database: "ok").encodeResponse(for: req)
        } catch {
            req.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
            let response = try await Status(status: "unavailable", database: "unreachable").encodeResponse(for: req)
            response.status = .serviceUnavailable
            return response
        }
    }

    /// Prometheus text exposition: request metrics from Vapor plus registry gauges.
    @Sendable func scrape(req: Request) async throws -> Response {
        let organisations = try await Organisation.query(on: req.db).count()
        let users = try await User.query(on: req.db).count()
        let ceptoars = try await MapQuery.validOn(CeptoarVersion.query(on: req.db), .today).count()
        self.metrics.makeGauge(name: "ceptoar_organisations", labels: []).set(Double(organisations))
        self.metrics.makeGauge(name: "ceptoar_users", labels: []).set(Double(users))
        self.metrics.makeGauge(name: "ceptoar_ceptoars_current", labels: []).set(Double(ceptoars))
        var buffer: [UInt8] = []
        self.metrics.emit(into: &buffer)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(data: Data(buffer)))
    }
}
