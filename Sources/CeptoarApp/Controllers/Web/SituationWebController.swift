import CeptoarKit
import Fluent
import Vapor

/// The situation pages: every readable scope's level, one scope's timeline, proposal and form.
struct SituationWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("situation", use: self.page)
        routes.post("situation", use: self.change)
        routes.get("ceptoars", ":key", "emergency-sheet", use: self.sheet)
        routes.get("exercises", ":id", use: self.exercise)
    }

    /// An exercise's after-action report (NISC, the participants' secretariats and ministries).
    @Sendable func exercise(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return WebController.html(ExercisePage(report: try await AfterAction.load(try AdvisoryAPIController.id(req), by: user, on: req.db)).render(req))
    }

    /// The printable emergency sheet of a CEPTOAR, for those who may read its roster.
    @Sendable func sheet(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let sheet = try await EmergencySheet.load(key: req.parameters.get("key") ?? "", by: user, on: req.db)
        let response = WebController.html(EmergencySheetPage(sheet: sheet).render(req))
        // Personal data: never kept by a shared cache or the browser's history cache.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable func page(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let view = try await SituationView.load(for: user, on: req.db)
        guard let text = req.queryItems["scope"] else {
            return WebController.html(SituationPage(view: view).render(req))
        }
        let scope = try SituationView.scope(text)
        let detail = try await view.detail(scope, on: req.db)
        let candidates = view.coordinated.contains(scope) ? try await Self.candidates(scope, view: view, user: user, on: req.db) : []
        return WebController.html(SituationScopePage(view: view, scope: scope, detail: detail, candidates: candidates).render(req))
    }

    /// Open reports of the scope the coordinator may read, newest first: the form's choices.
    static func candidates(_ scope: SituationScope, view: SituationView, user: User, on db: any Database) async throws -> [(ReportBook.Loaded, AccessPolicy.ReportView)] {
        let ceptoars = view.registry.ceptoars(in: scope).map(\.id)
        let book = ReportBook(database: db)
        let reports = try await book.readable(by: user.$organisation.id).filter(\.$ceptoar.$id ~~ ceptoars).filter(\.$exercise == false)
            .filter(\.$stage != ReportStage.final.rawValue).sort(\.$detectedAt, .descending).range(..<30).all()
        return try await book.permitted(reports, for: user.$organisation.id)
    }

    struct Form: Content {
        var scope: String
        var level: String
        var rationaleJa: String?
        var rationaleEn: String?
        var reports: [UUID]?
        /// Other items, one `kind:id` per line.
        var otherLinks: String?
        var largeIncident: String?

        enum CodingKeys: String, CodingKey {
            case scope, level, reports
            case rationaleJa = "rationale_ja"
            case rationaleEn = "rationale_en"
            case otherLinks = "other_links"
            case largeIncident = "large_incident"
        }
    }

    @Sendable func change(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try ReportAPIController.decode(Form.self, req)
        var links = (form.reports ?? []).map { SituationLink(kind: SituationLink.Kind.report.rawValue, id: $0) }
        for line in (form.otherLinks ?? "").split(whereSeparator: \.isNewline).prefix(SituationBook.maxLinks + 1) {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let id = UUID(uuidString: parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw UserError(status: .unprocessableEntity, ja: "根拠は「種類:ID」の形で1行に1つ書いてください: \(line.prefix(80))",
                                en: "write each other item as kind:id on its own line: \(line.prefix(80))", fields: ["other_links"])
            }
            links.append(SituationLink(kind: parts[0], id: id))
        }
        let input = SituationBook.ChangeInput(
            scope: form.scope, level: form.level, rationale: LocalizedText(ja: form.rationaleJa ?? "", en: form.rationaleEn),
            links: links, largeIncident: form.largeIncident == "on" ? true : nil)
        let change = try await SituationBook(database: req.db).change(input, by: user)
        return req.redirect(to: SiteURL.situation(change.scope ?? .nation), redirectType: .normal)
    }
}
