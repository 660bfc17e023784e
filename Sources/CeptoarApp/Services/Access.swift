import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Builds the access policy's inputs from the database: who is asking (`Viewer`) and what an
/// advisory is (`Item`). The decision itself is `AccessPolicy`'s alone.
struct Access {
    let database: any Database

    /// What the policy needs of an advisory in a list: which it is, its marking, who wrote it.
    struct Listed {
        var id: UUID
        var marking: TLP
        var originator: UUID
        /// The marking of the hop that delivered it to the viewer (the tightest on its path).
        var received: TLP? = nil
    }

    /// The viewer's organisation and, for each CEPTOAR it belongs to, whether it accepted the
    /// version of that CEPTOAR's handling rules in force today. One query: it runs for every
    /// read, so it is plain SQL rather than three model queries.
    func viewer(_ user: User?) async throws -> AccessPolicy.Viewer {
        guard let user else { return .anonymous }
        let organisation = user.$organisation.id
        let today = Day.today
        let rows = try await (self.database as! any SQLDatabase).raw("""
            SELECT m.ceptoar_id AS ceptoar, r.id AS rules,
            (SELECT COUNT(*) FROM rules_acceptances a WHERE a.organisation_id = m.organisation_id AND a.rules_id = r.id) AS accepted
            FROM memberships m
            LEFT JOIN handling_rules r ON r.id = (
                SELECT r2.id FROM handling_rules r2 WHERE r2.ceptoar_id = m.ceptoar_id AND r2.effective_from <= \(bind: today.iso)
                ORDER BY r2.version DESC LIMIT 1)
            WHERE m.organisation_id = \(bind: organisation) AND m.role = 'member'
            AND \(MapQuery.validOnSQL("m", today))
            """).all()
        var accepted: [String: Bool] = [:]
        for row in rows {
            // A CEPTOAR without rules binds no one: nothing to accept.
            guard try row.decodeNil(column: "rules") == false else { continue }
            accepted[try row.decode(column: "ceptoar", as: UUID.self).uuidString] = try row.decode(column: "accepted", as: Int.self) > 0
        }
        return AccessPolicy.Viewer(organisation: organisation.uuidString, memberships: accepted)
    }

    /// Items for many advisories at once, for a viewer whose organisation received them all
    /// (an inbox page). The policy only ever asks whether the viewer's own CEPTOARs are in an
    /// item's audience and whether the viewer's own organisation is on its relay, so only those
    /// facts are read — two small queries for the page, not every hop of every advisory.
    func items(_ advisories: [Listed], deliveredTo viewer: AccessPolicy.Viewer) async throws -> [UUID: AccessPolicy.Item] {
        let ids = advisories.map(\.id)
        guard !ids.isEmpty, let organisation = UUID(uuidString: viewer.organisation) else { return [:] }
        let sql = self.database as! any SQLDatabase
        let ceptoars = viewer.memberships.keys.compactMap(UUID.init(uuidString:))
        var audience: [UUID: Set<String>] = [:]
        if !ceptoars.isEmpty {
            let rows = try await sql.raw("""
                SELECT advisory_id, ceptoar_id FROM relay_hops
                WHERE advisory_id IN (\(binds: ids)) AND stage = 'ceptoar' AND status = 'forwarded' AND ceptoar_id IN (\(binds: ceptoars))
                """).all()
            for row in rows {
                audience[try row.decode(column: "advisory_id", as: UUID.self), default: []].insert(try row.decode(column: "ceptoar_id", as: UUID.self).uuidString)
            }
        }
        let relayRows = try await sql.raw("""
            SELECT DISTINCT advisory_id FROM relay_hops
            WHERE advisory_id IN (\(binds: ids)) AND organisation_id = \(bind: organisation) AND stage <> 'direct'
            """).all()
        let relayed = Set(try relayRows.map { try $0.decode(column: "advisory_id", as: UUID.self) })
        let namedByAdvisory = try await self.named(advisories)
        var result: [UUID: AccessPolicy.Item] = [:]
        for advisory in advisories {
            let id = advisory.id
            result[id] = AccessPolicy.Item(
                tlp: advisory.marking, originator: advisory.originator.uuidString, audience: audience[id] ?? [],
                relay: relayed.contains(id) ? [viewer.organisation] : [], recipients: [viewer.organisation], named: namedByAdvisory[id] ?? [],
                received: advisory.received)
        }
        return result
    }

