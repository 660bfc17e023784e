import Foundation

/// An organisation as STIX sees it: an `identity`.
public struct STIXParty: Sendable, Equatable {
    /// The stable handle the id derives from (its registry key, else its database id), so the
    /// same organisation is the same identity on every node.
    public var handle: String
    public var name: LocalizedText
    public var kind: OrganisationKind?
    /// When it entered the registry (its first effective day): the identity's `created`, the
    /// same on every node seeded from the same map.
    public var since: STIXTime

    public init(handle: String, name: LocalizedText, kind: OrganisationKind?, since: STIXTime) {
        self.handle = handle
        self.name = name
        self.kind = kind
        self.since = since
    }

    public var identityID: String { STIXIdentifier.make("identity", name: "organisation:" + self.handle) }
}

/// One version of an advisory, as the mapping needs it.
public struct SharedAdvisory: Sendable {
    public struct Note: Sendable {
        /// A stable key (the relay hop's id).
        public var key: String
        public var author: STIXParty
        public var text: String
        public var at: Date
        public init(key: String, author: STIXParty, text: String, at: Date) {
            self.key = key
            self.author = author
            self.text = text
            self.at = at
        }
    }

    public var series: UUID
    public var firstPublished: Date
    /// When this version was published (a correction's own time).
    public var published: Date
    public var title: LocalizedText
    public var body: LocalizedText
    public var severity: Severity
    public var category: AdvisoryCategory
    public var tlp: TLP
    public var references: [String]
    public var withdrawnAt: Date?
    public var originator: STIXParty
    public var notes: [Note]

    public init(series: UUID, firstPublished: Date, published: Date, title: LocalizedText, body: LocalizedText, severity: Severity,
                category: AdvisoryCategory, tlp: TLP, references: [String], withdrawnAt: Date?, originator: STIXParty, notes: [Note] = []) {
        self.series = series
        self.firstPublished = firstPublished
        self.published = published
        self.title = title
        self.body = body
        self.severity = severity
        self.category = category
        self.tlp = tlp
        self.references = references
        self.withdrawnAt = withdrawnAt
        self.originator = originator
        self.notes = notes
    }
}

/// An advisory as STIX 2.1: a `report` over `vulnerability` (one per CVE), `indicator` (one per
/// address, domain or hash among its references), a `course-of-action` when the text carries a
/// mitigation section, a `note` per relay hop's sector note, and `language-content` with the
/// English text — every object marked with the TLP 2.0 marking and `lang: "ja"`. Ids derive from
/// the series, so a correction is a new version (`modified`) of the same objects and a
/// withdrawal is a version with `revoked: true`.
public enum AdvisoryMapping {
    /// An organisation as a STIX `identity`: its Japanese name, and its English name and kind
    /// in the description (an identity has no language-content of its own worth a second object).
    public static func identity(_ party: STIXParty) -> JSONValue {
        let time = JSONValue.string(party.since.milliseconds)
        var object: [String: JSONValue] = [
            "type": "identity", "spec_version": "2.1", "id": .string(party.identityID), "created": time, "modified": time,
            "name": .string(party.name.ja), "lang": "ja", "identity_class": "organization",
        ]
        var description: [String] = []
        if let english = party.name.en, english != party.name.ja { description.append(english) }
        if let kind = party.kind {
            description.append(kind.label.ja + " / " + kind.label.text(.en))
            if kind == .cabinetSecretariat || kind == .ministry { object["sectors"] = ["government-national"] }
        }
        if !description.isEmpty { object["description"] = .string(description.joined(separator: " — ")) }
        return .object(object)
    }

    /// The report's id for an advisory series.
    public static func reportID(series: UUID) -> String { STIXIdentifier.make("report", name: "advisory:\(series.uuidString.lowercased())") }

