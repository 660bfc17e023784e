import CeptoarKit
import Fluent
import Foundation

/// Builds the access policy's inputs from the database: who is asking (`Viewer`) and what an
/// advisory is (`Item`). The decision itself is `AccessPolicy`'s alone.
struct Access {
    let database: any Database

    /// The viewer's organisation and, for each CEPTOAR it belongs to, whether it accepted the
    /// current version of that CEPTOAR's handling rules.
    func viewer(_ user: User?) async throws -> AccessPolicy.Viewer {
        guard let user else { return .anonymous }
        let organisation = user.$organisation.id
        let memberships = try await MapQuery.validOn(Membership.query(on: self.database), .today)
            .filter(\.$organisation.$id == organisation).filter(\.$role == Membership.Role.member.rawValue).all()
        var accepted: [String: Bool] = [:]
        for membership in memberships {
            let ceptoar = membership.$ceptoar.id
            guard let rules = try await HandlingRulesBook(database: self.database).current(for: ceptoar) else {
                // A CEPTOAR without rules binds no one: nothing to accept.
                continue
            }
            let acceptance = try await RulesAcceptance.query(on: self.database)
                .filter(\.$organisation.$id == organisation).filter(\.$rules.$id == rules.requireID()).first()
            accepted[ceptoar.uuidString] = acceptance != nil
        }
        return AccessPolicy.Viewer(organisation: organisation.uuidString, memberships: accepted)
    }

    /// The advisory as the policy sees it, for one viewer (only its own delivery matters).
    func item(_ advisory: Advisory, for viewer: AccessPolicy.Viewer) async throws -> AccessPolicy.Item {
        let id = try advisory.requireID()
        let hops = try await RelayHop.query(on: self.database).filter(\.$advisory.$id == id).all()
        let audience = hops.filter { $0.hopStage == .ceptoar && $0.hopStatus == .forwarded }.compactMap { $0.$ceptoar.id?.uuidString }
        var recipients: Set<String> = []
        if let organisation = UUID(uuidString: viewer.organisation),
            try await Delivery.query(on: self.database).filter(\.$advisory.$id == id).filter(\.$organisation.$id == organisation).first() != nil
        {
            recipients.insert(viewer.organisation)
        }
        var named: Set<String> = []
        if advisory.marking == .red {
            let keys = try await AdvisoryTarget.query(on: self.database).filter(\.$advisory.$id == id).filter(\.$kind == "organisation").all().map(\.targetKey)
            named = Set(try await Organisation.query(on: self.database).filter(\.$key ~~ keys).all().compactMap { $0.id?.uuidString })
        }
        return AccessPolicy.Item(
            tlp: advisory.marking, originator: advisory.$originator.id.uuidString, audience: Set(audience),
            relay: Set(hops.filter { $0.hopStage != .direct }.map { $0.$organisation.id.uuidString }), recipients: recipients, named: named)
    }

    /// Decides, and throws the denial as a 403 in the reader's language.
    func requireRead(_ advisory: Advisory, by user: User?) async throws {
        let viewer = try await self.viewer(user)
        if case .deny(let denial) = AccessPolicy.read(viewer, try await self.item(advisory, for: viewer)) {
            throw UserError(status: user == nil ? .unauthorized : .forbidden, ja: denial.message.ja, en: denial.message.text(.en))
        }
    }
}

/// Versions of each CEPTOAR's handling rules.
struct HandlingRulesBook {
    let database: any Database

    /// The version in force today: the highest version whose effective date has come.
    func current(for ceptoar: UUID) async throws -> HandlingRules? {
        try await HandlingRules.query(on: self.database).filter(\.$ceptoar.$id == ceptoar)
            .filter(\.$effectiveFrom <= Day.today.iso).sort(\.$version, .descending).first()
    }
}
