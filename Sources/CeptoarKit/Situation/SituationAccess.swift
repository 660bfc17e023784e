/// Who judges and who reads a scope's situation, and who reads a CEPTOAR's emergency roster.
/// The facts (which CEPTOARs an organisation is the secretariat of, which sectors its ministry
/// is competent for) come from the registry; the decision is here, with the rest of the policy.
extension AccessPolicy {
    /// What the registry says about one person, for the situation and roster rules.
    public struct Coordinator: Sendable, Equatable {
        /// A NISC coordinator (an organisation of the Cabinet Secretariat, with that role).
        public var isNISC: Bool
        /// Sector keys whose competent ministry this person's organisation is, and the person is its liaison.
        public var ministrySectors: Set<String>
        /// CEPTOAR keys whose secretariat this person's organisation is, and the person works for it.
        public var secretariatCeptoars: Set<String>
        /// Sector keys whose CEPTOARs meet in a council (連絡協議会, the map's umbrella, such as
        /// 金融CEPTOAR連絡協議会) that this person's secretariat sits on: the council is the
        /// sector's steering body, and its secretariats act for it.
        public var councilSectors: Set<String>
        /// For reading: sector keys the organisation belongs to (through a CEPTOAR) or oversees.
        public var sectors: Set<String>
        /// For reading: CEPTOAR keys the organisation is a member or secretariat of, or oversees.
        public var ceptoars: Set<String>
        /// Registered in Ceptoar (an anonymous visitor is not).
        public var isCommunity: Bool

        public init(isNISC: Bool = false, ministrySectors: Set<String> = [], secretariatCeptoars: Set<String> = [], councilSectors: Set<String> = [],
                    sectors: Set<String> = [], ceptoars: Set<String> = [], isCommunity: Bool = true) {
            self.isNISC = isNISC
            self.ministrySectors = ministrySectors
            self.secretariatCeptoars = secretariatCeptoars
            self.councilSectors = councilSectors
            self.sectors = sectors.union(ministrySectors)
            self.ceptoars = ceptoars.union(secretariatCeptoars)
            self.isCommunity = isCommunity
        }

        public static let anonymous = Coordinator(isCommunity: false)
    }

    /// Who sets a scope's level: a CEPTOAR's secretariat (for its steering committee), the
    /// competent ministry — or the sector's CEPTOAR council, where there is one — for its
    /// sector, NISC for the nation. NISC, as the national
    /// coordinator, may also set a sector's or a CEPTOAR's level in a crisis; a ministry its
    /// sectors' CEPTOARs'. No one else.
    public static func coordinate(_ scope: SituationScope, by person: Coordinator, sectorOf ceptoarSector: String? = nil) -> Decision {
        if person.isNISC { return .allow }
        switch scope {
        case .nation:
            return .deny(.notCoordinatorOfScope)
        case .sector(let key):
            return person.ministrySectors.contains(key) || person.councilSectors.contains(key) ? .allow : .deny(.notCoordinatorOfScope)
        case .ceptoar(let key):
            if person.secretariatCeptoars.contains(key) { return .allow }
            if let sector = ceptoarSector, person.ministrySectors.contains(sector) { return .allow }
            return .deny(.notCoordinatorOfScope)
        }
    }

    /// Who reads a scope's level and timeline: the nation's anyone in the community; a
    /// sector's its CEPTOARs' members and secretariats, its ministry and NISC; a CEPTOAR's its
    /// members, its secretariat, its sector's ministry and NISC.
    public static func readSituation(_ scope: SituationScope, by person: Coordinator) -> Decision {
        guard person.isCommunity else { return .deny(.outsideCommunity) }
        if person.isNISC { return .allow }
        switch scope {
        case .nation: return .allow
        case .sector(let key): return person.sectors.contains(key) ? .allow : .deny(.notInScope)
        case .ceptoar(let key): return person.ceptoars.contains(key) ? .allow : .deny(.notInScope)
        }
    }

    /// Who reads a CEPTOAR's emergency roster (every member's contacts and the escalation order,
    /// the printable sheet): the CEPTOAR's secretariat, the competent ministry of its sector,
    /// and NISC. Not its members: each member keeps its own contacts, and a list of every
    /// operator's duty phones is exactly what must not leak.
    public static func readRoster(of ceptoar: String, sector: String?, by person: Coordinator) -> Decision {
        guard person.isCommunity else { return .deny(.outsideCommunity) }
        if person.isNISC || person.secretariatCeptoars.contains(ceptoar) { return .allow }
        if let sector, person.ministrySectors.contains(sector) { return .allow }
        return .deny(.rosterIsForCoordinators)
    }
}
