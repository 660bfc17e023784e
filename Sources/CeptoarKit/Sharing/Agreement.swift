/// A mutual agreement (相互合意) under which information crosses sideways, between CEPTOARs and
/// related organisations, on the terms the parties agreed. The policy reads it as these facts;
/// who proposed and approved it, and when, is the application's record.
public struct Agreement: Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Proposed by one party's secretariat; waits for every other party's approval.
        case proposed
        case active
        case suspended
        case terminated

        public var label: LocalizedText {
            switch self {
            case .proposed: return LocalizedText(ja: "提案中（承認待ち）", en: "proposed (awaiting approval)")
            case .active: return LocalizedText(ja: "有効", en: "active")
            case .suspended: return LocalizedText(ja: "停止中", en: "suspended")
            case .terminated: return LocalizedText(ja: "終了", en: "terminated")
            }
        }
    }

    public enum Direction: String, Codable, Sendable, CaseIterable {
        /// Every party gives and receives.
        case both
        /// The first party gives; the others receive.
        case oneWay = "one_way"

        public var label: LocalizedText {
            switch self {
            case .both: return LocalizedText(ja: "双方向", en: "both ways")
            case .oneWay: return LocalizedText(ja: "一方向（提案者から）", en: "one way (from the first party)")
            }
        }
    }

    /// What the agreement covers; an empty set means "any".
    public struct Scope: Sendable, Equatable, Codable {
        /// Advisory categories (`AdvisoryCategory` raw values).
        public var categories: Set<String>
        /// STIX object types (`report`, `indicator`, …).
        public var objectTypes: Set<String>
        /// Sector keys the information originates in.
        public var originSectors: Set<String>

        public init(categories: Set<String> = [], objectTypes: Set<String> = [], originSectors: Set<String> = []) {
            self.categories = categories
            self.objectTypes = objectTypes
            self.originSectors = originSectors
        }

        /// Does the scope cover an item of this category, STIX type and origin sector? An item
        /// that does not say what it is (no category) is outside a scope that names categories.
        public func covers(category: String?, objectType: String?, originSector: String?) -> Bool {
            func within(_ allowed: Set<String>, _ value: String?) -> Bool {
                allowed.isEmpty || value.map(allowed.contains) == true
            }
            return within(self.categories, category) && within(self.objectTypes, objectType) && within(self.originSectors, originSector)
        }
    }

    /// The highest marking an agreement may carry: RED never crosses, and AMBER+STRICT never
    /// leaves its organisation, so AMBER is the ceiling.
    public static let markings: [TLP] = [.clear, .green, .amber]

    public var id: String
    /// Party references (`Party.ceptoar(id)`, `Party.organisation(id)`), in the order given; for a
    /// one-way agreement the first gives.
    public var parties: [String]
    public var direction: Direction
    public var status: Status
    public var validFrom: Day
    /// The last day it is valid; nil: until terminated.
    public var validTo: Day?
    public var scope: Scope
    public var maxTLP: TLP
    public var anonymised: Bool
    public var mayPassOn: Bool

    public init(id: String, parties: [String], direction: Direction = .both, status: Status = .active, validFrom: Day, validTo: Day? = nil,
                scope: Scope = Scope(), maxTLP: TLP = .amber, anonymised: Bool = false, mayPassOn: Bool = false) {
        self.id = id
        self.parties = parties
        self.direction = direction
        self.status = status
        self.validFrom = validFrom
        self.validTo = validTo
        self.scope = scope
        self.maxTLP = maxTLP
        self.anonymised = anonymised
        self.mayPassOn = mayPassOn
    }

    /// In force on `day`: active and within its validity.
    public func inForce(on day: Day) -> Bool {
        self.status == .active && self.validFrom <= day && (self.validTo.map { day <= $0 } ?? true)
    }

    public func expired(on day: Day) -> Bool { self.validTo.map { $0 < day } ?? false }

    /// Parties that give under it.
    public var givers: Set<String> {
        switch self.direction {
        case .both: return Set(self.parties)
        case .oneWay: return Set(self.parties.prefix(1))
        }
    }

    /// Parties that receive under it.
    public var receivers: Set<String> {
        switch self.direction {
        case .both: return Set(self.parties)
        case .oneWay: return Set(self.parties.dropFirst())
        }
    }
}

/// How the policy names a party of an agreement: a whole CEPTOAR (its secretariat and members)
/// or one organisation.
public enum Party {
    public static func ceptoar(_ id: String) -> String { "ceptoar:" + id }
    public static func organisation(_ id: String) -> String { "organisation:" + id }
}
