import CeptoarKit
import Fluent
import Foundation
import NIOCore
import Vapor

/// Federation with one peer node under an agreement: pull what the peer serves this node, and —
/// where the agreement runs both ways — push what this node may give it. Resumable: a page and
/// the checkpoint past it commit in one transaction, so a process killed mid-pull resumes with
/// nothing lost and nothing doubled. Loop-free: the peer never gets back what came from it
/// (the collection view excludes what its own party gave), and an (id, version) is stored once.
struct PeerSync {
    let database: any Database
    let client: any Client
    let timeout: TimeAmount
    let pageSize: Int
    /// Pages per round, so one busy peer does not hold the worker from the next.
    let maxPages: Int

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Result {
        var pulled = 0
        var pushed = 0
    }

    /// One round with the peer; records success or failure (with backoff) on the peer's row.
    @discardableResult
    func run(_ peer: PeerRecord, now: Date = Date()) async -> Swift.Result<Result, Failure> {
        var result = Result()
        let outcome: Swift.Result<Result, Failure>
        do {
            guard let agreement = try await SharingContext.agreement(peer.agreementKey, on: self.database) else {
                throw Failure(description: "no agreement '\(peer.agreementKey)' on this node")
            }
            guard agreement.terms.inForce(on: .today) else { throw Failure(description: "agreement \(agreement.key) is \(agreement.shownStatus(on: .today))") }
            if agreement.terms.receivers.contains(peer.localParty), agreement.terms.givers.contains(peer.remoteParty) {
                result.pulled = try await self.pull(peer, agreement)
            }
            if agreement.terms.givers.contains(peer.localParty), agreement.terms.receivers.contains(peer.remoteParty) {
                result.pushed = try await self.push(peer, agreement)
            }
            outcome = .success(result)
        } catch let failure as Failure {
            outcome = .failure(failure)
        } catch {
            outcome = .failure(Failure(description: Self.describe(error)))
        }
        // The counters and state are written fresh: the pull already committed its checkpoints.
        if let fresh = try? await PeerRecord.find(peer.id, on: self.database) {
            fresh.lastAttemptAt = now
            switch outcome {
            case .success(let done):
                fresh.lastSuccessAt = now
                fresh.lastError = nil
                fresh.consecutiveFailures = 0
                fresh.objectsOut += done.pushed
                fresh.nextAttemptAt = now.addingTimeInterval(TimeInterval(fresh.intervalSeconds))
            case .failure(let failure):
                fresh.consecutiveFailures = Swift.min(fresh.consecutiveFailures + 1, 30)
                fresh.lastError = String(ProtocolText.oneLine(failure.description).prefix(500))
                // Backoff: the interval doubled per failure, at most an hour.
                let wait = Swift.min(Double(fresh.intervalSeconds) * pow(2, Double(fresh.consecutiveFailures - 1)), 3600)
                fresh.nextAttemptAt = now.addingTimeInterval(Swift.max(wait, 1))
            }
            try? await fresh.save(on: self.database)
        }
        return outcome
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? any AbortError { return error.reason }
        return String(describing: error)
    }

    // MARK: pull

    private func pull(_ peer: PeerRecord, _ agreement: AgreementRecord) async throws -> Int {
        let parties = Parties(database: self.database)
        let terms = agreement.terms
        let target = StixIngest.Target(
            source: peer.remoteParty, authors: try await parties.authors(of: peer.remoteParty, agreement: agreement.key), community: nil,
            agreement: terms, unmarked: terms.maxTLP, sector: try await parties.sector(of: peer.remoteParty), peer: peer.id)
        var next = peer.pullNext
        var addedAfter = peer.pullAddedAfter
        var stored = 0
        for _ in 0..<self.maxPages {
            // Every version: a correction and then its withdrawal both travel.
            var url = peer.collectionURL + "objects/?limit=\(self.pageSize)&match%5Bversion%5D=all"
            if let next {
                url += "&next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            } else if let addedAfter {
                url += "&added_after=" + addedAfter
            }
            let response = try await self.send(.GET, url, token: peer.token)
            if response.status == .badRequest, next != nil {
                // The peer no longer knows the token (expired, restarted elsewhere): resume by time.
                next = nil
                continue
            }
            let page = try Self.envelope(response)
            let more = page["more"]?.bool ?? false
            let newNext = more ? page["next"]?.string : nil
            guard !more || newNext != nil else { throw Failure(description: "the peer said more but gave no next token") }
            let objects = page["objects"]?.array ?? []
            let last = response.headers.first(name: "X-TAXII-Date-Added-Last").flatMap(STIXTime.init)?.canonical
            // The time checkpoint moves only once the whole run of pages is in: objects after
            // this page may share its last date_added.
            let checkpoint = more ? addedAfter : (last ?? addedAfter)
            let peerID = try peer.requireID()
            let outcome = try await StixIngest(database: self.database).ingest(objects, into: target, language: .en) { db, _ in
                guard let row = try await PeerRecord.find(peerID, on: db) else { return }
                row.pullNext = newNext
                row.pullAddedAfter = checkpoint
                row.objectsIn += objects.count
                try await row.save(on: db)
                FaultInjection.pulledPageStored()
            }
            guard outcome.failures.isEmpty else {
                let reasons = outcome.failures.filter { !($0.message ?? "").hasPrefix("not stored: another") }.prefix(3).map { "\($0.id): \($0.message ?? "")" }
                throw Failure(description: "the peer's page was refused (\(outcome.failures.count) of \(outcome.total)): " + reasons.joined(separator: "; "))
            }
            stored += outcome.stored
            next = newNext
            addedAfter = checkpoint
            guard more else { break }
        }
        return stored
    }

