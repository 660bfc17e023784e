import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Computes the year's activity of the CEPTOARs on a map from what the system recorded: a
/// handful of grouped queries for the whole nation, not one per CEPTOAR. Exercises (advisories,
/// alerts, reports and situation changes marked exercise) are never counted.
struct ActivityQuery {
    let database: any Database

    func report(_ year: FiscalYear, for columns: [MapColumn]) async throws -> ActivityReport {
        let sql = self.database as! any SQLDatabase
        let (start, end) = (year.start, year.end)
        let ceptoars = try await Ceptoar.query(on: self.database).filter(\.$key ~~ columns.map(\.ceptoarKey)).all()
        let idByKey = Dictionary(ceptoars.map { ($0.key, $0.id!) }, uniquingKeysWith: { a, _ in a })
        var rows: [UUID: CeptoarActivity] = [:]
        for column in columns {
            guard let id = idByKey[column.ceptoarKey] else { continue }
            rows[id] = CeptoarActivity(ceptoar: column.ceptoarKey, name: column.name, sector: column.sectorKey, sectorName: column.sector)
        }
        let ids = Array(rows.keys)
        guard !ids.isEmpty else { return ActivityReport(fiscalYear: year, rows: []) }

        // Advisories: the CEPTOAR's hops that arrived in the year, and how long forwarding took.
        var relayTimes: [UUID: [Int]] = [:]
        for row in try await sql.raw("""
            SELECT h.ceptoar_id, h.status, h.received_at, h.forwarded_at FROM relay_hops h JOIN advisories a ON a.id = h.advisory_id
            WHERE h.stage = 'ceptoar' AND h.ceptoar_id IN (\(binds: ids)) AND h.received_at >= \(bind: start) AND h.received_at < \(bind: end)
                AND a.exercise = \(bind: false)
            """).all() {
            let id = try row.decode(column: "ceptoar_id", as: UUID.self)
            rows[id]?.advisoriesReceived += 1
            guard try row.decode(column: "status", as: String.self) == RelayHop.Status.forwarded.rawValue else { continue }
            rows[id]?.advisoriesRelayed += 1
            if let forwarded = try row.decode(column: "forwarded_at", as: Date?.self) {
                let seconds = forwarded.timeIntervalSince(try row.decode(column: "received_at", as: Date.self))
                // Bounded before it becomes an Int: a clock set wrong must not trap.
                relayTimes[id, default: []].append(Int(min(max(seconds, 0), 10 * 365 * 86_400).rounded()))
            }
        }
        for (id, times) in relayTimes { rows[id]?.medianRelaySeconds = CeptoarActivity.median(times) }

        // Drills: each drill's organisations in the CEPTOAR, and how many acknowledged.
        for row in try await sql.raw("""
            SELECT t.ceptoar_id, COUNT(DISTINCT a.id) AS drills, COUNT(*) AS targets,
                SUM(CASE WHEN t.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END) AS reached
            FROM alerts a JOIN alert_targets t ON t.alert_id = a.id
            WHERE a.kind = 'drill' AND a.exercise = \(bind: false) AND t.ceptoar_id IN (\(binds: ids)) AND a.created_at >= \(bind: start) AND a.created_at < \(bind: end)
            GROUP BY t.ceptoar_id
            """).all() {
            let id = try row.decode(column: "ceptoar_id", as: UUID.self)
            rows[id]?.drills = try row.decode(column: "drills", as: Int.self)
            rows[id]?.drillTargets = try row.decode(column: "targets", as: Int.self)
            rows[id]?.drillReached = try row.decode(column: "reached", as: Int?.self) ?? 0
        }

        // Reports detected in the year: the stage each reached, and each stage against its deadline.
        let reportRows = try await sql.raw("""
            SELECT ceptoar_id, sector_id, stage, detected_at, first_submitted_at, follow_up_submitted_at, final_submitted_at FROM incident_reports
            WHERE ceptoar_id IN (\(binds: ids)) AND exercise = \(bind: false) AND detected_at >= \(bind: start) AND detected_at < \(bind: end)
            """).all()
        let sectors = Set(try reportRows.map { try $0.decode(column: "sector_id", as: UUID.self) })
        let policies = try await ReportDeadlines(database: self.database).policies(for: Array(sectors))
        for row in reportRows {
            let id = try row.decode(column: "ceptoar_id", as: UUID.self)
            switch ReportStage(rawValue: try row.decode(column: "stage", as: String.self)) {
            case .final: rows[id]?.reportsFinal += 1
            case .followUp: rows[id]?.reportsFollowUp += 1
            default: rows[id]?.reportsFirst += 1
            }
            var submitted: [ReportStage: Date] = [:]
            submitted[.first] = try row.decode(column: "first_submitted_at", as: Date?.self)
            submitted[.followUp] = try row.decode(column: "follow_up_submitted_at", as: Date?.self)
            submitted[.final] = try row.decode(column: "final_submitted_at", as: Date?.self)
            let policy = policies[try row.decode(column: "sector_id", as: UUID.self)] ?? .standard
            let detected = try row.decode(column: "detected_at", as: Date.self)
            for stage in ReportStage.allCases {
                guard let at = submitted[stage] else { continue }
                switch Timeliness.of(deadline: policy.deadline(stage, detectedAt: detected, submitted: submitted), submittedAt: at, now: at) {
                case .late: rows[id]?.stagesLate += 1
                default: rows[id]?.stagesOnTime += 1
                }
            }
        }

        // Failure cases published in the year, by the CEPTOAR of the reports they were written from.
        for row in try await sql.raw("""
            SELECT r.ceptoar_id, COUNT(DISTINCT f.id) AS n FROM failure_cases f
            JOIN failure_case_reports s ON s.case_id = f.id JOIN incident_reports r ON r.id = s.report_id
            WHERE f.status = 'published' AND f.published_at >= \(bind: start) AND f.published_at < \(bind: end) AND r.ceptoar_id IN (\(binds: ids))
            GROUP BY r.ceptoar_id
            """).all() {
            rows[try row.decode(column: "ceptoar_id", as: UUID.self)]?.failureCasesPublished = try row.decode(column: "n", as: Int.self)
        }

        // Agreements in force during the year that name the CEPTOAR as a party (a terminated
        // one counts when it ended within or after the year: its last change is taken as its end).
        let agreements = try await AgreementRecord.query(on: self.database).filter(\.$status ~~ ["active", "suspended", "terminated"]).all()
        for (id, row) in rows {
            let party = Party.ceptoar(row.ceptoar)
            rows[id]?.agreementsActive = agreements.filter { record in
                record.partyList.contains(party) && record.validFrom <= year.last.iso && (record.validTo.map { $0 >= year.first.iso } ?? true)
                    && (record.status != "terminated" || (record.updatedAt ?? .distantFuture) >= start)
            }.count
        }

        // Situation changes of each CEPTOAR's own scope.
        for row in try await sql.raw("""
            SELECT scope_key, COUNT(*) AS n FROM situation_changes
            WHERE scope_kind = 'ceptoar' AND exercise = \(bind: false) AND created_at >= \(bind: start) AND created_at < \(bind: end)
            GROUP BY scope_key
            """).all() {
            let key = try row.decode(column: "scope_key", as: String.self)
            if let id = idByKey[key] { rows[id]?.situationChanges = try row.decode(column: "n", as: Int.self) }
        }
        let order = Dictionary(columns.enumerated().map { ($1.ceptoarKey, $0) }, uniquingKeysWith: { a, _ in a })
        return ActivityReport(fiscalYear: year, rows: rows.values.sorted { (order[$0.ceptoar] ?? 0) < (order[$1.ceptoar] ?? 0) })
    }
}
