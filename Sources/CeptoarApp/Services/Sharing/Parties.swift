import CeptoarKit
import Fluent
import Foundation

/// Agreement parties against the registry: which exist, which the signed-in user acts for, and
/// which parties an organisation belongs to (what the access policy's viewer carries).
struct Parties {
    let database: any Database

    /// A party reference parsed: `ceptoar:KEY` or `organisation:KEY`.
    enum Ref: Hashable {
        case ceptoar(String)
        case organisation(String)

        init?(_ text: String) {
            if text.hasPrefix("ceptoar:") {
                self = .ceptoar(String(text.dropFirst(8)))
            } else if text.hasPrefix("organisation:") {
                self = .organisation(String(text.dropFirst(13)))
            } else {
                return nil
            }
        }

        var text: String {
            switch self {
            case .ceptoar(let key): return Party.ceptoar(key)
            case .organisation(let key): return Party.organisation(key)
            }
        }
    }

    /// The party's name as the registry has it today, or nil when there is no such party.
    func name(of party: String) async throws -> LocalizedText? {
        switch Ref(party) {
        case .ceptoar(let key):
            guard let ceptoar = try await Ceptoar.query(on: self.database).filter(\.$key == key).first() else { return nil }
            let version = try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today).filter(\.$ceptoar.$id == ceptoar.requireID()).first()
            return version.map { LocalizedText(ja: $0.scopeJa, en: $0.scopeEn) } ?? LocalizedText(ja: key, en: key)
        case .organisation(let key):
            return try await Organisation.query(on: self.database).filter(\.$key == key).first()?.name
        case nil:
            return nil
        }
    }

    /// The parties an organisation belongs to today: itself (by key, else id) and every CEPTOAR
    /// it is a member or the secretariat of.
    func of(organisation: UUID) async throws -> Set<String> {
        let memberships = try await MapQuery.validOn(Membership.query(on: self.database), .today)
            .filter(\.$organisation.$id == organisation).filter(\.$role ~~ [Membership.Role.member.rawValue, Membership.Role.secretariat.rawValue])
            .with(\.$ceptoar).all()
        var parties = Set(memberships.map { Party.ceptoar($0.ceptoar.key) })
        if let key = try await Organisation.find(organisation, on: self.database)?.key {
            parties.insert(Party.organisation(key))
        } else {
            parties.insert(Party.organisation(organisation.uuidString))
        }
        return parties
    }

    /// The parties `user` may act for: a CEPTOAR whose secretariat the user's organisation is
    /// (with the secretariat role), or the user's own related organisation (secretariat or
    /// analyst role).
    func actingFor(_ user: User) async throws -> Set<String> {
        var result: Set<String> = []
        if user.has(.ceptoarSecretariat) {
            let own = try await Relay(database: self.database).secretariatCeptoars(of: user.$organisation.id)
            let ceptoars = try await Ceptoar.query(on: self.database).filter(\.$id ~~ Array(own)).all()
            result.formUnion(ceptoars.map { Party.ceptoar($0.key) })
        }
        if user.has(.ceptoarSecretariat) || user.has(.analyst), let key = try await user.$organisation.get(on: self.database).key {
            result.insert(Party.organisation(key))
        }
        return result
    }
}

extension Parties {
    /// The organisations that speak for a party: the secretariat of a CEPTOAR today, or the
    /// organisation itself.
    func organisations(of party: String) async throws -> [Organisation] {
        switch Ref(party) {
        case .ceptoar(let key):
            guard let ceptoar = try await Ceptoar.query(on: self.database).filter(\.$key == key).first() else { return [] }
            let versions = try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today).filter(\.$ceptoar.$id == ceptoar.requireID()).all()
            let ids = versions.compactMap { $0.$secretariatOrganisation.id }
            return try await Organisation.query(on: self.database).filter(\.$id ~~ ids).all()
        case .organisation(let key):
            return try await Organisation.query(on: self.database).filter(\.$key == key).all()
        case nil:
            return []
        }
    }

    /// The STIX identities that may author what a party sends: its organisations' identities,
    /// and under an agreement the party's pseudonym there.
    func authors(of party: String, agreement: String?) async throws -> Set<String> {
        var result = Set(try await self.organisations(of: party).map { Self.stixParty($0).identityID })
        if let agreement { result.insert(CollectionReader.pseudonym(agreement: agreement, party: party)) }
        return result
    }

    /// The sector of a CEPTOAR party (nil for an organisation party).
    func sector(of party: String) async throws -> String? {
        guard case .ceptoar(let key) = Ref(party), let ceptoar = try await Ceptoar.query(on: self.database).filter(\.$key == key).first() else { return nil }
        return try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today).filter(\.$ceptoar.$id == ceptoar.requireID()).with(\.$sector).first()?.sector.key
    }

    static func stixParty(_ organisation: Organisation) -> STIXParty {
        STIXParty(
            handle: organisation.key ?? organisation.id?.uuidString ?? "", name: organisation.name, kind: organisation.organisationKind,
            since: Self.since(organisation.validFrom))
    }

    /// A registry entry's first effective day as an identity's `created`: midnight UTC of that
    /// day, the same on every node (the row's own creation time is not).
    static func since(_ validFrom: String) -> STIXTime {
        STIXTime(validFrom + "T00:00:00Z") ?? Self.mapEpoch
    }

    /// 2007-01-01, before the first CEPTOAR: for an entry whose day does not read.
    static let mapEpoch = STIXTime(Date(timeIntervalSince1970: 1_167_609_600))
}
