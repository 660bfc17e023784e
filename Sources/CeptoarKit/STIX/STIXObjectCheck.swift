/// Checks one STIX 2.1 object from outside (a TAXII envelope, an imported bundle) before any of
/// it is stored: the common properties, their forms, and what each common type requires. A
/// failure names the property, in both languages, for the TAXII status resource.
public enum STIXObjectCheck {
    /// What ingest needs of a checked object.
    public struct Checked: Sendable, Equatable {
        public var id: String
        public var type: String
        public var specVersion: String
        public var created: STIXTime?
        public var modified: STIXTime?
        public var createdByRef: String?
        public var markingRefs: [String]
        public var revoked: Bool

        /// The version TAXII speaks of: `modified`, else `created` (marking definitions and
        /// other unversioned objects), else nil (cyber observables: one version).
        public var version: STIXTime? { self.modified ?? self.created }
    }

    public struct Failure: Error, Sendable, Equatable {
        public var id: String?
        public var version: String?
        public var message: LocalizedText
    }

    /// Cyber-observable types: no `created`/`modified`, `spec_version` optional.
    public static let observableTypes: Set<String> = [
        "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file", "ipv4-addr", "ipv6-addr",
        "mac-addr", "mutex", "network-traffic", "process", "software", "url", "user-account", "windows-registry-key", "x509-certificate",
    ]

    /// Properties each common object type must carry (STIX 2.1 §4–§6).
    static let required: [String: [String]] = [
        "report": ["name", "published", "object_refs"], "indicator": ["pattern", "pattern_type", "valid_from"], "vulnerability": ["name"],
        "identity": ["name"], "note": ["content", "object_refs"], "course-of-action": ["name"], "attack-pattern": ["name"],
        "campaign": ["name"], "grouping": ["context", "object_refs"], "incident": ["name"], "infrastructure": ["name"],
        "intrusion-set": ["name"], "location": [], "malware": ["is_family"], "malware-analysis": ["product"],
        "observed-data": ["first_observed", "last_observed", "number_observed"], "opinion": ["opinion", "object_refs"],
        "threat-actor": ["name"], "tool": ["name"], "relationship": ["relationship_type", "source_ref", "target_ref"],
        "sighting": ["sighting_of_ref"], "language-content": ["object_ref", "object_modified", "contents"], "marking-definition": [],
    ]

    public static func isTypeName(_ type: String) -> Bool {
        if let answer = type.utf8.withContiguousStorageIfAvailable(Self.isTypeName) { return answer }
        return Array(type.utf8).withUnsafeBufferPointer(Self.isTypeName)
    }

    static func isTypeName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (3...250).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    static func isPropertyName(_ name: String) -> Bool {
        guard (2...250).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }

    public static func check(_ value: JSONValue) -> Result<Checked, Failure> {
        guard let object = value.object else {
            return .failure(Failure(id: nil, version: nil, message: LocalizedText(ja: "STIX オブジェクトは JSON オブジェクトです", en: "a STIX object is a JSON object")))
        }
        let id = object["id"]?.string
        func fail(_ ja: String, _ en: String) -> Result<Checked, Failure> {
            .failure(Failure(id: id.flatMap { STIXIdentifier.isValid($0) ? $0 : nil }, version: (object["modified"] ?? object["created"])?.string, message: LocalizedText(ja: ja, en: en)))
        }
        guard let type = object["type"]?.string, Self.isTypeName(type) else {
            return fail("type がないか不正です", "'type' is missing or not a STIX type name")
        }
        guard let id, STIXIdentifier.isValid(id, ofType: type) else {
            return fail("id は「\(type)--UUID」の形式で必要です", "'id' must be '\(type)--' followed by an RFC 4122 UUID")
        }
        if let bad = object.keys.first(where: { !Self.isPropertyName($0) }) {
            return fail("プロパティ名が不正です: \(bad.prefix(60))", "property name '\(bad.prefix(60))' is not lower-case ASCII letters, digits and underscores")
        }
        let isObservable = Self.observableTypes.contains(type)
        let specVersion = object["spec_version"]?.string
        if !(isObservable && object["spec_version"] == nil) {
            guard specVersion == "2.1" else { return fail("spec_version は \"2.1\" です", "'spec_version' must be \"2.1\"") }
        }
        func time(_ key: String) -> Result<STIXTime?, Failure> {
            guard let raw = object[key] else { return .success(nil) }
            guard let text = raw.string, let parsed = STIXTime(text) else {
                return .failure(Failure(id: id, version: nil, message: LocalizedText(ja: "\(key) は RFC 3339 の UTC 時刻（…Z）です", en: "'\(key)' must be an RFC 3339 UTC timestamp ending in Z")))
            }
            return .success(parsed)
        }
        let created: STIXTime?
        let modified: STIXTime?
        switch (time("created"), time("modified")) {
        case (.failure(let failure), _), (_, .failure(let failure)): return .failure(failure)
        case (.success(let c), .success(let m)): (created, modified) = (c, m)
        }
        if !isObservable {
            guard created != nil else { return fail("created が必要です", "'created' is required") }
            if type != "marking-definition" {
                guard let modified else { return fail("modified が必要です", "'modified' is required") }
                if let created, modified < created { return fail("modified が created より前です", "'modified' is earlier than 'created'") }
            }
        }
        var createdByRef: String?
        if let raw = object["created_by_ref"] {
            guard let ref = raw.string, STIXIdentifier.isValid(ref, ofType: "identity") else {
                return fail("created_by_ref は identity の id です", "'created_by_ref' must be an identity id")
            }
            createdByRef = ref
        }
        var markings: [String] = []
        if let raw = object["object_marking_refs"] {
            guard let refs = raw.array?.compactMap(\.string), refs.count == raw.array?.count, !refs.isEmpty,
                refs.allSatisfy({ STIXIdentifier.isValid($0, ofType: "marking-definition") })
            else { return fail("object_marking_refs は marking-definition の id の配列です", "'object_marking_refs' must be a list of marking-definition ids") }
            markings = refs
        }
        var revoked = false
        if let raw = object["revoked"] {
            guard let value = raw.bool else { return fail("revoked は真偽値です", "'revoked' must be a boolean") }
            revoked = value
        }
        for key in Self.required[type] ?? [] where object[key] == nil {
            return fail("\(type) には \(key) が必要です", "a \(type) requires '\(key)'")
        }
        for key in ["object_refs"] {
            if let raw = object[key] {
                guard let refs = raw.array, !refs.isEmpty, refs.allSatisfy({ $0.string.map { STIXIdentifier.isValid($0) } ?? false }) else {
                    return fail("\(key) は STIX id の空でない配列です", "'\(key)' must be a non-empty list of STIX ids")
                }
            }
        }
        return .success(Checked(id: id, type: type, specVersion: specVersion ?? "2.1", created: created, modified: modified,
                                createdByRef: createdByRef, markingRefs: markings, revoked: revoked))
    }
}
