import CeptoarKit
import Fluent
import Foundation
import SQLKit

extension SituationBook {
    /// A coordinator changes a scope's level. Refused, with nothing written, without a
    /// rationale or a linked item the person may read, by anyone who does not coordinate the
    /// scope, or for a scope the registry does not have today. Otherwise, in one transaction:
    /// the change, a notice relayed to the scope's members, large-incident mode beginning
    /// (held hops in the scope forwarded at once) or ending, and the audit entries.
    func change(_ input: ChangeInput, by user: User, now: Date = Date()) async throws -> SituationChange {
        let scope: SituationScope
        do {
            scope = try SituationScope(parsing: input.scope)
        } catch {
            throw UserError(status: .unprocessableEntity, ja: error.message.ja, en: error.description, fields: ["scope"])
        }
        guard let level = SituationLevel(text: input.level) else {
            throw UserError(status: .unprocessableEntity, ja: "不明な情勢レベルです: \(input.level.prefix(40))（平常・注意・警戒・緊急）",
                            en: "unknown level '\(input.level.prefix(40))'; use normal, caution, warning or emergency", fields: ["level"])
        }
        let rationaleJa = input.rationale.ja.trimmingCharacters(in: .whitespacesAndNewlines)
        let rationaleEn = input.rationale.en?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !rationaleJa.isEmpty else {
            throw UserError(status: .unprocessableEntity, ja: "判断の理由を入力してください", en: "give the rationale for the level", fields: ["rationale"])
        }
        guard rationaleJa.count <= Self.maxRationale, (rationaleEn ?? "").count <= Self.maxRationale else {
            throw UserError(status: .unprocessableEntity, ja: "理由は\(Self.maxRationale)文字以内にしてください", en: "the rationale is longer than \(Self.maxRationale) characters", fields: ["rationale"])
        }
        let links = Array(Set(input.links)).sorted { ($0.kind, $0.id.uuidString) < ($1.kind, $1.id.uuidString) }
        guard !links.isEmpty else {
            throw UserError(status: .unprocessableEntity, ja: "判断の根拠となる報告・傾向フラグ・注意喚起・障害事例を1つ以上示してください",
                            en: "link at least one report, trend flag, advisory or failure case the judgement rests on", fields: ["links"])
        }
        guard links.count <= Self.maxLinks else {
            throw UserError(status: .unprocessableEntity, ja: "根拠は\(Self.maxLinks)件までです", en: "links: at most \(Self.maxLinks)", fields: ["links"])
        }
        let registry = try await SituationRegistry.load(on: self.database)
        guard registry.exists(scope) else {
            throw UserError(status: .unprocessableEntity, ja: "その範囲は登録されていません: \(scope.text)", en: "no such scope today: \(scope.text)", fields: ["scope"])
        }
        let person = try await self.coordinator(for: user, registry: registry)
        if case .deny(let denial) = AccessPolicy.coordinate(scope, by: person, sectorOf: Self.sectorKey(of: scope, registry)) {
            throw UserError(status: .forbidden, ja: denial.message.ja, en: denial.message.text(.en), denial: denial)
        }
        if input.largeIncident != nil, !person.isNISC {
            throw UserError(status: .forbidden, ja: "大規模障害対応モードを個別に切り替えられるのは NISC だけです（緊急にすると自動で始まります）",
                            en: "only NISC switches large-incident mode on its own (raising to emergency starts it)", fields: ["large_incident"])
        }
        if input.largeIncident == false, level == .emergency {
            throw UserError(status: .unprocessableEntity, ja: "緊急の間は大規模障害対応モードを止められません", en: "large-incident mode stays on while the level is emergency", fields: ["large_incident"])
        }
        try await SituationLinkCheck(database: self.database).check(links, by: user)
        let linkText = String(decoding: try JSONEncoder.sorted.encode(links), as: UTF8.self)
        return try await self.database.atomically { db in
            let book = SituationBook(database: db)
            let previous = try await book.current()[scope]
            let wasOn = previous?.largeIncident ?? false
            let previousLevel = previous?.situationLevel ?? .normal
            let on = level == .emergency || (input.largeIncident ?? (wasOn && level >= previousLevel))
            let change = SituationChange()
            change.id = UUID.timeOrdered(at: now)
            change.createdAt = now
            change.$actor.id = try user.requireID()
            change.$organisation.id = user.$organisation.id
            change.scopeKind = scope.kind
            change.scopeKey = scope.key
            change.level = level.rawValue
            change.largeIncident = on
            change.rationaleJa = rationaleJa
            change.rationaleEn = rationaleEn?.isEmpty == false ? rationaleEn : nil
            change.links = linkText
            change.actorEmail = user.email
            change.effects = "{}"
            change.exercise = false
            change.synthetic = false
            try await change.create(on: db)
            var audit: [AuditLog.Pending] = [AuditLog.Pending(
                actor: user.email, action: "situation_change", subject: "situation:\(scope.text)",
                detail: ["level": level.rawValue, "previous": previousLevel.rawValue, "large_incident": String(on), "links": links.map { "\($0.kind):\($0.id)" }.joined(separator: ",")])]
            var effects: [String: String] = [:]
            if on, !wasOn {
                let forwarded = try await Relay(database: db).forwardHeld(in: scope, registry: registry)
                effects = ["large_incident": "started", "held_hops_forwarded": String(forwarded), "escalation_waits": "shortened by each alert's policy factor"]
                audit.append(AuditLog.Pending(actor: user.email, action: "large_incident_start", subject: "situation:\(scope.text)", detail: effects))
            } else if wasOn, !on {
                effects = ["large_incident": "ended"]
                audit.append(AuditLog.Pending(actor: user.email, action: "large_incident_end", subject: "situation:\(scope.text)", detail: effects))
            }
            let notice = try await Relay(database: db).publishNotice(
                Self.notice(scope: scope, level: level, previous: previousLevel, largeIncident: on, rationale: change.rationale, links: links, registry: registry),
                ceptoars: Set(registry.ceptoars(in: scope).map(\.id)), by: user)
            change.$advisory.id = notice.id
            change.effects = JSONValue.object(effects.mapValues { .string($0) }).encoded()
            try await change.save(on: db)
            try await AuditLog.append(on: db, audit)
            return change
        }
    }

