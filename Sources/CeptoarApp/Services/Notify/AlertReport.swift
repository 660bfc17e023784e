import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// What an alert or drill achieved: the reach rate (疎通確認率) overall, per stage and per
/// CEPTOAR, how long organisations took to acknowledge, who was not reached and why, the
/// messages by route and state, and the comparison with the previous drill of the same scope.
struct AlertReport: Content {
    struct Summary: Content {
        var id: UUID
        var kind: String
        var capStatus: String
        var scope: String
        var scopeKey: String
        var title: LocalizedText
        var createdAt: Date
        var policy: EscalationPolicy
    }

    struct Rate: Content {
        var key: String
        var label: LocalizedText
        var targets: Int
        var acknowledged: Int
        var rate: Double
    }

    struct Bucket: Content {
        /// Acknowledged within this many seconds of the start (nil: later than the last bucket).
        var upToSeconds: Int?
        var count: Int
    }

    struct MessageCount: Content {
        var route: String
        var state: String
        var count: Int
    }

    struct Recipient: Content {
        var organisationKey: String
        var organisation: LocalizedText
        var stage: String
        var ceptoar: String?
        var acknowledgedAt: Date?
        var responseSeconds: Double?
        var via: String?
        var exhausted: Bool
        var messages: Int
        /// acknowledged, failed (some message was refused), unanswered (sent, no answer yet)
        /// or no_contact (nothing on the roster for the steps run so far).
        var outcome: String
        /// The refusals and failures, one per message ("email a@b: 550 …").
        var problems: [String]
    }

    struct Comparison: Content {
        var alert: UUID
        var createdAt: Date
        var targets: Int
        var reachRate: Double
        var medianResponseSeconds: Double?
    }

    var alert: Summary
    var targets: Int
    var acknowledged: Int
    var exhausted: Int
    var reachRate: Double
    var medianResponseSeconds: Double?
    var p90ResponseSeconds: Double?
    var stages: [Rate]
    var ceptoars: [Rate]
    var histogram: [Bucket]
    var messages: [MessageCount]
    var openCallTasks: Int
    /// Every organisation not (yet) acknowledged, with the reasons known.
    var unreached: [Recipient]
    var previous: Comparison?

    static let bucketBounds = [60, 120, 300, 600, 900, 1_200, 1_800, 3_600]

    static func outcomeLabel(_ outcome: String) -> LocalizedText {
        switch outcome {
        case "acknowledged": return LocalizedText(ja: "確認済み", en: "acknowledged")
        case "failed": return LocalizedText(ja: "送信失敗", en: "failed")
        case "no_contact": return LocalizedText(ja: "該当する連絡先の登録なし", en: "no contact on the roster for the steps run")
        default: return LocalizedText(ja: "送信済み・応答なし", en: "sent, no answer")
        }
    }

    static func routeLabel(_ route: String) -> LocalizedText {
        switch NotificationAttempt.Route(rawValue: route) {
        case .smtp: return LocalizedText(ja: "メール（SMTP）", en: "mail (SMTP)")
        case .gateway: return LocalizedText(ja: "ゲートウェイ（SMS・音声・FAX）", en: "gateway (SMS, voice, fax)")
        case .portal: return LocalizedText(ja: "ポータル", en: "portal")
        case .manual: return LocalizedText(ja: "電話・FAX（事務局が手動で）", en: "call or fax by staff")
        case nil: return LocalizedText(ja: route, en: route)
        }
    }
}

struct AlertReporting {
    let database: any Database

