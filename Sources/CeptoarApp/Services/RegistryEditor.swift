import CeptoarKit
import Fluent
import Foundation

/// Applies registry changes with effective dates: every change closes the version in force and
/// opens the next, so the registry as of any earlier day stays exactly as it was.
struct RegistryEditor {
    let database: any Database

    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// All changes, in order, in one transaction: either all apply or none.
    func apply(_ set: RegistryChangeSet) async throws -> Int {
        defer { WriteGeneration.sharing.advance() }  // who may read what may have changed
        try await self.database.atomically { db in
            for (index, change) in set.changes.enumerated() {
                do {
                    try await Self.apply(change, on: db)
                } catch let refusal as Refusal {
                    throw Refusal(description: "change #\(index + 1) (\(change.op.rawValue) \(change.key)): \(refusal.description)")
                }
            }
            try await RegistryRevision.bump(on: db)
            try await RegistryIdentities(database: db).refresh()
        }
        return set.changes.count
    }

    private static func apply(_ change: RegistryChange, on db: any Database) async throws {
        let day = change.effective.iso
        switch change.op {
        case .addOrganisation:
            if try await Organisation.query(on: db).filter(\.$key == change.key).first() != nil {
                throw Refusal(description: "an organisation with this key exists")
            }
            try await Organisation(key: change.key, kind: change.kind!, name: change.name!, validFrom: change.effective).create(on: db)

        case .addSector:
            if try await Sector.query(on: db).filter(\.$key == change.key).first() != nil {
                throw Refusal(description: "a sector with this key exists")
            }
            let ministry = try await self.organisation(change.ministry!, on: db)
            let sector = Sector(key: change.key)
            try await sector.create(on: db)
            let version = SectorVersion()
            version.$sector.id = try sector.requireID()
            version.$ministry.id = try ministry.requireID()
            version.validFrom = day
            version.nameJa = change.name!.ja
            version.nameEn = change.name!.en
            version.changeNote = change.note
            try await version.create(on: db)

        case .renameSector:
            let current = try await self.currentSectorVersion(change.key, at: change.effective, on: db)
            let next = SectorVersion()
            next.$sector.id = current.$sector.id
            if let ministry = change.ministry {
                next.$ministry.id = try await self.organisation(ministry, on: db).requireID()
            } else {
                next.$ministry.id = current.$ministry.id
            }
            next.validFrom = day
            next.nameJa = change.name!.ja
            next.nameEn = change.name!.en
            next.changeNote = change.note
            current.validTo = day
            try await current.save(on: db)
            try await next.create(on: db)

        case .retireSector:
            let current = try await self.currentSectorVersion(change.key, at: change.effective, on: db)
            let open = try await CeptoarVersion.query(on: db).filter(\.$sector.$id == current.$sector.id).filter(\.$validTo == nil).count()
            guard open == 0 else {
                throw Refusal(description: "\(open) CEPTOAR(s) still belong to this sector; move or retire them first")
            }
            current.validTo = day
            try await current.save(on: db)

        case .addCeptoar:
            if try await Ceptoar.query(on: db).filter(\.$key == change.key).first() != nil {
                throw Refusal(description: "a CEPTOAR with this key exists")
            }
            try await self.createCeptoar(key: change.key, fields: change.ceptoar!, base: nil, effective: change.effective, note: change.note, on: db)

        case .updateCeptoar, .renameCeptoar:
            let current = try await self.currentCeptoarVersion(change.key, at: change.effective, on: db)
            var fields = change.ceptoar ?? CeptoarFields()
            if change.op == .renameCeptoar { fields.name = change.name }
            let next = try await self.version(from: current, applying: fields, effective: change.effective, on: db)
            next.changeNote = change.note
            current.validTo = day
            try await current.save(on: db)
            try await next.create(on: db)

        case .retireCeptoar:
            let current = try await self.currentCeptoarVersion(change.key, at: change.effective, on: db)
            try await self.retire(current, on: change.effective, db: db)

        case .splitCeptoar:
            let current = try await self.currentCeptoarVersion(change.key, at: change.effective, on: db)
            try await self.retire(current, on: change.effective, db: db)
            for fields in change.into! {
                guard let key = fields.key else { continue }
                if try await Ceptoar.query(on: db).filter(\.$key == key).first() != nil {
                    throw Refusal(description: "a CEPTOAR with key '\(key)' exists")
                }
                let successor = try await self.createCeptoar(key: key, fields: fields, base: current, effective: change.effective, note: change.note, on: db)
                let lineage = CeptoarLineage()
                lineage.$predecessor.id = current.$ceptoar.id
                lineage.$successor.id = try successor.requireID()
                lineage.kind = "split"
                lineage.effective = day
                try await lineage.create(on: db)
            }
        }
    }

    private static func retire(_ version: CeptoarVersion, on effective: Day, db: any Database) async throws {
        version.validTo = effective.iso
        try await version.save(on: db)
        let memberships = try await Membership.query(on: db).filter(\.$ceptoar.$id == version.$ceptoar.id).filter(\.$validTo == nil).all()
        for membership in memberships {
            membership.validTo = effective.iso
            try await membership.save(on: db)
        }
    }

