import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

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
        var decisions: [String: Decision] = [:]
    }

    private let memo = Memo()
    /// The viewer's agreements as the policy reads them, made once per page, not per object.
    private let terms: [Agreement]
    private let collectionTerms: Agreement?

    init(database: any Database, collection: TaxiiCollection, context: SharingContext) {
        self.database = database
        self.collection = collection
        self.context = context
        self.terms = context.agreements.values.map(\.terms)
        if case .agreement(let record) = collection.kind { self.collectionTerms = record.terms } else { self.collectionTerms = nil }
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
                // NOT EXISTS rather than `= (SELECT MAX(…))`: one probe of the (object_id, version_key) index either way, but measurably less work per row in SQLite.
                case .last: parts.append("NOT EXISTS (SELECT 1 FROM stix_objects v WHERE v.object_id = s.object_id AND v.version_key > s.version_key)")
                case .first: parts.append("NOT EXISTS (SELECT 1 FROM stix_objects v WHERE v.object_id = s.object_id AND v.version_key < s.version_key)")
                case .at(let key): parts.append("s.version_key = \(bind: key)")
                case .all: break
                }
            }
            if !parts.isEmpty { conditions.append("(" + parts.joined(separator: " OR ") + ")") }
        }
        // A row travels as one text (`Row`), and the page as one text of rows: decoding a
        // column through the driver costs more than the database joining them, and the driver
        // hands every row back to the event loop as its own task. Objects alike to the policy
        // are decided once (`decisions`). Stored JSON never holds a raw U+001E or U+001F, so
        // they can separate rows and columns; the body goes last in its row. The rows are put
        // in order here, not by the aggregate: its ORDER BY sorts the whole page again in
        // SQLite (measured: more than the rest of the query).
        let columns = [
            "CAST(s.seq AS TEXT)", "COALESCE(s.created_by_ref, '')", "s.object_id", "s.type", "s.version_key", "s.date_added",
            "s.tlp", "s.source_party", "COALESCE(s.community, '')", "COALESCE(s.received_under, '')", "COALESCE(s.category, '')",
            "COALESCE(s.origin_sector, '')", "s.type", "COALESCE(CAST(s.advisory_id AS TEXT), '')", "s.body",
        ].joined(separator: ", ")
        let joined: SQLQueryString = sql.dialect.name == "postgresql" ? "string_agg(p.r, \(bind: String(Row.rowSeparator)))" : "group_concat(p.r, \(bind: String(Row.rowSeparator)))"
        let result = try await sql.raw("""
            SELECT COUNT(*) AS n, \(joined) AS page FROM (SELECT concat_ws(\(bind: String(Row.separator)), \(unsafeRaw: columns)) AS r
            FROM stix_objects s WHERE \(conditions.joined(separator: " AND ")) ORDER BY s.seq LIMIT \(unsafeRaw: String(query.limit + 1))) p
            """).first()
        guard let result else { throw Abort(.internalServerError, reason: "a page of stored objects did not read back") }
        let count = try result.decode(column: "n", as: Int.self)
        var rows = count == 0 ? [] : try Row.rows(of: result.decode(column: "page", as: String.self))
        // Fail closed: every row read back whole (concat_ws leaves out a NULL, and the row then
        // fails to split), or nothing is served.
        guard rows.count == count else { throw Abort(.internalServerError, reason: "a page of stored objects did not read back") }
        if !zip(rows, rows.dropFirst()).allSatisfy({ $0.seq < $1.seq }) { rows.sort { $0.seq < $1.seq } }
        var objects: [Object] = []
        var lastSeq: Int?
        for row in rows.prefix(query.limit) {
            lastSeq = row.seq
            guard let body = try await self.serve(row) else { continue }
            objects.append(Object(seq: row.seq, id: row.objectID, type: row.type, versionKey: row.versionKey, version: row.versionKey, dateAdded: row.dateAdded, body: body))
        }
        return Page(objects: objects, more: count > query.limit, lastSeq: lastSeq)
    }

    // MARK: the view

    private func view() throws -> SQLQueryString {
        switch self.collection.kind {
        case .open:
            return "s.tlp = 'CLEAR'"
        case .reports:
            // Not in the store: `ReportCollection` writes them per requester.
            return "1 = 0"
        case .community(let key, let id):
            let receiving = self.context.agreements.values.filter { $0.terms.receivers.contains(Party.ceptoar(key)) }.map(\.key)
            var parts: [SQLQueryString] = [
                "s.community = \(bind: key)",
                "s.advisory_id IN (SELECT h.advisory_id FROM relay_hops h WHERE h.stage = 'ceptoar' AND h.status = 'forwarded' AND h.ceptoar_id = \(bind: id))",
                "(s.type = 'identity' AND s.advisory_id IS NULL AND s.community IS NULL AND s.received_under IS NULL)",
            ]
            if !receiving.isEmpty { parts.append("s.received_under IN (\(binds: receiving))") }
            // Wrapped so no engine answers the OR from its indexes: that collects every match
            // after the position and sorts it, for each page (quadratic over a paging run).
            // Walking `seq` in order and stopping at the page's end is what a page needs.
            return "(CASE WHEN " + parts.joined(separator: " OR ") + " THEN 1 ELSE 0 END) = 1"
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

    /// One stored object as the reader needs it. Timestamps are TAXII's as stored (six
    /// fractional digits: `added_after` must not skip objects).
    struct Row {
        static let separator: Character = "\u{1F}"
        var seq: Int
        var body: String
        var createdByRef: String?
        var objectID, type, versionKey, dateAdded: String
        /// Everything the policy looks at, as one text: objects with the same one are decided alike.
        var policy: String

        static let rowSeparator: Character = "\u{1E}"

        /// The rows of one page's text, in order.
        static func rows(of page: String) throws -> [Row] {
            var page = page
            return try page.withUTF8 { bytes in
                guard let base = bytes.baseAddress else { return [] }
                var rows: [Row] = []
                var start = 0
                while start <= bytes.count {
                    // memchr: the bodies are most of the text, and it skips them a vector at a time.
                    let end = memchr(base + start, 0x1E, bytes.count - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? bytes.count
                    rows.append(try Row(UnsafeBufferPointer(rebasing: bytes[start..<end])))
                    start = end + 1
                }
                return rows
            }
        }

        init(_ bytes: UnsafeBufferPointer<UInt8>) throws {
            // The first 14 separators: seq, author, the four that identify the object, the
            // policy's eight (kept as one text, the memo's key), then the body.
            var cuts: [Int] = []
            cuts.reserveCapacity(14)
            var index = 0
            while index < bytes.count, cuts.count < 14 {
                if bytes[index] == 0x1F { cuts.append(index) }
                index += 1
            }
            guard cuts.count == 14 else { throw Abort(.internalServerError, reason: "a stored object's columns did not read back") }
            func text(_ from: Int, _ to: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self) }
            var fields: [String] = []
            var start = 0
            for cut in cuts.prefix(6) {
                fields.append(text(start, cut))
                start = cut + 1
            }
            guard let seq = Int(fields[0]) else { throw Abort(.internalServerError, reason: "a stored object's columns did not read back") }
            self.seq = seq
            self.createdByRef = fields[1].isEmpty ? nil : fields[1]
            (self.objectID, self.type, self.versionKey, self.dateAdded) = (fields[2], fields[3], fields[4], fields[5])
            self.policy = text(cuts[5] + 1, cuts[13])
            self.body = text(cuts[13] + 1, bytes.count)
        }

        /// The policy's columns, split.
        struct Policy {
            var tlp: TLP
            var source: String
            var community, receivedUnder, category, originSector: String?
            var type: String
            var advisoryID: UUID?

            init(_ text: String) throws {
                let fields = text.utf8.split(separator: 0x1F, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                guard fields.count == 8 else { throw Abort(.internalServerError, reason: "a stored object's columns did not read back") }
                func optional(_ index: Int) -> String? { fields[index].isEmpty ? nil : fields[index] }
                self.tlp = TLP(rawValue: fields[0]) ?? .red
                self.source = fields[1]
                (self.community, self.receivedUnder, self.category, self.originSector) = (optional(2), optional(3), optional(4), optional(5))
                self.type = fields[6]
                // Fail closed: an advisory's row whose id did not read back is not served as if it had none.
                if let text = optional(7) {
                    guard let id = UUID(uuidString: text) else { throw Abort(.internalServerError, reason: "a stored object's advisory did not read back") }
                    self.advisoryID = id
                }
            }
        }
    }

    /// What the policy decided for one kind of object: refused, or served with the marking it
    /// is held under and the giver whose pseudonym replaces its author.
    private enum Decision {
        case refused
        case served(stored: TLP, held: TLP, rewritesMarking: Bool, pseudonymOf: String?)
    }

    /// The object's text for this requester, or nil when the policy refuses it.
    private func serve(_ row: Row) async throws -> String? {
        let decision: Decision
        if let known = self.memo.decisions[row.policy] {
            decision = known
        } else {
            decision = try await self.decide(Row.Policy(row.policy))
            self.memo.decisions[row.policy] = decision
        }
        guard case .served(let stored, let held, let rewritesMarking, let giver) = decision else { return nil }
        var body = row.body
        if rewritesMarking { body = body.replacingOccurrences(of: TLPMarking.id(stored), with: TLPMarking.id(held)) }
        if let giver, case .agreement(let record) = self.collection.kind, let creator = row.createdByRef {
            body = body.replacingOccurrences(of: creator, with: Self.pseudonym(agreement: record.key, party: giver))
        }
        return body
    }

    /// The policy's decision for objects with these columns.
    private func decide(_ row: Row.Policy) async throws -> Decision {
        var item = try await self.item(row)
        let decision: AccessPolicy.Decision
        var anonymise = false
        if let terms = self.collectionTerms {
            decision = AccessPolicy.share(item, with: self.context.viewer, under: terms, on: self.context.day)
            anonymise = terms.anonymised
        } else {
            item.agreements = self.terms
            decision = AccessPolicy.read(self.context.viewer, item, on: self.context.day)
        }
        guard decision == .allow else { return .refused }
        let held: TLP
        if case .agreement = self.collection.kind { held = Swift.max(item.strictest ?? item.tlp, item.tlp) } else { held = AccessPolicy.marking(for: self.context.viewer, of: item) }
        var giver: String?
        if anonymise, case .agreement(let record) = self.collection.kind {
            // The pseudonym is the giving party's under this agreement: the source for what it
            // published, the party passing it on for what it received under another agreement.
            giver = row.source
            if let received = item.receivedUnder, received.id != record.key, let passing = item.receivedBy.intersection(self.collectionTerms?.givers ?? []).sorted().first {
                giver = passing
            }
        }
        return .served(stored: item.tlp, held: held, rewritesMarking: held != item.tlp && row.advisoryID != nil, pseudonymOf: giver)
    }

    /// The identity that stands for `party` in an anonymised agreement: the same on every node.
    static func pseudonym(agreement: String, party: String) -> String {
        STIXIdentifier.make("identity", name: "agreement:\(agreement):\(party)")
    }

    private func item(_ row: Row.Policy) async throws -> AccessPolicy.Item {
        let tlp = row.tlp
        let source = row.source
        var item: AccessPolicy.Item
        if let advisoryID = row.advisoryID {
            if let known = self.memo.advisoryItems[advisoryID] {
                item = known
            } else if let advisory = try await Advisory.find(advisoryID, on: self.database) {
                item = try await Access(database: self.database).item(advisory, for: self.context.viewer)
                self.memo.advisoryItems[advisoryID] = item
            } else {
                item = AccessPolicy.Item(tlp: .red, originator: "")
            }
        } else if let key = row.receivedUnder {
            item = AccessPolicy.Item(tlp: tlp, originator: "")
            item.receivedUnder = try await self.agreement(key)
            item.receivedBy = Set(item.receivedUnder?.parties ?? []).subtracting([source])
            if item.receivedUnder == nil { item.tlp = .red }
        } else if let community = row.community {
            let member = self.context.viewer.parties.contains(Party.ceptoar(community))
            let ceptoar: String
            if case .community(let key, let id) = self.collection.kind, key == community { ceptoar = id.uuidString } else { ceptoar = community }
            item = AccessPolicy.Item(tlp: tlp, originator: "", audience: [ceptoar], recipients: member ? [self.context.viewer.organisation] : [])
        } else {
            // Ceptoar's own identity objects: the registry is public.
            item = AccessPolicy.Item(tlp: tlp == .clear ? .clear : .red, originator: "")
        }
        item.sources = [source]
        item.category = row.category
        item.objectType = row.type
        item.originSector = row.originSector
        return item
    }

    private func agreement(_ key: String) async throws -> Agreement? {
        if let known = self.memo.agreements[key] { return known }
        let terms: Agreement?
        if let known = self.terms.first(where: { $0.id == key }) {
            terms = known
        } else {
            terms = try await SharingContext.agreement(key, on: self.database)?.terms
        }
        self.memo.agreements[key] = terms
        return terms
    }
}