    /// Every object of one advisory version, the report first. With `creator`, the report and
    /// what hangs on it name that identity instead of the originator (anonymised sharing).
    public static func objects(_ advisory: SharedAdvisory) -> [JSONValue] {
        let series = advisory.series.uuidString.lowercased()
        let created = JSONValue.string(STIXTime(advisory.firstPublished).milliseconds)
        let modifiedAt = advisory.withdrawnAt.map { Swift.max($0, advisory.published) } ?? advisory.published
        let modified = JSONValue.string(STIXTime(modifiedAt).milliseconds)
        let marking: JSONValue = [.string(TLPMarking.id(advisory.tlp))]
        let creator = JSONValue.string(advisory.originator.identityID)
        let references = References(advisory.references)
        func common(_ type: String, _ name: String) -> [String: JSONValue] {
            var object: [String: JSONValue] = [
                "type": .string(type), "spec_version": "2.1", "id": .string(STIXIdentifier.make(type, name: "advisory:\(series):\(name)")),
                "created": created, "modified": modified, "created_by_ref": creator, "object_marking_refs": marking, "lang": "ja",
                // What an agreement's scope looks at travels with every object.
                "labels": [.string("category:" + advisory.category.rawValue)],
            ]
            if advisory.withdrawnAt != nil { object["revoked"] = true }
            return object
        }
        var children: [JSONValue] = []
        for cve in references.cves {
            var vulnerability = common("vulnerability", "cve:" + cve)
            vulnerability["name"] = .string(cve)
            vulnerability["external_references"] = [["source_name": "cve", "external_id": .string(cve)]]
            children.append(.object(vulnerability))
        }
        for (index, pattern) in references.patterns.enumerated() {
            var indicator = common("indicator", "indicator:\(index):\(pattern.pattern)")
            indicator["name"] = .string(pattern.name)
            indicator["pattern"] = .string(pattern.pattern)
            indicator["pattern_type"] = "stix"
            indicator["valid_from"] = created
            indicator["indicator_types"] = ["malicious-activity"]
            children.append(.object(indicator))
        }
        if let mitigation = Self.mitigation(in: advisory.body.ja) {
            var action = common("course-of-action", "course-of-action")
            action["name"] = .string("対策: " + advisory.title.ja.prefix(200))
            action["description"] = .string(mitigation)
            children.append(.object(action))
        }
        var report = common("report", "report")
        report["id"] = .string(Self.reportID(series: advisory.series))
        report["name"] = .string(advisory.title.ja)
        report["description"] = .string(advisory.body.ja)
        report["published"] = .string(STIXTime(advisory.published).milliseconds)
        report["report_types"] = [.string(advisory.category == .vulnerability ? "vulnerability" : "threat-report")]
        report["labels"] = [.string("severity:" + advisory.severity.rawValue), .string("category:" + advisory.category.rawValue)]
        let refs = children.compactMap { $0["id"] }
        // A report must reference something: with nothing else, it references its author.
        report["object_refs"] = .array(refs.isEmpty ? [creator] : refs)
        if !references.urls.isEmpty {
            report["external_references"] = .array(references.urls.map { ["source_name": "ceptoar-reference", "url": .string($0)] })
        }
        var objects: [JSONValue] = [.object(report)] + children
        for note in advisory.notes {
            let noteCreated = Swift.max(note.at, advisory.firstPublished)
            let at = JSONValue.string(STIXTime(noteCreated).milliseconds)
            var object: [String: JSONValue] = [
                "type": "note", "spec_version": "2.1", "id": .string(STIXIdentifier.make("note", name: "advisory:\(series):hop:\(note.key)")),
                "created": at, "modified": .string(STIXTime(Swift.max(noteCreated, modifiedAt)).milliseconds), "labels": [.string("category:" + advisory.category.rawValue)],
                "created_by_ref": .string(note.author.identityID), "object_marking_refs": marking, "lang": "ja",
                "content": .string(note.text), "authors": [.string(note.author.name.ja)], "object_refs": [.string(Self.reportID(series: advisory.series))],
            ]
            if advisory.withdrawnAt != nil { object["revoked"] = true }
            objects.append(.object(object))
        }
        if advisory.title.en != nil || advisory.body.en != nil {
            var english: [String: JSONValue] = [:]
            if let title = advisory.title.en { english["name"] = .string(title) }
            if let body = advisory.body.en { english["description"] = .string(body) }
            var content = common("language-content", "language-content:en")
            content.removeValue(forKey: "lang")
            content["object_ref"] = .string(Self.reportID(series: advisory.series))
            content["object_modified"] = modified
            content["contents"] = ["en": .object(english)]
            objects.append(.object(content))
        }
        return objects
    }