    func report(_ alert: Alert) async throws -> AlertReport {
        let recipients = try await self.recipients(alert)
        let alertID = try alert.requireID()
        let sql = self.database as! any SQLDatabase
        let times = recipients.compactMap(\.responseSeconds).sorted()
        let acknowledged = times.count
        var histogram = AlertReport.bucketBounds.map { AlertReport.Bucket(upToSeconds: $0, count: 0) } + [AlertReport.Bucket(upToSeconds: nil, count: 0)]
        for time in times {
            let index = AlertReport.bucketBounds.firstIndex { time <= Double($0) } ?? AlertReport.bucketBounds.count
            histogram[index].count += 1
        }
        var stages: [AlertReport.Rate] = []
        for stage in AlertTarget.Stage.allCases {
            let group = recipients.filter { $0.stage == stage.rawValue }
            guard !group.isEmpty else { continue }
            stages.append(Self.rate(stage.rawValue, stage.label, group))
        }
        let names = try await self.ceptoarNames()
        var ceptoars: [AlertReport.Rate] = []
        for key in Set(recipients.compactMap(\.ceptoar)).sorted() {
            ceptoars.append(Self.rate(key, names[key] ?? LocalizedText(ja: key, en: key), recipients.filter { $0.ceptoar == key }))
        }
        let messages = try await sql.raw("""
            SELECT route, state, COUNT(*) AS n FROM notification_attempts WHERE alert_id = \(bind: alertID) GROUP BY route, state ORDER BY route, state
            """).all().map {
            AlertReport.MessageCount(route: try $0.decode(column: "route", as: String.self), state: try $0.decode(column: "state", as: String.self), count: try $0.decode(column: "n", as: Int.self))
        }
        let openCalls = messages.filter { $0.route == "manual" && DeliveryState(rawValue: $0.state)?.isDue == true }.reduce(0) { $0 + $1.count }
        return AlertReport(
            alert: Self.summary(alert), targets: recipients.count, acknowledged: acknowledged, exhausted: recipients.filter(\.exhausted).count,
            reachRate: recipients.isEmpty ? 0 : Double(acknowledged) / Double(recipients.count),
            medianResponseSeconds: Self.percentile(times, 0.5), p90ResponseSeconds: Self.percentile(times, 0.9),
            stages: stages, ceptoars: ceptoars, histogram: histogram, messages: messages, openCallTasks: openCalls,
            unreached: recipients.filter { $0.acknowledgedAt == nil }, previous: try await self.previous(alert))
    }

    static func summary(_ alert: Alert) -> AlertReport.Summary {
        AlertReport.Summary(
            id: alert.id!, kind: alert.kind, capStatus: alert.alertKind.capStatus.rawValue, scope: alert.scopeKind, scopeKey: alert.scopeKey,
            title: alert.title, createdAt: alert.createdAt, policy: alert.policy)
    }

