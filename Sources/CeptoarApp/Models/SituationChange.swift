import CeptoarKit
import Fluent
import Foundation
import Vapor

/// One judgement of a scope's situation (情勢判断): the level its coordinator set, why, and the
/// reports, trend flags, advisories and failure cases it rests on. Rows are only ever added —
/// the newest row of a scope is its current level, and the rows together are its timeline.
final class SituationChange: Model, @unchecked Sendable {
    static let schema = "situation_changes"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date

    // reference fields
    @Parent(key: "actor_id") var actor: User
    @Parent(key: "organisation_id") var organisation: Organisation
    /// The advisory that told the scope's members of the change.
    @OptionalParent(key: "advisory_id") var advisory: Advisory?

    // data fields
    @Field(key: "scope_kind") var scopeKind: String
    @Field(key: "scope_key") var scopeKey: String
    @Field(key: "level") var level: String
    /// Large-incident mode (大規模障害対応時): on at 緊急, or switched on by NISC.
    @Field(key: "large_incident") var largeIncident: Bool
    @Field(key: "rationale_ja") var rationaleJa: String
    @OptionalField(key: "rationale_en") var rationaleEn: String?
    /// The linked items, as JSON: `[{"kind":"report","id":"…"}, …]`.
    @Field(key: "links") var links: String
    @Field(key: "actor_email") var actorEmail: String
    /// What the change did beyond itself (held hops forwarded when the mode began), as JSON.
    @Field(key: "effects") var effects: String
    /// Set in an exercise: never the real level, never counted.
    @Field(key: "exercise") var exercise: Bool
    /// Set on the demo nation's generated history.
    @Field(key: "synthetic") var synthetic: Bool

    init() {}

    var scope: SituationScope? { try? SituationScope(kind: self.scopeKind, key: self.scopeKey) }
    var situationLevel: SituationLevel { SituationLevel(rawValue: self.level) ?? .normal }
    var rationale: LocalizedText { LocalizedText(ja: self.rationaleJa, en: self.rationaleEn) }
    var linkList: [SituationLink] { (try? JSONDecoder().decode([SituationLink].self, from: Data(self.links.utf8))) ?? [] }
}

/// An item a judgement rests on.
struct SituationLink: Content, Hashable {
    enum Kind: String, Codable, CaseIterable { case report, trendFlag = "trend_flag", advisory, failureCase = "failure_case" }
    var kind: String
    var id: UUID

    var linkKind: Kind? { Kind(rawValue: self.kind) }

    /// Where a reader opens it.
    var path: String {
        switch self.linkKind {
        case .report: "/reports/\(self.id)"
        case .trendFlag: "/reports/trends/\(self.id)"
        case .advisory: "/inbox/\(self.id)"
        case .failureCase: "/failure-cases/\(self.id)"
        case nil: "/"
        }
    }
}
