import CeptoarKit
import Fluent
import Vapor

/// Failure cases (障害事例) written from incident reports, and the analysis bodies designated
/// per sector that may write them.
struct FailureCaseAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.on(.POST, "failure-cases", body: .collect(maxSize: "512kb"), use: self.write)
        v1.get("failure-cases", use: self.list)
        v1.get("failure-cases", ":id", use: self.read)
        v1.on(.PUT, "failure-cases", ":id", body: .collect(maxSize: "512kb"), use: self.revise)
        v1.post("failure-cases", ":id", "publish", use: self.publish)
        v1.get("sectors", ":key", "analysis-bodies", use: self.analysisBodies)
        v1.put("sectors", ":key", "analysis-bodies", use: self.designate)
    }

    @Sendable func write(req: Request) async throws -> Response {
        let cases = FailureCases(database: req.db)
        let loaded = try await cases.write(try ReportAPIController.decode(FailureCaseInput.self, req), by: try req.requireUser())
        let response = try await cases.dto(loaded).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/failure-cases/\(loaded.record.id!)")
        return response
    }

    @Sendable func list(req: Request) async throws -> [FailureCaseDTO] {
        let cases = FailureCases(database: req.db)
        return try await cases.dtos(try await cases.list(for: try req.requireUser()).map { FailureCases.Loaded(record: $0, reports: []) })
    }

    @Sendable func read(req: Request) async throws -> FailureCaseDTO {
        let cases = FailureCases(database: req.db)
        return try await cases.dto(try await cases.open(try AdvisoryAPIController.id(req), by: try req.requireUser()))
    }

    @Sendable func revise(req: Request) async throws -> FailureCaseDTO {
        let cases = FailureCases(database: req.db)
        let input = try ReportAPIController.decode(FailureCaseInput.self, req)
        return try await cases.dto(try await cases.revise(try AdvisoryAPIController.id(req), input, by: try req.requireUser()))
    }

    @Sendable func publish(req: Request) async throws -> FailureCaseDTO {
        let cases = FailureCases(database: req.db)
        return try await cases.dto(try await cases.publish(try AdvisoryAPIController.id(req), by: try req.requireUser()))
    }

    struct Bodies: Content {
        /// Organisation keys.
        var organisations: [String]
    }

    @Sendable func analysisBodies(req: Request) async throws -> Bodies {
        _ = try req.requireUser()
        let sector = try await Self.sector(req)
        let bodies = try await AnalysisBody.query(on: req.db).filter(\.$sector.$id == sector.requireID()).with(\.$organisation).all()
        return Bodies(organisations: bodies.compactMap(\.organisation.key).sorted())
    }

    /// NISC or the sector's ministry names the sector's analysis bodies (the whole list).
    @Sendable func designate(req: Request) async throws -> Bodies {
        let user = try req.requireUser()
        let sector = try await Self.sector(req)
        let sectorID = try sector.requireID()
        let ministries = try await ReportSteps(database: req.db).holders(.ministry, ceptoar: UUID(), sector: sectorID)
        guard user.has(.niscCoordinator) || (user.has(.ministryLiaison) && ministries.contains(user.$organisation.id)) else {
            throw UserError.forbidden(ja: "分析機関を指定できるのは NISC とその分野の所管省庁です", en: "only NISC and the sector's competent ministry designate its analysis bodies")
        }
        let input = try ReportAPIController.decode(Bodies.self, req)
        let keys = Array(Set(input.organisations))
        guard keys.count <= 20 else {
            throw UserError(status: .unprocessableEntity, ja: "分析機関は20まで指定できます", en: "organisations: at most 20", fields: ["organisations"])
        }
        let found = try await Organisation.query(on: req.db).filter(\.$key ~~ keys).filter(\.$validTo == nil).all()
        let missing = Set(keys).subtracting(found.compactMap(\.key)).sorted()
        guard missing.isEmpty else {
            throw UserError(status: .unprocessableEntity, ja: "組織が見つかりません: \(missing.joined(separator: ", "))",
                            en: "organisations: no organisation '\(missing.joined(separator: "', '"))'", fields: ["organisations"])
        }
        let now = Date()
        try await req.db.atomically { db in
            try await AnalysisBody.query(on: db).filter(\.$sector.$id == sectorID).delete()
            try await found.map { AnalysisBody(sector: sectorID, organisation: $0.id!, at: now) }.create(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "analysis_bodies", subject: "sector:\(sector.key)",
                                      detail: ["organisations": keys.sorted().joined(separator: ",")])
        }
        return Bodies(organisations: keys.sorted())
    }

    static func sector(_ req: Request) async throws -> Sector {
        guard let sector = try await Sector.query(on: req.db).filter(\.$key == (req.parameters.get("key") ?? "")).first() else {
            throw UserError.notFound(ja: "分野が見つかりません", en: "no such sector")
        }
        return sector
    }
}
