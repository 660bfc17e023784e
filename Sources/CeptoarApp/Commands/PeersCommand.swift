import CeptoarKit
import Fluent
import Foundation
import Vapor

/// `ceptoar peers add|list|sync|remove`: the peer nodes this node shares with over TAXII.
struct PeersCommand: AnyAsyncCommand {
    static let usage = """
        usage: ceptoar peers add --name NAME --url COLLECTION_URL --token TOKEN --agreement KEY --remote PARTY --local PARTY [--interval SECONDS]
               ceptoar peers list
               ceptoar peers sync [NAME]      (one round now; non-zero exit when a peer fails)
               ceptoar peers remove NAME
        """
    var help: String { "Peer nodes for federation over TAXII: add, list, sync, remove" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        let verb = arguments.positional()
        let app = context.application
        switch verb {
        case "add":
            let registration = Peers.Registration(
                name: try arguments.option("name") ?? "", collectionURL: try arguments.option("url") ?? "", token: try arguments.option("token") ?? "",
                agreement: try arguments.option("agreement") ?? "", remoteParty: try arguments.option("remote") ?? "", localParty: try arguments.option("local") ?? "",
                intervalSeconds: try Int(arguments.option("interval") ?? "300").map { $0 } ?? -1)
            try arguments.finish()
            try await app.autoMigrate()
            do {
                let peer = try await Peers(database: app.db).add(registration, actor: "cli")
                context.say("peer \(peer.name) added: \(peer.collectionURL) under \(peer.agreementKey) every \(peer.intervalSeconds) s")
            } catch let error as UserError {
                throw CLIError("nothing added: \(error.en)")
            }
        case "list":
            try arguments.finish()
            try await app.autoMigrate()
            for peer in try await PeerRecord.query(on: app.db).sort(\.$name).all() {
                let success = peer.lastSuccessAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never"
                context.say("\(peer.name)\t\(peer.state)\tin \(peer.objectsIn)\tout \(peer.objectsOut)\tlast success \(success)\t\(peer.lastError ?? "")")
            }
        case "sync":
            let name = arguments.positional()
            try arguments.finish()
            try await app.autoMigrate()
            var peers = try await PeerRecord.query(on: app.db).filter(\.$enabled == true).sort(\.$name).all()
            if let name {
                peers = peers.filter { $0.name == name }
                guard !peers.isEmpty else { throw CLIError("no enabled peer '\(name)'") }
            }
            var failed: [String] = []
            for peer in peers {
                switch await app.peerSync.run(peer) {
                case .success(let done): context.say("\(peer.name): \(done.pulled) new version(s) in, \(done.pushed) object(s) out")
                case .failure(let failure):
                    context.say("\(peer.name): failed: \(failure.description)")
                    failed.append(peer.name)
                }
            }
            if !failed.isEmpty { throw CLIError("sync failed for \(failed.joined(separator: ", "))") }
        case "remove":
            guard let name = arguments.positional() else { throw CLIError(Self.usage) }
            try arguments.finish()
            try await app.autoMigrate()
            guard let peer = try await PeerRecord.query(on: app.db).filter(\.$name == name).first() else { throw CLIError("no peer '\(name)'") }
            try await app.db.atomically { db in
                try await peer.delete(on: db)
                try await AuditLog.append(on: db, actor: "cli", action: "peer-remove", subject: "peer:\(name)")
            }
            context.say("peer \(name) removed")
        default:
            throw CLIError(Self.usage)
        }
    }
}
