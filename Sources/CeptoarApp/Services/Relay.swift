import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// The relay of advisories: NISC → competent ministry → CEPTOAR → members, each hop
/// forwarding at once or waiting for review by policy, members reached by one set-based insert.
struct Relay {
    let database: any Database
    /// What one publish or review has already read, so a relay of twenty hops does not read the
    /// registry twenty times. A new `Relay` (one per transaction) starts empty.
    private let memo = Memo()

    init(database: any Database) {
        self.database = database
    }

    private final class Memo: @unchecked Sendable {
        var advisories: [UUID: Advisory] = [:]
        var audiences: [UUID: [UUID: Audience]] = [:]
        var versions: [CeptoarVersion]?
        var sectorVersions: [SectorVersion]?
        var policies: [UUID: RelayPolicy]?
        /// Scopes in large-incident mode, and the registry to place a hop in them.
        var largeIncident: (scopes: Set<SituationScope>, registry: SituationRegistry)?
        var audit: [AuditLog.Pending] = []
        /// Hops opened in this transaction, written together by `flush`.
        var newHops: [RelayHop] = []
        /// Hops forwarded to their members in this transaction, fanned out together by `flush`.
        var fanOuts: [RelayHop] = []
    }

    /// Audit entries of this transaction, appended together by `flush`.
    private func audit(_ actor: String, _ action: String, _ subject: String, _ detail: [String: String] = [:]) {
        self.memo.audit.append(AuditLog.Pending(actor: actor, action: action, subject: subject, detail: detail))
    }

    /// Writes what this transaction's relay decided, in a few statements whatever the number of
    /// hops: the new hops in one insert, every plain CEPTOAR hop's members in one
    /// `INSERT … SELECT`, one outbox job per hop, then the audit entries.
    private func flush() async throws {
        let sql = self.database as! any SQLDatabase
        if !self.memo.newHops.isEmpty {
            try await sql.insertRows(into: RelayHop.schema, columns: RelayHop.columns, self.memo.newHops.map(\.row), chunk: 400)
            self.memo.newHops = []
        }
        let hops = self.memo.fanOuts
        self.memo.fanOuts = []
        let plain = hops.filter { $0.hopStage == .ceptoar && $0.audienceGroups.isEmpty && $0.audienceOrganisations.isEmpty && $0.$ceptoar.id != nil }
        try await self.insertDeliveries(plain)
        for hop in hops where !plain.contains(where: { $0 === hop }) {
            try await self.insertDeliveries(hop)
        }
        for _ in hops { FaultInjection.fanOutInserted() }
        try await self.insertJobs(hops)
        try await AuditLog.append(on: self.database, self.memo.audit)
        self.memo.audit = []
    }

