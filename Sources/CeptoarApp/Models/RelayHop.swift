import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// One step of an advisory's relay (NISC → ministry → CEPTOAR → members): who holds it, when it
/// arrived, and whether it was forwarded at once, held for review, or withheld.
final class RelayHop: Model, @unchecked Sendable {
    static let schema = "relay_hops"

    /// `direct`: TLP:RED goes straight from the originator to the organisations it names.
    enum Stage: String, Codable { case ministry, ceptoar, direct }
    enum Status: String, Codable { case held, forwarded, withheld }

    // managed fields
    @ID(key: .id) var id: UUID?

    // reference fields
    @Parent(key: "advisory_id") var advisory: Advisory
    @Parent(key: "organisation_id") var organisation: Organisation
    @OptionalParent(key: "ceptoar_id") var ceptoar: Ceptoar?
    @OptionalParent(key: "parent_id") var parent: RelayHop?
    @OptionalParent(key: "actor_id") var actor: User?

    // data fields
    @Field(key: "stage") var stage: String
    @Field(key: "status") var status: String
    /// The marking as it leaves this hop: never wider than the one it arrived with.
    @Field(key: "tlp") var tlp: String
    /// For a CEPTOAR hop: the sub-group codes and organisation ids it delivers to (empty: all members).
    @Field(key: "audience_groups") var audienceGroups: String
    @Field(key: "audience_organisations") var audienceOrganisations: String
    @Field(key: "received_at") var receivedAt: Date
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalField(key: "forwarded_at") var forwardedAt: Date?
    @Field(key: "automatic") var automatic: Bool
    /// The sector-specific note a reviewer adds before forwarding (補足).
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "withheld_reason") var withheldReason: String?

    init() {}

    var hopStage: Stage { Stage(rawValue: self.stage) ?? .ceptoar }
    var hopStatus: Status { Status(rawValue: self.status) ?? .held }
}

extension RelayHop {
    /// The table's columns, for writing the hops of one relay in a single insert.
    static let columns = [
        "id", "advisory_id", "organisation_id", "ceptoar_id", "parent_id", "actor_id", "stage", "status", "tlp", "audience_groups",
        "audience_organisations", "received_at", "reviewed_at", "forwarded_at", "automatic", "note", "withheld_reason",
    ]

    /// This hop as one row of `columns`.
    var row: [any SQLExpression] {
        func optional(_ value: (any Encodable & Sendable)?) -> any SQLExpression { value.map { SQLBind($0) } ?? SQLLiteral.null }
        return [
            SQLBind(self.id!), SQLBind(self.$advisory.id), SQLBind(self.$organisation.id), optional(self.$ceptoar.id), optional(self.$parent.id),
            optional(self.$actor.id), SQLBind(self.stage), SQLBind(self.status), SQLBind(self.tlp), SQLBind(self.audienceGroups),
            SQLBind(self.audienceOrganisations), SQLBind(self.receivedAt), optional(self.reviewedAt), optional(self.forwardedAt),
            SQLBind(self.automatic), optional(self.note), optional(self.withheldReason),
        ]
    }
}
