import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// What needs a signed-in person now, counted from what the system recorded: the home page's
/// figures (and `GET /api/v1/home`). Each count is one small query on an index; the whole is
/// cached per user for the read-cache lifetime, so a page reloaded by a room full of duty
/// officers reads the database once.
struct HomeWork: Content, Sendable {
    /// Advisory hops held at the organisation for review.
    var heldHops = 0
    /// Incident reports waiting at the organisation's step to be forwarded.
    var heldReports = 0
    /// Advisories delivered to the organisation and not yet acknowledged.
    var unacknowledgedAdvisories = 0
    /// Alerts the organisation sent that are still reaching someone.
    var runningAlerts = 0
    /// Calls and faxes queued for staff to make.
    var callTasks = 0
    /// Alerts and drills sent to the organisation that it has not acknowledged.
    var alertsToAcknowledge = 0
    /// The organisation's own report stages not yet submitted: before and past the deadline.
    var reportsDue = 0
    var reportsOverdue = 0
    /// Own reports a stage of which was returned for revision.
    var reportsNeedingRevision = 0
    /// Messages to the public contact of a CEPTOAR the organisation is the secretariat of.
    var inboundMessages = 0
    /// Agreements proposed to a party the user acts for, not yet approved by it.
    var agreementsAwaitingApproval = 0
    /// Peer nodes failing to sync (for those who run the node's sharing).
    var failingPeers = 0
    /// The last seven days.
    var week = Week()

    struct Week: Content, Sendable {
        var advisoriesReceived = 0
        var advisoriesPublished = 0
        var reportsFiled = 0
        var reportsReceived = 0
        var alertsSent = 0
        var situationChanges = 0

        enum CodingKeys: String, CodingKey {
            case advisoriesReceived = "advisories_received", advisoriesPublished = "advisories_published"
            case reportsFiled = "reports_filed", reportsReceived = "reports_received"
            case alertsSent = "alerts_sent", situationChanges = "situation_changes"
        }
    }

    enum CodingKeys: String, CodingKey {
        case heldHops = "held_hops", heldReports = "held_reports", unacknowledgedAdvisories = "unacknowledged_advisories"
        case runningAlerts = "running_alerts", callTasks = "call_tasks", alertsToAcknowledge = "alerts_to_acknowledge"
        case reportsDue = "reports_due", reportsOverdue = "reports_overdue", reportsNeedingRevision = "reports_needing_revision"
        case inboundMessages = "inbound_messages", agreementsAwaitingApproval = "agreements_awaiting_approval", failingPeers = "failing_peers"
        case week
    }

