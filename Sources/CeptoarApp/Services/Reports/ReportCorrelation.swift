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

    /// After reports are filed or changed: raise or widen their sectors' trend flags. Runs in
    /// the filing's transaction, so the flags and the reports commit together. Filings take
    /// turns here: SQLite has one writer, and on PostgreSQL the filing has already taken the
    /// audit chain's lock (`AuditLog.append`), held until its commit — so two reports that
    /// each make "the third" cannot raise two flags. Each item: the report, its CVEs, and who
    /// filed it (the actor of the audit entries it causes).
    func evaluateTrends(_ items: [(report: IncidentReport, cves: [String], actor: String)]) async throws {
        var order: [Subject] = []
        var bySubject: [Subject: [(IncidentReport, String)]] = [:]
        for item in items where !item.report.exercise {
            let sector = item.report.$sector.id
            for subject in [Subject(sector: sector, kind: .eventType, value: item.report.eventType)] + item.cves.map({ Subject(sector: sector, kind: .cve, value: $0) }) {
                if bySubject[subject] == nil { order.append(subject) }
                bySubject[subject, default: []].append((item.report, item.actor))
            }
        }
        var entries: [AuditLog.Pending] = []
        for subject in order {
            let reports = (bySubject[subject] ?? []).sorted { $0.0.detectedAt < $1.0.detectedAt }
            try await self.evaluate(subject, reports, audit: &entries)
        }
        try await AuditLog.append(on: self.database, entries)
    }

    /// What a trend is about, in a sector.
    private struct Subject: Hashable {
        var sector: UUID
        var kind: ReportCorrelationRules.TrendKind
        var value: String
    }

    /// One subject's reports, earliest detection first. A report within 72 hours of a flag
    /// already raised continues it: the batch's joiners go in with one insert, whatever the
    /// size of the burst. Otherwise the subject's reports within 72 hours either side are
    /// counted (their ids and times only), and a flag rises when the report makes the third
    /// within one span.
    private func evaluate(_ subject: Subject, _ reports: [(IncidentReport, String)], audit entries: inout [AuditLog.Pending]) async throws {
        let sql = self.database as! any SQLDatabase
        let span = ReportCorrelationRules.trendSpan
        var flag: TrendFlag?
        var joining: [UUID] = []
        var actors: [UUID: String] = [:]
        func covers(_ flag: TrendFlag, _ at: Date) -> Bool { flag.windowStart.addingTimeInterval(-span) <= at && at <= flag.windowEnd.addingTimeInterval(span) }
        func flush() async throws {
            guard let current = flag, !joining.isEmpty else { return }
            let id = try current.requireID()
            let added = try await TrendFlagReport.insert(flag: id, reports: joining, on: sql)
            joining = []
            guard !added.isEmpty else { return }
            for report in added {
                current.reportCount += 1
                entries.append(AuditLog.Pending(actor: actors[report] ?? "system", action: "trend_widened", subject: "trend:\(id)",
                                                detail: ["kind": subject.kind.rawValue, "value": subject.value, "reports": String(current.reportCount)]))
            }
            try await current.save(on: self.database)
        }
        for (report, actor) in reports {
            let id = try report.requireID()
            let at = report.detectedAt
            actors[id] = actor
            if flag == nil || !covers(flag!, at) {
                try await flush()
                flag = try await TrendFlag.query(on: self.database).filter(\.$sector.$id == subject.sector).filter(\.$kind == subject.kind.rawValue)
                    .filter(\.$value == subject.value).filter(\.$windowEnd >= at.addingTimeInterval(-span)).filter(\.$windowStart <= at.addingTimeInterval(span))
                    .sort(\.$raisedAt, .descending).first()
            }
            if let current = flag {
                current.windowStart = min(current.windowStart, at)
                current.windowEnd = max(current.windowEnd, at)
                joining.append(id)
                continue
            }
            flag = try await self.raise(subject, for: report, id: id, actor: actor, audit: &entries)
        }
        try await flush()
    }

    /// Raises a flag when the report makes the third of its subject within one span; the flag.
    private func raise(_ subject: Subject, for report: IncidentReport, id: UUID, actor: String, audit entries: inout [AuditLog.Pending]) async throws -> TrendFlag? {
        let span = ReportCorrelationRules.trendSpan
        let at = report.detectedAt
        let times = try await self.times(subject.kind, subject.value, sector: subject.sector, from: at.addingTimeInterval(-span), to: at.addingTimeInterval(span))
        guard times.count >= ReportCorrelationRules.trendThreshold,
              let window = ReportCorrelationRules.trendWindow(Array(times.values), including: at) else { return nil }
        let members = times.filter { $0.value >= window.start && $0.value <= window.end }.keys.sorted { $0.uuidString < $1.uuidString }
        guard members.contains(id) else { return nil }
        let flag = TrendFlag()
        flag.id = UUID()
        flag.$sector.id = subject.sector
        flag.kind = subject.kind.rawValue
        flag.value = subject.value
        flag.raisedAt = Date()
        flag.windowStart = window.start
        flag.windowEnd = window.end
        flag.reportCount = members.count
        try await flag.create(on: self.database)
        try await TrendFlagReport.insert(flag: try flag.requireID(), reports: members, on: self.database as! any SQLDatabase)
        entries.append(AuditLog.Pending(actor: actor, action: "trend_raised", subject: "trend:\(try flag.requireID())",
                                        detail: ["kind": subject.kind.rawValue, "value": subject.value, "reports": String(members.count)]))
        return flag
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
