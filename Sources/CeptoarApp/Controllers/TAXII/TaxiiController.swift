import CeptoarKit
import Fluent
import Foundation
import Vapor

/// TAXII 2.1 (OASIS): discovery, one API root, its collections, their objects (GET, POST),
/// single objects (GET, DELETE), versions, manifest, and status. Every collection is a view
/// through the access policy onto the one object store (`CollectionReader`).
struct TaxiiController: RouteCollection {
    static let root = "/taxii2/api/"
    /// The most one POST may carry.
    static let maxEnvelope: ByteCount = "16mb"

    func boot(routes: any RoutesBuilder) throws {
        let taxii = routes.grouped("taxii2").grouped(TaxiiMiddleware())
        taxii.get(use: self.discovery)
        let api = taxii.grouped("api")
        api.get(use: self.apiRoot)
        api.get("status", ":status", use: self.status)
        api.get("collections", use: self.collections)
        let collection = api.grouped("collections", ":collection")
        collection.get(use: self.collection)
        collection.get("objects", use: self.objects)
        collection.on(.POST, "objects", body: .collect(maxSize: Self.maxEnvelope), use: self.add)
        collection.get("objects", ":object", use: self.object)
        collection.delete("objects", ":object", use: self.delete)
        collection.get("objects", ":object", "versions", use: self.versions)
        collection.get("manifest", use: self.manifest)
    }

    // MARK: resources

    @Sendable func discovery(req: Request) async throws -> Response {
        let base = req.application.ceptoar.notify.publicURL
        return try Self.json([
            "title": "Ceptoar TAXII 2.1", "description": "CEPTOAR information sharing (セプター情報共有) — TAXII 2.1",
            "contact": .string(base), "default": .string(base + Self.root), "api_roots": [.string(base + Self.root)],
        ])
    }

    @Sendable func apiRoot(req: Request) async throws -> Response {
        try Self.json([
            "title": "Ceptoar", "description": "Collections per CEPTOAR community, per agreement, and public (TLP:CLEAR)",
            "versions": ["application/taxii+json;version=2.1"], "max_content_length": .integer(Int64(Self.maxEnvelope.value)),
        ])
    }

    @Sendable func collections(req: Request) async throws -> Response {
        let context = try await SharingContext.cached(req.auth.get(User.self), for: req)
        let all = try await TaxiiCollections(database: req.db).visible(context)
        return try Self.json(["collections": .array(all.map { Self.describe($0, req.language) })])
    }

    @Sendable func collection(req: Request) async throws -> Response {
        let (collection, _) = try await self.find(req)
        return try Self.json(Self.describe(collection, req.language))
    }

    static func describe(_ collection: TaxiiCollection, _ language: Language) -> JSONValue {
        [
            "id": .string(collection.id), "title": .string(collection.title.text(language)), "description": .string(collection.description.text(language)),
            "can_read": .bool(collection.canRead), "can_write": .bool(collection.canWrite), "media_types": [.string(TaxiiMedia.stix)],
        ]
    }

    // MARK: objects

    @Sendable func objects(req: Request) async throws -> Response {
        let (collection, context) = try await self.readable(req)
        let query = try TaxiiQuery(req)
        let page = try await self.page(req, collection, context, query, ids: query.ids)
        return try await self.envelope(req, collection, page)
    }

    @Sendable func object(req: Request) async throws -> Response {
        let (collection, context) = try await self.readable(req)
        let id = try Self.objectID(req)
        let page = try await self.page(req, collection, context, try TaxiiQuery(req), ids: [id])
        guard !page.objects.isEmpty else { throw TaxiiError.notFound }
        return try await self.envelope(req, collection, page)
    }

    @Sendable func versions(req: Request) async throws -> Response {
        let (collection, context) = try await self.readable(req)
        let id = try Self.objectID(req)
        var query = try TaxiiQuery(req)
        query.versions = [.all]
        let page = try await self.page(req, collection, context, query, ids: [id])
        guard !page.objects.isEmpty else { throw TaxiiError.notFound }
        var body: [String: JSONValue] = ["more": .bool(page.more), "versions": .array(page.objects.map { .string($0.version) })]
        if page.more, let seq = page.lastSeq { body["next"] = .string(try await self.nextToken(req, seq, collection)) }
        return try Self.json(.object(body), page: page)
    }

    @Sendable func manifest(req: Request) async throws -> Response {
        let (collection, context) = try await self.readable(req)
        let query = try TaxiiQuery(req)
        let page = try await self.page(req, collection, context, query, ids: query.ids)
        let records: [JSONValue] = page.objects.map {
            ["id": .string($0.id), "date_added": .string($0.dateAdded), "version": .string($0.version), "media_type": .string(TaxiiMedia.stix)]
        }
        var body: [String: JSONValue] = ["more": .bool(page.more), "objects": .array(records)]
        if page.more, let seq = page.lastSeq { body["next"] = .string(try await self.nextToken(req, seq, collection)) }
        return try Self.json(.object(body), page: page)
    }