    static func count(_ sql: any SQLDatabase, _ query: SQLQueryString) async throws -> Int {
        try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    static func load(for user: User, on db: any Database, now: Date = Date()) async throws -> HomeWork {
        let sql = db as! any SQLDatabase
        let org = user.$organisation.id
        let weekAgo = now.addingTimeInterval(-7 * 86_400)
        var work = HomeWork()
        work.heldHops = try await count(sql, "SELECT COUNT(*) AS n FROM relay_hops WHERE organisation_id = \(bind: org) AND status = 'held'")
        work.heldReports = try await count(sql, "SELECT COUNT(*) AS n FROM report_hops WHERE organisation_id = \(bind: org) AND status = 'held'")
        work.unacknowledgedAdvisories = try await count(sql, "SELECT COUNT(*) AS n FROM deliveries WHERE organisation_id = \(bind: org) AND acknowledged_at IS NULL")
        work.runningAlerts = try await count(sql, """
            SELECT COUNT(DISTINCT a.id) AS n FROM alerts a JOIN alert_targets t ON t.alert_id = a.id
            WHERE a.sender_id = \(bind: org) AND t.acknowledged_at IS NULL AND t.exhausted_at IS NULL
            """)
        work.callTasks = try await count(sql, """
            SELECT COUNT(*) AS n FROM notification_attempts n JOIN alerts a ON a.id = n.alert_id
            WHERE a.sender_id = \(bind: org) AND n.route = 'manual' AND n.state = 'queued'
            """)
        work.alertsToAcknowledge = try await count(sql, """
            SELECT COUNT(*) AS n FROM alert_targets WHERE organisation_id = \(bind: org) AND acknowledged_at IS NULL AND exhausted_at IS NULL
            """)
        work.reportsNeedingRevision = try await count(sql, """
            SELECT COUNT(DISTINCT s.report_id) AS n FROM report_stages s JOIN incident_reports r ON r.id = s.report_id
            WHERE r.organisation_id = \(bind: org) AND s.status = 'needs_revision'
            """)
        (work.reportsDue, work.reportsOverdue) = try await Self.deadlines(of: org, on: db, now: now)
        let secretariat = try await Relay(database: db).secretariatCeptoars(of: org)
        if !secretariat.isEmpty, user.has(.ceptoarSecretariat) {
            work.inboundMessages = try await count(sql, "SELECT COUNT(*) AS n FROM inbound_messages WHERE ceptoar_id IN (\(binds: Array(secretariat))) AND status = 'new'")
        }
        work.agreementsAwaitingApproval = try await Self.awaitingApproval(user, on: db)
        if user.has(.systemAdmin) || user.has(.niscCoordinator) || user.has(.ceptoarSecretariat) {
            work.failingPeers = try await count(sql, "SELECT COUNT(*) AS n FROM peers WHERE enabled = \(bind: true) AND consecutive_failures > 0")
        }
        work.week.advisoriesReceived = try await count(sql, "SELECT COUNT(*) AS n FROM deliveries WHERE organisation_id = \(bind: org) AND delivered_at >= \(bind: weekAgo)")
        work.week.advisoriesPublished = try await count(sql, "SELECT COUNT(*) AS n FROM advisories WHERE originator_id = \(bind: org) AND created_at >= \(bind: weekAgo)")
        work.week.reportsFiled = try await count(sql, "SELECT COUNT(*) AS n FROM incident_reports WHERE organisation_id = \(bind: org) AND exercise = \(bind: false) AND created_at >= \(bind: weekAgo)")
        work.week.reportsReceived = try await count(sql, "SELECT COUNT(*) AS n FROM report_hops WHERE organisation_id = \(bind: org) AND received_at >= \(bind: weekAgo)")
        work.week.alertsSent = try await count(sql, "SELECT COUNT(*) AS n FROM alerts WHERE sender_id = \(bind: org) AND created_at >= \(bind: weekAgo)")
        work.week.situationChanges = try await count(sql, "SELECT COUNT(*) AS n FROM situation_changes WHERE organisation_id = \(bind: org) AND exercise = \(bind: false) AND created_at >= \(bind: weekAgo)")
        return work
    }

    /// The organisation's open reports against their sectors' deadlines: the next stage of
    /// each, due (deadline ahead) or overdue (passed).
    static func deadlines(of org: UUID, on db: any Database, now: Date) async throws -> (due: Int, overdue: Int) {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT sector_id, detected_at, first_submitted_at, follow_up_submitted_at, final_submitted_at FROM incident_reports
            WHERE organisation_id = \(bind: org) AND stage <> 'final' AND exercise = \(bind: false)
            """).all()
        guard !rows.isEmpty else { return (0, 0) }
        let sectors = Set(try rows.map { try $0.decode(column: "sector_id", as: UUID.self) })
        let policies = try await ReportDeadlines(database: db).policies(for: Array(sectors))
        var (due, overdue) = (0, 0)
        for row in rows {
            var submitted: [ReportStage: Date] = [:]
            submitted[.first] = try row.decode(column: "first_submitted_at", as: Date?.self)
            submitted[.followUp] = try row.decode(column: "follow_up_submitted_at", as: Date?.self)
            submitted[.final] = try row.decode(column: "final_submitted_at", as: Date?.self)
            guard let next = ReportStage.allCases.first(where: { submitted[$0] == nil }) else { continue }
            let policy = policies[try row.decode(column: "sector_id", as: UUID.self)] ?? .standard
            let deadline = policy.deadline(next, detectedAt: try row.decode(column: "detected_at", as: Date.self), submitted: submitted)
            switch Timeliness.of(deadline: deadline, submittedAt: nil, now: now) {
            case .due: due += 1
            case .overdue: overdue += 1
            default: break
            }
        }
        return (due, overdue)
    }

    /// Agreements proposed to a party the user acts for that this party has not approved.
    static func awaitingApproval(_ user: User, on db: any Database) async throws -> Int {
        guard user.has(.ceptoarSecretariat) || user.has(.analyst) else { return 0 }
        let proposed = try await AgreementRecord.query(on: db).filter(\.$status == "proposed").all()
        guard !proposed.isEmpty else { return 0 }
        let acting = try await Parties(database: db).actingFor(user)
        var count = 0
        for record in proposed where record.partyList.contains(where: acting.contains) {
            let approved = try await AgreementApproval.query(on: db).filter(\.$agreement.$id == record.requireID()).filter(\.$version == record.version).all().map(\.party)
            if record.partyList.contains(where: { acting.contains($0) && !approved.contains($0) }) { count += 1 }
        }
        return count
    }
}
