import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// The after-action report of an exercise (演習の事後評価): each inject against its planned
/// time, and per CEPTOAR and stage how long participants took — to relay an advisory (the
/// ministry's hop, the CEPTOAR's hop), for members to acknowledge it, to answer a drill, to
/// file an exercise report after the first inject.
struct AfterAction: Content {
    struct Inject: Content {
        var position: Int
        var kind: String
        var title: LocalizedText
        var dueAt: Date
        var sentAt: Date?
        /// Seconds after its planned time it went out (nil: not yet).
        var lateSeconds: Int?
        var result: String?
        var error: String?
    }

    struct Row: Content {
        var ceptoar: String
        var name: LocalizedText
        /// Median seconds from a hop's arrival to its forwarding: the ministry's, the CEPTOAR's.
        var ministryRelaySeconds: Int?
        var ceptoarRelaySeconds: Int?
        /// Members the exercise's advisories reached, those who acknowledged, the median time.
        var deliveries: Int
        var acknowledged: Int
        var acknowledgeSeconds: Int?
        /// Drill targets, those who answered, the median time.
        var drillTargets: Int
        var drillAnswered: Int
        var drillAnswerSeconds: Int?
        /// Exercise reports from the CEPTOAR's members after the first inject, and the time to the first.
        var reports: Int
        var firstReportSeconds: Int?
    }

    var id: UUID
    var name: LocalizedText
    var participants: [String]
    var injects: [Inject]
    var rows: [Row]

    static func seconds(_ from: Date, _ to: Date) -> Int {
        Int(min(max(to.timeIntervalSince(from), 0), 10 * 365 * 86_400).rounded())
    }

    /// The report, for NISC and for the participants' secretariats and ministries only.
    static func load(_ id: UUID, by user: User, on db: any Database) async throws -> AfterAction {
        guard let exercise = try await Exercise.find(id, on: db) else {
            throw UserError.notFound(ja: "演習が見つかりません", en: "no such exercise")
        }
        let registry = try await SituationRegistry.load(on: db)
        let person = try await SituationBook(database: db).coordinator(for: user, registry: registry)
        let participants = exercise.participantKeys
        let sectors = Set(participants.compactMap { registry.ceptoar($0)?.sectorKey })
        guard person.isNISC || !person.secretariatCeptoars.isDisjoint(with: participants) || !person.ministrySectors.isDisjoint(with: sectors) else {
            throw UserError.forbidden(ja: "演習の結果は NISC と参加セプターの事務局・所管省庁だけが閲覧できます", en: "an exercise's results are for NISC and its participants' secretariats and ministries")
        }
        let injects = try await ExerciseInject.query(on: db).filter(\.$exercise.$id == id).sort(\.$position).all()
        let sql = db as! any SQLDatabase
        let advisories = injects.filter { $0.kind == ExerciseInject.Kind.advisory.rawValue }.compactMap { $0.result.flatMap(UUID.init(uuidString:)) }
        let drills = injects.filter { $0.kind == ExerciseInject.Kind.drill.rawValue }.flatMap { ($0.result ?? "").split(separator: ",").compactMap { UUID(uuidString: String($0)) } }
        let entries = participants.compactMap { registry.ceptoar($0) }
        var rows = Dictionary(uniqueKeysWithValues: entries.map {
            ($0.id, Row(ceptoar: $0.key, name: $0.name, deliveries: 0, acknowledged: 0, drillTargets: 0, drillAnswered: 0, reports: 0))
        })
        var ceptoarRelay: [UUID: [Int]] = [:], ministryRelay: [UUID: [Int]] = [:], acknowledge: [UUID: [Int]] = [:], answer: [UUID: [Int]] = [:]
        if !advisories.isEmpty {
            let hops = try await RelayHop.query(on: db).filter(\.$advisory.$id ~~ advisories).all()
            for hop in hops {
                guard let forwarded = hop.forwardedAt else { continue }
                switch hop.hopStage {
                case .ceptoar:
                    if let ceptoar = hop.$ceptoar.id { ceptoarRelay[ceptoar, default: []].append(Self.seconds(hop.receivedAt, forwarded)) }
                case .ministry:
                    // A ministry's time counts for each participating CEPTOAR of its sectors.
                    for entry in entries where registry.sector(entry.sectorKey)?.ministry == hop.$organisation.id {
                        ministryRelay[entry.id, default: []].append(Self.seconds(hop.receivedAt, forwarded))
                    }
                case .direct: break
                }
            }
            for row in try await sql.raw("""
                SELECT h.ceptoar_id, d.delivered_at, d.acknowledged_at FROM deliveries d JOIN relay_hops h ON h.id = d.hop_id
                WHERE d.advisory_id IN (\(binds: advisories))
                """).all() {
                guard let ceptoar = try row.decode(column: "ceptoar_id", as: UUID?.self), rows[ceptoar] != nil else { continue }
                rows[ceptoar]?.deliveries += 1
                if let at = try row.decode(column: "acknowledged_at", as: Date?.self) {
                    rows[ceptoar]?.acknowledged += 1
                    acknowledge[ceptoar, default: []].append(Self.seconds(try row.decode(column: "delivered_at", as: Date.self), at))
                }
            }
        }
        if !drills.isEmpty {
            for row in try await sql.raw("""
                SELECT t.ceptoar_id, a.created_at, t.acknowledged_at FROM alert_targets t JOIN alerts a ON a.id = t.alert_id WHERE t.alert_id IN (\(binds: drills))
                """).all() {
                guard let ceptoar = try row.decode(column: "ceptoar_id", as: UUID?.self), rows[ceptoar] != nil else { continue }
                rows[ceptoar]?.drillTargets += 1
                if let at = try row.decode(column: "acknowledged_at", as: Date?.self) {
                    rows[ceptoar]?.drillAnswered += 1
                    answer[ceptoar, default: []].append(Self.seconds(try row.decode(column: "created_at", as: Date.self), at))
                }
            }
        }
        if let first = injects.compactMap(\.sentAt).min(), !rows.isEmpty {
            for row in try await sql.raw("""
                SELECT ceptoar_id, MIN(created_at) AS first, COUNT(*) AS n FROM incident_reports
                WHERE exercise = \(bind: true) AND ceptoar_id IN (\(binds: Array(rows.keys))) AND created_at >= \(bind: first) GROUP BY ceptoar_id
                """).all() {
                let ceptoar = try row.decode(column: "ceptoar_id", as: UUID.self)
                rows[ceptoar]?.reports = try row.decode(column: "n", as: Int.self)
                rows[ceptoar]?.firstReportSeconds = Self.seconds(first, try row.decode(column: "first", as: Date.self))
            }
        }
        for id in rows.keys {
            rows[id]?.ceptoarRelaySeconds = CeptoarActivity.median(ceptoarRelay[id] ?? [])
            rows[id]?.ministryRelaySeconds = CeptoarActivity.median(ministryRelay[id] ?? [])
            rows[id]?.acknowledgeSeconds = CeptoarActivity.median(acknowledge[id] ?? [])
            rows[id]?.drillAnswerSeconds = CeptoarActivity.median(answer[id] ?? [])
        }
        return AfterAction(
            id: id, name: exercise.name, participants: participants,
            injects: injects.map { inject in
                Inject(position: inject.position, kind: inject.kind, title: LocalizedText(ja: inject.titleJa, en: inject.titleEn), dueAt: inject.dueAt,
                       sentAt: inject.sentAt, lateSeconds: inject.sentAt.map { Self.seconds(inject.dueAt, $0) }, result: inject.result, error: inject.error)
            },
            rows: entries.compactMap { rows[$0.id] })
    }
}
