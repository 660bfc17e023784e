import Fluent
import Foundation

/// A peer Ceptoar node (or any TAXII 2.1 server) this node shares with under an agreement:
/// the peer's collection, the token this node presents there, and the sync's state.
final class PeerRecord: Model, @unchecked Sendable {
    static let schema = "peers"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// The peer's TAXII collection URL (…/collections/ID/).
    @Field(key: "collection_url") var collectionURL: String
    /// The API token this node presents to the peer. Stored as given: the peer's operator can
    /// revoke it there (`ceptoar token revoke`).
    @Field(key: "token") var token: String
    @Field(key: "agreement_key") var agreementKey: String
    /// The party the peer speaks for, and the one this node is on the agreement.
    @Field(key: "remote_party") var remoteParty: String
    @Field(key: "local_party") var localParty: String
    @Field(key: "interval_seconds") var intervalSeconds: Int
    /// Pull position: every object added at or before this time is stored here.
    @OptionalField(key: "pull_added_after") var pullAddedAfter: String?
    /// The peer's `next` token after the last committed page, to resume a pull mid-way.
    @OptionalField(key: "pull_next") var pullNext: String?
    /// Push position: the last local `seq` sent.
    @Field(key: "push_after_seq") var pushAfterSeq: Int
    @Field(key: "objects_in") var objectsIn: Int
    @Field(key: "objects_out") var objectsOut: Int
    @Field(key: "consecutive_failures") var consecutiveFailures: Int
    @OptionalField(key: "last_attempt_at") var lastAttemptAt: Date?
    @OptionalField(key: "last_success_at") var lastSuccessAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    @Field(key: "enabled") var enabled: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// ok, failing, new or disabled, for the sync page.
    var state: String {
        if !self.enabled { return "disabled" }
        if self.consecutiveFailures > 0 { return "failing" }
        return self.lastSuccessAt == nil ? "new" : "ok"
    }
}
