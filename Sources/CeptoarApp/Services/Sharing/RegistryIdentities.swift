import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Keeps the registry's STIX identities in the store (`RegistryMapping`): every CEPTOAR and
/// every organisation the map names, CLEAR, so each collection and `/taxii2` client can resolve
/// a `created_by_ref` to a name and a sector. A registry change becomes a new version of the
/// identity it touches; nothing else changes.
struct RegistryIdentities {
    let database: any Database

    /// The stored identities brought in line with the registry today. Returns how many
    /// versions were written. Call inside the transaction that changed the registry.
    @discardableResult
    func refresh(now: STIXTime = .now()) async throws -> Int {
        let today = Day.today
        let memberships = try await MapQuery.validOn(Membership.query(on: self.database), today)
            .filter(\.$role == Membership.Role.secretariat.rawValue).with(\.$ceptoar).all()
        var runs: [UUID: Set<String>] = [:]
        for membership in memberships { runs[membership.$organisation.id, default: []].insert(membership.ceptoar.key) }

        var wanted: [(object: JSONValue, source: String)] = []
        for organisation in try await Organisation.query(on: self.database).filter(\.$key != nil).all()
        where RegistryMapping.isPublished(organisation.organisationKind) {
            guard let key = organisation.key, let id = organisation.id else { continue }
            // The party its advisories come from.
            let source = StixStore.sourceParty(handle: key, runs: runs[id] ?? [])
            wanted.append((AdvisoryMapping.identity(Parties.stixParty(organisation)), source))
        }
        let versions = try await CeptoarVersion.query(on: self.database).with(\.$ceptoar).with(\.$sector).all()
        let sectorNames = Dictionary(
            try await MapQuery.validOn(SectorVersion.query(on: self.database), today).all().map { ($0.$sector.id, LocalizedText(ja: $0.nameJa, en: $0.nameEn)) },
            uniquingKeysWith: { first, _ in first })
        for (_, history) in Dictionary(grouping: versions, by: { $0.ceptoar.key }).sorted(by: { $0.key < $1.key }) {
            let first = history.map(\.validFrom).min() ?? ""
            guard let current = history.first(where: { MapQuery.isValid(from: $0.validFrom, to: $0.validTo, on: today) }) else { continue }
            let entry = RegistryMapping.CeptoarEntry(
                key: current.ceptoar.key, name: LocalizedText(ja: current.nameJa, en: current.nameEn), sectorKey: current.sector.key,
                sectorName: sectorNames[current.$sector.id] ?? LocalizedText(ja: current.sector.key, en: current.sector.key), since: Parties.since(first))
            wanted.append((RegistryMapping.identity(entry), Party.ceptoar(current.ceptoar.key)))
        }

        let latest = try await self.latestVersions(of: wanted.compactMap { $0.object["id"]?.string })
        var rows: [StixStore.Row] = []
        for (object, source) in wanted {
            guard let id = object["id"]?.string else { continue }
            let version: JSONValue
            if let stored = latest[id] {
                guard let revised = RegistryMapping.revision(of: object, over: stored, at: now) else { continue }
                version = revised
            } else {
                version = object
            }
            guard let modified = version["modified"]?.string.flatMap(STIXTime.init) else { continue }
            rows.append(StixStore.Row(
                objectID: id, type: "identity", versionKey: modified.canonical, revoked: false, tlp: .clear, createdByRef: nil,
                body: version.encoded(), sourceParty: source))
        }
        return try await StixStore(database: self.database).insert(rows).count
    }

    /// The newest stored version of each id, parsed.
    private func latestVersions(of ids: [String]) async throws -> [String: JSONValue] {
        let sql = self.database as! any SQLDatabase
        var newest: [String: (key: String, body: String)] = [:]
        for part in ids.chunked(500) {
            for row in try await sql.raw("SELECT object_id, version_key, body FROM stix_objects WHERE object_id IN (\(binds: Array(part)))").all() {
                let id = try row.decode(column: "object_id", as: String.self)
                let key = try row.decode(column: "version_key", as: String.self)
                if let known = newest[id], known.key >= key { continue }
                newest[id] = (key, try row.decode(column: "body", as: String.self))
            }
        }
        return newest.compactMapValues { try? JSONValue.decode(Data($0.body.utf8)) }
    }
}
