import CeptoarKit
import Fluent
import Foundation

/// Everything about one CEPTOAR as of a day: its map column, sub-groups, members counted in the
/// registry, overview sheets by fiscal year, and its version history.
struct CeptoarProfile: Codable, Sendable {
    struct Group: Codable, Sendable {
        var code: String
        var kind: String
        var name: LocalizedText
        var members: Int
    }

    struct Overview: Codable, Sendable {
        var fiscalYear: Int
        var name: String
        var secretariat: String
        /// The sheet's paragraphs, split on the source's <p> markers and kept as plain text.
        var paragraphs: [String]
    }

    struct Version: Codable, Sendable {
        var validFrom: String
        var validTo: String?
        var name: LocalizedText
        var memberCount: Int
        var changeNote: String?
    }

    var key: String
    var asOf: Day
    var column: MapColumn
    var registeredMembers: Int
    var groups: [Group]
    var overviews: [Overview]
    var history: [Version]
    var predecessors: [String]
    var successors: [String]

    static func load(key: String, asOf day: Day, on db: any Database) async throws -> CeptoarProfile {
        guard let ceptoar = try await Ceptoar.query(on: db).filter(\.$key == key).first() else {
            throw UserError.notFound(ja: "セプターが見つかりません: \(key)", en: "no CEPTOAR with key '\(key)'")
        }
        let id = try ceptoar.requireID()
        let map = try await MapQuery(database: db).map(asOf: day)
        guard let column = map.columns.first(where: { $0.ceptoarKey == key }) else {
            throw UserError.notFound(
                ja: "\(day.iso) 時点でこのセプターは登録されていません: \(key)",
                en: "the CEPTOAR '\(key)' was not registered on \(day.iso)")
        }
        let memberships = try await MapQuery.validOn(Membership.query(on: db), day)
            .filter(\.$ceptoar.$id == id).filter(\.$role == Membership.Role.member.rawValue).all()
        let groups = try await MapQuery.validOn(CeptoarGroup.query(on: db), day).filter(\.$ceptoar.$id == id).sort(\.$code).all()
        let overviews = try await CeptoarOverview.query(on: db).filter(\.$ceptoar.$id == id).sort(\.$fiscalYear).all()
        let versions = try await CeptoarVersion.query(on: db).filter(\.$ceptoar.$id == id).sort(\.$validFrom).all()
        let lineage = try await CeptoarLineage.query(on: db).group(.or) {
            $0.filter(\.$predecessor.$id == id).filter(\.$successor.$id == id)
        }.with(\.$predecessor).with(\.$successor).all()
        return CeptoarProfile(
            key: key, asOf: day, column: column, registeredMembers: memberships.count,
            groups: groups.map { group in
                Group(
                    code: group.code, kind: group.kind, name: LocalizedText(ja: group.nameJa, en: group.nameEn),
                    members: memberships.filter { $0.$group.id == group.id }.count)
            },
            overviews: overviews.map {
                Overview(fiscalYear: $0.fiscalYear, name: $0.nameText, secretariat: $0.secretariatText, paragraphs: Self.paragraphs($0.body))
            },
            history: versions.map {
                Version(validFrom: $0.validFrom, validTo: $0.validTo, name: LocalizedText(ja: $0.nameJa, en: $0.nameEn), memberCount: $0.memberCount, changeNote: $0.changeNote)
            },
            predecessors: lineage.filter { $0.$successor.id == id }.map(\.predecessor.key),
            successors: lineage.filter { $0.$predecessor.id == id }.map(\.successor.key))
    }

    /// "<p>a</p> <p>b</p>" → ["a", "b"]; text without markers is one paragraph.
    static func paragraphs(_ body: String) -> [String] {
        let parts = body.components(separatedBy: "<p>").map { $0.replacingOccurrences(of: "</p>", with: "").trimmingCharacters(in: .whitespaces) }
        return parts.filter { !$0.isEmpty }
    }
}
