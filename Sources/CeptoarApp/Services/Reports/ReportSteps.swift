import CeptoarKit
import Fluent
import Foundation

/// The registry's answers a report's relay needs: which organisations hold each step for a
/// CEPTOAR (its secretariat, its sector's competent ministry, NISC), the CEPTOAR's sector, and
/// what identifies a reporter (for anonymisation).
struct ReportSteps {
    let database: any Database

    /// The CEPTOAR's sector today.
    func sector(of ceptoar: UUID) async throws -> UUID? {
        try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today).filter(\.$ceptoar.$id == ceptoar).first()?.$sector.id
    }

    /// The organisations holding `step` for a report filed to `ceptoar` in `sector`.
    func holders(_ step: AccessPolicy.ReportStep, ceptoar: UUID, sector: UUID) async throws -> [UUID] {
        switch step {
        case .ceptoar:
            let memberships = try await MapQuery.validOn(Membership.query(on: self.database), .today)
                .filter(\.$ceptoar.$id == ceptoar).filter(\.$role == Membership.Role.secretariat.rawValue).all()
            return Array(Set(memberships.map { $0.$organisation.id })).sorted { $0.uuidString < $1.uuidString }
        case .ministry:
            let versions = try await MapQuery.validOn(SectorVersion.query(on: self.database), .today).filter(\.$sector.$id == sector).all()
            return Array(Set(versions.map { $0.$ministry.id })).sorted { $0.uuidString < $1.uuidString }
        case .nisc:
            return try await Organisation.query(on: self.database).filter(\.$kind == OrganisationKind.cabinetSecretariat.rawValue)
                .filter(\.$validTo == nil).all().compactMap(\.id)
        }
    }

    /// The CEPTOARs the organisation is a member of today.
    func memberCeptoars(of organisation: UUID) async throws -> [Ceptoar] {
        try await MapQuery.validOn(Membership.query(on: self.database), .today).filter(\.$organisation.$id == organisation)
            .filter(\.$role == Membership.Role.member.rawValue).with(\.$ceptoar).all().map(\.ceptoar)
    }

    /// What names the organisation: its names and handle, its users' and contacts' mail
    /// domains and addresses.
    func redaction(for organisation: UUID) async throws -> ReportRedaction {
        try await self.redactions(for: [organisation])[organisation] ?? ReportRedaction(names: [], domains: [])
    }

    /// The same for several organisations with three queries in all: correlation shows up to
    /// fifty linked reports, each anonymised one by a reporter of its own (three queries per
    /// reporter were most of its time on PostgreSQL).
    func redactions(for organisations: Set<UUID>) async throws -> [UUID: ReportRedaction] {
        guard !organisations.isEmpty else { return [:] }
        let ids = Array(organisations)
        let records = try await Organisation.query(on: self.database).filter(\.$id ~~ ids).all()
        let users = Dictionary(grouping: try await User.query(on: self.database).filter(\.$organisation.$id ~~ ids).all()) { $0.$organisation.id }
        let contacts = Dictionary(grouping: try await PocContact.query(on: self.database).filter(\.$organisation.$id ~~ ids).with(\.$methods).all()) { $0.$organisation.id }
        var result: [UUID: ReportRedaction] = [:]
        for record in records {
            guard let organisation = record.id else { continue }
            var names = [record.nameJa, record.nameEn ?? "", record.key ?? "", organisation.uuidString]
            var addresses: [String] = []
            for user in users[organisation] ?? [] {
                addresses.append(user.email)
                names.append(user.displayName)
            }
            for contact in contacts[organisation] ?? [] {
                names.append(contact.name)
                for method in contact.methods { addresses.append(method.address) }
            }
            var domains: [String] = []
            for address in addresses {
                if let at = address.lastIndex(of: "@") { domains.append(String(address[address.index(after: at)...])) }
            }
            result[organisation] = ReportRedaction(names: names, domains: domains.filter { !Self.sharedMailDomains.contains($0.lowercased()) }, addresses: addresses)
        }
        return result
    }

    /// Public mail services: an address there names its owner, its domain names no one.
    static let sharedMailDomains: Set<String> = ["gmail.com", "yahoo.co.jp", "outlook.com", "outlook.jp", "hotmail.com", "icloud.com", "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp"]
}