    private func page(_ req: Request, _ collection: TaxiiCollection, _ context: SharingContext, _ query: TaxiiQuery, ids: [String]) async throws -> CollectionReader.Page {
        var afterSeq: Int?
        if let token = query.next {
            afterSeq = try await TaxiiPaging.make(for: req).resume(token, collection: collection.id, requester: Self.requester(req))
        }
        let pageQuery = CollectionReader.Query(
            addedAfter: query.addedAfter, afterSeq: afterSeq, limit: query.limit, ids: ids, types: query.types, versions: query.versions,
            specVersions: query.specVersions)
        if case .reports = collection.kind { return try await ReportCollection(database: req.db, context: context).page(pageQuery) }
        return try await CollectionReader(database: req.db, collection: collection, context: context).page(pageQuery)
    }

    /// The envelope, written from the stored texts without decoding them again.
    private func envelope(_ req: Request, _ collection: TaxiiCollection, _ page: CollectionReader.Page) async throws -> Response {
        var head = "{\"more\":\(page.more)"
        if page.more, let seq = page.lastSeq {
            head += ",\"next\":" + JSONValue.string(try await self.nextToken(req, seq, collection)).encoded()
        }
        head += ",\"objects\":["
        // Written once into the buffer the response is sent from, not joined and copied again.
        var buffer = ByteBufferAllocator().buffer(capacity: head.utf8.count + page.objects.reduce(2) { $0 + $1.body.utf8.count + 1 })
        buffer.writeString(head)
        for (index, object) in page.objects.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeString(object.body)
        }
        buffer.writeStaticString("]}")
        let response = Response(status: .ok, body: .init(buffer: buffer))
        response.headers.contentType = TaxiiMedia.taxii
        Self.dateHeaders(response, page)
        return response
    }

    private func nextToken(_ req: Request, _ seq: Int, _ collection: TaxiiCollection) async throws -> String {
        try await TaxiiPaging.make(for: req).token(after: seq, collection: collection.id, requester: Self.requester(req))
    }

    static func requester(_ req: Request) -> String { req.auth.get(User.self)?.id?.uuidString ?? "anonymous" }

    static func dateHeaders(_ response: Response, _ page: CollectionReader.Page) {
        if let first = page.objects.first, let last = page.objects.last {
            response.headers.replaceOrAdd(name: "X-TAXII-Date-Added-First", value: first.dateAdded)
            response.headers.replaceOrAdd(name: "X-TAXII-Date-Added-Last", value: last.dateAdded)
        }
    }

    // MARK: writing

    @Sendable func add(req: Request) async throws -> Response {
        let (collection, context) = try await self.find(req)
        guard let user = context.user else { throw TaxiiError.unauthenticated }
        guard collection.canWrite else {
            throw TaxiiError.forbidden(ja: "このコレクションに書き込む権限がありません", en: "you may not write to this collection")
        }
        guard let buffer = req.body.data else { throw TaxiiQuery.bad("本文がありません", "the request has no body") }
        let envelope: JSONValue
        let texts: [String]
        do {
            (envelope, texts) = try JSONValue.decodeEnvelope(buffer.readableBytesView)
        } catch {
            throw TaxiiQuery.bad("JSON として読めません", "the body is not valid JSON")
        }
        guard let objects = envelope["objects"]?.array else {
            throw TaxiiError(status: .unprocessableEntity, ja: "TAXII エンベロープ（objects の配列）ではありません", en: "not a TAXII envelope: 'objects' must be a list")
        }
        guard objects.count <= StixIngest.maxObjects else {
            throw TaxiiError(status: .payloadTooLarge, ja: "1回に送れるのは \(StixIngest.maxObjects) オブジェクトまでです", en: "at most \(StixIngest.maxObjects) objects per envelope")
        }
        let database = req.db
        let target = try await req.application.readCaches.ingestTargets.value(for: "\(try user.requireID())|\(collection.id)") {
            try await Self.target(for: collection, context: context, on: database)
        }
        let started = STIXTime.now()
        let owner = try user.requireID()
        let statusID = UUID()
        let (email, collectionID, total) = (user.email, collection.id, objects.count)
        let (outcome, rows) = StixIngest(database: req.db).prepare(objects, texts: texts, into: target, language: req.language)
        let status = TaxiiStatus(outcome, id: statusID, owner: owner, started: started)
        // The objects (none when refused), their status and the audit entry commit together,
        // with those of the envelopes posted meanwhile (see `IngestQueue`).
        _ = try await req.application.ingestQueue.write(rows) { stored in
            (status, AuditLog.Pending(actor: email, action: "taxii-add", subject: "taxii-collection:\(collectionID)", detail: [
                "total": String(total), "stored": String(stored), "failed": String(status.failureCount), "status": statusID.uuidString,
            ]))
        }
        // Answered from what was written, not read back.
        return status.response(.accepted)
    }

    /// Where a POST's objects go, from the collection and the party the poster acts for.
    static func target(for collection: TaxiiCollection, context: SharingContext, on db: any Database) async throws -> StixIngest.Target {
        let parties = Parties(database: db)
        switch collection.kind {
        case .community(let key, _):
            let party = Party.ceptoar(key)
            return StixIngest.Target(source: party, authors: try await parties.authors(of: party, agreement: nil), community: key, agreement: nil,
                                     unmarked: .amber, sector: try await parties.sector(of: party), peer: nil)
        case .agreement(let record):
            let terms = record.terms
            guard let party = record.partyList.first(where: { context.acting.contains($0) && terms.givers.contains($0) }) else {
                throw TaxiiError.forbidden(ja: "この相互合意で提供する側の当事者ではありません", en: "you do not act for a giving party of this agreement")
            }
            return StixIngest.Target(source: party, authors: try await parties.authors(of: party, agreement: record.key), community: nil, agreement: terms,
                                     unmarked: terms.maxTLP, sector: try await parties.sector(of: party), peer: nil)
        case .open:
            throw TaxiiError.forbidden(ja: "公開コレクションには書き込めません", en: "the public collection is read-only")
        case .reports:
            throw TaxiiError.forbidden(ja: "情報連絡は報告の API（/api/v1/reports）で提出してください", en: "file reports through the reports API (/api/v1/reports)")
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let (collection, context) = try await self.find(req)
        guard let user = context.user, collection.canWrite else {
            throw TaxiiError.forbidden(ja: "このコレクションから削除する権限がありません", en: "you may not delete from this collection")
        }
        let id = try Self.objectID(req)
        let query = try TaxiiQuery(req)
        var versions = StixObjectRecord.query(on: req.db).filter(\.$objectID == id).filter(\.$sourceParty ~~ Array(context.acting)).filter(\.$advisoryID == nil)
        let keys = query.versions.compactMap { match -> String? in if case .at(let key) = match { return key } else { return nil } }
        if !keys.isEmpty { versions = versions.filter(\.$versionKey ~~ keys) }
        let rows = try await versions.all()
        guard !rows.isEmpty else { throw TaxiiError.notFound }
        try await req.db.atomically { db in
            try await StixObjectRecord.query(on: db).filter(\.$id ~~ rows.compactMap(\.id)).delete()
            try await AuditLog.append(on: db, actor: user.email, action: "taxii-delete", subject: "stix:\(id)", detail: ["versions": String(rows.count)])
        }
        let response = Response(status: .ok)
        response.headers.contentType = TaxiiMedia.taxii
        return response
    }

    // MARK: status

    @Sendable func status(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { throw TaxiiError.unauthenticated }
        guard let id = req.parameters.get("status").flatMap(UUID.init(uuidString:)),
            let status = try await TaxiiStatusRecord.find(id, on: req.db), status.ownerID == user.id
        else { throw TaxiiError.notFound }
        return TaxiiStatus(status).response(.ok)
    }

    // MARK: helpers

    private func find(_ req: Request) async throws -> (TaxiiCollection, SharingContext) {
        let context = try await SharingContext.cached(req.auth.get(User.self), for: req)
        guard let id = req.parameters.get("collection"), id.utf8.count <= 64 else { throw TaxiiError.notFound }
        return (try await TaxiiCollections(database: req.db).find(id, context), context)
    }

    /// The collection, when the requester may read it: 401 without a token (but for the public
    /// collection), 403 with one that may not.
    private func readable(_ req: Request) async throws -> (TaxiiCollection, SharingContext) {
        let (collection, context) = try await self.find(req)
        guard collection.canRead else {
            if context.user == nil { throw TaxiiError.unauthenticated }
            throw TaxiiError.forbidden(ja: "このコレクションを読む権限がありません", en: "you may not read this collection")
        }
        return (collection, context)
    }

    static func objectID(_ req: Request) throws -> String {
        guard let id = req.parameters.get("object"), STIXIdentifier.parse(id) != nil else { throw TaxiiError.notFound }
        return id
    }

    static func json(_ value: JSONValue, page: CollectionReader.Page? = nil) throws -> Response {
        let response = Response(status: .ok, body: .init(string: value.encoded()))
        response.headers.contentType = TaxiiMedia.taxii
        if let page { self.dateHeaders(response, page) }
        return response
    }
}
