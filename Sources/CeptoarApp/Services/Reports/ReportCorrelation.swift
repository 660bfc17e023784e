import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Correlation for analysts and coordinators: the reports that share an observable (a CVE, a
/// product, an address) with a report within a window, across members and sectors; the
/// advisories that name its CVEs; and the sector's trend flags.
struct ReportCorrelation {
    let database: any Database
    var windowDays = ReportCorrelationRules.defaultWindowDays

    struct Link {
        var report: UUID
        var shared: [String]
    }

    /// Reports sharing an observable with `report` detected within the window, with what
    /// they share; every report, whoever may read it (the caller filters through the policy).
    func links(of report: IncidentReport) async throws -> [Link] {
        let id = try report.requireID()
        let keys = try await ReportObservableRecord.query(on: self.database).filter(\.$report.$id == id).all().map(\.key)
        guard !keys.isEmpty else { return [] }
        let window = TimeInterval(self.windowDays) * 86_400
        let rows = try await ReportObservableRecord.query(on: self.database)
            .filter(\.$key ~~ Array(Set(keys)))
            .filter(\.$detectedAt >= report.detectedAt.addingTimeInterval(-window))
            .filter(\.$detectedAt <= report.detectedAt.addingTimeInterval(window))
            .filter(\.$report.$id != id)
            .limit(5_000).all()
        var shared: [UUID: Set<String>] = [:]
        for row in rows { shared[row.$report.id, default: []].insert(row.key) }
        return shared.map { Link(report: $0.key, shared: $0.value.sorted()) }.sorted { ($0.shared.count, $1.report.uuidString) > ($1.shared.count, $0.report.uuidString) }
    }

    /// The CVEs of a report.
    func cves(of report: IncidentReport) async throws -> [String] {
        try await ReportObservableRecord.query(on: self.database).filter(\.$report.$id == report.requireID())
            .filter(\.$key, .custom("LIKE"), "cve:%").all().map { String($0.key.dropFirst(4)) }.sorted()
    }

    /// Advisories whose references name one of the CVEs (the caller checks each for reading).
    func advisories(naming cves: [String]) async throws -> [(Advisory, String)] {
        var result: [(Advisory, String)] = []
        for cve in cves.prefix(20) {
            // A CVE id is letters, digits and hyphens only (checked when parsed), so the pattern holds no wildcard.
            let found = try await Advisory.query(on: self.database).filter(\.$references, .custom("LIKE"), "%\(cve)%")
                .filter(\.$withdrawnAt == nil).sort(\.$createdAt, .descending).limit(20).all()
            // LIKE finds CVE-2024-3400 inside CVE-2024-34001 too: keep only whole mentions.
            for advisory in found where Self.mentions(advisory.references, cve) && !result.contains(where: { $0.0.id == advisory.id }) {
                result.append((advisory, cve))
            }
        }
        return result
    }

    /// Whether `text` names `cve` whole: not followed by another digit of a longer number.
    static func mentions(_ text: String, _ cve: String) -> Bool {
        let upper = text.uppercased()
        var from = upper.startIndex
        while let found = upper.range(of: cve, range: from..<upper.endIndex) {
            if found.upperBound == upper.endIndex || !upper[found.upperBound].isNumber { return true }
            from = found.upperBound
        }
        return false
    }

    /// After a report is filed or changed: raise or widen its sector's trend flags. Runs in
    /// the filing's transaction, so the flag and the report commit together. Filings of one
    /// sector take turns here: SQLite has one writer, and on PostgreSQL the filing has already
    /// taken the audit chain's lock (`AuditLog.append`), held until its commit — so two
    /// reports that each make "the third" cannot raise two flags.
    func evaluateTrends(after report: IncidentReport, actor: String) async throws {
        guard !report.exercise else { return }
        let id = try report.requireID()
        var subjects: [(ReportCorrelationRules.TrendKind, String)] = [(.eventType, report.eventType)]
        subjects += try await self.cves(of: report).map { (.cve, $0) }
        for (kind, value) in subjects {
            try await self.evaluate(kind, value, report: report, id: id, actor: actor)
        }
    }

    /// One trend subject. A flag already raised that the report falls within 72 hours of is
    /// continued by it: one insert, whatever the size of the burst. Otherwise the reports of
    /// the subject within 72 hours either side are counted (their ids and times only) and a
    /// flag rises when the report makes the third within one span.
    private func evaluate(_ kind: ReportCorrelationRules.TrendKind, _ value: String, report: IncidentReport, id: UUID, actor: String) async throws {
        let sql = self.database as! any SQLDatabase
        let span = ReportCorrelationRules.trendSpan
        let at = report.detectedAt
        if let flag = try await TrendFlag.query(on: self.database).filter(\.$sector.$id == report.$sector.id).filter(\.$kind == kind.rawValue)
            .filter(\.$value == value).filter(\.$windowEnd >= at.addingTimeInterval(-span)).filter(\.$windowStart <= at.addingTimeInterval(span))
            .sort(\.$raisedAt, .descending).first() {
            guard try await TrendFlagReport.insert(flag: try flag.requireID(), reports: [id], on: sql) > 0 else { return }
            flag.windowStart = min(flag.windowStart, at)
            flag.windowEnd = max(flag.windowEnd, at)
            flag.reportCount += 1
            try await flag.save(on: self.database)
            try await AuditLog.append(on: self.database, actor: actor, action: "trend_widened", subject: "trend:\(try flag.requireID())",
                                      detail: ["kind": kind.rawValue, "value": value, "reports": String(flag.reportCount)])
            return
        }
        let times = try await self.times(kind, value, sector: report.$sector.id, from: at.addingTimeInterval(-span), to: at.addingTimeInterval(span))
        guard times.count >= ReportCorrelationRules.trendThreshold,
              let window = ReportCorrelationRules.trendWindow(Array(times.values), including: at) else { return }
        let members = times.filter { $0.value >= window.start && $0.value <= window.end }.keys.sorted { $0.uuidString < $1.uuidString }
        guard members.contains(id) else { return }
        let flag = TrendFlag()
        flag.id = UUID()
        flag.$sector.id = report.$sector.id
        flag.kind = kind.rawValue
        flag.value = value
        flag.raisedAt = Date()
        flag.windowStart = window.start
        flag.windowEnd = window.end
        flag.reportCount = members.count
        try await flag.create(on: self.database)
        try await TrendFlagReport.insert(flag: try flag.requireID(), reports: members, on: sql)
        try await AuditLog.append(on: self.database, actor: actor, action: "trend_raised", subject: "trend:\(try flag.requireID())",
                                  detail: ["kind": kind.rawValue, "value": value, "reports": String(members.count)])
    }

    /// The detection time of each real report of the sector with the event type or CVE,
    /// detected within [from, to].
    private func times(_ kind: ReportCorrelationRules.TrendKind, _ value: String, sector: UUID, from: Date, to: Date) async throws -> [UUID: Date] {
        let sql = self.database as! any SQLDatabase
        let rows: [any SQLRow]
        switch kind {
        case .eventType:
            rows = try await sql.raw("""
                SELECT id, detected_at FROM incident_reports WHERE sector_id = \(bind: sector) AND event_type = \(bind: value)
                AND detected_at >= \(bind: from) AND detected_at <= \(bind: to) AND exercise = \(bind: false)
                """).all()
        case .cve:
            rows = try await sql.raw("""
                SELECT DISTINCT r.id AS id, r.detected_at AS detected_at FROM report_observables o JOIN incident_reports r ON r.id = o.report_id
                WHERE o.key = \(bind: "cve:\(value)") AND r.sector_id = \(bind: sector) AND r.exercise = \(bind: false)
                AND o.detected_at >= \(bind: from) AND o.detected_at <= \(bind: to)
                """).all()
        }
        var times: [UUID: Date] = [:]
        for row in rows { times[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "detected_at", as: Date.self) }
        return times
    }

    /// The sectors whose trends `organisation` may see: those where it holds a report step
    /// (a CEPTOAR's secretariat, the competent ministry) — every sector for NISC.
    func coordinatedSectors(of organisation: UUID) async throws -> Set<UUID>? {
        guard let record = try await Organisation.find(organisation, on: self.database) else { return [] }
        if record.organisationKind == .cabinetSecretariat { return nil }
        var sectors = Set(try await MapQuery.validOn(SectorVersion.query(on: self.database), .today).filter(\.$ministry.$id == organisation).all().map { $0.$sector.id })
        let ceptoars = try await MapQuery.validOn(Membership.query(on: self.database), .today).filter(\.$organisation.$id == organisation)
            .filter(\.$role == Membership.Role.secretariat.rawValue).all().map { $0.$ceptoar.id }
        if !ceptoars.isEmpty {
            let versions = try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today).filter(\.$ceptoar.$id ~~ ceptoars).all()
            sectors.formUnion(versions.map { $0.$sector.id })
        }
        return sectors
    }
}
