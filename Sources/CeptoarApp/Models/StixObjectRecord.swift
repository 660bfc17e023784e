import Fluent
import Foundation

/// One version of one STIX object, as stored once and seen through every TAXII collection
/// (community, agreement, public): a collection is a query and the access policy, not a copy.
final class StixObjectRecord: Model, @unchecked Sendable {
    static let schema = "stix_objects"

    /// Insertion order: the tie-breaker that pages many objects added in the same instant.
    @ID(custom: "seq", generatedBy: .database) var id: Int?
    @Field(key: "object_id") var objectID: String
    @Field(key: "type") var type: String
    @Field(key: "spec_version") var specVersion: String
    /// `modified`, else `created`, else the time added, as `STIXTime.canonical`.
    @Field(key: "version_key") var versionKey: String
    /// When this node stored it, as `STIXTime.canonical`.
    @Field(key: "date_added") var dateAdded: String
    @Field(key: "revoked") var revoked: Bool
    /// The effective TLP 2.0 marking (`TLPMarking.effective`).
    @Field(key: "tlp") var tlp: String
    @OptionalField(key: "created_by_ref") var createdByRef: String?
    /// The object, compact JSON.
    @Field(key: "body") var body: String
    /// For objects Ceptoar made of an advisory: the advisory version, its category and sector.
    @OptionalField(key: "advisory_id") var advisoryID: UUID?
    @OptionalField(key: "category") var category: String?
    @OptionalField(key: "origin_sector") var originSector: String?
    /// The agreement party it comes from (`ceptoar:t-ceptoar`).
    @Field(key: "source_party") var sourceParty: String
    /// The CEPTOAR community it was posted into (its key), for objects not made of an advisory.
    @OptionalField(key: "community") var community: String?
    /// The agreement (key) under which it came from outside, and the peer (id) that sent it.
    @OptionalField(key: "received_under") var receivedUnder: String?
    @OptionalField(key: "peer_id") var peerID: UUID?

    init() {}
}

/// A TAXII status resource: the outcome of one POST, kept at least 24 hours.
final class TaxiiStatusRecord: Model, @unchecked Sendable {
    static let schema = "taxii_statuses"

    @ID(key: .id) var id: UUID?
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "status") var status: String
    @Field(key: "request_timestamp") var requestTimestamp: String
    @Field(key: "total_count") var totalCount: Int
    @Field(key: "success_count") var successCount: Int
    @Field(key: "failure_count") var failureCount: Int
    @Field(key: "pending_count") var pendingCount: Int
    /// JSON arrays of status details.
    @Field(key: "successes") var successes: String
    @Field(key: "failures") var failures: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
