import Fluent
import Foundation

/// The identity of a critical-infrastructure sector; what it is called and who oversees it
/// at a given time lives in `SectorVersion`.
final class Sector: Model, @unchecked Sendable {
    static let schema = "sectors"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String

    init() {}
    init(id: UUID? = nil, key: String) {
        self.id = id
        self.key = key
    }
}

/// A sector as it stood over `[valid_from, valid_to)`: a rename closes one version and opens
/// the next, so every past state can be reproduced.
final class SectorVersion: Model, @unchecked Sendable {
    static let schema = "sector_versions"

    // managed fields
    @ID(key: .id) var id: UUID?

    // reference fields
    @Parent(key: "sector_id") var sector: Sector
    @Parent(key: "ministry_id") var ministry: Organisation

    // data fields
    @Field(key: "valid_from") var validFrom: String
    @OptionalField(key: "valid_to") var validTo: String?
    @Field(key: "name_ja") var nameJa: String
    @OptionalField(key: "name_en") var nameEn: String?
    @OptionalField(key: "change_note") var changeNote: String?

    init() {}
}