    @discardableResult
    private static func createCeptoar(key: String, fields: CeptoarFields, base: CeptoarVersion?, effective: Day, note: String?, on db: any Database) async throws -> Ceptoar {
        let ceptoar = Ceptoar(key: key)
        try await ceptoar.create(on: db)
        let version: CeptoarVersion
        if let base {
            version = try await self.version(from: base, applying: fields, effective: effective, on: db)
        } else {
            version = CeptoarVersion()
            version.validFrom = effective.iso
            let maxPosition = try await CeptoarVersion.query(on: db).max(\.$position) ?? 0
            version.position = fields.position ?? maxPosition + 1
            version.memberCount = 0
            version.membersText = ""
            // Fluent fields must be assigned directly: a key-path write reads the unset value first.
            version.establishedText = ""
            version.pocText = ""
            version.rulesText = ""
            version.contactText = ""
            version.contactInformation = ""
            version.channels = ""
            version.featuresJa = ""
            try await self.assign(fields, to: version, on: db)
        }
        version.$ceptoar.id = try ceptoar.requireID()
        version.changeNote = note
        try await version.create(on: db)
        return ceptoar
    }

    /// A copy of `current` starting at `effective`, with `fields` applied.
    private static func version(from current: CeptoarVersion, applying fields: CeptoarFields, effective: Day, on db: any Database) async throws -> CeptoarVersion {
        let next = CeptoarVersion()
        (next.scopeJa, next.scopeEn) = (current.scopeJa, current.scopeEn)
        (next.nameJa, next.nameEn, next.nameNote) = (current.nameJa, current.nameEn, current.nameNote)
        (next.secretariatJa, next.secretariatEn) = (current.secretariatJa, current.secretariatEn)
        (next.establishedText, next.establishedOn) = (current.establishedText, current.establishedOn)
        (next.membersText, next.membersEn) = (current.membersText, current.membersEn)
        (next.pocText, next.pocOn) = (current.pocText, current.pocOn)
        (next.rulesText, next.rulesOn) = (current.rulesText, current.rulesOn)
        (next.contactText, next.contactInformation, next.channels) = (current.contactText, current.contactInformation, current.channels)
        (next.featuresJa, next.featuresEn) = (current.featuresJa, current.featuresEn)
        next.$ceptoar.id = current.$ceptoar.id
        next.$sector.id = current.$sector.id
        next.$umbrella.id = current.$umbrella.id
        next.$secretariatOrganisation.id = current.$secretariatOrganisation.id
        next.position = current.position
        next.memberCount = current.memberCount
        next.validFrom = effective.iso
        try await self.assign(fields, to: next, on: db)
        return next
    }

    private static func assign(_ fields: CeptoarFields, to version: CeptoarVersion, on db: any Database) async throws {
        if let key = fields.sector {
            guard let sector = try await Sector.query(on: db).filter(\.$key == key).first() else {
                throw Refusal(description: "no sector with key '\(key)'")
            }
            version.$sector.id = try sector.requireID()
        }
        if let key = fields.umbrella {
            guard let umbrella = try await Umbrella.query(on: db).filter(\.$key == key).first() else {
                throw Refusal(description: "no umbrella with key '\(key)'")
            }
            version.$umbrella.id = try umbrella.requireID()
        }
        if let position = fields.position { version.position = position }
        if let scope = fields.scope { (version.scopeJa, version.scopeEn) = (scope.ja, scope.en) }
        if let name = fields.name { (version.nameJa, version.nameEn, version.nameNote) = (name.ja, name.en, nil) }
        if let secretariat = fields.secretariat {
            (version.secretariatJa, version.secretariatEn) = (secretariat.ja, secretariat.en)
            version.$secretariatOrganisation.id = try await Organisation.query(on: db).filter(\.$nameJa == secretariat.ja).first()?.requireID()
        }
        if let cell = fields.established { (version.establishedText, version.establishedOn) = (cell.text, cell.date.iso) }
        if let members = fields.members { (version.membersText, version.membersEn, version.memberCount) = (members.text, members.en, members.count) }
        if let cell = fields.poc { (version.pocText, version.pocOn) = (cell.text, cell.date.iso) }
        if let cell = fields.rules { (version.rulesText, version.rulesOn) = (cell.text, cell.date.iso) }
        if let contact = fields.contact {
            version.contactText = contact.text
            version.contactInformation = contact.information
            version.channels = contact.channels.map(\.rawValue).joined(separator: ",")
        }
        if let features = fields.features { (version.featuresJa, version.featuresEn) = (features.ja, features.en) }
    }

    private static func organisation(_ key: String, on db: any Database) async throws -> Organisation {
        guard let organisation = try await Organisation.query(on: db).filter(\.$key == key).first() else {
            throw Refusal(description: "no organisation with key '\(key)'")
        }
        return organisation
    }

    private static func currentSectorVersion(_ key: String, at day: Day, on db: any Database) async throws -> SectorVersion {
        guard let sector = try await Sector.query(on: db).filter(\.$key == key).first() else {
            throw Refusal(description: "no sector with key '\(key)'")
        }
        guard let version = try await SectorVersion.query(on: db).filter(\.$sector.$id == sector.requireID()).filter(\.$validTo == nil).first() else {
            throw Refusal(description: "the sector is retired")
        }
        guard version.validFrom < day.iso else {
            throw Refusal(description: "the sector's current version starts on \(version.validFrom); changes must come later")
        }
        return version
    }

    private static func currentCeptoarVersion(_ key: String, at day: Day, on db: any Database) async throws -> CeptoarVersion {
        guard let ceptoar = try await Ceptoar.query(on: db).filter(\.$key == key).first() else {
            throw Refusal(description: "no CEPTOAR with key '\(key)'")
        }
        guard let version = try await CeptoarVersion.query(on: db).filter(\.$ceptoar.$id == ceptoar.requireID()).filter(\.$validTo == nil).first() else {
            throw Refusal(description: "the CEPTOAR is retired")
        }
        guard version.validFrom < day.iso else {
            throw Refusal(description: "the CEPTOAR's current version starts on \(version.validFrom); changes must come later")
        }
        return version
    }
}
