import CeptoarKit
import Fluent
import Foundation

/// Any organisation in the structure: NISC, a ministry, a secretariat, a member operator or a
/// related organisation.
final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // data fields
    /// A stable handle for seed data and scripts (`nisc`, `fsa`); synthetic members have none.
    @OptionalField(key: "key") var key: String?
    @Field(key: "kind") var kind: String
    @Field(key: "name_ja") var nameJa: String
    @OptionalField(key: "name_en") var nameEn: String?
    /// Lower-cased names and key, so one `LIKE` finds an organisation on either engine.
    @Field(key: "search_text") var searchText: String
    @Field(key: "valid_from") var validFrom: String
    @OptionalField(key: "valid_to") var validTo: String?
    @Field(key: "synthetic") var synthetic: Bool

    init() {}

    init(id: UUID? = nil, key: String?, kind: OrganisationKind, name: LocalizedText, validFrom: Day, synthetic: Bool = false) {
        self.id = id
        self.key = key
        self.kind = kind.rawValue
        self.nameJa = name.ja
        self.nameEn = name.en
        self.searchText = Self.searchText(key: key, name: name)
        self.validFrom = validFrom.iso
        self.synthetic = synthetic
    }

    var name: LocalizedText { LocalizedText(ja: self.nameJa, en: self.nameEn) }
    var organisationKind: OrganisationKind? { OrganisationKind(rawValue: self.kind) }

    static func searchText(key: String?, name: LocalizedText) -> String {
        [key ?? "", name.ja, name.en ?? ""].joined(separator: " ").lowercased()
    }
}
