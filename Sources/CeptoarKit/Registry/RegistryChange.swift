import Foundation

/// A file of registry changes (`ceptoar registry apply FILE`, `POST /api/v1/registry/changes`):
/// how the later history — new sectors and CEPTOARs, renames, splits, retirements — enters
/// the registry as data, without code changes. Applied in order, in one transaction.
public struct RegistryChangeSet: Codable, Sendable {
    public var changes: [RegistryChange]

    public init(changes: [RegistryChange]) {
        self.changes = changes
    }

    public static func decode(_ data: Data, name: String = "changes") throws -> RegistryChangeSet {
        do {
            let set = try JSONDecoder().decode(RegistryChangeSet.self, from: data)
            guard !set.changes.isEmpty else { throw SeedError.invalid("\(name) holds no changes") }
            for (index, change) in set.changes.enumerated() { try change.validate(index: index) }
            return set
        } catch let error as DecodingError {
            throw SeedError.unparsable(file: name, detail: error.readable)
        }
    }
}

/// One change, effective from a day on.
public struct RegistryChange: Codable, Sendable {
    public enum Operation: String, Codable, Sendable, CaseIterable {
        case addOrganisation, addSector, renameSector, retireSector
        case addCeptoar, updateCeptoar, renameCeptoar, retireCeptoar, splitCeptoar
    }

    public var op: Operation
    public var effective: Day
    /// The organisation, sector or CEPTOAR the change is about.
    public var key: String
    public var name: LocalizedText?
    /// For `addOrganisation`.
    public var kind: OrganisationKind?
    /// Competent ministry's organisation key, for `addSector` and optionally `renameSector`.
    public var ministry: String?
    /// The new CEPTOAR (`addCeptoar`) or the fields that change (`updateCeptoar`).
    public var ceptoar: CeptoarFields?
    /// The CEPTOARs a split creates; fields not given are copied from the one split.
    public var into: [CeptoarFields]?
    public var note: String?

    public init(op: Operation, effective: Day, key: String, name: LocalizedText? = nil, kind: OrganisationKind? = nil,
                ministry: String? = nil, ceptoar: CeptoarFields? = nil, into: [CeptoarFields]? = nil, note: String? = nil) {
        self.op = op
        self.effective = effective
        self.key = key
        self.name = name
        self.kind = kind
        self.ministry = ministry
        self.ceptoar = ceptoar
        self.into = into
        self.note = note
    }

    /// Checks what can be checked without the database; the message names the change.
    public func validate(index: Int) throws {
        func fail(_ text: String) -> SeedError { SeedError.invalid("change #\(index + 1) (\(self.op.rawValue) \(self.key)): \(text)") }
        guard !self.key.isEmpty, self.key.range(of: #"^[a-z0-9][a-z0-9-]*$"#, options: .regularExpression) != nil else {
            throw fail("key must be lower-case letters, digits and hyphens")
        }
        switch self.op {
        case .addOrganisation:
            if self.name == nil || self.kind == nil { throw fail("needs name and kind") }
        case .addSector:
            if self.name == nil || self.ministry == nil { throw fail("needs name and ministry") }
        case .renameSector, .renameCeptoar:
            if self.name == nil { throw fail("needs the new name") }
        case .addCeptoar:
            guard let fields = self.ceptoar, fields.sector != nil, fields.name != nil, fields.scope != nil,
                fields.secretariat != nil
            else { throw fail("needs ceptoar.sector, ceptoar.name, ceptoar.scope and ceptoar.secretariat") }
            if let count = fields.members?.count, count < 0 { throw fail("member count cannot be negative") }
        case .updateCeptoar:
            if self.ceptoar == nil { throw fail("needs the ceptoar fields that change") }
        case .splitCeptoar:
            guard let into = self.into, into.count >= 2, into.allSatisfy({ $0.key != nil && $0.name != nil }) else {
                throw fail("needs at least two entries in 'into', each with key and name")
            }
        case .retireSector, .retireCeptoar:
            break
        }
    }
}

/// The map fields of a CEPTOAR; each optional so a change names only what changes.
public struct CeptoarFields: Codable, Sendable {
    public var key: String?
    public var sector: String?
    public var position: Int?
    public var scope: LocalizedText?
    public var name: LocalizedText?
    public var umbrella: String?
    public var secretariat: LocalizedText?
    public var established: SeedDocument.DatedText?
    public var members: SeedDocument.Members?
    public var poc: SeedDocument.DatedText?
    public var rules: SeedDocument.DatedText?
    public var contact: SeedDocument.Contact?
    public var features: LocalizedText?

    public init(key: String? = nil, sector: String? = nil, position: Int? = nil, scope: LocalizedText? = nil,
                name: LocalizedText? = nil, umbrella: String? = nil, secretariat: LocalizedText? = nil,
                established: SeedDocument.DatedText? = nil, members: SeedDocument.Members? = nil,
                poc: SeedDocument.DatedText? = nil, rules: SeedDocument.DatedText? = nil,
                contact: SeedDocument.Contact? = nil, features: LocalizedText? = nil) {
        self.key = key
        self.sector = sector
        self.position = position
        self.scope = scope
        self.name = name
        self.umbrella = umbrella
        self.secretariat = secretariat
        self.established = established
        self.members = members
        self.poc = poc
        self.rules = rules
        self.contact = contact
        self.features = features
    }
}
