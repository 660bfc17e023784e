import Fluent
import Foundation

/// A sub-group or committee inside a CEPTOAR (T-CEPTOAR's SG1–SG4 and 運営委員会).
final class CeptoarGroup: Model, @unchecked Sendable {
    static let schema = "ceptoar_groups"

    @ID(key: .id) var id: UUID?
    @Parent(key: "ceptoar_id") var ceptoar: Ceptoar
    @Field(key: "code") var code: String
    @Field(key: "kind") var kind: String
    @Field(key: "name_ja") var nameJa: String
    @OptionalField(key: "name_en") var nameEn: String?
    @Field(key: "valid_from") var validFrom: String
    @OptionalField(key: "valid_to") var validTo: String?

    init() {}
}
