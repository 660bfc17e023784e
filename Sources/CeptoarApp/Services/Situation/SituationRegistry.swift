import CeptoarKit
import Fluent
import Foundation

/// The registry as the situation needs it today: every CEPTOAR with its sector, secretariat and
/// competent ministry, and every sector with its ministry — to name scopes, to find who
/// coordinates them, and which CEPTOARs a scope covers.
struct SituationRegistry: Sendable {
    struct CeptoarEntry: Sendable {
        var id: UUID
        var key: String
        var name: LocalizedText
        var sectorID: UUID
        var sectorKey: String
        var secretariat: UUID?
        /// The council (umbrella) it meets in, if any.
        var council: UUID?
        var position: Int
    }

    struct SectorEntry: Sendable {
        var id: UUID
        var key: String
        var name: LocalizedText
        var ministry: UUID
    }

    var ceptoars: [CeptoarEntry]
    var sectors: [SectorEntry]

    static func load(on db: any Database, day: Day = .today) async throws -> SituationRegistry {
        let versions = try await MapQuery.validOn(CeptoarVersion.query(on: db), day).with(\.$ceptoar).with(\.$sector).all()
        let sectorVersions = try await MapQuery.validOn(SectorVersion.query(on: db), day).with(\.$sector).all()
        return SituationRegistry(
            ceptoars: versions.map {
                CeptoarEntry(
                    id: $0.$ceptoar.id, key: $0.ceptoar.key, name: LocalizedText(ja: $0.nameJa, en: $0.nameEn), sectorID: $0.$sector.id,
                    sectorKey: $0.sector.key, secretariat: $0.$secretariatOrganisation.id, council: $0.$umbrella.id, position: $0.position)
            }.sorted { $0.position < $1.position },
            sectors: sectorVersions.map { SectorEntry(id: $0.$sector.id, key: $0.sector.key, name: LocalizedText(ja: $0.nameJa, en: $0.nameEn), ministry: $0.$ministry.id) }
                .sorted { $0.key < $1.key })
    }

    func ceptoar(_ key: String) -> CeptoarEntry? { self.ceptoars.first { $0.key == key } }
    func sector(_ key: String) -> SectorEntry? { self.sectors.first { $0.key == key } }

    /// Whether the scope names something in the registry today.
    func exists(_ scope: SituationScope) -> Bool {
        switch scope {
        case .nation: true
        case .sector(let key): self.sector(key) != nil
        case .ceptoar(let key): self.ceptoar(key) != nil
        }
    }

    /// The CEPTOARs a scope covers.
    func ceptoars(in scope: SituationScope) -> [CeptoarEntry] {
        switch scope {
        case .nation: self.ceptoars
        case .sector(let key): self.ceptoars.filter { $0.sectorKey == key }
        case .ceptoar(let key): self.ceptoars.filter { $0.key == key }
        }
    }

    /// The scopes directly inside this one (a sector's CEPTOARs, the nation's sectors).
    func inner(_ scope: SituationScope) -> [SituationScope] {
        switch scope {
        case .nation: self.sectors.map { .sector($0.key) }
        case .sector(let key): self.ceptoars.filter { $0.sectorKey == key }.map { .ceptoar($0.key) }
        case .ceptoar: []
        }
    }

    /// The scopes a CEPTOAR lies in, widest first.
    func scopes(ofCeptoar id: UUID) -> [SituationScope] {
        guard let entry = self.ceptoars.first(where: { $0.id == id }) else { return [.nation] }
        return [.nation, .sector(entry.sectorKey), .ceptoar(entry.key)]
    }

    func name(_ scope: SituationScope) -> LocalizedText {
        switch scope {
        case .nation: LocalizedText(ja: "全国（全分野）", en: "Nation (all sectors)")
        case .sector(let key): self.sector(key).map { LocalizedText(ja: "\($0.name.ja)分野", en: "\($0.name.text(.en)) sector") } ?? LocalizedText(ja: key)
        case .ceptoar(let key): self.ceptoar(key)?.name ?? LocalizedText(ja: key)
        }
    }

    /// What the registry says about one user, for the policy's situation and roster rules.
    func coordinator(for user: User?, organisation: Organisation?, memberships: [Membership]) -> AccessPolicy.Coordinator {
        guard let user, let organisation, let orgID = organisation.id else { return .anonymous }
        let isNISC = organisation.organisationKind == .cabinetSecretariat && user.has(.niscCoordinator)
        let overseen = Set(self.sectors.filter { $0.ministry == orgID }.map(\.key))
        let secretariat = Set(memberships.filter { $0.role == Membership.Role.secretariat.rawValue }.compactMap { m in self.ceptoars.first { $0.id == m.$ceptoar.id }?.key })
        let member = Set(memberships.compactMap { m in self.ceptoars.first { $0.id == m.$ceptoar.id }?.key })
        let ceptoars = member.union(self.ceptoars.filter { overseen.contains($0.sectorKey) }.map(\.key))
        let sectors = Set(self.ceptoars.filter { ceptoars.contains($0.key) }.map(\.sectorKey)).union(overseen)
        return AccessPolicy.Coordinator(
            isNISC: isNISC, ministrySectors: user.has(.ministryLiaison) ? overseen : [],
            secretariatCeptoars: user.has(.ceptoarSecretariat) ? secretariat : [],
            councilSectors: user.has(.ceptoarSecretariat) ? Set(self.ceptoars.filter { secretariat.contains($0.key) && $0.council != nil }.map(\.sectorKey)) : [],
            sectors: sectors, ceptoars: ceptoars.union(secretariat))
    }
}