    /// For TLP:RED advisories, the organisations their originator named (by id), per advisory.
    private func named(_ advisories: [Listed]) async throws -> [UUID: Set<String>] {
        // Named organisations matter wherever RED is the marking someone holds it under.
        let red = advisories.filter { $0.marking == .red || $0.received == .red }.map(\.id)
        guard !red.isEmpty else { return [:] }
        let targets = try await AdvisoryTarget.query(on: self.database).filter(\.$advisory.$id ~~ red).filter(\.$kind == "organisation").all()
        let organisations = try await Organisation.query(on: self.database).filter(\.$key ~~ targets.map(\.targetKey)).all()
        let idByKey = Dictionary(organisations.compactMap { o in o.key.map { ($0, o.id!.uuidString) } }, uniquingKeysWith: { a, _ in a })
        var result: [UUID: Set<String>] = [:]
        for target in targets { if let id = idByKey[target.targetKey] { result[target.$advisory.id, default: []].insert(id) } }
        return result
    }

    /// The advisory as the policy sees it, for one viewer (only its own delivery matters).
    func item(_ advisory: Advisory, for viewer: AccessPolicy.Viewer) async throws -> AccessPolicy.Item {
        let id = try advisory.requireID()
        let hops = try await RelayHop.query(on: self.database).filter(\.$advisory.$id == id).all()
        let markings = hops.map { TLP(rawValue: $0.tlp) ?? .red }
        var recipients: Set<String> = []
        var received: TLP?
        if let organisation = UUID(uuidString: viewer.organisation) {
            if let delivery = try await Delivery.query(on: self.database).filter(\.$advisory.$id == id).filter(\.$organisation.$id == organisation).first() {
                recipients.insert(viewer.organisation)
                received = zip(hops, markings).first { $0.0.id == delivery.$hop.id }?.1 ?? .red
            } else {
                // A ministry or secretariat holds it under the marking of the hop it holds.
                received = zip(hops, markings).filter { $0.0.$organisation.id == organisation && $0.0.hopStage != .direct }.map(\.1).max()
            }
        }
        let audience = hops.filter { $0.hopStage == .ceptoar && $0.hopStatus == .forwarded }.compactMap { $0.$ceptoar.id?.uuidString }
        let strictest = Self.strictest(markings, published: advisory.marking)
        return AccessPolicy.Item(
            tlp: advisory.marking, originator: advisory.$originator.id.uuidString, audience: Set(audience),
            relay: Set(hops.filter { $0.hopStage != .direct }.map { $0.$organisation.id.uuidString }), recipients: recipients,
            named: try await self.named([Listed(id: id, marking: strictest, originator: advisory.$originator.id)])[id] ?? [],
            received: received, strictest: strictest)
    }

    /// The policy's decision for `user`, and the marking the user holds the advisory under.
    func reading(_ advisory: Advisory, by user: User?) async throws -> (decision: AccessPolicy.Decision, marking: TLP) {
        let viewer = try await self.viewer(user)
        let item = try await self.item(advisory, for: viewer)
        return (AccessPolicy.read(viewer, item), AccessPolicy.marking(for: viewer, of: item))
    }

    /// Decides, and throws the denial as a 403 in the reader's language; otherwise returns the
    /// marking the reader holds it under, which every page, export and message must show.
    @discardableResult
    func requireRead(_ advisory: Advisory, by user: User?) async throws -> TLP {
        let (decision, marking) = try await self.reading(advisory, by: user)
        if case .deny(let denial) = decision {
            throw UserError(status: user == nil ? .unauthorized : .forbidden, ja: denial.message.ja, en: denial.message.text(.en), denial: denial)
        }
        return marking
    }

    /// The tightest marking on an advisory's relay: what a message that leaves for many
    /// recipients at once (mail, SMS, FAX) must announce.
    func strictestMarking(of advisory: Advisory) async throws -> TLP {
        let hops = try await RelayHop.query(on: self.database).filter(\.$advisory.$id == advisory.requireID()).all()
        return Self.strictest(hops.map { TLP(rawValue: $0.tlp) ?? .red }, published: advisory.marking)
    }

    /// The tightest of the hops' markings and the originator's.
    private static func strictest(_ markings: [TLP], published: TLP) -> TLP {
        markings.reduce(published, Swift.max)
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

    /// The versions in force today for several CEPTOARs at once, in one query.
    func current(for ceptoars: [UUID]) async throws -> [UUID: HandlingRules] {
        guard !ceptoars.isEmpty else { return [:] }
        let rules = try await HandlingRules.query(on: self.database).filter(\.$ceptoar.$id ~~ ceptoars)
            .filter(\.$effectiveFrom <= Day.today.iso).all()
        return Dictionary(grouping: rules, by: { $0.$ceptoar.id }).compactMapValues { $0.max { $0.version < $1.version } }
    }
}
