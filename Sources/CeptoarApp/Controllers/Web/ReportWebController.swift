import CeptoarKit
import Fluent
import Vapor

/// Incident report pages: the same `ReportBook`, `ReportRelay` and `ReportRelated` as the
/// API, so a page can allow nothing the API would refuse. A refusal re-renders the page with
/// its message and status, keeping what the person typed.
struct ReportWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("reports", use: self.list)
        routes.on(.POST, "reports", body: .collect(maxSize: "256kb"), use: self.file)
        routes.on(.POST, "reports", "import", body: .collect(maxSize: ByteCount(integerLiteral: ReportIntake.maxBytes + 64 * 1024)), use: self.importCSV)
        routes.get("reports", ":id", use: self.detail)
        routes.on(.POST, "reports", ":id", "stages", body: .collect(maxSize: "256kb"), use: self.submit)
        routes.post("reports", ":id", "stages", ":stage", "return", use: self.returnStage)
        routes.post("reports", ":id", "forward", use: self.forward)
        routes.get("report-statistics", use: self.statistics)
    }

    @Sendable func statistics(req: Request) async throws -> Response {
        guard req.auth.get(User.self) != nil else { return req.redirect(to: SiteURL.login) }
        let (scope, period) = try ReportStatisticsAPIController.parameters(req)
        let answer = try await ReportStatistics(database: req.db).statistics(scope, period)
        return WebController.html(ReportStatisticsPage(answer: answer, sectors: try await Self.sectors(req.db)).render(req))
    }

    @Sendable func list(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return WebController.html(try await self.listPage(req, user).render(req))
    }

    struct Upload: Decodable {
        var file: File?
    }

    /// The CSV form: all rows filed (the list shows them, with a notice) or none, and the list
    /// again with every wrong row named.
    @Sendable func importCSV(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        do {
            guard let file = try? req.content.decode(Upload.self).file, file.data.readableBytes > 0 else {
                throw UserError(status: .unprocessableEntity, ja: "CSV ファイルを選んでください", en: "choose a CSV file", fields: ["file"])
            }
            let filed = try await ReportImport(database: req.db).fileCSV(Data(buffer: file.data), by: user)
            let notice = req.language == .ja ? "\(filed.count)件の第一報を提出しました" : "\(filed.count) first report(s) filed"
            return WebController.html(try await self.listPage(req, user, notice: notice).render(req))
        } catch let error as UserError {
            let response = WebController.html(try await self.listPage(req, user, error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }

    private func listPage(_ req: Request, _ user: User, input: ReportInput? = nil, error: String? = nil, notice: String? = nil) async throws -> ReportListPage {
        let page = try RequestedPage(page: req.queryItems["page"], per: nil, defaultPer: 50, maximumPer: ReportBook.maximumPer)
        let (items, total) = try await ReportBook(database: req.db).list(for: user, page: page)
        let reports = try await ReportPresenter(database: req.db).dtos(items)
        let member = try await ReportSteps(database: req.db).memberCeptoars(of: user.$organisation.id)
        let names = try await MapQuery.validOn(CeptoarVersion.query(on: req.db), .today).filter(\.$ceptoar.$id ~~ member.compactMap(\.id)).all()
        let ceptoars = member.map { ceptoar in
            (key: ceptoar.key, name: names.first { $0.$ceptoar.id == ceptoar.id }.map { LocalizedText(ja: $0.nameJa, en: $0.nameEn) } ?? LocalizedText(ja: ceptoar.key))
        }
        let trends = try await ReportRelated(database: req.db).trends(for: user, since: Date().addingTimeInterval(-30 * 86_400))
        return ReportListPage(reports: reports, total: total, ceptoars: ceptoars, sectors: try await Self.sectors(req.db), trends: trends, input: input, error: error, notice: notice)
    }

    @Sendable func file(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode([String: String].self)
        let input = ReportForm.input(from: form)
        do {
            let loaded = try await ReportBook(database: req.db, queue: req.application.reportFiling).file(input, ceptoar: form["ceptoar"], by: user)
            return req.redirect(to: "/reports/\(try loaded.report.requireID().uuidString.lowercased())")
        } catch let error as UserError {
            let response = WebController.html(try await self.listPage(req, user, input: input, error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }

    @Sendable func detail(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        return WebController.html(try await self.detailPage(req, user).render(req))
    }

    private func detailPage(_ req: Request, _ user: User, input: ReportInput? = nil, error: String? = nil, notice: String? = nil) async throws -> ReportDetailPage {
        let id = try AdvisoryAPIController.id(req)
        let (loaded, view) = try await ReportBook(database: req.db).open(id, by: user)
        let dto = try await ReportPresenter(database: req.db).dto(loaded, view: view)
        let organisation = user.$organisation.id
        let isReporter = loaded.report.$reporter.id == organisation
        let viewer = AccessPolicy.Viewer(organisation: organisation.uuidString)
        let mayReturn = ReportBook.mayReturn(loaded, by: user)
        let own = loaded.hops.filter { $0.$organisation.id == organisation }.max { $0.reportStep < $1.reportStep }
        var mayForward = false
        if let own, own.hopStatus == .held, ReportRelay.mayForward(user),
           case .allow = AccessPolicy.forwardReport(loaded.item, from: own.reportStep, by: organisation.uuidString) {
            mayForward = true
        }
        var related: ReportRelated.Answer?
        if case .allow = AccessPolicy.correlate(viewer, loaded.item) {
            related = try await ReportRelated(database: req.db).related(id, by: user)
        }
        var content = input
        if content == nil, isReporter, let current = loaded.current[loaded.report.reportStage] {
            content = try? JSONDecoder().decode(ReportInput.self, from: Data(current.content.utf8))
        }
        let readers = isReporter ? try await ReportBook(database: req.db).readers(id, by: user) : []
        return ReportDetailPage(
            report: dto, content: content, isReporter: isReporter, mayReturn: mayReturn, mayForward: mayForward, readers: readers, related: related,
            sectors: try await Self.sectors(req.db), error: error, notice: notice)
    }

    @Sendable func submit(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode([String: String].self)
        let input = ReportForm.input(from: form)
        return try await self.act(req, user, input: input) {
            guard let stage = form["stage"].flatMap(ReportStage.init(rawValue:)) else {
                throw UserError(status: .unprocessableEntity, ja: "段階は first・follow_up・final のいずれかです", en: "stage: first, follow_up or final", fields: ["stage"])
            }
            _ = try await ReportBook(database: req.db).submit(try AdvisoryAPIController.id(req), stage: stage, input, by: user)
        }
    }

    @Sendable func returnStage(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode([String: String].self)
        return try await self.act(req, user) {
            _ = try await ReportBook(database: req.db).returnForRevision(try AdvisoryAPIController.id(req), stage: try ReportAPIController.stage(req), comment: form["comment"] ?? "", by: user)
        }
    }

    @Sendable func forward(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode([String: String].self)
        return try await self.act(req, user) {
            _ = try await ReportRelay(database: req.db).forward(try AdvisoryAPIController.id(req), by: user, note: form["note"])
        }
    }

    /// Runs the action; the report page again with "done" or with the refusal.
    private func act(_ req: Request, _ user: User, input: ReportInput? = nil, _ action: () async throws -> Void) async throws -> Response {
        do {
            try await action()
            let done = req.language == .ja ? "記録しました。" : "Done and recorded."
            return WebController.html(try await self.detailPage(req, user, notice: done).render(req))
        } catch let error as UserError {
            let response = WebController.html(try await self.detailPage(req, user, input: input, error: req.language == .ja ? error.ja : error.en).render(req))
            response.status = error.status
            return response
        }
    }

    /// Today's sectors, for the spill-over cause.
    static func sectors(_ db: any Database) async throws -> [(key: String, name: LocalizedText)] {
        let versions = try await MapQuery.validOn(SectorVersion.query(on: db), .today).with(\.$sector).all()
        return versions.map { (key: $0.sector.key, name: LocalizedText(ja: $0.nameJa, en: $0.nameEn)) }.sorted { $0.key < $1.key }
    }
}
