import CeptoarKit
import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Starting alerts, drills and tests, and finding them again. Who may start one follows the
/// relay's lines: a CEPTOAR's secretariat for its own members, a competent ministry for the
/// CEPTOARs of its sectors, NISC for any scope including the nation.
struct Alerts {
    let database: any Database

    /// `{ "ja": …, "en": … }`, as every bilingual text in the API.
    typealias TextInput = LocalizedText

    struct Input: Content, Equatable {
        var kind: String
        /// ceptoar, sector or nation.
        var scope: String
        /// The CEPTOAR's or sector's key (not needed for the nation).
        var key: String?
        var title: TextInput?
        var body: TextInput?
        var severity: String?
        var advisory: UUID?
        /// Overrides the CEPTOAR's policy (or the standard one) for this alert only.
        var policy: EscalationPolicy?
    }

    struct Started: Sendable {
        var alert: Alert
        var targets: Int
        var replayed: Bool
    }

    static func requestHash(_ input: Input) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SHA256.hash(data: try encoder.encode(input)).map { String(format: "%02x", $0) }.joined()
    }

    /// Starts an alert: the alert, a target per organisation in scope, and the first step's
    /// messages, in one transaction (a crash leaves nothing, and a retry with the same
    /// `Idempotency-Key` answers with the alert already started).
    func start(_ input: Input, by user: User, idempotencyKey: String?, now: Date = Date(), routes: RouteTable) async throws -> Started {
        func bad(_ ja: String, _ en: String) -> UserError { UserError(status: .unprocessableEntity, ja: ja, en: en) }
        guard let kind = Alert.Kind(rawValue: input.kind) else { throw bad("種別は alert・drill・test のいずれかです", "kind must be alert, drill or test") }
        guard let scope = Alert.ScopeKind(rawValue: input.scope) else { throw bad("範囲は ceptoar・sector・nation のいずれかです", "scope must be ceptoar, sector or nation") }
        let severity = Severity(rawValue: input.severity ?? (kind == .alert ? "high" : "low"))
        guard let severity else { throw bad("重要度は low・medium・high・critical のいずれかです", "severity must be low, medium, high or critical") }
        if let key = idempotencyKey, key.isEmpty || key.count > 200 { throw bad("Idempotency-Key は1〜200文字です", "an Idempotency-Key has 1 to 200 characters") }
        let organisation = try await user.$organisation.get(on: self.database)
        let senderID = try organisation.requireID()
        let requestHash = try Self.requestHash(input)

        if let earlier = try await self.earlier(sender: senderID, key: idempotencyKey, hash: requestHash) { return earlier }

        // The scope: one this user may start, and the CEPTOARs it covers.
        let today = Day.today
        let scopeKey = scope == .nation ? "japan" : (input.key ?? "")
        guard let allowed = try await self.scopes(for: user, today: today).first(where: { $0.kind == scope && $0.key == scopeKey }) else {
            throw try await self.refusal(scope, key: scopeKey)
        }
        let ceptoars = allowed.ceptoars

        // The policy: as given, else the CEPTOAR's own, else the standard one.
        var policy = input.policy
        if policy == nil, scope == .ceptoar, let record = try await EscalationPolicyRecord.query(on: self.database).filter(\.$ceptoar.$id == ceptoars[0]).first() {
            policy = try JSONDecoder().decode(EscalationPolicy.self, from: Data(record.policyJSON.utf8))
        }
        let chosen = policy ?? .standard
        if let problem = chosen.problem() { throw bad(problem.ja, problem.en ?? problem.ja) }

        // The message: as given, else the advisory's, else a drill's standard wording.
        var advisory: Advisory?
        if let id = input.advisory {
            guard let found = try await Advisory.find(id, on: self.database) else { throw UserError.notFound(ja: "注意喚起が見つかりません", en: "no such advisory") }
            guard found.$originator.id == senderID || user.has(.niscCoordinator) else {
                throw UserError.forbidden(ja: "自組織が発信した注意喚起だけを緊急連絡にできます", en: "only your own organisation's advisories can be sent as an alert")
            }
            advisory = found
        }
        var standard = Self.standardText(kind)
        let strictest = try await advisory.asyncMap { try await Access(database: self.database).strictestMarking(of: $0) }
        if advisory != nil, let marking = strictest, marking != .clear {
            let label = marking.rawValue
            // Mail, SMS and FAX leave the community: an advisory marked above CLEAR is never
            // copied into them, only announced, and read in the portal under the access policy.
            standard = (
                LocalizedText(ja: "注意喚起（TLP:\(label)）が届いています", en: "An advisory (TLP:\(label)) has arrived"),
                LocalizedText(
                    ja: "TLP:\(label) の注意喚起が届いています。内容はポータルでご確認ください。",
                    en: "An advisory marked TLP:\(label) has arrived. Read it in the portal."))
            advisory = nil
            if input.title != nil || input.body != nil {
                throw bad("TLP:CLEAR でない注意喚起には件名・本文を付けられません（外部の連絡手段に載るため）", "an advisory above TLP:CLEAR cannot carry a title or body of your own (they travel over outside channels)")
            }
        }
        let titleJa = (input.title?.ja ?? advisory?.titleJa ?? standard.title.ja).trimmingCharacters(in: .whitespacesAndNewlines)
        let titleEn = (input.title?.en ?? advisory?.titleEn ?? standard.title.en ?? titleJa).trimmingCharacters(in: .whitespacesAndNewlines)
        let bodyJa = (input.body?.ja ?? advisory?.bodyJa ?? standard.body.ja).trimmingCharacters(in: .whitespacesAndNewlines)
        let bodyEn = (input.body?.en ?? advisory?.bodyEn ?? standard.body.en ?? bodyJa).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !titleJa.isEmpty, titleJa.count <= 200, titleEn.count <= 200 else { throw bad("件名を200文字以内で入力してください", "give a title of up to 200 characters") }
        // The title becomes a mail subject and an SMS line: one line, nothing unprintable.
        guard !ProtocolText.hasControlCharacters(titleJa), !ProtocolText.hasControlCharacters(titleEn) else {
            throw bad("件名に改行や制御文字は使えません", "the title must be one line without control characters")
        }
        guard !bodyJa.isEmpty, bodyJa.count <= 10_000, bodyEn.count <= 10_000 else { throw bad("本文を10,000文字以内で入力してください", "give a body of up to 10,000 characters") }

        let scopeText = "\(scope.rawValue):\(scopeKey)"
        let targets = try await self.targets(of: ceptoars, scope: scope, excluding: senderID, today: today)
        guard !targets.isEmpty else { throw bad("この範囲には連絡先となる組織がありません", "there is no organisation to reach in this scope") }

        let alert = Alert()
        alert.id = UUID()
        alert.kind = kind.rawValue
        alert.scopeKind = scope.rawValue
        alert.scopeKey = scopeKey
        alert.$advisory.id = input.advisory
        alert.severity = severity.rawValue
        alert.titleJa = titleJa
        alert.titleEn = titleEn.isEmpty ? titleJa : titleEn
        alert.bodyJa = bodyJa
        alert.bodyEn = bodyEn.isEmpty ? bodyJa : bodyEn
        alert.$sender.id = senderID
        alert.$createdBy.id = try user.requireID()
        alert.createdAt = now
        alert.policyJSON = String(decoding: try JSONEncoder().encode(chosen), as: UTF8.self)
        alert.idempotencyKey = idempotencyKey
        alert.requestHash = requestHash
        do {
            try await self.database.atomically { db in
                try await alert.create(on: db)
                let rows: [[any SQLExpression]] = targets.map { target in
                    [SQLBind(alert.id!), SQLBind(target.organisation), SQLBind(target.ceptoar), SQLBind(target.stage.rawValue), SQLBind(0), SQLBind(0), SQLBind(now)]
                }
                try await (db as! any SQLDatabase).insertRows(
                    into: AlertTarget.schema, columns: ["alert_id", "organisation_id", "ceptoar_id", "stage", "step", "round", "next_step_at"], rows)
                // The first step goes out with the commit; later steps by the worker, on time.
                try await Escalator(database: db, routes: routes).fireDue(now: now, alert: alert.id)
                try await AuditLog.append(
                    on: db, actor: user.email, action: "alert_start", subject: "alert:\(alert.id!.uuidString)",
                    detail: ["kind": kind.rawValue, "scope": scopeText, "targets": String(targets.count)])
            }
        } catch {
            // Two retries raced; the other committed first.
            if idempotencyKey != nil, (error as? any DatabaseError)?.isConstraintFailure == true,
                let earlier = try await self.earlier(sender: senderID, key: idempotencyKey, hash: requestHash)
            { return earlier }
            throw error
        }
        return Started(alert: alert, targets: targets.count, replayed: false)
    }

    /// A scope an alert can be started for: the nation, a sector or a CEPTOAR, with the
    /// CEPTOARs it covers.
    struct Scope {
        var kind: Alert.ScopeKind
        var key: String
        var label: LocalizedText
        var ceptoars: [UUID]
    }

    /// The scopes this user may start an alert or drill for, in the map's order — the one
    /// answer to "who may start what", for the API and the page's choice alike: NISC (and
    /// administrators) anything; a ministry liaison its ministry's sectors and their CEPTOARs;
    /// a secretariat its own CEPTOARs.
    func scopes(for user: User, today: Day = .today) async throws -> [Scope] {
        let rows = try await (self.database as! any SQLDatabase).raw("""
            SELECT c.key AS ceptoar_key, c.id AS ceptoar_id, v.name_ja, v.name_en, s.key AS sector_key, sv.ministry_id,
                sv.name_ja AS sector_ja, sv.name_en AS sector_en
            FROM ceptoar_versions v JOIN ceptoars c ON c.id = v.ceptoar_id JOIN sectors s ON s.id = v.sector_id
            JOIN sector_versions sv ON sv.sector_id = s.id AND \(MapQuery.validOnSQL("sv", today))
            WHERE \(MapQuery.validOnSQL("v", today)) ORDER BY v.position
            """).all()
        let national = user.has(.niscCoordinator) || user.has(.systemAdmin)
        let organisation = user.$organisation.id
        let mine = user.has(.ceptoarSecretariat) ? try await Relay(database: self.database).secretariatCeptoars(of: organisation) : []
        struct Row { var ceptoar: UUID; var key: String; var name: LocalizedText; var sector: String; var sectorName: LocalizedText; var ministry: UUID }
        let listed = try rows.map {
            Row(ceptoar: try $0.decode(column: "ceptoar_id", as: UUID.self), key: try $0.decode(column: "ceptoar_key", as: String.self),
                name: LocalizedText(ja: try $0.decode(column: "name_ja", as: String.self), en: try $0.decode(column: "name_en", as: String?.self)),
                sector: try $0.decode(column: "sector_key", as: String.self),
                sectorName: LocalizedText(ja: try $0.decode(column: "sector_ja", as: String.self), en: try $0.decode(column: "sector_en", as: String?.self)),
                ministry: try $0.decode(column: "ministry_id", as: UUID.self))
        }
        var result: [Scope] = national
            ? [Scope(kind: .nation, key: "japan", label: LocalizedText(ja: "全国（所管省庁・全セプター・全構成員）", en: "Nation-wide (ministries, every CEPTOAR and member)"),
                ceptoars: listed.map(\.ceptoar))]
            : []
        for row in listed {
            let ministry = national || (user.has(.ministryLiaison) && row.ministry == organisation)
            // A sector once, before its first CEPTOAR, with all of its CEPTOARs.
            if ministry, !result.contains(where: { $0.kind == .sector && $0.key == row.sector }) {
                result.append(Scope(
                    kind: .sector, key: row.sector, label: LocalizedText(ja: "分野: " + row.sectorName.ja, en: "Sector: " + (row.sectorName.en ?? row.sectorName.ja)),
                    ceptoars: listed.filter { $0.sector == row.sector }.map(\.ceptoar)))
            }
            if ministry || mine.contains(row.ceptoar) {
                result.append(Scope(kind: .ceptoar, key: row.key, label: LocalizedText(ja: "CEPTOAR: " + row.name.ja, en: "CEPTOAR: " + (row.name.en ?? row.key)), ceptoars: [row.ceptoar]))
            }
        }
        return result
    }

    /// Why a scope is not among the user's: it does not exist (404), or who may start it (403).
    private func refusal(_ scope: Alert.ScopeKind, key: String) async throws -> UserError {
        switch scope {
        case .nation:
            return UserError.forbidden(ja: "全国への連絡・訓練を開始できるのは NISC です", en: "only NISC may start a nation-wide alert or drill")
        case .sector:
            guard try await Sector.query(on: self.database).filter(\.$key == key).first() != nil else {
                return UserError.notFound(ja: "分野が見つかりません: \(key)", en: "no sector '\(key)'")
            }
            return UserError.forbidden(ja: "この分野への連絡・訓練を開始できるのは所管省庁と NISC です", en: "only the sector's competent ministry and NISC may start an alert or drill for it")
        case .ceptoar:
            guard try await Ceptoar.query(on: self.database).filter(\.$key == key).first() != nil else {
                return UserError.notFound(ja: "セプターが見つかりません: \(key)", en: "no CEPTOAR '\(key)'")
            }
            return UserError.forbidden(ja: "このセプターへの連絡・訓練を開始できるのは、その事務局・所管省庁・NISC です", en: "only this CEPTOAR's secretariat, its ministry and NISC may start an alert or drill for it")
        }
    }

    private func earlier(sender: UUID, key: String?, hash: String) async throws -> Started? {
        guard let key, let alert = try await Alert.query(on: self.database).filter(\.$sender.$id == sender).filter(\.$idempotencyKey == key).first() else { return nil }
        guard alert.requestHash == hash else {
            throw UserError(status: .conflict, ja: "この Idempotency-Key は別の連絡に使われています", en: "this Idempotency-Key was used for a different alert")
        }
        let count = try await AlertTarget.query(on: self.database).filter(\.$alert.$id == alert.requireID()).count()
        return Started(alert: alert, targets: count, replayed: true)
    }

    struct Target {
        var organisation: UUID
        var ceptoar: UUID?
        var stage: AlertTarget.Stage
    }

    /// One target per organisation: members of the CEPTOARs in scope; for a sector or the
    /// nation also their secretariats; for the nation also the competent ministries. The
    /// sender is never its own target.
    func targets(of ceptoars: [UUID], scope: Alert.ScopeKind, excluding sender: UUID, today: Day) async throws -> [Target] {
        let sql = self.database as! any SQLDatabase
        var seen: Set<UUID> = [sender]
        var result: [Target] = []
        if scope == .nation {
            let ministries = try await sql.raw("""
                SELECT id FROM organisations o WHERE o.kind = \(bind: OrganisationKind.ministry.rawValue) AND \(MapQuery.validOnSQL("o", today)) ORDER BY o.key
                """).all()
            for row in ministries {
                let id = try row.decode(column: "id", as: UUID.self)
                if seen.insert(id).inserted { result.append(Target(organisation: id, ceptoar: nil, stage: .ministry)) }
            }
        }
        guard !ceptoars.isEmpty else { return result }
        let roles = scope == .ceptoar ? [Membership.Role.member.rawValue] : [Membership.Role.secretariat.rawValue, Membership.Role.member.rawValue]
        // Secretariats first, so an organisation that is both is counted as a secretariat.
        let rows = try await sql.raw("""
            SELECT m.organisation_id, m.ceptoar_id, m.role FROM memberships m
            WHERE m.ceptoar_id IN (\(binds: ceptoars)) AND m.role IN (\(binds: roles)) AND \(MapQuery.validOnSQL("m", today))
            ORDER BY CASE m.role WHEN 'secretariat' THEN 0 ELSE 1 END, m.id
            """).all()
        for row in rows {
            let id = try row.decode(column: "organisation_id", as: UUID.self)
            guard seen.insert(id).inserted else { continue }
            let role = try row.decode(column: "role", as: String.self)
            result.append(Target(organisation: id, ceptoar: try row.decode(column: "ceptoar_id", as: UUID.self), stage: role == "secretariat" ? .secretariat : .member))
        }
        return result
    }

    static func standardText(_ kind: Alert.Kind) -> (title: LocalizedText, body: LocalizedText) {
        switch kind {
        case .drill:
            return (
                LocalizedText(ja: "疎通確認訓練", en: "Contact drill"),
                LocalizedText(
                    ja: "これは疎通確認のための訓練です。実際の事案ではありません。\nこの連絡を受け取った方は、下のリンクから受信を確認してください。",
                    en: "This is a contact drill, not a real incident.\nIf you received this message, please confirm with the link below."))
        case .test:
            return (
                LocalizedText(ja: "連絡経路の試験", en: "Contact channel test"),
                LocalizedText(ja: "これは連絡経路の試験です。受信を確認してください。", en: "This is a test of the contact channels. Please confirm receipt."))
        case .alert:
            return (LocalizedText(ja: "緊急連絡", en: "Emergency alert"), LocalizedText(ja: "緊急連絡です。受信を確認してください。", en: "An emergency alert. Please confirm receipt."))
        }
    }

    /// An alert that the user may see in full (its report): the sender's own people, NISC and
    /// system administrators.
    func requireReport(_ id: UUID, by user: User) async throws -> Alert {
        guard let alert = try await Alert.find(id, on: self.database) else { throw UserError.notFound(ja: "連絡が見つかりません", en: "no such alert") }
        guard alert.$sender.id == user.$organisation.id || user.has(.niscCoordinator) || user.has(.systemAdmin) else {
            throw UserError.forbidden(ja: "この連絡の結果は見られません", en: "you may not see this alert's report")
        }
        return alert
    }
}
