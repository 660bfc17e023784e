import CeptoarKit
import Fluent
import Vapor

/// Incident reports (情報連絡): filing and later stages by the reporter, review, return and
/// forwarding by the hops, who has read it, and the sectors' deadlines. Every read goes
/// through `AccessPolicy.readReport`.
struct ReportAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.on(.POST, "reports", body: .collect(maxSize: "256kb"), use: self.file)
        v1.get("reports", use: self.list)
        v1.on(.POST, "reports", "import", body: .collect(maxSize: ByteCount(integerLiteral: ReportIntake.maxBytes)), use: self.importCSV)
        v1.get("reports", ":id", use: self.read)
        v1.on(.POST, "reports", ":id", "stages", ":stage", body: .collect(maxSize: "256kb"), use: self.submit)
        v1.post("reports", ":id", "stages", ":stage", "return", use: self.returnStage)
        v1.post("reports", ":id", "forward", use: self.forward)
        v1.get("reports", ":id", "readers", use: self.readers)
        v1.get("reports", ":id", "related", use: self.related)
        v1.get("reports", ":id", "stix", use: self.stix)
        v1.get("reports", ":id", "veris", use: self.veris)
        v1.get("report-trends", use: self.trends)
        v1.get("sectors", ":key", "report-deadlines", use: self.deadlines)
        v1.put("sectors", ":key", "report-deadlines", use: self.setDeadlines)
        v1.put("report-relay-policy", use: self.setRelayPolicy)
    }

    /// A filing's body: the report, and the CEPTOAR it goes to beside its fields — read with
    /// one parse of the body.
    struct Filing: Decodable {
        var input: ReportInput
        var ceptoar: String?

        private enum Keys: String, CodingKey { case ceptoar }

        init(from decoder: any Decoder) throws {
            self.input = try ReportInput(from: decoder)
            self.ceptoar = try decoder.container(keyedBy: Keys.self).decodeIfPresent(String.self, forKey: .ceptoar)
        }
    }

    @Sendable func file(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let filing = try Self.decode(Filing.self, req)
        let (loaded, dto) = try await ReportBook(database: req.db, queue: req.application.reportFiling).fileAndPresent(filing.input, ceptoar: filing.ceptoar, by: user)
        let response = try await dto.encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/reports/\(loaded.report.id!)")
        return response
    }

    struct Imported: Content {
        struct Row: Content {
            var line: Int
            var id: UUID
        }

        var filed: [Row]
    }

    /// A CSV of reports (`ReportIntake.fields` as columns): all filed, or none and a 422 naming
    /// each wrong row and field.
    @Sendable func importCSV(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw UserError(status: .unprocessableEntity, ja: "CSV の本文がありません", en: "the request has no CSV body", fields: ["file"])
        }
        let filed = try await ReportImport(database: req.db).fileCSV(Data(buffer: body), by: user)
        return try await Imported(filed: filed.map { Imported.Row(line: $0.line, id: $0.loaded.report.id!) }).encodeResponse(status: .created, for: req)
    }

    struct Listing: Content {
        var items: [ReportDTO]
        var total: Int
        var page: Int
        var per: Int
    }

    @Sendable func list(req: Request) async throws -> Listing {
        let user = try req.requireUser()
        let page = try RequestedPage(page: req.queryItems["page"], per: req.queryItems["per"], defaultPer: 50, maximumPer: ReportBook.maximumPer)
        let (items, total) = try await ReportBook(database: req.db).list(for: user, page: page)
        return Listing(items: try await ReportPresenter(database: req.db).dtos(items), total: total, page: page.page, per: page.per)
    }

    @Sendable func read(req: Request) async throws -> ReportDTO {
        let (loaded, view) = try await ReportBook(database: req.db).open(try AdvisoryAPIController.id(req), by: try req.requireUser())
        return try await ReportPresenter(database: req.db).dto(loaded, view: view)
    }

    /// The report as a STIX 2.1 bundle (`incident` with the Incident Core extension), in the
    /// reader's view: anonymised where the reader's page is.
    @Sendable func stix(req: Request) async throws -> Response {
        let (loaded, view) = try await ReportBook(database: req.db).open(try AdvisoryAPIController.id(req), by: try req.requireUser(), format: "stix")
        let incident = try await ReportExchange(database: req.db).incident(loaded, view: view)
        return Self.json(ReportExchange.bundle(incident), type: "application/stix+json;version=2.1")
    }

    /// The report as a VERIS 1.4 incident, in the reader's view.
    @Sendable func veris(req: Request) async throws -> Response {
        let (loaded, view) = try await ReportBook(database: req.db).open(try AdvisoryAPIController.id(req), by: try req.requireUser(), format: "veris")
        let incident = try await ReportExchange(database: req.db).incident(loaded, view: view)
        return Self.json(VerisMapping.incident(incident), type: "application/json")
    }

    static func json(_ value: JSONValue, type: String) -> Response {
        let response = Response(status: .ok, body: .init(string: value.encoded()))
        response.headers.replaceOrAdd(name: .contentType, value: type)
        return response
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let stage = try Self.stage(req)
        let loaded = try await ReportBook(database: req.db).submit(try AdvisoryAPIController.id(req), stage: stage, try Self.decode(ReportInput.self, req), by: user)
        return try await ReportPresenter(database: req.db).dto(loaded, view: .named).encodeResponse(status: .created, for: req)
    }

    struct Comment: Content {
        var comment: String
    }

    @Sendable func returnStage(req: Request) async throws -> ReportDTO {
        let user = try req.requireUser()
        let body = try Self.decode(Comment.self, req)
        let loaded = try await ReportBook(database: req.db).returnForRevision(try AdvisoryAPIController.id(req), stage: try Self.stage(req), comment: body.comment, by: user)
        return try await ReportPresenter(database: req.db).dto(loaded, view: .named)
    }

    struct Note: Content {
        var note: String?
    }

    @Sendable func forward(req: Request) async throws -> ReportDTO {
        let user = try req.requireUser()
        let body = req.body.data == nil ? Note() : try Self.decode(Note.self, req)
        let loaded = try await ReportRelay(database: req.db).forward(try AdvisoryAPIController.id(req), by: user, note: body.note)
        let viewer = AccessPolicy.Viewer(organisation: user.$organisation.id.uuidString)
        return try await ReportPresenter(database: req.db).dto(loaded, view: AccessPolicy.reportView(for: viewer, of: loaded.item))
    }

    struct Reader: Content {
        var organisation: LocalizedText
        var step: String
        var firstReadAt: Date
    }

    @Sendable func readers(req: Request) async throws -> [Reader] {
        let reads = try await ReportBook(database: req.db).readers(try AdvisoryAPIController.id(req), by: try req.requireUser())
        return reads.map { Reader(organisation: $0.organisation.name, step: $0.step, firstReadAt: $0.firstReadAt) }
    }

    @Sendable func related(req: Request) async throws -> ReportRelated.Answer {
        try await ReportRelated(database: req.db).related(try AdvisoryAPIController.id(req), by: try req.requireUser())
    }

    @Sendable func trends(req: Request) async throws -> [ReportRelated.Trend] {
        let user = try req.requireUser()
        let days = try BoundedInput.integer(req.queryItems["days"], field: "days", in: 1...366) ?? 30
        return try await ReportRelated(database: req.db).trends(for: user, since: Date().addingTimeInterval(-Double(days) * 86_400))
    }

    @Sendable func deadlines(req: Request) async throws -> ReportDeadlines.Written {
        _ = try req.requireUser()
        guard let sector = try await Sector.query(on: req.db).filter(\.$key == (req.parameters.get("key") ?? "")).first() else {
            throw UserError.notFound(ja: "分野が見つかりません", en: "no such sector")
        }
        return ReportDeadlines.Written(try await ReportDeadlines(database: req.db).policy(for: sector.requireID()))
    }

    @Sendable func setDeadlines(req: Request) async throws -> ReportDeadlines.Written {
        let user = try req.requireUser()
        let written = try Self.decode(ReportDeadlines.Written.self, req)
        return ReportDeadlines.Written(try await ReportDeadlines(database: req.db).set(written, sector: req.parameters.get("key") ?? "", by: user))
    }

    struct RelayPolicyInput: Content {
        /// Reports of at least this severity (0–4) go on at once; null: review every report.
        var forwardFromSeverity: Int?
    }

    @Sendable func setRelayPolicy(req: Request) async throws -> RelayPolicyInput {
        let user = try req.requireUser()
        guard user.has(.ministryLiaison) || user.has(.ceptoarSecretariat) else {
            throw UserError.forbidden(ja: "報告の転送方針を設定できるのは所管省庁と事務局です", en: "only ministry liaisons and secretariats set a report relay policy")
        }
        let input = try Self.decode(RelayPolicyInput.self, req)
        if let from = input.forwardFromSeverity, !ReportImpact.scores.contains(from) {
            throw UserError(status: .unprocessableEntity, ja: "深刻度は0〜4です", en: "forwardFromSeverity: 0 to 4, or null", fields: ["forwardFromSeverity"])
        }
        try await req.db.atomically { db in
            let setting = try await ReportRelaySetting.query(on: db).filter(\.$organisation.$id == user.$organisation.id).first() ?? ReportRelaySetting()
            setting.$organisation.id = user.$organisation.id
            setting.forwardFromSeverity = input.forwardFromSeverity
            try await setting.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "report_relay_policy", subject: "organisation:\(user.$organisation.id)",
                                      detail: ["forwardFromSeverity": input.forwardFromSeverity.map(String.init) ?? "review"])
        }
        return input
    }

    static func stage(_ req: Request) throws -> ReportStage {
        guard let text = req.parameters.get("stage"), let stage = ReportStage(rawValue: text) else {
            throw UserError.notFound(ja: "報告の段階は first・follow_up・final のいずれかです", en: "a report stage is first, follow_up or final")
        }
        return stage
    }

    /// The body, or a 422 naming the field whose value has the wrong type.
    static func decode<T: Decodable>(_ type: T.Type, _ req: Request) throws -> T {
        do {
            return try req.content.decode(type)
        } catch let error as DecodingError {
            throw UserError(status: .unprocessableEntity, ja: "リクエストの形式が正しくありません: " + error.readable, en: "malformed request: " + error.readable,
                            fields: error.fieldPath.map { [$0] })
        }
    }
}
