import Foundation

/// The characteristics-map seed: a readable JSON file holding the 2009 map exactly as NISC
/// wrote it, with machine dates and member counts beside the text.
///
/// The file is data, not code: later years are added as registry changes, not as Swift.
public struct SeedDocument: Codable, Sendable {
    public struct Source: Codable, Sendable {
        public struct AsOf: Codable, Sendable {
            public var text: String
            public var date: Day
        }
        public var file: String
        public var title: String
        public var publisher: String
        public var published: Day
        public var asOf: AsOf
        public var title_map: LocalizedText
        public var note: LocalizedText
    }

    /// How a merged cell of the flattened spreadsheet was resolved against the narrative.
    public struct Resolution: Codable, Sendable {
        public var row: String
        public var note: String
        public var spans: [[Int]]
    }

    public struct Organisation: Codable, Sendable {
        public var key: String
        public var kind: OrganisationKind
        public var name: LocalizedText
    }

    public struct Umbrella: Codable, Sendable {
        public var key: String
        public var name: LocalizedText
    }

    public struct Sector: Codable, Sendable {
        public var key: String
        public var name: LocalizedText
        /// Key of the competent ministry (重要インフラ所管省庁).
        public var ministry: String
    }

    public struct DatedText: Codable, Sendable, Hashable {
        public var text: String
        public var date: EraDate
    }

    public struct Members: Codable, Sendable, Hashable {
        public var text: String
        public var count: Int
        public var en: String?
    }

    public struct Contact: Codable, Sendable, Hashable {
        public var text: String
        public var information: String
        public var channels: [ContactChannel]
    }

    public struct Name: Codable, Sendable, Hashable {
        public var ja: String
        public var en: String?
        /// Where the name is not the seed's own text, why.
        public var note: String?
        public var localized: LocalizedText { LocalizedText(ja: self.ja, en: self.en) }
    }

    public struct Group: Codable, Sendable {
        public var code: String
        public var kind: GroupKind
        public var name: LocalizedText
    }

    public struct Overview: Codable, Sendable {
        public var fiscalYear: Int
        public var name: String
        public var secretariat: String
        public var body: String
    }

    public struct Ceptoar: Codable, Sendable {
        public var key: String
        public var sector: String
        public var position: Int
        public var scope: LocalizedText
        public var name: Name
        public var umbrella: String?
        public var secretariat: LocalizedText
        public var established: DatedText
        public var members: Members
        public var poc: DatedText
        public var rules: DatedText
        public var contact: Contact
        public var features: LocalizedText
        public var groups: [Group]?
        public var overviews: [Overview]?
    }

    public var source: Source
    public var resolutions: [Resolution]
    public var organisations: [Organisation]
    public var umbrellas: [Umbrella]
    public var sectors: [Sector]
    public var ceptoars: [Ceptoar]

    /// Total member organisations the map declares (5,692 in 2009).
    public var totalMembers: Int { self.ceptoars.reduce(0) { $0 + $1.members.count } }
}

extension SeedDocument {
    /// The 2009 map shipped with Ceptoar, read and checked once per process.
    public static func bundled() throws -> SeedDocument {
        try self.bundledResult.get()
    }

    private static let bundledResult: Result<SeedDocument, any Error> = Result {
        guard let url = Bundle.module.url(forResource: "map-2009", withExtension: "json", subdirectory: "seed")
        else { throw SeedError.missing("map-2009.json (bundled)") }
        return try load(from: url)
    }

    /// Reads and checks a seed file; every problem is a `SeedError` naming the place.
    public static func load(from url: URL) throws -> SeedDocument {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SeedError.missing(url.path)
        }
        return try self.decode(data, name: url.lastPathComponent)
    }

    public static func decode(_ data: Data, name: String = "seed") throws -> SeedDocument {
        let document: SeedDocument
        do {
            document = try JSONDecoder().decode(SeedDocument.self, from: data)
        } catch let error as DecodingError {
            throw SeedError.unparsable(file: name, detail: error.readable)
        } catch {
            throw SeedError.unparsable(file: name, detail: "\(error)")
        }
        try document.validate()
        return document
    }

    /// Cross-references must resolve and keys must be unique, or nothing is loaded.
    public func validate() throws {
        func unique(_ keys: [String], _ what: String) throws {
            var seen = Set<String>()
            for key in keys where !seen.insert(key).inserted {
                throw SeedError.invalid("duplicate \(what) key '\(key)'")
            }
        }
        try unique(self.organisations.map(\.key), "organisation")
        try unique(self.sectors.map(\.key), "sector")
        try unique(self.ceptoars.map(\.key), "CEPTOAR")
        try unique(self.umbrellas.map(\.key), "umbrella")
        let organisationKeys = Set(self.organisations.map(\.key))
        for sector in self.sectors where !organisationKeys.contains(sector.ministry) {
            throw SeedError.invalid("sector '\(sector.key)' names unknown ministry '\(sector.ministry)'")
        }
        let sectorKeys = Set(self.sectors.map(\.key))
        let umbrellaKeys = Set(self.umbrellas.map(\.key))
        for ceptoar in self.ceptoars {
            if !sectorKeys.contains(ceptoar.sector) {
                throw SeedError.invalid("CEPTOAR '\(ceptoar.key)' names unknown sector '\(ceptoar.sector)'")
            }
            if let umbrella = ceptoar.umbrella, !umbrellaKeys.contains(umbrella) {
                throw SeedError.invalid("CEPTOAR '\(ceptoar.key)' names unknown umbrella '\(umbrella)'")
            }
            if ceptoar.members.count < 0 {
                throw SeedError.invalid("CEPTOAR '\(ceptoar.key)' has a negative member count")
            }
        }
    }
}

/// Why a seed could not be loaded.
public enum SeedError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case unparsable(file: String, detail: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .missing(let path): return "seed file not found: \(path)"
        case .unparsable(let file, let detail): return "seed file \(file) does not parse: \(detail)"
        case .invalid(let detail): return "seed is inconsistent: \(detail)"
        }
    }
}

extension DecodingError {
    /// A one-line account naming the JSON path, for people fixing a data file by hand.
    public var readable: String {
        func path(_ context: Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "(top level)" : p
        }
        switch self {
        // The expected kind as JSON names it, never a Swift type name.
        case .typeMismatch(let type, let c): return "wrong type at \(path(c)): expected \(Self.jsonKind(type))"
        case .valueNotFound(let type, let c): return "missing value at \(path(c)): expected \(Self.jsonKind(type))"
        case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)' at \(path(c))"
        case .dataCorrupted(let c): return "\(c.debugDescription) at \(path(c))"
        @unknown default: return "the data could not be read"
        }
    }

    /// The JSON path of the value that did not decode (`impact.safety`, `observables[0].kind`).
    public var fieldPath: String? {
        let context: Context
        switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
        case .keyNotFound(let key, let c): return (c.codingPath + [key]).map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        @unknown default: return nil
        }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? nil : String(path.trimmingPrefix("."))
    }

    /// "a string", "a number", "true or false", "an array", "an object".
    static func jsonKind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type, is Character.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is any BinaryInteger.Type: return "a whole number"
        case is any BinaryFloatingPoint.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("Set<") { return "an array" }
            if name.hasPrefix("Optional<") { return "a value" }
            return "an object"
        }
    }
}
