import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// The one store of STIX objects: what Ceptoar made of its advisories and what came in over
/// TAXII, an import or a peer. Each (id, version) is stored once; collections read through it.
struct StixStore {
    let database: any Database

    static let columns = [
        "object_id", "type", "spec_version", "version_key", "date_added", "revoked", "tlp", "created_by_ref", "body",
        "advisory_id", "category", "origin_sector", "source_party", "community", "received_under", "peer_id",
    ]

    /// A row to insert.
    struct Row: Sendable {
        var objectID: String
        var type: String
        var specVersion = "2.1"
        var versionKey: String
        var revoked: Bool
        var tlp: TLP
        var createdByRef: String?
        var body: String
        var advisoryID: UUID?
        var category: String?
        var originSector: String?
        var sourceParty: String
        var community: String?
        var receivedUnder: String?
        var peerID: UUID?

        /// `object_id|version_key`: what the store keeps once.
        var key: String { self.objectID + "|" + self.versionKey }

        func values(dateAdded: String) -> [ColumnValue] {
            [
                .text(self.objectID), .text(self.type), .text(self.specVersion), .text(self.versionKey), .text(dateAdded), .bool(self.revoked),
                .text(self.tlp.rawValue), .text(self.createdByRef), .text(self.body), .uuid(self.advisoryID), .text(self.category),
                .text(self.originSector), .text(self.sourceParty), .text(self.community), .text(self.receivedUnder), .uuid(self.peerID),
            ]
        }
    }

    /// Inserts rows; an (id, version) already stored is left as it is. Returns the keys
    /// `object_id|version_key` that were new. Call inside the caller's transaction.
    @discardableResult
    func insert(_ rows: [Row]) async throws -> Set<String> {
        guard !rows.isEmpty else { return [] }
        var seen: Set<String> = []
        var fresh: [[ColumnValue]] = []
        let added = STIXTime.now().canonical
        for row in rows where seen.insert(row.key).inserted { fresh.append(row.values(dateAdded: added)) }
        // Rows of one call share their date_added; their seq orders them. The database says
        // which were new (RETURNING skips the conflicts), so nothing is read first.
        let written = try await (self.database as! any SQLDatabase).insertValues(
            into: StixObjectRecord.schema, columns: Self.columns, fresh, ignoringConflicts: ["object_id", "version_key"], returning: ["object_id", "version_key"])
        return Set(written.compactMap { row in row.count == 2 ? row[0].flatMap { id in row[1].map { id + "|" + $0 } } : nil })
    }

    // MARK: advisories

    /// Stores the STIX objects of one advisory version (its publish, correction or withdrawal),
    /// in the transaction that made it, with the originator's identity.
    ///
    /// An exercise's inject stays inside the exercise: never an object a peer could pull. The
    /// publishing relay says whether the advisory is one (it has just marked it); other callers
    /// leave `exercise` out and the mark is read.
    func record(_ advisory: Advisory, exercise known: Bool? = nil) async throws {
        let id = try advisory.requireID()
        let exercise: Bool
        if let known {
            exercise = known
        } else {
            exercise = try await (self.database as! any SQLDatabase).raw("SELECT exercise FROM advisories WHERE id = \(bind: id)").first()?
                .decode(column: "exercise", as: Bool.self) ?? false
        }
        guard !exercise else { return }
        let originator = try await Organisation.find(advisory.$originator.id, on: self.database)
        guard let originator else { return }
        let first = try await Advisory.query(on: self.database).filter(\.$seriesID == advisory.seriesID).sort(\.$version).first()
        let party = Parties.stixParty(originator)
        let shared = SharedAdvisory(
            series: advisory.seriesID, firstPublished: first?.createdAt ?? advisory.createdAt ?? Date(), published: advisory.createdAt ?? Date(),
            title: advisory.title, body: LocalizedText(ja: advisory.bodyJa, en: advisory.bodyEn), severity: advisory.severityLevel,
            category: AdvisoryCategory(rawValue: advisory.category) ?? .other, tlp: advisory.marking,
            references: advisory.references.split(separator: "\n").map(String.init), withdrawnAt: advisory.withdrawnAt, originator: party,
            notes: try await self.notes(of: advisory))
        let source = try await self.sourceParty(of: originator)
        let sector = try await self.sector(of: originator)
        let tlp = try await Access(database: self.database).strictestMarking(of: advisory)
        var rows: [Row] = [Self.identityRow(party, source: source)]
        for object in AdvisoryMapping.objects(shared) {
            guard let objectID = object["id"]?.string, let type = object["type"]?.string, let modified = object["modified"]?.string.flatMap(STIXTime.init) else { continue }
            rows.append(Row(
                objectID: objectID, type: type, versionKey: modified.canonical, revoked: object["revoked"]?.bool ?? false, tlp: tlp,
                createdByRef: object["created_by_ref"]?.string, body: object.encoded(), advisoryID: id, category: advisory.category,
                originSector: sector, sourceParty: source))
        }
        try await self.insert(rows)
    }

    /// The identity object of an organisation: CLEAR (the registry is public), one version.
    static func identityRow(_ party: STIXParty, source: String) -> Row {
        let object = AdvisoryMapping.identity(party)
        return Row(
            objectID: party.identityID, type: "identity", versionKey: party.since.canonical, revoked: false, tlp: .clear,
            createdByRef: nil, body: object.encoded(), sourceParty: source)
    }

    /// The party an organisation's advisories come from: the CEPTOAR it is the secretariat of
    /// (when exactly one), else the organisation itself.
    func sourceParty(of organisation: Organisation) async throws -> String {
        let own = try await Relay(database: self.database).secretariatCeptoars(of: organisation.requireID())
        let keys = own.isEmpty ? [] : try await Ceptoar.query(on: self.database).filter(\.$id ~~ Array(own)).all().map(\.key)
        return Self.sourceParty(handle: Parties.stixParty(organisation).handle, runs: Set(keys))
    }

    /// The rule itself, for an organisation's handle and the keys of the CEPTOARs it runs.
    static func sourceParty(handle: String, runs ceptoars: Set<String>) -> String {
        if ceptoars.count == 1, let only = ceptoars.first { return Party.ceptoar(only) }
        return Party.organisation(handle)
    }

    /// The sector of the CEPTOAR an organisation runs or belongs to, if one.
    private func sector(of organisation: Organisation) async throws -> String? {
        let membership = try await MapQuery.validOn(Membership.query(on: self.database), .today).filter(\.$organisation.$id == organisation.requireID()).first()
        guard let membership else { return nil }
        let version = try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today).filter(\.$ceptoar.$id == membership.$ceptoar.id).with(\.$sector).first()
        return version?.sector.key
    }

    /// Sector notes the relay hops added, each as a STIX `note` by the hop's organisation.
    private func notes(of advisory: Advisory) async throws -> [SharedAdvisory.Note] {
        let hops = try await RelayHop.query(on: self.database).filter(\.$advisory.$id == advisory.requireID()).filter(\.$note != nil).with(\.$organisation).all()
        return hops.compactMap { hop in
            guard let text = hop.note, !text.isEmpty, let id = hop.id else { return nil }
            return SharedAdvisory.Note(key: id.uuidString.lowercased(), author: Parties.stixParty(hop.organisation), text: text, at: hop.forwardedAt ?? Date())
        }
    }
}
