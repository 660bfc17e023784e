import CeptoarKit
import Fluent
import Foundation
import FluentSQL

/// One page of the organisation directory.
struct DirectoryPageResult: Codable, Sendable {
    struct Item: Codable, Sendable {
        var id: UUID
        var key: String?
        var kind: String
        var name: LocalizedText
        var ceptoars: [LocalizedText]
        var synthetic: Bool
    }
    var items: [Item]
    var total: Int
    var page: Int
    var per: Int
}

/// Searches organisations by name (Japanese or English) or key, on either engine.
struct Directory {
    let database: any Database

    /// The most a page may hold.
    static let maximumPer = 500

    func search(query: String, kind: String?, page: RequestedPage, on day: Day) async throws -> DirectoryPageResult {
        if let kind, OrganisationKind(rawValue: kind) == nil {
            throw UserError.badRequest(
                ja: "不明な組織種別です: \(kind)",
                en: "unknown organisation kind '\(kind)'; kinds are \(OrganisationKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var builder = Organisation.query(on: self.database)
        let needle = query.trimmingCharacters(in: .whitespaces).lowercased()
        if !needle.isEmpty {
            // Escape LIKE wildcards so a user's % or _ matches itself.
            let escaped = needle.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            let pattern = "%\(escaped)%"
            builder = builder.filter(.sql(embed: "\(ident: "search_text") LIKE \(bind: pattern) ESCAPE '\\'"))
        }
        if let kind { builder = builder.filter(\.$kind == kind) }
        let total = try await builder.count()
        let organisations = try await builder.sort(\.$synthetic).sort(\.$kind).sort(\.$nameJa)
            .range(page.offset..<(page.offset + page.per)).all()
        let ids = organisations.compactMap(\.id)
        let memberships = ids.isEmpty ? [] : try await MapQuery.validOn(Membership.query(on: self.database), day)
            .filter(\.$organisation.$id ~~ ids).all()
        let ceptoarIDs = Set(memberships.map { $0.$ceptoar.id })
        let versions = ceptoarIDs.isEmpty ? [] : try await MapQuery.validOn(CeptoarVersion.query(on: self.database), day)
            .filter(\.$ceptoar.$id ~~ Array(ceptoarIDs)).all()
        let names = Dictionary(versions.map { ($0.$ceptoar.id, LocalizedText(ja: $0.nameJa, en: $0.nameEn)) }, uniquingKeysWith: { a, _ in a })
        let items = organisations.map { organisation in
            DirectoryPageResult.Item(
                id: organisation.id!, key: organisation.key, kind: organisation.kind, name: organisation.name,
                ceptoars: memberships.filter { $0.$organisation.id == organisation.id }.compactMap { names[$0.$ceptoar.id] },
                synthetic: organisation.synthetic)
        }
        return DirectoryPageResult(items: items, total: total, page: page.page, per: page.per)
    }
}
