import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Reads a TAXII collection: the collection's filter in SQL narrows the store, then the access
/// policy decides every object for this requester — `read` for a community or the public
/// collection, `share` under the agreement for an agreement's. What an agreement anonymises is
/// rewritten on the way out, and every object carries the marking this requester holds it under.
struct CollectionReader {
    let database: any Database
    let collection: TaxiiCollection
    let context: SharingContext

    enum VersionMatch: Equatable {
        case first, last, all
        case at(String)
    }

    struct Query {
        var addedAfter: STIXTime?
        /// Resume after this `seq` (a `next` token).
        var afterSeq: Int?
        var limit: Int
        var ids: [String] = []
        var types: [String] = []
        var versions: [VersionMatch] = [.last]
        var specVersions: [String] = []
    }

    struct Object {
        var seq: Int
        var id: String
        var type: String
        var versionKey: String
        var version: String
        var dateAdded: String
        var body: String
    }

    struct Page {
        var objects: [Object]
        var more: Bool
        /// The `seq` a `next` token resumes after.
        var lastSeq: Int?
    }

    private final class Memo: @unchecked Sendable {
        var advisoryItems: [UUID: AccessPolicy.Item] = [:]
        var agreements: [String: Agreement?] = [:]
    }

    private let memo = Memo()

    init(database: any Database, collection: TaxiiCollection, context: SharingContext) {
        self.database = database
        self.collection = collection
        self.context = context
    }

    func page(_ query: Query) async throws -> Page {
        let sql = self.database as! any SQLDatabase
        var conditions: [SQLQueryString] = [try self.view()]
        if let after = query.addedAfter { conditions.append("s.date_added > \(bind: after.canonical)") }
        if let seq = query.afterSeq { conditions.append("s.seq > \(bind: seq)") }
        if !query.ids.isEmpty { conditions.append("s.object_id IN (\(binds: query.ids))") }
        if !query.types.isEmpty { conditions.append("s.type IN (\(binds: query.types))") }
        if !query.specVersions.isEmpty { conditions.append("s.spec_version IN (\(binds: query.specVersions))") }
        if !query.versions.contains(.all) {
            var parts: [SQLQueryString] = []
            for match in query.versions {
                switch match {
                case .last: parts.append("s.version_key = (SELECT MAX(v.version_key) FROM stix_objects v WHERE v.object_id = s.object_id)")
                case .first: parts.append("s.version_key = (SELECT MIN(v.version_key) FROM stix_objects v WHERE v.object_id = s.object_id)")
                case .at(let key): parts.append("s.version_key = \(bind: key)")
                case .all: break
                }
            }
            if !parts.isEmpty { conditions.append("(" + parts.joined(separator: " OR ") + ")") }
        }
        let rows = try await sql.raw("""
            SELECT s.seq, s.object_id, s.type, s.version_key, s.date_added, s.tlp, s.body, s.advisory_id, s.category, s.origin_sector,
            s.source_party, s.community, s.received_under, s.created_by_ref
            FROM stix_objects s WHERE \(conditions.joined(separator: " AND ")) ORDER BY s.seq LIMIT \(unsafeRaw: String(query.limit + 1))
            """).all()
        var objects: [Object] = []
        var lastSeq: Int?
        for row in rows.prefix(query.limit) {
            let seq = try row.decode(column: "seq", as: Int.self)
            lastSeq = seq
            guard let body = try await self.serve(row) else { continue }
            let versionKey = try row.decode(column: "version_key", as: String.self)
            objects.append(Object(
                seq: seq, id: try row.decode(column: "object_id", as: String.self), type: try row.decode(column: "type", as: String.self),
                versionKey: versionKey, version: Self.timestamp(versionKey), dateAdded: Self.timestamp(try row.decode(column: "date_added", as: String.self)), body: body))
        }
        return Page(objects: objects, more: rows.count > query.limit, lastSeq: lastSeq)
    }

    /// A canonical time as TAXII writes it (milliseconds are enough for a client to compare,
    /// but `added_after` must not skip objects: keep all six digits).
    static func timestamp(_ canonical: String) -> String { canonical }

    // MARK: the view

    private func view() throws -> SQLQueryString {
        switch self.collection.kind {
        case .open:
            return "s.tlp = 'CLEAR'"
        case .community(let key, let id):
            let receiving = self.context.agreements.values.filter { $0.terms.receivers.contains(Party.ceptoar(key)) }.map(\.key)
            var parts: [SQLQueryString] = [
                "s.community = \(bind: key)",
                "s.advisory_id IN (SELECT h.advisory_id FROM relay_hops h WHERE h.stage = 'ceptoar' AND h.status = 'forwarded' AND h.ceptoar_id = \(bind: id))",
                "(s.type = 'identity' AND s.advisory_id IS NULL AND s.community IS NULL AND s.received_under IS NULL)",
            ]
            if !receiving.isEmpty { parts.append("s.received_under IN (\(binds: receiving))") }
            return "(" + parts.joined(separator: " OR ") + ")"
        case .agreement(let record):
            let terms = record.terms
            let givers = Array(terms.givers.subtracting(self.context.viewer.parties))
            guard !givers.isEmpty else { return "1 = 0" }
            let markings = Agreement.markings.filter { $0 <= terms.maxTLP }.map(\.rawValue)
            var passOn: [String] = []
            for other in try self.passingOn(to: terms) { passOn.append(other) }
            var source: [SQLQueryString] = ["s.source_party IN (\(binds: givers))"]
            if !passOn.isEmpty { source.append("s.received_under IN (\(binds: passOn))") }
            var parts: [SQLQueryString] = ["(" + source.joined(separator: " OR ") + ")", "s.tlp IN (\(binds: markings))"]
            if !self.context.viewer.parties.isEmpty { parts.append("s.source_party NOT IN (\(binds: Array(self.context.viewer.parties)))") }
            if !terms.scope.objectTypes.isEmpty { parts.append("s.type IN (\(binds: Array(terms.scope.objectTypes)))") }
            if !terms.scope.categories.isEmpty { parts.append("s.category IN (\(binds: Array(terms.scope.categories)))") }
            if !terms.scope.originSectors.isEmpty { parts.append("s.origin_sector IN (\(binds: Array(terms.scope.originSectors)))") }
            // An anonymised agreement never shows who the organisations are.
            if terms.anonymised { parts.append("s.type <> 'identity'") }
            return parts.joined(separator: " AND ")
        }
    }

