import Fluent
import Foundation

/// An advisory delivered to one member organisation: unique per (advisory, organisation), so a
/// retried fan-out never doubles anything. Read and acknowledgement (受領確認) are recorded here.
final class Delivery: Model, @unchecked Sendable {
    static let schema = "deliveries"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "advisory_id") var advisory: Advisory
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "hop_id") var hop: RelayHop
    @Field(key: "delivered_at") var deliveredAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    @OptionalParent(key: "read_by") var readBy: User?
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalParent(key: "acknowledged_by") var acknowledgedBy: User?
    @OptionalField(key: "ack_comment") var acknowledgementComment: String?

    init() {}
}

/// The outbox: work to do after a commit (notify members), written in the same transaction as
/// what caused it and keyed so a retry never doubles it.
final class Job: Model, @unchecked Sendable {
    static let schema = "jobs"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "kind") var kind: String
    @Field(key: "idempotency_key") var idempotencyKey: String
    /// `notify_delivery` jobs (before `NotifyPerHop`) name one delivery.
    @OptionalField(key: "delivery_id") var deliveryID: Int?
    /// `notify_hop` jobs name the hop whose members are to be told.
    @OptionalField(key: "hop_id") var hopID: UUID?
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "run_at") var runAt: Date
    @OptionalField(key: "last_error") var lastError: String?

    init() {}
}
