import CeptoarKit
import Fluent
import Foundation

/// A version of a CEPTOAR's information-handling rules (情報取扱いルール).
final class HandlingRules: Model, @unchecked Sendable {
    static let schema = "handling_rules"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Parent(key: "ceptoar_id") var ceptoar: Ceptoar
    @Field(key: "version") var version: Int
    @Field(key: "effective_from") var effectiveFrom: String
    @Field(key: "text_ja") var textJa: String
    @OptionalField(key: "text_en") var textEn: String?
    @Field(key: "default_tlp") var defaultTLP: String
    /// Whether members may pass TLP:GREEN items on to their contractors.
    @Field(key: "green_to_contractors") var greenToContractors: Bool
    /// The external-provision policy (外部提供): what may leave the community, with whose consent.
    @Field(key: "external_policy") var externalPolicy: String

    init() {}
}

/// A member organisation's acceptance of one version of its CEPTOAR's rules.
final class RulesAcceptance: Model, @unchecked Sendable {
    static let schema = "rules_acceptances"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "rules_id") var rules: HandlingRules
    /// Nil for acceptances recorded in bulk (the demo nation).
    @OptionalParent(key: "accepted_by") var acceptedBy: User?
    @Field(key: "accepted_at") var acceptedAt: Date

    init() {}
}

/// How a relay hop holder (a ministry or secretariat) treats arriving advisories.
final class RelayPolicySetting: Model, @unchecked Sendable {
    static let schema = "relay_policies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "auto_forward_from") var autoForwardFrom: String

    init() {}
}

/// One row of the audit hash chain, as stored.
final class AuditRecord: Model, @unchecked Sendable {
    static let schema = "audit_log"

    @ID(custom: "sequence", generatedBy: .user) var id: Int?
    @Field(key: "at") var at: String
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "subject") var subject: String
    @Field(key: "detail") var detail: String
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}

    var entry: AuditEntry {
        AuditEntry(sequence: self.id ?? 0, at: self.at, actor: self.actor, action: self.action, subject: self.subject,
            detail: self.detail, previousHash: self.previousHash, hash: self.hash)
    }
}
