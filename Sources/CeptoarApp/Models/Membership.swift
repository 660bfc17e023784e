import Fluent
import Foundation

/// An organisation's place in a CEPTOAR over `[valid_from, valid_to)`: a member, the
/// secretariat, or an observer, optionally inside a sub-group.
final class Membership: Model, @unchecked Sendable {
    static let schema = "memberships"

    enum Role: String, Codable, CaseIterable {
        case member, secretariat, observer
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "ceptoar_id") var ceptoar: Ceptoar
    @OptionalParent(key: "group_id") var group: CeptoarGroup?
    @Field(key: "role") var role: String
    @Field(key: "valid_from") var validFrom: String
    @OptionalField(key: "valid_to") var validTo: String?

    init() {}
}
