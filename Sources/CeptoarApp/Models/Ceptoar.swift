import Fluent
import Foundation

/// The identity of a CEPTOAR; everything the map shows about it lives in `CeptoarVersion`.
final class Ceptoar: Model, @unchecked Sendable {
    static let schema = "ceptoars"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String

    init() {}
    init(id: UUID? = nil, key: String) {
        self.id = id
        self.key = key
    }
}

/// A body over several CEPTOARs that the map shows as one merged name (金融CEPTOAR連絡協議会).
final class Umbrella: Model, @unchecked Sendable {
    static let schema = "umbrellas"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "name_ja") var nameJa: String
    @OptionalField(key: "name_en") var nameEn: String?

    init() {}
}
