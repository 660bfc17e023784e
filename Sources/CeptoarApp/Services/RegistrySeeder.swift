import CeptoarKit
import Fluent
import Foundation

/// Loads a `SeedDocument` into the registry, all in one transaction: either the whole map is
/// there afterwards, or nothing is.
struct RegistrySeeder {
    let database: any Database

    enum Outcome: Equatable {
        case loaded(ceptoars: Int)
        case alreadySeeded
    }

    func isSeeded() async throws -> Bool {
        try await Ceptoar.query(on: self.database).count() > 0
    }

    func load(_ seed: SeedDocument) async throws -> Outcome {
        if try await self.isSeeded() { return .alreadySeeded }
        try await self.database.atomically { db in
            try await Self.insert(seed, on: db)
            try await RegistryRevision.bump(on: db)
            try await RegistryIdentities(database: db).refresh()
        }
        return .loaded(ceptoars: seed.ceptoars.count)
    }

    private static func insert(_ seed: SeedDocument, on db: any Database) async throws {
        let firstDay = seed.ceptoars.map(\.established.date.day).min() ?? seed.source.asOf.date
        var organisations: [String: Organisation] = [:]
        for entry in seed.organisations {
            let organisation = Organisation(key: entry.key, kind: entry.kind, name: entry.name, validFrom: firstDay)
            try await organisation.create(on: db)
            organisations[entry.key] = organisation
        }
        var umbrellas: [String: Umbrella] = [:]
        for entry in seed.umbrellas {
            let umbrella = Umbrella()
            umbrella.key = entry.key
            umbrella.nameJa = entry.name.ja
            umbrella.nameEn = entry.name.en
            try await umbrella.create(on: db)
            umbrellas[entry.key] = umbrella
        }
        var sectors: [String: Sector] = [:]
        for entry in seed.sectors {
            let sector = Sector(key: entry.key)
            try await sector.create(on: db)
            sectors[entry.key] = sector
            // A sector enters the records with its first CEPTOAR: the seven existing sectors in
            // 2007, medical, water and logistics in 2008, as the seed's narrative says.
            let since = seed.ceptoars.filter { $0.sector == entry.key }.map(\.established.date.day).min() ?? firstDay
            let version = SectorVersion()
            version.$sector.id = try sector.requireID()
            version.$ministry.id = try organisations[entry.ministry]!.requireID()
            version.validFrom = since.iso
            version.nameJa = entry.name.ja
            version.nameEn = entry.name.en
            try await version.create(on: db)
        }
        for entry in seed.ceptoars {
            let ceptoar = Ceptoar(key: entry.key)
            try await ceptoar.create(on: db)
            let since = entry.established.date.day
            let secretariat = try await Self.secretariat(for: entry, among: organisations, since: since, on: db)
            let version = CeptoarVersion(entry, ceptoar: try ceptoar.requireID(), sector: try sectors[entry.sector]!.requireID(),
                umbrella: try entry.umbrella.map { try umbrellas[$0]!.requireID() }, secretariat: try secretariat.requireID())
            try await version.create(on: db)
            let membership = Membership()
            membership.$organisation.id = try secretariat.requireID()
            membership.$ceptoar.id = try ceptoar.requireID()
            membership.role = Membership.Role.secretariat.rawValue
            membership.validFrom = since.iso
            try await membership.create(on: db)
            // The map records that each CEPTOAR enacted rules, not their text: version 1 says so
            // honestly and waits for the secretariat to publish the real text as version 2.
            let rules = HandlingRules()
            rules.$ceptoar.id = try ceptoar.requireID()
            rules.version = 1
            rules.effectiveFrom = entry.rules.date.day.iso
            rules.textJa = "\(entry.rules.text)（2009年の特性把握マップに制定の記録あり。本文は未登録です。事務局が登録してください。）"
            rules.textEn = "Enacted \(entry.rules.date.iso) according to the 2009 characteristics map; the text is not registered yet."
            rules.defaultTLP = TLP.amber.rawValue
            rules.greenToContractors = false
            rules.externalPolicy = "発信元の同意なく構成員以外へ提供しない。 / Nothing leaves the community without the originator's consent."
            try await rules.create(on: db)
            for group in entry.groups ?? [] {
                let row = CeptoarGroup()
                row.$ceptoar.id = try ceptoar.requireID()
                row.code = group.code
                row.kind = group.kind.rawValue
                row.nameJa = group.name.ja
                row.nameEn = group.name.en
                row.validFrom = since.iso
                try await row.create(on: db)
            }
            for overview in entry.overviews ?? [] {
                let row = CeptoarOverview()
                row.$ceptoar.id = try ceptoar.requireID()
                row.fiscalYear = overview.fiscalYear
                row.nameText = overview.name
                row.secretariatText = overview.secretariat
                row.body = overview.body
                try await row.create(on: db)
            }
        }
    }

    /// The secretariat named in the map, reusing an organisation of the same name (厚生労働省
    /// is both a ministry and the medical CEPTOAR's secretariat).
    private static func secretariat(
        for entry: SeedDocument.Ceptoar, among organisations: [String: Organisation], since: Day, on db: any Database
    ) async throws -> Organisation {
        if let existing = organisations.values.first(where: { $0.nameJa == entry.secretariat.ja }) {
            return existing
        }
        let organisation = Organisation(
            key: "\(entry.key)-secretariat", kind: .secretariat, name: entry.secretariat, validFrom: since)
        try await organisation.create(on: db)
        return organisation
    }
}

extension CeptoarVersion {
    convenience init(_ entry: SeedDocument.Ceptoar, ceptoar: UUID, sector: UUID, umbrella: UUID?, secretariat: UUID?) {
        self.init()
        self.$ceptoar.id = ceptoar
        self.$sector.id = sector
        self.$umbrella.id = umbrella
        self.$secretariatOrganisation.id = secretariat
        self.validFrom = entry.established.date.day.iso
        self.position = entry.position
        self.scopeJa = entry.scope.ja
        self.scopeEn = entry.scope.en
        self.nameJa = entry.name.ja
        self.nameEn = entry.name.en
        self.nameNote = entry.name.note
        self.secretariatJa = entry.secretariat.ja
        self.secretariatEn = entry.secretariat.en
        self.establishedText = entry.established.text
        self.establishedOn = entry.established.date.iso
        self.membersText = entry.members.text
        self.membersEn = entry.members.en
        self.memberCount = entry.members.count
        self.pocText = entry.poc.text
        self.pocOn = entry.poc.date.iso
        self.rulesText = entry.rules.text
        self.rulesOn = entry.rules.date.iso
        self.contactText = entry.contact.text
        self.contactInformation = entry.contact.information
        self.channels = entry.contact.channels.map(\.rawValue).joined(separator: ",")
        self.featuresJa = entry.features.ja
        self.featuresEn = entry.features.en
    }
}
