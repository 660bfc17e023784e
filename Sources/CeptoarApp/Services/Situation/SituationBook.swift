import CeptoarKit
import Fluent
import Foundation
import Vapor
import SQLKit

/// Situation assessment (情勢判断): each scope's current level, its timeline, the level the data
/// proposes, and a coordinator's change — checked, recorded, audited, told to the scope's
/// members through the relay, and, at 緊急, large-incident mode with its effects.
struct SituationBook {
    let database: any Database

    /// A change as it is asked for.
    struct ChangeInput: Content {
        var scope: String
        var level: String
        var rationale: LocalizedText
        var links: [SituationLink]
        /// NISC's switch: large-incident mode without (or before) 緊急.
        var largeIncident: Bool?

        enum CodingKeys: String, CodingKey {
            case scope, level, rationale, links
            case largeIncident = "large_incident"
        }
    }

    static let maxRationale = 4_000
    static let maxLinks = 20

    // MARK: reading

    /// Each scope's newest real judgement (exercises never set the real level).
    func current() async throws -> [SituationScope: SituationChange] {
        let changes = try await SituationChange.query(on: self.database).filter(\.$exercise == false).sort(\.$createdAt, .descending).all()
        var result: [SituationScope: SituationChange] = [:]
        for change in changes {
            guard let scope = change.scope, result[scope] == nil else { continue }
            result[scope] = change
        }
        return result
    }

    /// The scopes in large-incident mode now.
    func largeIncidentScopes() async throws -> Set<SituationScope> {
        Set(try await self.current().filter { $0.value.largeIncident }.keys)
    }

    /// A scope's timeline, newest first.
    func history(_ scope: SituationScope, limit: Int = 200) async throws -> [SituationChange] {
        try await SituationChange.query(on: self.database).filter(\.$scopeKind == scope.kind).filter(\.$scopeKey == scope.key)
            .filter(\.$exercise == false).sort(\.$createdAt, .descending).range(..<limit).all()
    }

    /// The registry facts about `user` the policy's situation and roster rules need.
    func coordinator(for user: User?, registry: SituationRegistry) async throws -> AccessPolicy.Coordinator {
        guard let user else { return .anonymous }
        let organisation = try await Organisation.find(user.$organisation.id, on: self.database)
        let memberships = try await MapQuery.validOn(Membership.query(on: self.database), .today).filter(\.$organisation.$id == user.$organisation.id).all()
        return registry.coordinator(for: user, organisation: organisation, memberships: memberships)
    }

    /// Every scope `person` may read, nation first.
    static func readable(by person: AccessPolicy.Coordinator, in registry: SituationRegistry) -> [SituationScope] {
        let all: [SituationScope] = [.nation] + registry.sectors.map { .sector($0.key) } + registry.ceptoars.map { .ceptoar($0.key) }
        return all.filter { AccessPolicy.readSituation($0, by: person) == .allow }
    }

    /// Every scope `person` coordinates.
    static func coordinated(by person: AccessPolicy.Coordinator, in registry: SituationRegistry) -> [SituationScope] {
        let all: [SituationScope] = [.nation] + registry.sectors.map { .sector($0.key) } + registry.ceptoars.map { .ceptoar($0.key) }
        return all.filter { AccessPolicy.coordinate($0, by: person, sectorOf: Self.sectorKey(of: $0, registry)) == .allow }
    }

    static func sectorKey(of scope: SituationScope, _ registry: SituationRegistry) -> String? {
        if case .ceptoar(let key) = scope { return registry.ceptoar(key)?.sectorKey }
        return nil
    }

    // MARK: the proposal

    /// What the data says about a scope now: open real reports by severity (detected in the
    /// last 14 days, not yet at their final stage), trend flags whose window ended in the last
    /// 72 hours, critical advisories delivered in the last 7 days that a member has not
    /// acknowledged, and the levels of the scopes inside.
    func facts(_ scope: SituationScope, registry: SituationRegistry, current: [SituationScope: SituationChange], now: Date = Date()) async throws -> SituationFacts {
        let sql = self.database as! any SQLDatabase
        let ceptoars = registry.ceptoars(in: scope).map(\.id)
        let sectors = Set(registry.ceptoars(in: scope).map(\.sectorID)).union(scope == .nation ? registry.sectors.map(\.id) : [])
        guard !ceptoars.isEmpty || scope == .nation else { return SituationFacts() }
        let inCeptoars: SQLQueryString = scope == .nation ? "1 = 1" : "ceptoar_id IN (\(binds: ceptoars))"
        var open: [Int: Int] = [:]
        for row in try await sql.raw("""
            SELECT severity, COUNT(*) AS n FROM incident_reports
            WHERE \(inCeptoars) AND stage <> 'final' AND exercise = \(bind: false) AND detected_at >= \(bind: now.addingTimeInterval(-14 * 86_400))
            GROUP BY severity
            """).all() {
            open[try row.decode(column: "severity", as: Int.self)] = try row.decode(column: "n", as: Int.self)
        }
        var trends = 0
        if !sectors.isEmpty {
            trends = try await sql.raw("""
                SELECT COUNT(*) AS n FROM trend_flags WHERE sector_id IN (\(binds: Array(sectors))) AND window_end >= \(bind: now.addingTimeInterval(-72 * 3_600))
                """).first()?.decode(column: "n", as: Int.self) ?? 0
        }
        let hopFilter: SQLQueryString = scope == .nation ? "1 = 1" : "h.ceptoar_id IN (\(binds: ceptoars))"
        let unacknowledged = try await sql.raw("""
            SELECT COUNT(*) AS n FROM deliveries d JOIN advisories a ON a.id = d.advisory_id JOIN relay_hops h ON h.id = d.hop_id
            WHERE a.severity = 'critical' AND d.acknowledged_at IS NULL AND d.delivered_at >= \(bind: now.addingTimeInterval(-7 * 86_400)) AND \(hopFilter)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        let inner = registry.inner(scope).map { current[$0]?.situationLevel ?? .normal }
        return SituationFacts(openReports: open, trendFlags: trends, unacknowledgedCritical: unacknowledged, inner: inner)
    }
}
