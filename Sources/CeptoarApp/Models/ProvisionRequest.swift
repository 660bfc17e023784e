import Fluent
import Foundation

/// A request to provide an advisory outside the community (外部提供): made by an organisation
/// that received it, decided by the originator, with the decision and its scope recorded.
final class ProvisionRequest: Model, @unchecked Sendable {
    static let schema = "provision_requests"

    enum Status: String, Codable { case pending, approved, refused }

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // reference fields
    @Parent(key: "advisory_id") var advisory: Advisory
    @Parent(key: "requester_organisation_id") var requesterOrganisation: Organisation
    @Parent(key: "requested_by") var requestedBy: User
    @OptionalParent(key: "decided_by") var decidedBy: User?

    // data fields
    /// Who outside the community would receive it (a contractor, a vendor, a foreign CERT…).
    @Field(key: "recipient") var recipient: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "status") var status: String
    /// What the originator allowed: to whom, which parts, until when.
    @OptionalField(key: "scope") var scope: String?
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}
}
