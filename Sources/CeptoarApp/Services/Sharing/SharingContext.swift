import CeptoarKit
import Fluent
import Foundation

/// Who is asking, as sharing needs it, read once per request: the policy's viewer with the
/// parties the organisation belongs to, the parties the user acts for (writes), and every
/// agreement naming one of them.
struct SharingContext {
    var user: User?
    var viewer: AccessPolicy.Viewer
    /// Parties the user may act for (propose, post, delete).
    var acting: Set<String>
    /// Agreements naming one of the viewer's parties, by key.
    var agreements: [String: AgreementRecord]
    var day: Day

    static func make(_ user: User?, on database: any Database) async throws -> SharingContext {
        var viewer = try await Access(database: database).viewer(user)
        guard let user else { return SharingContext(user: nil, viewer: viewer, acting: [], agreements: [:], day: .today) }
        let parties = Parties(database: database)
        viewer.parties = try await parties.of(organisation: user.$organisation.id)
        let acting = try await parties.actingFor(user)
        let all = try await AgreementRecord.query(on: database).all()
        let mine = all.filter { $0.partyList.contains(where: viewer.parties.contains) }
        return SharingContext(user: user, viewer: viewer, acting: acting, agreements: Dictionary(mine.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a }), day: .today)
    }

    /// Any agreement by key (also those not naming the viewer: an object received under one).
    static func agreement(_ key: String, on database: any Database) async throws -> AgreementRecord? {
        try await AgreementRecord.query(on: database).filter(\.$key == key).first()
    }
}
