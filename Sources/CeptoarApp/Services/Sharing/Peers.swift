import CeptoarKit
import Fluent
import Foundation
import Vapor

/// The peer nodes this node syncs with: registering one (command and page alike), and what the
/// sync page shows.
struct Peers {
    let database: any Database

    struct Registration {
        var name: String
        var collectionURL: String
        var token: String
        var agreement: String
        var remoteParty: String
        var localParty: String
        var intervalSeconds: Int = 300
    }

    /// Registers a peer, or refuses with every reason. The URL and token reach HTTP request
    /// lines, so they are refused with control characters or spaces, never cleaned.
    func add(_ input: Registration, actor: String) async throws -> PeerRecord {
        var ja: [String] = []
        var en: [String] = []
        let name = input.name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty || name.count > 100 || ProtocolText.hasControlCharacters(name) { ja.append("名前は1〜100文字の1行です"); en.append("name: one line of 1 to 100 characters") }
        var url = input.collectionURL.trimmingCharacters(in: .whitespaces)
        if !url.hasSuffix("/") { url += "/" }
        let parsed = URLComponents(string: url)
        if url.count > 500 || ProtocolText.hasControlCharacters(url) || url.contains(" ") || !["http", "https"].contains(parsed?.scheme ?? "") || (parsed?.host ?? "").isEmpty
            || !url.contains("/collections/") {
            ja.append("URL は TAXII コレクションの http(s) URL（…/collections/ID/）です"); en.append("url: the http(s) URL of a TAXII collection (…/collections/ID/)")
        }
        let token = input.token.trimmingCharacters(in: .whitespaces)
        if token.isEmpty || token.count > 500 || ProtocolText.hasControlCharacters(token) || token.contains(" ") { ja.append("トークンが不正です"); en.append("token: 1 to 500 characters without spaces or control characters") }
        let agreement = try await SharingContext.agreement(input.agreement, on: self.database)
        if let agreement {
            let parties = agreement.partyList
            if !parties.contains(input.remoteParty) || !parties.contains(input.localParty) || input.remoteParty == input.localParty {
                ja.append("相手方と自ノードの当事者は、この相互合意の異なる当事者です"); en.append("remote and local must be two different parties of the agreement: \(parties.joined(separator: ", "))")
            }
        } else {
            ja.append("相互合意がありません: \(input.agreement.prefix(80))"); en.append("no agreement '\(input.agreement.prefix(80))' on this node")
        }
        if !(10...86_400).contains(input.intervalSeconds) { ja.append("間隔は10〜86400秒です"); en.append("interval: 10 to 86400 seconds") }
        guard ja.isEmpty else { throw UserError(status: .unprocessableEntity, ja: ja.joined(separator: "。"), en: en.joined(separator: "; ")) }
        let collectionURL = url
        return try await self.database.atomically { db in
            guard try await PeerRecord.query(on: db).filter(\.$name == name).first() == nil else {
                throw UserError(status: .conflict, ja: "同じ名前のピアがあります: \(name)", en: "a peer named '\(name)' exists")
            }
            let peer = PeerRecord()
            peer.name = name
            peer.collectionURL = collectionURL
            peer.token = token
            peer.agreementKey = input.agreement
            peer.remoteParty = input.remoteParty
            peer.localParty = input.localParty
            peer.intervalSeconds = input.intervalSeconds
            peer.pushAfterSeq = 0
            peer.objectsIn = 0
            peer.objectsOut = 0
            peer.consecutiveFailures = 0
            peer.enabled = true
            try await peer.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "peer-add", subject: "peer:\(name)", detail: ["url": collectionURL, "agreement": input.agreement])
            return peer
        }
    }

    /// Peers a user may see: administrators all; a secretariat those serving its party.
    func visible(to user: User) async throws -> [PeerRecord] {
        let all = try await PeerRecord.query(on: self.database).sort(\.$name).all()
        if user.has(.systemAdmin) || user.has(.niscCoordinator) { return all }
        let acting = try await Parties(database: self.database).actingFor(user)
        return all.filter { acting.contains($0.localParty) }
    }
}

extension Application {
    /// The federation worker's sync for one peer, with this node's settings.
    var peerSync: PeerSync {
        PeerSync(database: self.db, client: self.client, timeout: .seconds(Int64(self.ceptoar.peerTimeoutSeconds)), pageSize: 1000, maxPages: 1000)
    }
}

/// Syncs every enabled peer whose time has come, one after another: a peer that hangs costs
/// its timeout, and the next peer is still served. Once an hour it also applies the
/// agreements' retention (`StixRetention`).
struct PeerSyncLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: Task<Void, Never>? }
    let box = Box()

    func didBootAsync(_ application: Application) async throws {
        let sync = application.peerSync
        let poll = application.ceptoar.syncPollSeconds
        let logger = application.logger
        let database = application.db
        self.box.task = Task {
            var retained = Date.distantPast
            while !Task.isCancelled {
                do {
                    let now = Date()
                    if now.timeIntervalSince(retained) >= 3_600 {
                        retained = now
                        for (key, count) in try await StixRetention(database: database).purge(now: now) {
                            logger.notice("retention: deleted \(count) objects received under agreement \(key)")
                        }
                    }
                    let due = try await PeerRecord.query(on: database).filter(\.$enabled == true).all()
                        .filter { ($0.nextAttemptAt ?? .distantPast) <= now }
                    for peer in due where !Task.isCancelled {
                        if case .failure(let failure) = await sync.run(peer) { logger.warning("sync with peer \(peer.name) failed: \(failure.description)") }
                    }
                } catch {
                    logger.warning("sync worker: \(String(reflecting: error))")
                }
                try? await Task.sleep(for: .seconds(poll))
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        self.box.task?.cancel()
        await self.box.task?.value
    }
}
