import CeptoarKit
import Fluent
import Foundation

/// A mutual agreement between CEPTOARs and related organisations (相互合意). Its terms are
/// columns the policy reads as `Agreement`; every change is a new row in `agreement_versions`.
final class AgreementRecord: Model, @unchecked Sendable {
    static let schema = "agreements"

    @ID(key: .id) var id: UUID?
    /// A handle both nodes know it by (`t-ceptoar-electricity-2026`): federation and the
    /// pseudonymous identities derive from it, so every node holding it must use the same key.
    @Field(key: "key") var key: String
    @Field(key: "title_ja") var titleJa: String
    @OptionalField(key: "title_en") var titleEn: String?
    /// Party references, comma-separated, in the order proposed (`ceptoar:t-ceptoar`, `organisation:jpcert`).
    @Field(key: "parties") var parties: String
    @Field(key: "direction") var direction: String
    @Field(key: "categories") var categories: String
    @Field(key: "object_types") var objectTypes: String
    @Field(key: "origin_sectors") var originSectors: String
    @Field(key: "max_tlp") var maxTLP: String
    @Field(key: "anonymised") var anonymised: Bool
    @Field(key: "may_pass_on") var mayPassOn: Bool
    @Field(key: "valid_from") var validFrom: String
    @OptionalField(key: "valid_to") var validTo: String?
    @Field(key: "retention_days") var retentionDays: Int
    /// Each party's contact, as JSON `{party: text}`.
    @Field(key: "contacts") var contacts: String
    @Field(key: "status") var status: String
    @Field(key: "version") var version: Int
    @Field(key: "proposed_by") var proposedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var partyList: [String] { Self.list(self.parties) }
    var agreementStatus: Agreement.Status { Agreement.Status(rawValue: self.status) ?? .suspended }
    var title: LocalizedText { LocalizedText(ja: self.titleJa, en: self.titleEn) }

    var contactMap: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(self.contacts.utf8))) ?? [:]
    }

    static func list(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }

    /// The terms as the access policy reads them.
    var terms: Agreement {
        Agreement(
            id: self.key, parties: self.partyList, direction: Agreement.Direction(rawValue: self.direction) ?? .oneWay,
            status: self.agreementStatus, validFrom: Day(iso: self.validFrom) ?? Day(year: 9999, month: 12, day: 31)!,
            validTo: self.validTo.flatMap(Day.init(iso:)),
            scope: Agreement.Scope(categories: Set(Self.list(self.categories)), objectTypes: Set(Self.list(self.objectTypes)), originSectors: Set(Self.list(self.originSectors))),
            maxTLP: TLP(rawValue: self.maxTLP) ?? .clear, anonymised: self.anonymised, mayPassOn: self.mayPassOn)
    }

    /// What a page or the API shows as its state: `expired` once past its last day.
    func shownStatus(on day: Day) -> String {
        self.agreementStatus == .active && self.terms.expired(on: day) ? "expired" : self.status
    }
}

/// A party's approval of one version of an agreement.
final class AgreementApproval: Model, @unchecked Sendable {
    static let schema = "agreement_approvals"

    @ID(key: .id) var id: UUID?
    @Parent(key: "agreement_id") var agreement: AgreementRecord
    @Field(key: "version") var version: Int
    @Field(key: "party") var party: String
    @Field(key: "approved_by") var approvedBy: String
    @Field(key: "approved_at") var approvedAt: Date

    init() {}
}

/// One change of an agreement, with the terms as they stood after it: the agreement's history.
final class AgreementVersion: Model, @unchecked Sendable {
    static let schema = "agreement_versions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "agreement_id") var agreement: AgreementRecord
    @Field(key: "version") var version: Int
    /// proposed, approved, activated, suspended, resumed, terminated.
    @Field(key: "change") var change: String
    @Field(key: "status") var status: String
    @Field(key: "actor") var actor: String
    @OptionalField(key: "reason") var reason: String?
    /// The terms after the change, as JSON.
    @Field(key: "terms") var terms: String
    @Field(key: "at") var at: Date

    init() {}
}
