import CeptoarKit
import Fluent
import Foundation

/// One CEPTOAR's column of the map as it stood over `[valid_from, valid_to)`.
///
/// The seed's Japanese text is kept as written beside machine dates and counts; a change
/// (rename, new member count, move to another sector) closes this version and opens the next.
final class CeptoarVersion: Model, @unchecked Sendable {
    static let schema = "ceptoar_versions"

    // managed fields
    @ID(key: .id) var id: UUID?

    // reference fields
    @Parent(key: "ceptoar_id") var ceptoar: Ceptoar
    @Parent(key: "sector_id") var sector: Sector
    @OptionalParent(key: "umbrella_id") var umbrella: Umbrella?
    @OptionalParent(key: "secretariat_id") var secretariatOrganisation: Organisation?

    // data fields
    @Field(key: "valid_from") var validFrom: String
    @OptionalField(key: "valid_to") var validTo: String?
    @Field(key: "position") var position: Int
    @Field(key: "scope_ja") var scopeJa: String
    @OptionalField(key: "scope_en") var scopeEn: String?
    @Field(key: "name_ja") var nameJa: String
    @OptionalField(key: "name_en") var nameEn: String?
    @OptionalField(key: "name_note") var nameNote: String?
    @Field(key: "secretariat_ja") var secretariatJa: String
    @OptionalField(key: "secretariat_en") var secretariatEn: String?
    @Field(key: "established_text") var establishedText: String
    @OptionalField(key: "established_on") var establishedOn: String?
    @Field(key: "members_text") var membersText: String
    @OptionalField(key: "members_en") var membersEn: String?
    @Field(key: "member_count") var memberCount: Int
    @Field(key: "poc_text") var pocText: String
    @OptionalField(key: "poc_on") var pocOn: String?
    @Field(key: "rules_text") var rulesText: String
    @OptionalField(key: "rules_on") var rulesOn: String?
    @Field(key: "contact_text") var contactText: String
    @Field(key: "contact_information") var contactInformation: String
    /// Comma-separated `ContactChannel` raw values.
    @Field(key: "channels") var channels: String
    @Field(key: "features_ja") var featuresJa: String
    @OptionalField(key: "features_en") var featuresEn: String?
    @OptionalField(key: "change_note") var changeNote: String?

    init() {}

    var channelList: [ContactChannel] {
        self.channels.split(separator: ",").compactMap { ContactChannel(rawValue: String($0)) }
    }
}
