import CeptoarKit
import Fluent
import Vapor

/// Cross-sector exercises: NISC plans one; NISC and the participants read its after-action report.
struct ExerciseAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.on(.POST, "exercises", body: .collect(maxSize: "512kb"), use: self.plan)
        v1.get("exercises", ":id", use: self.read)
    }

    @Sendable func plan(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try ReportAPIController.decode(Exercises.Input.self, req)
        let exercise = try await Exercises(database: req.db).create(input, by: user)
        let response = try await AfterAction.load(exercise.requireID(), by: user, on: req.db).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/exercises/\(exercise.id!)")
        return response
    }

    @Sendable func read(req: Request) async throws -> AfterAction {
        try await AfterAction.load(try AdvisoryAPIController.id(req), by: try req.requireUser(), on: req.db)
    }
}
