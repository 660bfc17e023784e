import CeptoarKit
import Vapor

/// `POST /api/v1/registry/changes`: dated registry changes, for system administrators and NISC
/// coordinators.
struct RegistryAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "api", "v1", "registry", "changes", body: .collect(maxSize: "1mb"), use: self.apply)
    }

    struct Applied: Content {
        var applied: Int
    }

    @Sendable func apply(req: Request) async throws -> Applied {
        let user = try req.requireUser()
        guard user.roleList.contains(where: \.maintainsRegistry) else {
            throw UserError.forbidden(ja: "登録情報を変更できるのはシステム管理者とNISCコーディネータです", en: "only system administrators and NISC coordinators may change the registry")
        }
        guard let body = req.body.data else {
            throw UserError.badRequest(ja: "変更内容(JSON)がありません", en: "the request has no JSON body")
        }
        let set: RegistryChangeSet
        do {
            set = try RegistryChangeSet.decode(Data(buffer: body), name: "request body")
        } catch let error as SeedError {
            throw UserError(status: .unprocessableEntity, ja: "変更内容が正しくありません: \(error)", en: "\(error)")
        }
        do {
            return Applied(applied: try await RegistryEditor(database: req.db).apply(set))
        } catch let refusal as RegistryEditor.Refusal {
            throw UserError(status: .unprocessableEntity, ja: "変更できませんでした（何も変更されていません）: \(refusal.description)", en: "nothing changed: \(refusal.description)")
        }
    }
}
