import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Builds the characteristics map from the registry as it stood on one day.
struct MapQuery {
    let database: any Database
    /// The application's cache; without one every call builds the map afresh.
    var cache: MapCache? = nil
    /// The registry revision as recently read (see `FreshCache`), so a cached map costs no
    /// query; without it each call reads the revision.
    var revisions: FreshCache<Int, Int>? = nil

    /// Fluent filter for rows valid on `day`: `valid_from <= day < valid_to` (open end when null).
    static func validOn<M: Model>(_ query: QueryBuilder<M>, _ day: Day) -> QueryBuilder<M> {
        query.filter(.path(["valid_from"], schema: M.schema), .lessThanOrEqual, .bind(day.iso))
            .group(.or) {
                $0.filter(.path(["valid_to"], schema: M.schema), .equal, .null)
                    .filter(.path(["valid_to"], schema: M.schema), .greaterThan, .bind(day.iso))
            }
    }

    /// The same condition for a version already read.
    static func isValid(from: String, to: String?, on day: Day) -> Bool {
        from <= day.iso && (to.map { $0 > day.iso } ?? true)
    }

    /// The same condition in raw SQL, for the table known as `alias` in a hand-written query.
    static func validOnSQL(_ alias: String, _ day: Day) -> SQLQueryString {
        "\(unsafeRaw: alias).valid_from <= \(bind: day.iso) AND (\(unsafeRaw: alias).valid_to IS NULL OR \(unsafeRaw: alias).valid_to > \(bind: day.iso))"
    }

    /// The map as of `day`, from the cache when the registry has not changed since it was built.
    func map(asOf day: Day) async throws -> CharacteristicsMap {
        guard let cache = self.cache else { return try await self.build(asOf: day) }
        let database = self.database
        let revision: Int
        if let revisions = self.revisions {
            revision = try await revisions.value(for: 1) { try await RegistryRevision.current(on: database) }
        } else {
            revision = try await RegistryRevision.current(on: database)
        }
        if let cached = cache.map(for: day, revision: revision) { return cached }
        let map = try await self.build(asOf: day)
        cache.store(map, for: day, revision: revision)
        return map
    }

    func build(asOf day: Day) async throws -> CharacteristicsMap {
        let versions = try await Self.validOn(CeptoarVersion.query(on: self.database), day)
            .with(\.$ceptoar)
            .with(\.$sector)
            .with(\.$umbrella)
            .sort(\.$position)
            .all()
        let sectorVersions = try await Self.validOn(SectorVersion.query(on: self.database), day).all()
        let sectorNames = Dictionary(
            sectorVersions.map { ($0.$sector.id, LocalizedText(ja: $0.nameJa, en: $0.nameEn)) },
            uniquingKeysWith: { first, _ in first })
        let columns = versions.map { version in
            MapColumn(
                ceptoarKey: version.ceptoar.key,
                sectorKey: version.sector.key,
                sector: sectorNames[version.$sector.id] ?? LocalizedText(ja: version.sector.key),
                scope: LocalizedText(ja: version.scopeJa, en: version.scopeEn),
                name: LocalizedText(ja: version.nameJa, en: version.nameEn),
                umbrellaKey: version.umbrella?.key,
                umbrella: version.umbrella.map { LocalizedText(ja: $0.nameJa, en: $0.nameEn) },
                secretariat: LocalizedText(ja: version.secretariatJa, en: version.secretariatEn),
                established: DatedCell(text: version.establishedText, date: version.establishedOn.flatMap(EraDate.init(iso:))),
                members: LocalizedText(ja: version.membersText, en: version.membersEn),
                memberCount: version.memberCount,
                poc: DatedCell(text: version.pocText, date: version.pocOn.flatMap(EraDate.init(iso:))),
                rules: DatedCell(text: version.rulesText, date: version.rulesOn.flatMap(EraDate.init(iso:))),
                contact: version.contactText,
                information: version.contactInformation,
                channels: version.channelList,
                features: LocalizedText(ja: version.featuresJa, en: version.featuresEn))
        }
        let seed = try? SeedDocument.bundled()
        return CharacteristicsMap(
            asOf: day,
            title: seed?.source.title_map ?? LocalizedText(ja: "セプター特性把握マップ", en: "CEPTOAR characteristics map"),
            note: seed?.source.note,
            columns: columns)
    }
}
