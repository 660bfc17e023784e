/// The registry as STIX 2.1 `identity` objects: every CEPTOAR (a `group` with its sector) and
/// every organisation the map names — NISC, the ministries, the secretariats, the related
/// organisations. Member operators appear only as the authors of what they share: who is a
/// member of which CEPTOAR is not published by the map. Ids derive from registry keys, so each
/// is the same object on every node.
public enum RegistryMapping {
    /// A CEPTOAR as the registry has it today.
    public struct CeptoarEntry: Sendable, Equatable {
        public var key: String
        public var name: LocalizedText
        public var sectorKey: String
        public var sectorName: LocalizedText
        /// Its first effective day in the registry.
        public var since: STIXTime

        public init(key: String, name: LocalizedText, sectorKey: String, sectorName: LocalizedText, since: STIXTime) {
            self.key = key
            self.name = name
            self.sectorKey = sectorKey
            self.sectorName = sectorName
            self.since = since
        }
    }

    public static func ceptoarIdentityID(_ key: String) -> String { STIXIdentifier.make("identity", name: "ceptoar:" + key) }

    public static func identity(_ ceptoar: CeptoarEntry) -> JSONValue {
        let time = JSONValue.string(ceptoar.since.milliseconds)
        var description = ["セプター / CEPTOAR", ceptoar.sectorName.ja + " / " + ceptoar.sectorName.text(.en)]
        if let english = ceptoar.name.en, english != ceptoar.name.ja { description.insert(english, at: 0) }
        var object: [String: JSONValue] = [
            "type": "identity", "spec_version": "2.1", "id": .string(Self.ceptoarIdentityID(ceptoar.key)), "created": time, "modified": time,
            "name": .string(ceptoar.name.ja), "lang": "ja", "identity_class": "group", "roles": ["ceptoar"],
            "description": .string(description.joined(separator: " — ")),
        ]
        let sectors = Self.industrySectors[ceptoar.sectorKey] ?? []
        if !sectors.isEmpty { object["sectors"] = .array(sectors.map { .string($0) }) }
        return .object(object)
    }

    /// The map's sectors in STIX's industry-sector vocabulary (`industry-sector-ov`).
    public static let industrySectors: [String: [String]] = [
        "info-comm": ["communications", "telecommunications"], "finance": ["financial-services", "insurance"],
        "aviation": ["transportation", "aerospace"], "railway": ["transportation"], "electricity": ["energy", "utilities"],
        "gas": ["energy", "utilities"], "government": ["government-national", "government-local", "government-public-services"],
        "medical": ["healthcare"], "water": ["water", "utilities"], "logistics": ["transportation"],
    ]

    /// Whether the map publishes an organisation of this kind as an identity of its own.
    public static func isPublished(_ kind: OrganisationKind?) -> Bool {
        switch kind {
        case .cabinetSecretariat, .ministry, .secretariat, .related: return true
        case .operator_, nil: return false
        }
    }

    /// `object` as a later version at `modified`, when its content (everything but `modified`)
    /// differs from `stored`; nil when they are the same. A correction in the registry is then
    /// a new version of the same identity.
    public static func revision(of object: JSONValue, over stored: JSONValue, at modified: STIXTime) -> JSONValue? {
        guard case .object(var wanted) = object, case .object(var had) = stored else { return nil }
        let storedModified = had["modified"]
        had["modified"] = nil
        wanted["modified"] = nil
        guard wanted != had else { return nil }
        wanted["modified"] = .string(modified.milliseconds)
        // A version never goes back in time: with a clock behind the stored version the
        // change waits for the next refresh.
        if let previous = storedModified?.string.flatMap(STIXTime.init), previous >= modified { return nil }
        return .object(wanted)
    }
}