    /// The text after a `対策:` / `Mitigation:` heading line, up to the next blank line.
    static func mitigation(in body: String) -> String? {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(where: { line in ["対策:", "対策：", "【対策】", "Mitigation:"].contains { line.hasPrefix($0) } }) else { return nil }
        var text = lines[start]
        for heading in ["対策:", "対策：", "【対策】", "Mitigation:"] where text.hasPrefix(heading) { text.removeFirst(heading.count) }
        var parts = [text.trimmingCharacters(in: .whitespaces)].filter { !$0.isEmpty }
        for line in lines[(start + 1)...] {
            if line.isEmpty { break }
            parts.append(line)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }

    /// What a reference is, or nil when it is none of the kinds an advisory may cite.
    public enum ReferenceKind: Equatable, Sendable { case cve, url, ipv4, hash, domain }

    public static func kind(of reference: String) -> ReferenceKind? {
        let text = reference.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 2048 else { return nil }
        if text.uppercased().hasPrefix("CVE-") { return References.isCVE(text.uppercased()) ? .cve : nil }
        if text.hasPrefix("https://") || text.hasPrefix("http://") { return .url }
        if References.isIPv4(text) { return .ipv4 }
        if References.hashAlgorithm(text) != nil { return .hash }
        if References.isDomain(text) { return .domain }
        return nil
    }

    /// An advisory's references sorted by what they are.
    struct References {
        var cves: [String] = []
        var urls: [String] = []
        var patterns: [(name: String, pattern: String)] = []

        init(_ references: [String]) {
            for raw in references {
                let text = raw.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty, text.count <= 2048 else { continue }
                let upper = text.uppercased()
                if upper.hasPrefix("CVE-"), Self.isCVE(upper) {
                    if !self.cves.contains(upper) { self.cves.append(upper) }
                } else if text.hasPrefix("https://") || text.hasPrefix("http://") {
                    self.urls.append(text)
                } else if Self.isIPv4(text) {
                    self.patterns.append((text, "[ipv4-addr:value = '\(text)']"))
                } else if let algorithm = Self.hashAlgorithm(text) {
                    self.patterns.append((text.lowercased(), "[file:hashes.'\(algorithm)' = '\(text.lowercased())']"))
                } else if Self.isDomain(text) {
                    self.patterns.append((text.lowercased(), "[domain-name:value = '\(text.lowercased())']"))
                }
            }
        }

        static func isCVE(_ text: String) -> Bool {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            return parts.count == 3 && parts[1].count == 4 && (4...19).contains(parts[2].count)
                && parts[1].allSatisfy { $0.isASCII && $0.isNumber } && parts[2].allSatisfy { $0.isASCII && $0.isNumber }
        }

        static func isIPv4(_ text: String) -> Bool {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts.allSatisfy { part in
                (1...3).contains(part.count) && part.allSatisfy { $0.isASCII && $0.isNumber } && (Int(part) ?? 256) <= 255
            }
        }

        static func hashAlgorithm(_ text: String) -> String? {
            guard text.allSatisfy(\.isHexDigit), text.allSatisfy(\.isASCII) else { return nil }
            switch text.count {
            case 64: return "SHA-256"
            case 40: return "SHA-1"
            case 32: return "MD5"
            default: return nil
            }
        }

        /// Letters, digits and hyphens in dot-separated labels, with a letter in the last label:
        /// only such text can reach a STIX pattern, whose quotes it therefore never breaks.
        static func isDomain(_ text: String) -> Bool {
            let labels = text.lowercased().split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, text.count <= 253, let last = labels.last, last.contains(where: \.isLetter) else { return false }
            return labels.allSatisfy { label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
            }
        }
    }
}