    /// CEPTOAR versions in force today, with their CEPTOAR and sector.
    private func currentVersions() async throws -> [CeptoarVersion] {
        if let versions = self.memo.versions { return versions }
        let versions = try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today).with(\.$ceptoar).with(\.$sector).all()
        self.memo.versions = versions
        return versions
    }

    private func currentSectorVersions() async throws -> [SectorVersion] {
        if let versions = self.memo.sectorVersions { return versions }
        let versions = try await MapQuery.validOn(SectorVersion.query(on: self.database), .today).all()
        self.memo.sectorVersions = versions
        return versions
    }

    /// Who a CEPTOAR hop delivers to: all members, or only some sub-groups or organisations.
    struct Audience: Equatable {
        var all = false
        var groups: Set<String> = []
        var organisations: Set<UUID> = []

        mutating func merge(_ other: Audience) {
            self.all = self.all || other.all
            self.groups.formUnion(other.groups)
            self.organisations.formUnion(other.organisations)
        }
    }

    // MARK: publishing

    func publish(_ input: AdvisoryInput, by user: User) async throws -> Advisory {
        try await self.publish(input, by: user, idempotencyKey: nil).advisory
    }

    /// An exercise's inject: relayed as any advisory, marked exercise in the same transaction,
    /// and never recorded as STIX — a peer pulling a collection must not take a drill for a threat.
    func publishExercise(_ input: AdvisoryInput, by user: User) async throws -> Advisory {
        try await self.publish(input, by: user, idempotencyKey: nil, exercise: true).advisory
    }

    /// Publishes, or — when `idempotencyKey` was already used by the same organisation for the
    /// same request — returns that advisory (`replayed`) without relaying anything again.
    func publish(_ input: AdvisoryInput, by user: User, idempotencyKey: String?, exercise: Bool = false) async throws -> (advisory: Advisory, replayed: Bool) {
        if let key = idempotencyKey, key.isEmpty || key.count > 200 {
            throw UserError.badRequest(ja: "Idempotency-Key は1から200文字です", en: "the Idempotency-Key must be 1 to 200 characters")
        }
        let requestHash = try AdvisoryInput.requestHash(input)
        let checked = try input.validated()
        let organisation = try await user.$organisation.get(on: self.database)
        let isNISC = organisation.organisationKind == .cabinetSecretariat && user.has(.niscCoordinator)
        let ownCeptoars = try await self.secretariatCeptoars(of: try organisation.requireID())
        guard isNISC || (user.has(.ceptoarSecretariat) && !ownCeptoars.isEmpty) else {
            throw UserError.forbidden(
                ja: "注意喚起を発信できるのは NISC コーディネータとセプター事務局です",
                en: "only NISC coordinators and CEPTOAR secretariats may publish advisories")
        }
        /// The advisory this organisation already published under the key, if any.
        @Sendable func earlier(on db: any Database) async throws -> (advisory: Advisory, replayed: Bool)? {
            guard let key = idempotencyKey,
                let earlier = try await Advisory.query(on: db).filter(\.$originator.$id == organisation.requireID()).filter(\.$idempotencyKey == key).first()
            else { return nil }
            guard earlier.requestHash == requestHash else {
                throw UserError(status: .conflict, ja: "この Idempotency-Key は別の注意喚起に使われています", en: "this Idempotency-Key was used for a different advisory")
            }
            return (earlier, true)
        }
        do {
            return try await self.relay(input, checked: checked, by: user, organisation: organisation, isNISC: isNISC, ownCeptoars: ownCeptoars,
                idempotencyKey: idempotencyKey, requestHash: requestHash, earlier: earlier, exercise: exercise)
        } catch {
            // Two retries raced (PostgreSQL runs them side by side): the other one committed
            // first, and the unique key refused this one. Answer as the replay it is.
            guard idempotencyKey != nil, (error as? any DatabaseError)?.isConstraintFailure == true,
                let replay = try await earlier(on: self.database)
            else { throw error }
            return replay
        }
    }

    /// A published failure case goes to its sector's members as an "analysis result", from the
    /// analysis body or secretariat that wrote it. `FailureCases` decided who may; the relay
    /// keeps its own rule that the audience is the sector's CEPTOARs.
    func publishAnalysis(_ input: AdvisoryInput, sector: UUID, by user: User) async throws -> Advisory {
        let checked = try input.validated()
        let organisation = try await user.$organisation.get(on: self.database)
        let ceptoars = Set(try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today).filter(\.$sector.$id == sector).all().map { $0.$ceptoar.id })
        return try await self.relay(
            input, checked: checked, by: user, organisation: organisation, isNISC: false, ownCeptoars: ceptoars,
            idempotencyKey: nil, requestHash: "", earlier: { _ in nil }
        ).advisory
    }

    /// A situation change goes to the members of the CEPTOARs its scope covers, forwarded at
    /// once: `SituationBook` decided who may change it; the relay keeps its rule that the
    /// audience stays inside those CEPTOARs.
    func publishNotice(_ input: AdvisoryInput, ceptoars: Set<UUID>, by user: User) async throws -> Advisory {
        let checked = try input.validated()
        let organisation = try await user.$organisation.get(on: self.database)
        return try await self.relay(
            input, checked: checked, by: user, organisation: organisation, isNISC: false, ownCeptoars: ceptoars,
            idempotencyKey: nil, requestHash: "", earlier: { _ in nil }
        ).advisory
    }

    private func relay(
        _ input: AdvisoryInput, checked: AdvisoryInput.Checked, by user: User, organisation: Organisation, isNISC: Bool, ownCeptoars: Set<UUID>,
        idempotencyKey: String?, requestHash: String, earlier: @escaping @Sendable (any Database) async throws -> (advisory: Advisory, replayed: Bool)?,
        exercise: Bool = false
    ) async throws -> (advisory: Advisory, replayed: Bool) {
        try await self.database.atomically { db in
            if let replay = try await earlier(db) { return replay }
            let relay = Relay(database: db)
            let advisory = Advisory()
            advisory.id = UUID()
            advisory.idempotencyKey = idempotencyKey
            advisory.requestHash = idempotencyKey == nil ? nil : requestHash
            advisory.$originator.id = try organisation.requireID()
            advisory.$author.id = try user.requireID()
            advisory.titleJa = input.title.ja.trimmingCharacters(in: .whitespacesAndNewlines)
            advisory.titleEn = input.title.en.flatMap { $0.isEmpty ? nil : $0 }
            advisory.bodyJa = input.body.ja
            advisory.bodyEn = input.body.en.flatMap { $0.isEmpty ? nil : $0 }
            advisory.severity = checked.severity.rawValue
            advisory.category = checked.category.rawValue
            advisory.tlp = checked.tlp.rawValue
            advisory.references = (input.references ?? []).joined(separator: "\n")
            advisory.expiresAt = input.expiresAt
            try await relay.chain(advisory, supersedes: input.supersedes, organisation: try organisation.requireID())
            try await advisory.create(on: db)
            if exercise {
                try await (db as! any SQLDatabase).raw("UPDATE advisories SET exercise = \(bind: true) WHERE id = \(bind: advisory.id!)").run()
            }
            relay.memo.advisories[advisory.id!] = advisory
            try await checked.targets.map { AdvisoryTarget(advisoryID: advisory.id!, kind: $0.0, key: $0.1) }.create(on: db)
            let audience = try await relay.audience(of: advisory)
            if !isNISC, audience.keys.contains(where: { !ownCeptoars.contains($0) }) {
                throw UserError(status: .unprocessableEntity, ja: "事務局は自セプターの構成員にのみ発信できます", en: "a secretariat may publish to its own CEPTOAR's members only")
            }
            relay.audit(user.email, "publish", "advisory:\(advisory.id!)", ["tlp": advisory.tlp, "severity": advisory.severity, "version": String(advisory.version)])
            if checked.tlp == .red {
                try await relay.direct(advisory, audience: audience, holder: try organisation.requireID())
            } else if isNISC {
                try await relay.startAtMinistries(advisory, audience: audience)
            } else {
                for (ceptoar, part) in audience {
                    try await relay.openCeptoarHop(advisory, ceptoar: ceptoar, holder: try organisation.requireID(), parent: nil, audience: part, tlp: checked.tlp, forceForward: true)
                }
            }
            try await relay.flush()
            // Its STIX objects, in the same transaction: TAXII collections see it as it commits.
            try await StixStore(database: db).record(advisory, exercise: exercise)
            return (advisory, false)
        }
    }

    /// Places a correction in the series of the advisory it supersedes (same originator only).
    private func chain(_ advisory: Advisory, supersedes: UUID?, organisation: UUID) async throws {
        guard let supersedes else {
            advisory.seriesID = advisory.id!
            advisory.version = 1
            return
        }
        guard let previous = try await Advisory.find(supersedes, on: self.database) else {
            throw UserError.notFound(ja: "訂正元の注意喚起が見つかりません", en: "the advisory to correct does not exist")
        }
        guard previous.$originator.id == organisation else {
            throw UserError.forbidden(ja: "訂正できるのは発信元の組織だけです", en: "only the originating organisation may correct an advisory")
        }
        let latest = try await Advisory.query(on: self.database).filter(\.$seriesID == previous.seriesID).max(\.$version) ?? previous.version
        advisory.$supersedes.id = supersedes
        advisory.seriesID = previous.seriesID
        advisory.version = latest + 1
    }

    /// The CEPTOARs an advisory reaches, each with who inside it.
    func audience(of advisory: Advisory) async throws -> [UUID: Audience] {
        if let known = self.memo.audiences[try advisory.requireID()] { return known }
        let today = Day.today
        let targets = try await AdvisoryTarget.query(on: self.database).filter(\.$advisory.$id == advisory.requireID()).all()
        let versions = try await self.currentVersions()
        var result: [UUID: Audience] = [:]
        func add(_ ceptoar: UUID, _ part: Audience) { result[ceptoar, default: Audience()].merge(part) }
        for target in targets {
            let missing = UserError(status: .unprocessableEntity, ja: "提供先が見つかりません: \(target.kind) \(target.targetKey)", en: "no such target: \(target.kind) '\(target.targetKey)'")
            switch AdvisoryTarget.Kind(rawValue: target.kind) {
            case .sector:
                let inSector = versions.filter { $0.sector.key == target.targetKey }
                guard !inSector.isEmpty else { throw missing }
                for version in inSector { add(version.$ceptoar.id, Audience(all: true)) }
            case .ceptoar:
                guard let version = versions.first(where: { $0.ceptoar.key == target.targetKey }) else { throw missing }
                add(version.$ceptoar.id, Audience(all: true))
            case .group:
                let parts = target.targetKey.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2, let version = versions.first(where: { $0.ceptoar.key == parts[0] }),
                    try await CeptoarGroup.query(on: self.database).filter(\.$ceptoar.$id == version.$ceptoar.id).filter(\.$code == parts[1]).first() != nil
                else { throw missing }
                add(version.$ceptoar.id, Audience(groups: [parts[1]]))
            case .organisation:
                guard let organisation = try await Organisation.query(on: self.database).filter(\.$key == target.targetKey).first() else { throw missing }
                let memberships = try await MapQuery.validOn(Membership.query(on: self.database), today)
                    .filter(\.$organisation.$id == organisation.requireID()).filter(\.$role == Membership.Role.member.rawValue).all()
                guard !memberships.isEmpty else {
                    throw UserError(status: .unprocessableEntity, ja: "指名された組織はどのセプターの構成員でもありません: \(target.targetKey)", en: "the named organisation is not a member of any CEPTOAR: \(target.targetKey)")
                }
                for membership in memberships { add(membership.$ceptoar.id, Audience(organisations: [try organisation.requireID()])) }
            case nil:
                throw missing
            }
        }
        self.memo.audiences[try advisory.requireID()] = result
        return result
    }

    // MARK: hops

    private func startAtMinistries(_ advisory: Advisory, audience: [UUID: Audience]) async throws {
        let versions = try await self.currentVersions().filter { audience.keys.contains($0.$ceptoar.id) }
        let sectorVersions = try await self.currentSectorVersions()
        var ministries: Set<UUID> = []
        for version in versions {
            guard let sector = sectorVersions.first(where: { $0.$sector.id == version.$sector.id }) else { continue }
            ministries.insert(sector.$ministry.id)
        }
        for ministry in ministries.sorted(by: { $0.uuidString < $1.uuidString }) {
            let hop = RelayHop()
            hop.$advisory.id = try advisory.requireID()
            hop.$organisation.id = ministry
            hop.stage = RelayHop.Stage.ministry.rawValue
            hop.tlp = advisory.tlp
            hop.audienceGroups = ""
            hop.audienceOrganisations = ""
            try await self.arrive(hop, severity: advisory.severityLevel)
        }
    }

    /// A hop arrives: forwarded at once when its holder's policy says so, held otherwise.
    private func arrive(_ hop: RelayHop, severity: Severity) async throws {
        hop.receivedAt = Date()
        let policy = try await self.policy(of: hop.$organisation.id)
        if policy.forwardsAtOnce(severity) {
            try await self.complete(hop, actor: nil, note: nil, tlp: TLP(rawValue: hop.tlp) ?? .red, isNew: true)
        } else if try await self.inLargeIncident(hop) {
            try await self.complete(hop, actor: nil, note: nil, tlp: TLP(rawValue: hop.tlp) ?? .red, isNew: true, system: Self.largeIncidentActor)
        } else {
            hop.status = RelayHop.Status.held.rawValue
            hop.automatic = false
            hop.id = UUID()
            self.memo.newHops.append(hop)
        }
    }

    func policy(of organisation: UUID) async throws -> RelayPolicy {
        if self.memo.policies == nil {
            let settings = try await RelayPolicySetting.query(on: self.database).all()
            self.memo.policies = Dictionary(settings.compactMap { setting in
                Severity(rawValue: setting.autoForwardFrom).map { (setting.$organisation.id, RelayPolicy(autoForwardFrom: $0)) }
            }, uniquingKeysWith: { first, _ in first })
        }
        return self.memo.policies?[organisation] ?? .default
    }

    /// Forwards a hop: a ministry hop opens the hops of its CEPTOARs; a CEPTOAR hop reaches members.
    /// A hop forwarded the moment it arrives is written once, already forwarded.
    private func complete(_ hop: RelayHop, actor: User?, note: String?, tlp: TLP, isNew: Bool = false, system: String = "system:auto-forward") async throws {
        let now = Date()
        hop.status = RelayHop.Status.forwarded.rawValue
        hop.forwardedAt = now
        hop.reviewedAt = actor == nil ? nil : now
        hop.automatic = actor == nil
        hop.$actor.id = try actor?.requireID()
        hop.note = note
        hop.tlp = tlp.rawValue
        if isNew {
            hop.id = UUID()
            self.memo.newHops.append(hop)
        } else {
            try await hop.save(on: self.database)
        }
        self.audit(actor?.email ?? system, "forward", "hop:\(hop.id!)", ["advisory": hop.$advisory.id.uuidString, "stage": hop.stage, "tlp": tlp.rawValue])
        let advisory: Advisory
        if let known = self.memo.advisories[hop.$advisory.id] {
            advisory = known
        } else {
            advisory = try await hop.$advisory.get(on: self.database)
            self.memo.advisories[hop.$advisory.id] = advisory
        }
        switch hop.hopStage {
        case .ministry:
            let audience = try await self.audience(of: advisory)
            let versions = try await self.currentVersions().filter { audience.keys.contains($0.$ceptoar.id) }
            let sectors = try await self.currentSectorVersions().filter { $0.$ministry.id == hop.$organisation.id }
            let mine = Set(sectors.map { $0.$sector.id })
            for version in versions.sorted(by: { $0.position < $1.position }) where mine.contains(version.$sector.id) {
                guard let holder = version.$secretariatOrganisation.id else { continue }
                try await self.openCeptoarHop(advisory, ceptoar: version.$ceptoar.id, holder: holder, parent: hop, audience: audience[version.$ceptoar.id]!, tlp: tlp, forceForward: false)
            }
        case .ceptoar, .direct:
            self.memo.fanOuts.append(hop)
        }
    }

    func openCeptoarHop(_ advisory: Advisory, ceptoar: UUID, holder: UUID, parent: RelayHop?, audience: Audience, tlp: TLP, forceForward: Bool) async throws {
        let hop = RelayHop()
        hop.$advisory.id = try advisory.requireID()
        hop.$organisation.id = holder
        hop.$ceptoar.id = ceptoar
        hop.$parent.id = parent?.id
        hop.stage = RelayHop.Stage.ceptoar.rawValue
        hop.tlp = tlp.rawValue
        hop.audienceGroups = audience.all ? "" : audience.groups.sorted().joined(separator: ",")
        hop.audienceOrganisations = audience.all ? "" : audience.organisations.map(\.uuidString).sorted().joined(separator: ",")
        if forceForward {
            hop.receivedAt = Date()
            try await self.complete(hop, actor: nil, note: nil, tlp: tlp, isNew: true)
        } else {
            try await self.arrive(hop, severity: advisory.severityLevel)
        }
    }

    private func direct(_ advisory: Advisory, audience: [UUID: Audience], holder: UUID) async throws {
        let hop = RelayHop()
        hop.$advisory.id = try advisory.requireID()
        hop.$organisation.id = holder
        hop.stage = RelayHop.Stage.direct.rawValue
        hop.tlp = advisory.tlp
        hop.audienceGroups = ""
        let named = audience.values.reduce(into: Set<UUID>()) { $0.formUnion($1.organisations) }
        hop.audienceOrganisations = named.map(\.uuidString).sorted().joined(separator: ",")
        hop.receivedAt = Date()
        try await self.complete(hop, actor: nil, note: nil, tlp: .red, isNew: true)
    }

    // MARK: reaching members

    /// One hop's members reached at once (a retry after a crash does exactly this): its
    /// deliveries and its outbox job, in the caller's transaction. `ON CONFLICT DO NOTHING` on
    /// (advisory, organisation) and on the job key makes a repeat a no-op.
    func fanOut(_ hop: RelayHop) async throws {
        try await self.insertDeliveries(hop)
        try await self.insertJobs([hop])
    }

    /// The members of many plain CEPTOAR hops (every member, no sub-group or named
    /// organisations) in one `INSERT … SELECT`, joined to the hops as a table of values.
    private func insertDeliveries(_ hops: [RelayHop]) async throws {
        guard let first = hops.first else { return }
        let sql = self.database as! any SQLDatabase
        let today = Day.today
        let pairs: [SQLQueryString] = try hops.map { "(\(bind: $0.$ceptoar.id!), \(bind: try $0.requireID()))" }
        try await sql.raw("""
            WITH h (ceptoar_id, hop_id) AS (VALUES \(pairs.joined(separator: ", ")))
            INSERT INTO deliveries (advisory_id, organisation_id, hop_id, delivered_at)
            SELECT \(bind: first.$advisory.id), m.organisation_id, h.hop_id, \(bind: Date()) FROM memberships m JOIN h ON m.ceptoar_id = h.ceptoar_id
            WHERE m.role = 'member' AND \(MapQuery.validOnSQL("m", today))
            ON CONFLICT (advisory_id, organisation_id) DO NOTHING
            """).run()
    }

    /// One hop's deliveries: its named organisations (RED, direct), or the members of its
    /// CEPTOAR, narrowed to sub-groups or named organisations when the audience says so.
    private func insertDeliveries(_ hop: RelayHop) async throws {
        let sql = self.database as! any SQLDatabase
        let now = Date()
        let today = Day.today
        let advisory = hop.$advisory.id
        let hopID = try hop.requireID()
        var filters: [SQLQueryString] = []
        let organisations = hop.audienceOrganisations.split(separator: ",").compactMap { UUID(uuidString: String($0)) }
        let groups = hop.audienceGroups.split(separator: ",").map(String.init)
        if hop.hopStage == .direct {
            guard !organisations.isEmpty else { return }
            try await sql.raw("""
                INSERT INTO deliveries (advisory_id, organisation_id, hop_id, delivered_at)
                SELECT \(bind: advisory), o.id, \(bind: hopID), \(bind: now) FROM organisations o
                WHERE o.id IN (\(binds: organisations))
                ON CONFLICT (advisory_id, organisation_id) DO NOTHING
                """).run()
            return
        }
        guard let ceptoar = hop.$ceptoar.id else { return }
        if !organisations.isEmpty || !groups.isEmpty {
            var parts: [SQLQueryString] = []
            if !organisations.isEmpty { parts.append("m.organisation_id IN (\(binds: organisations))") }
            if !groups.isEmpty {
                parts.append("m.group_id IN (SELECT g.id FROM ceptoar_groups g WHERE g.ceptoar_id = \(bind: ceptoar) AND g.code IN (\(binds: groups)))")
            }
            filters.append("AND (" + parts.joined(separator: " OR ") + ")")
        }
        try await sql.raw("""
            INSERT INTO deliveries (advisory_id, organisation_id, hop_id, delivered_at)
            SELECT \(bind: advisory), m.organisation_id, \(bind: hopID), \(bind: now) FROM memberships m
            WHERE m.ceptoar_id = \(bind: ceptoar) AND m.role = 'member'
            AND \(MapQuery.validOnSQL("m", today))
            \(filters.joined(separator: " "))
            ON CONFLICT (advisory_id, organisation_id) DO NOTHING
            """).run()
    }

    /// One outbox job per hop; the worker tells each member after the commit.
    private func insertJobs(_ hops: [RelayHop]) async throws {
        guard !hops.isEmpty else { return }
        let now = Date()
        let rows: [SQLQueryString] = try hops.map { hop in
            let id = try hop.requireID()
            return "('notify_hop', \(bind: "notify-hop:" + id.uuidString), \(bind: id), 'queued', 0, \(bind: now))"
        }
        try await (self.database as! any SQLDatabase).raw("""
            INSERT INTO jobs (kind, idempotency_key, hop_id, status, attempts, run_at)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (idempotency_key) DO NOTHING
            """).run()
    }

    // MARK: large-incident mode

    /// Who the audit log names for a hop forwarded because its scope is in large-incident mode.
    static let largeIncidentActor = "system:large-incident"

    /// Whether a hop lies in a scope in large-incident mode: a CEPTOAR hop when its CEPTOAR,
    /// its sector or the nation is; a ministry hop when the nation or a sector it is competent
    /// for is (it opens hops for other sectors' CEPTOARs too, which then follow their own mode).
    private func inLargeIncident(_ hop: RelayHop) async throws -> Bool {
        if self.memo.largeIncident == nil {
            let scopes = try await SituationBook(database: self.database).largeIncidentScopes()
            self.memo.largeIncident = (scopes, scopes.isEmpty ? SituationRegistry(ceptoars: [], sectors: []) : try await SituationRegistry.load(on: self.database))
        }
        guard let (scopes, registry) = self.memo.largeIncident, !scopes.isEmpty else { return false }
        if scopes.contains(.nation) { return true }
        switch hop.hopStage {
        case .ministry:
            return registry.sectors.contains { $0.ministry == hop.$organisation.id && scopes.contains(.sector($0.key)) }
        case .ceptoar:
            guard let ceptoar = hop.$ceptoar.id else { return false }
            return registry.scopes(ofCeptoar: ceptoar).contains { scopes.contains($0) }
        case .direct:
            return false
        }
    }

    /// Large-incident mode begins: every hop held in the scope is forwarded now, as if its
    /// holder had forwarded it unchanged. Returns how many.
    func forwardHeld(in scope: SituationScope, registry: SituationRegistry) async throws -> Int {
        self.memo.largeIncident = nil
        var query = RelayHop.query(on: self.database).filter(\.$status == RelayHop.Status.held.rawValue)
        let ceptoars = registry.ceptoars(in: scope).map(\.id)
        switch scope {
        case .nation:
            break
        case .sector(let key):
            let ministries = registry.sectors.filter { $0.key == key }.map(\.ministry)
            query = query.group(.or) { either in
                either.group(.and) { $0.filter(\.$stage == RelayHop.Stage.ceptoar.rawValue).filter(\.$ceptoar.$id ~~ ceptoars) }
                either.group(.and) { $0.filter(\.$stage == RelayHop.Stage.ministry.rawValue).filter(\.$organisation.$id ~~ ministries) }
            }
        case .ceptoar:
            query = query.filter(\.$stage == RelayHop.Stage.ceptoar.rawValue).filter(\.$ceptoar.$id ~~ ceptoars)
        }
        let held = try await query.sort(\.$receivedAt).all()
        for hop in held {
            try await self.complete(hop, actor: nil, note: nil, tlp: TLP(rawValue: hop.tlp) ?? .red, system: Self.largeIncidentActor)
        }
        try await self.flush()
        return held.count
    }

    // MARK: review

    /// A reviewer at a held hop forwards it, optionally with a sector note and a tighter marking.
    func forward(hopID: UUID, by user: User, note: String?, tlp requested: String?) async throws -> RelayHop {
        try await self.database.atomically { db in
            let relay = Relay(database: db)
            let hop = try await relay.heldHop(hopID, for: user)
            let from = TLP(rawValue: hop.tlp) ?? .red
            var to = from
            if let requested {
                guard let parsed = TLP(label: requested) else {
                    throw UserError(status: .unprocessableEntity, ja: "不明なTLPです: \(requested)", en: "unknown TLP '\(requested)'")
                }
                to = parsed
            }
            if case .deny(let denial) = AccessPolicy.forward(by: user.$organisation.id.uuidString, holder: hop.$organisation.id.uuidString, from: from, to: to) {
                throw UserError(status: .unprocessableEntity, ja: denial.message.ja, en: denial.message.text(.en))
            }
            let trimmed = note?.trimmingCharacters(in: .whitespacesAndNewlines)
            try await relay.complete(hop, actor: user, note: trimmed?.isEmpty == false ? trimmed : nil, tlp: to)
            try await relay.flush()
            // A sector note becomes a STIX note on the advisory's report.
            if hop.note != nil { try await StixStore(database: db).record(try await hop.$advisory.get(on: db)) }
            return hop
        }
    }

    /// A reviewer withholds a held hop, with a reason; nothing goes further.
    func withhold(hopID: UUID, by user: User, reason: String) async throws -> RelayHop {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw UserError(status: .unprocessableEntity, ja: "差し止めの理由を入力してください", en: "give a reason for withholding")
        }
        return try await self.database.atomically { db in
            let relay = Relay(database: db)
            let hop = try await relay.heldHop(hopID, for: user)
            hop.status = RelayHop.Status.withheld.rawValue
            hop.reviewedAt = Date()
            hop.$actor.id = try user.requireID()
            hop.withheldReason = reason
            try await hop.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "withhold", subject: "hop:\(hop.id!)", detail: ["reason": reason])
            return hop
        }
    }

    private func heldHop(_ id: UUID, for user: User) async throws -> RelayHop {
        guard let hop = try await RelayHop.find(id, on: self.database) else {
            throw UserError.notFound(ja: "中継段階が見つかりません", en: "no such relay hop")
        }
        guard hop.$organisation.id == user.$organisation.id, user.has(.ministryLiaison) || user.has(.ceptoarSecretariat) || user.has(.niscCoordinator) else {
            throw UserError.forbidden(ja: AccessPolicy.Denial.notThisHop.message.ja, en: AccessPolicy.Denial.notThisHop.message.text(.en))
        }
        guard hop.hopStatus == .held else {
            throw UserError(status: .conflict, ja: "この中継段階は処理済みです", en: "this hop was already \(hop.status)")
        }
        return hop
    }

    /// CEPTOARs whose secretariat this organisation is, today.
    func secretariatCeptoars(of organisation: UUID) async throws -> Set<UUID> {
        let memberships = try await MapQuery.validOn(Membership.query(on: self.database), .today)
            .filter(\.$organisation.$id == organisation).filter(\.$role == Membership.Role.secretariat.rawValue).all()
        return Set(memberships.map { $0.$ceptoar.id })
    }
}
