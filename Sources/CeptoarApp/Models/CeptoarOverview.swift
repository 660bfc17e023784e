import Fluent
import Foundation

/// A CEPTOAR's overview sheet (概要) for one fiscal year: purpose, structure, functions,
/// features and the year's activities, kept as the source wrote it.
final class CeptoarOverview: Model, @unchecked Sendable {
    static let schema = "ceptoar_overviews"

    @ID(key: .id) var id: UUID?
    @Parent(key: "ceptoar_id") var ceptoar: Ceptoar
    @Field(key: "fiscal_year") var fiscalYear: Int
    @Field(key: "name_text") var nameText: String
    @Field(key: "secretariat_text") var secretariatText: String
    @Field(key: "body") var body: String

    init() {}
}

/// How one CEPTOAR became others (a split) or was renamed, for tracing history across keys.
final class CeptoarLineage: Model, @unchecked Sendable {
    static let schema = "ceptoar_lineage"

    @ID(key: .id) var id: UUID?
    @Parent(key: "predecessor_id") var predecessor: Ceptoar
    @Parent(key: "successor_id") var successor: Ceptoar
    @Field(key: "kind") var kind: String
    @Field(key: "effective") var effective: String

    init() {}
}
