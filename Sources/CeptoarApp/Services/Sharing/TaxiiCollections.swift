import CeptoarKit
import Fluent
import Foundation

/// The TAXII collections: one per CEPTOAR community, one per agreement, one public (TLP:CLEAR).
/// Each is a view onto the one object store — a filter and the access policy — never a copy.
/// Their ids derive from the CEPTOAR or agreement key, so every node names them alike.
struct TaxiiCollection {
    enum Kind {
        case community(key: String, id: UUID)
        case agreement(AgreementRecord)
        case open
        /// Incident reports, each requester's own view (`ReportCollection`).
        case reports
    }

    var id: String
    var kind: Kind
    var title: LocalizedText
    var description: LocalizedText
    var canRead: Bool
    var canWrite: Bool
}

struct TaxiiCollections {
    let database: any Database

    static func communityCollectionID(_ key: String) -> String { STIXIdentifier.uuid5(name: "taxii-collection:community:" + key).uuidString.lowercased() }
    static func agreementCollectionID(_ key: String) -> String { STIXIdentifier.uuid5(name: "taxii-collection:agreement:" + key).uuidString.lowercased() }
    static let publicCollectionID = STIXIdentifier.uuid5(name: "taxii-collection:public").uuidString.lowercased()
    static let reportsCollectionID = STIXIdentifier.uuid5(name: "taxii-collection:reports").uuidString.lowercased()

    /// The collections this requester may read or write (the public one for everyone).
    func visible(_ context: SharingContext) async throws -> [TaxiiCollection] {
        var result = [self.publicCollection(context)]
        if let reports = self.reportsCollection(context) { result.append(reports) }
        for ceptoar in context.ceptoars {
            let collection = self.community(ceptoar, context)
            if collection.canRead || collection.canWrite { result.append(collection) }
        }
        for record in context.agreements.values.sorted(by: { $0.key < $1.key }) {
            result.append(self.agreement(record, context))
        }
        return result
    }

    /// One collection by id: 404 when there is none, or when it is an agreement the requester
    /// is not party to (so a non-party cannot learn of it).
    func find(_ id: String, _ context: SharingContext) async throws -> TaxiiCollection {
        let id = id.lowercased()
        if id == Self.publicCollectionID { return self.publicCollection(context) }
        if id == Self.reportsCollectionID, let reports = self.reportsCollection(context) { return reports }
        for record in context.agreements.values where Self.agreementCollectionID(record.key) == id {
            return self.agreement(record, context)
        }
        for ceptoar in context.ceptoars where Self.communityCollectionID(ceptoar.key) == id {
            return self.community(ceptoar, context)
        }
        throw TaxiiError.notFound
    }

    private func publicCollection(_ context: SharingContext) -> TaxiiCollection {
        TaxiiCollection(
            id: Self.publicCollectionID, kind: .open, title: LocalizedText(ja: "公開情報（TLP:CLEAR）", en: "Public information (TLP:CLEAR)"),
            description: LocalizedText(ja: "制限なく共有できる情報", en: "Information anyone may share"), canRead: true, canWrite: false)
    }

    /// For every signed-in organisation: what it reads of reports is decided per report.
    private func reportsCollection(_ context: SharingContext) -> TaxiiCollection? {
        guard context.user != nil, context.viewer.isCommunity else { return nil }
        return TaxiiCollection(
            id: Self.reportsCollectionID, kind: .reports, title: LocalizedText(ja: "情報連絡（インシデント報告）", en: "Incident reports"),
            description: LocalizedText(ja: "貴組織が読める情報連絡（自組織の報告、受けた段階の報告）。匿名化の選択に従います",
                                       en: "The incident reports your organisation may read (its own, those at a step it holds), anonymised as their reporters chose"),
            canRead: true, canWrite: false)
    }

    private func community(_ ceptoar: (key: String, id: UUID), _ context: SharingContext) -> TaxiiCollection {
        let party = Party.ceptoar(ceptoar.key)
        return TaxiiCollection(
            id: Self.communityCollectionID(ceptoar.key), kind: .community(key: ceptoar.key, id: ceptoar.id),
            title: LocalizedText(ja: "\(ceptoar.key) コミュニティ", en: "\(ceptoar.key) community"),
            description: LocalizedText(ja: "このセプターの構成員と事務局に共有された情報", en: "Information shared with this CEPTOAR's members and secretariat"),
            canRead: context.viewer.parties.contains(party), canWrite: context.acting.contains(party))
    }

    private func agreement(_ record: AgreementRecord, _ context: SharingContext) -> TaxiiCollection {
        let terms = record.terms
        let inForce = terms.inForce(on: context.day)
        return TaxiiCollection(
            id: Self.agreementCollectionID(record.key), kind: .agreement(record),
            title: LocalizedText(ja: "相互合意: \(record.titleJa)", en: "Agreement: \(record.titleEn ?? record.titleJa)"),
            description: LocalizedText(ja: "相互合意 \(record.key) の範囲で共有される情報（上限 \(terms.maxTLP.marking)）", en: "Information shared under agreement \(record.key) (up to \(terms.maxTLP.marking))"),
            canRead: inForce && !context.viewer.parties.isDisjoint(with: terms.receivers),
            canWrite: inForce && !context.acting.isDisjoint(with: terms.givers))
    }
}