    /// The advisory that tells a scope's members of a change.
    static func notice(
        scope: SituationScope, level: SituationLevel, previous: SituationLevel, largeIncident: Bool, rationale: LocalizedText,
        links: [SituationLink], registry: SituationRegistry
    ) -> AdvisoryInput {
        let name = registry.name(scope)
        let severity: Severity = switch level {
        case .normal: .low
        case .caution: .medium
        case .warning: .high
        case .emergency: .critical
        }
        let mode = largeIncident
            ? LocalizedText(ja: "\n\n大規模障害対応モード: 転送確認を省略して直ちに転送し、緊急連絡の待ち時間を短縮しています。", en: "\n\nLarge-incident mode: advisories forward at once without review and escalation waits are shortened.")
            : LocalizedText(ja: "")
        let items = links.map { "- \($0.kind) \($0.id.uuidString.lowercased())" }.joined(separator: "\n")
        let targets: [AdvisoryInput.Target] = switch scope {
        case .nation: Array(Set(registry.ceptoars.map(\.sectorKey))).sorted().map { AdvisoryInput.Target(kind: "sector", key: $0) }
        case .sector(let key): [AdvisoryInput.Target(kind: "sector", key: key)]
        case .ceptoar(let key): [AdvisoryInput.Target(kind: "ceptoar", key: key)]
        }
        return AdvisoryInput(
            title: LocalizedText(
                ja: "情勢判断: \(name.ja)を「\(level.label.ja)」としました（前: \(previous.label.ja)）",
                en: "Situation: \(name.text(.en)) set to \(level.label.text(.en)) (was \(previous.label.text(.en)))"),
            body: LocalizedText(
                ja: "\(rationale.ja)\(mode.ja)\n\n根拠:\n\(items)",
                en: "\(rationale.en ?? rationale.ja)\(mode.en ?? "")\n\nBased on:\n\(items)"),
            severity: severity.rawValue, category: AdvisoryCategory.other.rawValue, tlp: TLP.amber.rawValue, targets: targets)
    }
}
