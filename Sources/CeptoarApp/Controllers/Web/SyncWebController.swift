import CeptoarKit
import Fluent
import Vapor

/// The federation page: peers and their state, register one, sync one now.
struct SyncWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("sync", use: self.page)
        routes.post("sync", use: self.add)
        routes.post("sync", ":id", use: self.syncNow)
    }

    private static func allowed(_ user: User) -> Bool {
        user.has(.systemAdmin) || user.has(.niscCoordinator) || user.has(.ceptoarSecretariat) || user.has(.analyst)
    }

    private func render(_ req: Request, _ user: User, error: String? = nil, notice: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let agreements = try await Agreements(database: req.db).visible(to: user)
        let page = SyncPage(peers: try await Peers(database: req.db).visible(to: user), agreements: agreements, canAdd: !agreements.isEmpty, error: error, notice: notice)
        let response = WebController.html(page.render(req))
        response.status = status
        return response
    }

    @Sendable func page(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        guard Self.allowed(user) else { throw UserError.forbidden() }
        return try await self.render(req, user)
    }

    @Sendable func add(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        guard Self.allowed(user) else { throw UserError.forbidden() }
        let form = try req.content.decode([String: String].self)
        let acting = try await Parties(database: req.db).actingFor(user)
        guard user.has(.systemAdmin) || acting.contains(form["local"] ?? "") else {
            return try await self.render(req, user, error: req.language == .ja ? "自組織が担う当事者のピアだけを登録できます" : "you may register peers for a party you act for only", status: .forbidden)
        }
        let registration = Peers.Registration(
            name: form["name"] ?? "", collectionURL: form["url"] ?? "", token: form["token"] ?? "", agreement: form["agreement"] ?? "",
            remoteParty: form["remote"] ?? "", localParty: form["local"] ?? "", intervalSeconds: Int(form["interval"] ?? "300") ?? -1)
        do {
            let peer = try await Peers(database: req.db).add(registration, actor: user.email)
            return try await self.render(req, user, notice: req.language == .ja ? "\(peer.name) を登録しました" : "\(peer.name) registered")
        } catch let error as UserError {
            return try await self.render(req, user, error: req.language == .ja ? error.ja : error.en, status: error.status)
        }
    }

    @Sendable func syncNow(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let peer = try await Peers(database: req.db).visible(to: user).first(where: { $0.id == id })
        else { throw UserError.notFound(ja: "ピアが見つかりません", en: "no such peer") }
        switch await req.application.peerSync.run(peer) {
        case .success(let done):
            return try await self.render(req, user, notice: req.language == .ja ? "\(peer.name): 受信 \(done.pulled) 件・送信 \(done.pushed) 件" : "\(peer.name): \(done.pulled) in, \(done.pushed) out")
        case .failure(let failure):
            return try await self.render(req, user, error: "\(peer.name): \(ProtocolText.oneLine(failure.description))", status: .badGateway)
        }
    }
}