    // MARK: push

    private func push(_ peer: PeerRecord, _ agreement: AgreementRecord) async throws -> Int {
        // What the peer's party may receive from this node, as the agreement's collection shows it.
        var viewer = AccessPolicy.Viewer(organisation: "", memberships: [:], parties: [peer.remoteParty])
        viewer.isCommunity = true
        let context = SharingContext(user: nil, viewer: viewer, acting: [], agreements: [agreement.key: agreement], day: .today)
        let collection = TaxiiCollection(id: TaxiiCollections.agreementCollectionID(agreement.key), kind: .agreement(agreement), title: agreement.title, description: agreement.title, canRead: true, canWrite: false)
        let reader = CollectionReader(database: self.database, collection: collection, context: context)
        let authors = try await Parties(database: self.database).authors(of: peer.localParty, agreement: agreement.key)
        var after = peer.pushAfterSeq
        var pushed = 0
        for _ in 0..<self.maxPages {
            let page = try await reader.page(CollectionReader.Query(afterSeq: after, limit: self.pageSize, versions: [.all]))
            guard let lastSeq = page.lastSeq else { break }
            // Only what this node's party authored (or its pseudonym): the peer refuses the rest.
            let objects = try page.objects.map { try JSONValue.decode(Data($0.body.utf8)) }.filter { object in
                if let author = object["created_by_ref"]?.string { return authors.contains(author) }
                return object["type"]?.string == "identity" ? authors.contains(object["id"]?.string ?? "") : STIXObjectCheck.observableTypes.contains(object["type"]?.string ?? "")
            }
            if !objects.isEmpty {
                let body = JSONValue.object(["objects": .array(objects)]).encoded()
                let response = try await self.send(.POST, peer.collectionURL + "objects/", token: peer.token, body: body)
                let status = try Self.envelope(response, expect: .accepted)
                let failures = status["failure_count"].flatMap { value -> Int64? in if case .integer(let n) = value { return n } else { return nil } } ?? 1
                guard failures == 0 else {
                    let reason = status["failures"]?.array?.first?["message"]?.string ?? ""
                    throw Failure(description: "the peer refused \(failures) pushed object(s): \(reason)")
                }
                pushed += objects.count
            }
            after = lastSeq
            let peerID = try peer.requireID()
            let position = after
            let count = objects.count
            try await self.database.atomically { db in
                guard let row = try await PeerRecord.find(peerID, on: db) else { return }
                row.pushAfterSeq = position
                row.objectsOut += count
                try await row.save(on: db)
            }
            guard page.more else { break }
        }
        return pushed
    }

    // MARK: HTTP

    private func send(_ method: HTTPMethod, _ url: String, token: String, body: String? = nil) async throws -> ClientResponse {
        var headers: HTTPHeaders = ["Accept": "application/taxii+json;version=2.1"]
        headers.bearerAuthorization = BearerAuthorization(token: token)
        if body != nil { headers.replaceOrAdd(name: .contentType, value: "application/taxii+json;version=2.1") }
        var request = ClientRequest(method: method, url: URI(string: url), headers: headers, body: body.map { ByteBuffer(string: $0) })
        request.timeout = self.timeout
        do {
            return try await self.client.send(request)
        } catch {
            throw Failure(description: "cannot reach the peer: \(Self.describe(error))")
        }
    }

    /// The answer as TAXII JSON, or a failure naming what was wrong with it.
    static func envelope(_ response: ClientResponse, expect: HTTPResponseStatus = .ok) throws -> JSONValue {
        guard response.status == expect else {
            let detail = response.body.flatMap { try? JSONValue.decode(Data(buffer: $0)) }?["description"]?.string ?? ""
            throw Failure(description: "the peer answered HTTP \(response.status.code)\(detail.isEmpty ? "" : ": " + detail)")
        }
        guard let body = response.body, let value = try? JSONValue.decode(Data(buffer: body)), value.object != nil else {
            throw Failure(description: "the peer's answer is not TAXII JSON")
        }
        return value
    }
}
