import CeptoarKit
import Fluent
import Foundation

/// An advisory (注意喚起・情報提供). Corrections and updates are new rows in the same series,
/// each pointing at the version it supersedes; withdrawal marks the row and recipients see it.
final class Advisory: Model, @unchecked Sendable {
    static let schema = "advisories"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // reference fields
    @Parent(key: "originator_id") var originator: Organisation
    @Parent(key: "author_id") var author: User
    @OptionalParent(key: "supersedes_id") var supersedes: Advisory?

    // data fields
    @Field(key: "series_id") var seriesID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "title_ja") var titleJa: String
    @OptionalField(key: "title_en") var titleEn: String?
    @Field(key: "body_ja") var bodyJa: String
    @OptionalField(key: "body_en") var bodyEn: String?
    @Field(key: "severity") var severity: String
    @Field(key: "category") var category: String
    @Field(key: "tlp") var tlp: String
    /// CVE ids and URLs, one per line.
    @Field(key: "references") var references: String
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    @OptionalField(key: "withdrawn_reason") var withdrawnReason: String?
    /// The publisher's `Idempotency-Key`, if it sent one, and a hash of what it asked for.
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    @OptionalField(key: "request_hash") var requestHash: String?

    init() {}

    var marking: TLP { TLP(rawValue: self.tlp) ?? .red }

    /// The advisory, or a 404 in the reader's language.
    static func require(_ id: UUID, on database: any Database) async throws -> Advisory {
        guard let advisory = try await Advisory.find(id, on: database) else {
            throw UserError.notFound(ja: "注意喚起が見つかりません", en: "no such advisory")
        }
        return advisory
    }

    var severityLevel: Severity { Severity(rawValue: self.severity) ?? .medium }
    var title: LocalizedText { LocalizedText(ja: self.titleJa, en: self.titleEn) }
}

/// Who an advisory is for: sectors, CEPTOARs, sub-groups (`ceptoar/SG1`) or named organisations.
final class AdvisoryTarget: Model, @unchecked Sendable {
    static let schema = "advisory_targets"

    enum Kind: String, Codable, CaseIterable { case sector, ceptoar, group, organisation }

    @ID(key: .id) var id: UUID?
    @Parent(key: "advisory_id") var advisory: Advisory
    @Field(key: "kind") var kind: String
    @Field(key: "target_key") var targetKey: String

    init() {}

    init(advisoryID: UUID, kind: Kind, key: String) {
        self.$advisory.id = advisoryID
        self.kind = kind.rawValue
        self.targetKey = key
    }
}
