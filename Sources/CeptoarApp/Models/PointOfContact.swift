import CeptoarKit
import Fluent
import Foundation

/// One person an organisation can be reached through in an emergency (緊急連絡窓口), ranked
/// primary, secondary or deputy, with the hours they answer.
final class PocContact: Model, @unchecked Sendable {
    static let schema = "poc_contacts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "rank") var rank: String
    /// Order within the rank (0 first).
    @Field(key: "position") var position: Int
    @Field(key: "name") var name: String
    @OptionalField(key: "title") var title: String?
    @Field(key: "available_always") var availableAlways: Bool
    /// When not around the clock: the hours, as the organisation writes them (平日 9:00–17:45).
    @OptionalField(key: "hours") var hours: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$contact) var methods: [PocMethod]

    init() {}

    /// Roster order: primary contacts first, then secondary, then deputies, each in the order given.
    static func rosterOrder(_ a: PocContact, _ b: PocContact) -> Bool {
        (ContactRank(rawValue: a.rank) ?? .deputy, a.position) < (ContactRank(rawValue: b.rank) ?? .deputy, b.position)
    }
}

/// One way to reach a contact: a channel and its address, verified once a code sent over that
/// channel has been entered back.
final class PocMethod: Model, @unchecked Sendable {
    static let schema = "poc_methods"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contact_id") var contact: PocContact
    @Field(key: "channel") var channel: String
    @Field(key: "address") var address: String
    @Field(key: "position") var position: Int
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "verified_at") var verifiedAt: Date?
    /// Shown on the public contact page of the CEPTOARs this organisation is secretariat of.
    @Field(key: "published") var published: Bool

    init() {}

    var contactChannel: ContactChannel? { ContactChannel(rawValue: self.channel) }
}

/// A message an outsider sent to a CEPTOAR's public emergency contact, waiting in its
/// secretariat's queue until someone there marks it handled.
final class InboundMessage: Model, @unchecked Sendable {
    static let schema = "inbound_messages"

    enum Status: String, Codable { case new, handled }

    @ID(key: .id) var id: UUID?
    @Parent(key: "ceptoar_id") var ceptoar: Ceptoar
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "sender_name") var senderName: String
    @Field(key: "sender_organisation") var senderOrganisation: String
    @Field(key: "sender_email") var senderEmail: String
    @OptionalField(key: "sender_phone") var senderPhone: String?
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "status") var status: String
    @OptionalParent(key: "handled_by") var handledBy: User?
    @OptionalField(key: "handled_at") var handledAt: Date?

    init() {}
}

/// A verification code sent to one address of an organisation's roster; only its hash is kept.
final class PocVerification: Model, @unchecked Sendable {
    static let schema = "poc_verifications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "channel") var channel: String
    @Field(key: "address") var address: String
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}