    /// Agreements whose received objects may be passed on under `terms` (they allow it and a
    /// giving party of `terms` received them). The policy still decides each object.
    private func passingOn(to terms: Agreement) throws -> [String] {
        self.context.agreements.values.filter { $0.key != terms.id && $0.mayPassOn && !$0.terms.receivers.isDisjoint(with: terms.givers) }.map(\.key)
    }

    // MARK: the policy

    /// The object's text for this requester, or nil when the policy refuses it.
    private func serve(_ row: any SQLRow) async throws -> String? {
        var item = try await self.item(row)
        let decision: AccessPolicy.Decision
        var anonymise = false
        switch self.collection.kind {
        case .agreement(let record):
            decision = AccessPolicy.share(item, with: self.context.viewer, under: record.terms, on: self.context.day)
            anonymise = record.anonymised
        case .community, .open:
            item.agreements = self.context.agreements.values.map(\.terms)
            decision = AccessPolicy.read(self.context.viewer, item, on: self.context.day)
        }
        guard decision == .allow else { return nil }
        var body = try row.decode(column: "body", as: String.self)
        let held: TLP
        if case .agreement = self.collection.kind { held = Swift.max(item.strictest ?? item.tlp, item.tlp) } else { held = AccessPolicy.marking(for: self.context.viewer, of: item) }
        if held != item.tlp, try row.decodeNil(column: "advisory_id") == false {
            body = body.replacingOccurrences(of: TLPMarking.id(item.tlp), with: TLPMarking.id(held))
        }
        if anonymise, case .agreement(let record) = self.collection.kind, let creator = try row.decode(column: "created_by_ref", as: String?.self) {
            // The pseudonym is the giving party's under this agreement: the source for what it
            // published, the party passing it on for what it received under another agreement.
            var giver = try row.decode(column: "source_party", as: String.self)
            if let received = item.receivedUnder, received.id != record.key, let passing = item.receivedBy.intersection(record.terms.givers).sorted().first {
                giver = passing
            }
            body = body.replacingOccurrences(of: creator, with: Self.pseudonym(agreement: record.key, party: giver))
        }
        return body
    }

    /// The identity that stands for `party` in an anonymised agreement: the same on every node.
    static func pseudonym(agreement: String, party: String) -> String {
        STIXIdentifier.make("identity", name: "agreement:\(agreement):\(party)")
    }

    private func item(_ row: any SQLRow) async throws -> AccessPolicy.Item {
        let tlp = TLP(rawValue: try row.decode(column: "tlp", as: String.self)) ?? .red
        let source = try row.decode(column: "source_party", as: String.self)
        var item: AccessPolicy.Item
        if let advisoryID = try row.decode(column: "advisory_id", as: UUID?.self) {
            if let known = self.memo.advisoryItems[advisoryID] {
                item = known
            } else if let advisory = try await Advisory.find(advisoryID, on: self.database) {
                item = try await Access(database: self.database).item(advisory, for: self.context.viewer)
                self.memo.advisoryItems[advisoryID] = item
            } else {
                item = AccessPolicy.Item(tlp: .red, originator: "")
            }
        } else if let key = try row.decode(column: "received_under", as: String?.self) {
            item = AccessPolicy.Item(tlp: tlp, originator: "")
            item.receivedUnder = try await self.agreement(key)
            item.receivedBy = Set(item.receivedUnder?.parties ?? []).subtracting([source])
            if item.receivedUnder == nil { item.tlp = .red }
        } else if let community = try row.decode(column: "community", as: String?.self) {
            let member = self.context.viewer.parties.contains(Party.ceptoar(community))
            let ceptoar: String
            if case .community(let key, let id) = self.collection.kind, key == community { ceptoar = id.uuidString } else { ceptoar = community }
            item = AccessPolicy.Item(tlp: tlp, originator: "", audience: [ceptoar], recipients: member ? [self.context.viewer.organisation] : [])
        } else {
            // Ceptoar's own identity objects: the registry is public.
            item = AccessPolicy.Item(tlp: tlp == .clear ? .clear : .red, originator: "")
        }
        item.sources = [source]
        item.category = try row.decode(column: "category", as: String?.self)
        item.objectType = try row.decode(column: "type", as: String.self)
        item.originSector = try row.decode(column: "origin_sector", as: String?.self)
        return item
    }

    private func agreement(_ key: String) async throws -> Agreement? {
        if let known = self.memo.agreements[key] { return known }
        let terms: Agreement?
        if let record = self.context.agreements[key] {
            terms = record.terms
        } else {
            terms = try await SharingContext.agreement(key, on: self.database)?.terms
        }
        self.memo.agreements[key] = terms
        return terms
    }
}
