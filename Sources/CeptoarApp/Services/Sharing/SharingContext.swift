import CeptoarKit
import Fluent
import Foundation
import Vapor

/// Who is asking, as sharing needs it, read once per request: the policy's viewer with the
/// parties the organisation belongs to, the parties the user acts for (writes), and every
/// agreement naming one of them.
struct SharingContext: Sendable {
    var user: User?
    var viewer: AccessPolicy.Viewer
    /// Parties the user may act for (propose, post, delete).
    var acting: Set<String>
    /// Agreements naming one of the viewer's parties, by key.
    var agreements: [String: AgreementRecord]
    var day: Day
    /// Every CEPTOAR (key, id), for the community collections.
    var ceptoars: [(key: String, id: UUID)] = []

    static func make(_ user: User?, on database: any Database) async throws -> SharingContext {
        var viewer = try await Access(database: database).viewer(user)
        let ceptoars = try await Ceptoar.query(on: database).sort(\.$key).all().map { (key: $0.key, id: try $0.requireID()) }
        guard let user else { return SharingContext(user: nil, viewer: viewer, acting: [], agreements: [:], day: .today, ceptoars: ceptoars) }
        let parties = Parties(database: database)
        viewer.parties = try await parties.of(organisation: user.$organisation.id)
        let acting = try await parties.actingFor(user)
        let all = try await AgreementRecord.query(on: database).all()
        let mine = all.filter { $0.partyList.contains(where: viewer.parties.contains) }
        return SharingContext(
            user: user, viewer: viewer, acting: acting, agreements: Dictionary(mine.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a }), day: .today,
            ceptoars: ceptoars)
    }

    /// The context of a request's user, from the read cache when this process has written
    /// nothing since it was read (an agreement approved here is seen at once).
    static func cached(_ user: User?, for request: Request) async throws -> SharingContext {
        guard let user, let id = user.id else { return try await Self.make(nil, on: request.db) }
        let database = request.db
        return try await request.application.readCaches.sharingContexts.value(for: id) { try await Self.make(user, on: database) }
    }

    /// Any agreement by key (also those not naming the viewer: an object received under one).
    static func agreement(_ key: String, on database: any Database) async throws -> AgreementRecord? {
        try await AgreementRecord.query(on: database).filter(\.$key == key).first()
    }
}
