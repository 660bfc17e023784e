import CeptoarKit
import Fluent
import Foundation

/// A call to the points of contact of a CEPTOAR, a sector or the nation: a real alert, a drill
/// (疎通確認・セプター訓練) or a test, escalated by the policy it carries until each
/// organisation acknowledges or the policy runs out.
final class Alert: Model, @unchecked Sendable {
    static let schema = "alerts"

    enum Kind: String, Codable, CaseIterable {
        case alert, drill, test

        var capStatus: CAPAlert.Status {
            switch self {
            case .alert: return .actual
            case .drill: return .exercise
            case .test: return .test
            }
        }

        var label: LocalizedText {
            switch self {
            case .alert: return LocalizedText(ja: "緊急連絡", en: "alert")
            case .drill: return LocalizedText(ja: "訓練", en: "drill")
            case .test: return LocalizedText(ja: "試験", en: "test")
            }
        }

        /// What a message's subject starts with, so nobody takes a drill for the real thing.
        var subjectMark: LocalizedText? {
            switch self {
            case .alert: return nil
            case .drill: return LocalizedText(ja: "【訓練】", en: "[DRILL] ")
            case .test: return LocalizedText(ja: "【試験】", en: "[TEST] ")
            }
        }
    }

    enum ScopeKind: String, Codable, CaseIterable { case ceptoar, sector, nation }

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "scope_kind") var scopeKind: String
    /// The CEPTOAR's or sector's key; `japan` for the nation.
    @Field(key: "scope_key") var scopeKey: String
    @OptionalParent(key: "advisory_id") var advisory: Advisory?
    @Field(key: "severity") var severity: String
    @Field(key: "title_ja") var titleJa: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "body_ja") var bodyJa: String
    @Field(key: "body_en") var bodyEn: String
    @Parent(key: "sender_id") var sender: Organisation
    @Parent(key: "created_by") var createdBy: User
    @Field(key: "created_at") var createdAt: Date
    /// The escalation policy as JSON, copied when the alert started.
    @Field(key: "policy") var policyJSON: String
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    @OptionalField(key: "request_hash") var requestHash: String?

    init() {}

    var alertKind: Kind { Kind(rawValue: self.kind) ?? .alert }
    var title: LocalizedText { LocalizedText(ja: self.titleJa, en: self.titleEn) }
    var body: LocalizedText { LocalizedText(ja: self.bodyJa, en: self.bodyEn) }
    var policy: EscalationPolicy { (try? JSONDecoder().decode(EscalationPolicy.self, from: Data(self.policyJSON.utf8))) ?? .standard }
}

/// One organisation an alert must reach, and where its escalation stands. `step` is the next
/// step to fire at `next_step_at`; both are cleared once it acknowledges or the policy runs out.
final class AlertTarget: Model, @unchecked Sendable {
    static let schema = "alert_targets"

    /// The layer of the national structure a target sits in, for reach per stage.
    enum Stage: String, Codable, CaseIterable {
        case ministry, secretariat, member

        var label: LocalizedText {
            switch self {
            case .ministry: return LocalizedText(ja: "所管省庁", en: "Ministries")
            case .secretariat: return LocalizedText(ja: "セプター事務局", en: "CEPTOAR secretariats")
            case .member: return LocalizedText(ja: "構成員", en: "Members")
            }
        }
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "alert_id") var alert: Alert
    @Parent(key: "organisation_id") var organisation: Organisation
    @OptionalParent(key: "ceptoar_id") var ceptoar: Ceptoar?
    @Field(key: "stage") var stage: String
    @Field(key: "step") var step: Int
    @Field(key: "round") var round: Int
    @OptionalField(key: "next_step_at") var nextStepAt: Date?
    @OptionalField(key: "exhausted_at") var exhaustedAt: Date?
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "acknowledged_via") var acknowledgedVia: String?
    @OptionalField(key: "acknowledged_by") var acknowledgedBy: String?

    init() {}
}

/// One message to one address at one step: its route (smtp, gateway, portal, or a manual
/// call task) and its delivery state.
final class NotificationAttempt: Model, @unchecked Sendable {
    static let schema = "notification_attempts"

    enum Route: String, Codable, CaseIterable {
        case smtp, gateway, portal
        /// No gateway for this channel: secretariat staff call or fax and record the outcome.
        case manual
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "alert_id") var alertID: UUID
    @Field(key: "target_id") var targetID: Int
    @Field(key: "step") var step: Int
    @Field(key: "round") var round: Int
    @Field(key: "rank") var rank: String
    @Field(key: "contact_name") var contactName: String
    @Field(key: "channel") var channel: String
    @Field(key: "route") var route: String
    @Field(key: "address") var address: String
    @Field(key: "state") var state: String
    @Field(key: "tries") var tries: Int
    @OptionalField(key: "next_try_at") var nextTryAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "handled_by") var handledBy: String?

    init() {}

    var deliveryState: DeliveryState { DeliveryState(rawValue: self.state) ?? .queued }
}

/// A CEPTOAR's own escalation policy (the standard one applies when it has none).
final class EscalationPolicyRecord: Model, @unchecked Sendable {
    static let schema = "escalation_policies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "ceptoar_id") var ceptoar: Ceptoar
    @Field(key: "policy") var policyJSON: String
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "updated_by") var updatedBy: String

    init() {}
}

/// A named secret kept in the database, so every node and every restart signs alike.
final class AppSecret: Model, @unchecked Sendable {
    static let schema = "app_secrets"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    init() {}
}