    static func rate(_ key: String, _ label: LocalizedText, _ group: [AlertReport.Recipient]) -> AlertReport.Rate {
        let acknowledged = group.filter { $0.acknowledgedAt != nil }.count
        return AlertReport.Rate(key: key, label: label, targets: group.count, acknowledged: acknowledged, rate: group.isEmpty ? 0 : Double(acknowledged) / Double(group.count))
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        // Nearest rank: the smallest value with at least p of all values at or below it.
        let rank = Int((Double(sorted.count) * p).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    private func ceptoarNames() async throws -> [String: LocalizedText] {
        let rows = try await (self.database as! any SQLDatabase).raw("""
            SELECT c.key, v.name_ja, v.name_en FROM ceptoars c JOIN ceptoar_versions v ON v.ceptoar_id = c.id WHERE \(MapQuery.validOnSQL("v", .today))
            """).all()
        var names: [String: LocalizedText] = [:]
        for row in rows {
            names[try row.decode(column: "key", as: String.self)] = LocalizedText(ja: try row.decode(column: "name_ja", as: String.self), en: try row.decode(column: "name_en", as: String?.self))
        }
        return names
    }

    /// Every target with its outcome, in roster order (stage, CEPTOAR, organisation key).
    func recipients(_ alert: Alert) async throws -> [AlertReport.Recipient] {
        let alertID = try alert.requireID()
        let sql = self.database as! any SQLDatabase
        var problems: [Int: [String]] = [:]
        var messageCounts: [Int: Int] = [:]
        for row in try await sql.raw("""
            SELECT target_id, channel, address, state, last_error FROM notification_attempts WHERE alert_id = \(bind: alertID)
            """).all() {
            let target = try row.decode(column: "target_id", as: Int.self)
            messageCounts[target, default: 0] += 1
            let state = try row.decode(column: "state", as: String.self)
            guard state == DeliveryState.failedPermanent.rawValue || state == DeliveryState.failedTemporary.rawValue else { continue }
            let channel = try row.decode(column: "channel", as: String.self)
            let address = try row.decode(column: "address", as: String.self)
            let error = try row.decode(column: "last_error", as: String?.self) ?? state
            problems[target, default: []].append("\(channel) \(address): \(error)")
        }
        let rows = try await sql.raw("""
            SELECT t.id, t.stage, t.acknowledged_at, t.acknowledged_via, t.exhausted_at, o.key AS organisation_key, o.name_ja, o.name_en, c.key AS ceptoar_key
            FROM alert_targets t JOIN organisations o ON o.id = t.organisation_id LEFT JOIN ceptoars c ON c.id = t.ceptoar_id
            WHERE t.alert_id = \(bind: alertID) ORDER BY t.id
            """).all()
        return try rows.map { row in
            let id = try row.decode(column: "id", as: Int.self)
            let acknowledgedAt = try row.decode(column: "acknowledged_at", as: Date?.self)
            let count = messageCounts[id] ?? 0
            let reasons = problems[id] ?? []
            let outcome = acknowledgedAt != nil ? "acknowledged" : !reasons.isEmpty ? "failed" : count == 0 ? "no_contact" : "unanswered"
            return AlertReport.Recipient(
                organisationKey: try row.decode(column: "organisation_key", as: String.self),
                organisation: LocalizedText(ja: try row.decode(column: "name_ja", as: String.self), en: try row.decode(column: "name_en", as: String?.self)),
                stage: try row.decode(column: "stage", as: String.self), ceptoar: try row.decode(column: "ceptoar_key", as: String?.self),
                acknowledgedAt: acknowledgedAt, responseSeconds: acknowledgedAt.map { max(0, $0.timeIntervalSince(alert.createdAt)) },
                via: try row.decode(column: "acknowledged_via", as: String?.self), exhausted: try row.decode(column: "exhausted_at", as: Date?.self) != nil,
                messages: count, outcome: outcome, problems: acknowledgedAt == nil ? reasons : [])
        }
    }

    /// The drill (or alert) of the same kind and scope that came before this one.
    private func previous(_ alert: Alert) async throws -> AlertReport.Comparison? {
        // Not by "earlier than" alone: a time read back from the database need not compare
        // equal to the stored one, and the alert was found to be its own predecessor.
        guard let earlier = try await Alert.query(on: self.database).filter(\.$kind == alert.kind).filter(\.$scopeKind == alert.scopeKind)
            .filter(\.$scopeKey == alert.scopeKey).filter(\.$id != alert.requireID()).filter(\.$createdAt <= alert.createdAt)
            .sort(\.$createdAt, .descending).first()
        else { return nil }
        let recipients = try await self.recipients(earlier)
        let times = recipients.compactMap(\.responseSeconds).sorted()
        return AlertReport.Comparison(
            alert: try earlier.requireID(), createdAt: earlier.createdAt, targets: recipients.count,
            reachRate: recipients.isEmpty ? 0 : Double(times.count) / Double(recipients.count), medianResponseSeconds: Self.percentile(times, 0.5))
    }

    /// One line per organisation, for spreadsheets.
    func csv(_ alert: Alert) async throws -> Data {
        let recipients = try await self.recipients(alert)
        var lines = [[
            "organisation_key", "organisation_ja", "organisation_en", "stage", "ceptoar", "acknowledged_at", "response_seconds", "via", "messages", "exhausted",
            "outcome", "problems",
        ]]
        let iso = ISO8601DateFormatter()
        for r in recipients {
            lines.append([
                r.organisationKey, r.organisation.ja, r.organisation.en ?? "", r.stage, r.ceptoar ?? "", r.acknowledgedAt.map(iso.string(from:)) ?? "",
                r.responseSeconds.map { String(BoundedInput.wholeNumber($0)) } ?? "", r.via ?? "", String(r.messages), r.exhausted ? "yes" : "no",
                r.outcome, r.problems.joined(separator: "; "),
            ])
        }
        return CSV.document(lines)
    }
}
