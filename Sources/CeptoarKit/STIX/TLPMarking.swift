/// TLP in STIX: the official TLP 2.0 marking definitions (FIRST's, through the OASIS extension
/// definition) that Ceptoar writes, and the TLP 1.0 ones of the STIX 2.1 specification that
/// older peers still send.
public enum TLPMarking {
    /// The OASIS extension definition that carries `tlp_2_0`.
    public static let extensionDefinition = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

    /// The marking-definition id of each TLP 2.0 level.
    public static func id(_ tlp: TLP) -> String {
        switch tlp {
        case .clear: return "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
        case .green: return "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
        case .amber: return "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
        case .amberStrict: return "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
        case .red: return "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
        }
    }

    /// TLP 1.0 marking definitions (STIX 2.1 §7.2.1.4) and the 2.0 level each maps to.
    public static let version1: [String: TLP] = [
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": .clear,  // WHITE
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": .green,
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": .amber,
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": .red,
    ]

    /// The TLP level a marking-definition id stands for; nil when it is not a TLP marking.
    public static func level(of id: String) -> TLP? {
        if let level = TLP.allCases.first(where: { self.id($0) == id }) { return level }
        return self.version1[id]
    }

    /// What an object's `object_marking_refs` mean for sharing. A marking Ceptoar does not know
    /// (a statement, another scheme) is read as the most restrictive: RED, which never
    /// crosses. Several TLP markings: the tightest. No marking at all: `unmarked`, the marking
    /// the receiving side gives what arrives without one.
    public static func effective(_ refs: [String], unmarked: TLP) -> TLP {
        guard !refs.isEmpty else { return unmarked }
        var result: TLP?
        for ref in refs {
            guard let level = self.level(of: ref) else { return .red }
            result = Swift.max(result ?? level, level)
        }
        return result ?? .red
    }

    /// The marking-definition object of a TLP 2.0 level, as the extension defines it.
    public static func definition(_ tlp: TLP) -> JSONValue {
        let name = tlp.marking
        return [
            "type": "marking-definition", "spec_version": "2.1", "id": .string(self.id(tlp)),
            "created": "2022-10-01T00:00:00.000Z", "name": .string(name),
            "extensions": .object([self.extensionDefinition: ["extension_type": "property-extension", "tlp_2_0": .string(tlp.rawValue.lowercased())]]),
        ]
    }
}
