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
    /// the filing's transaction, so the flag and the report commit together.
    func evaluateTrends(after report: IncidentReport, actor: String) async throws {
        guard !report.exercise else { return }
        let id = try report.requireID()
        let span = ReportCorrelationRules.trendSpan
        let from = report.detectedAt.addingTimeInterval(-span)
        let to = report.detectedAt.addingTimeInterval(span)
        var candidates: [(ReportCorrelationRules.TrendKind, String, [UUID: Date])] = []
        let sameType = try await IncidentReport.query(on: self.database).filter(\.$sector.$id == report.$sector.id)
            .filter(\.$eventType == report.eventType).filter(\.$exercise == false)
            .filter(\.$detectedAt >= from).filter(\.$detectedAt <= to).all()
        candidates.append((.eventType, report.eventType, Dictionary(uniqueKeysWithValues: sameType.compactMap { r in r.id.map { ($0, r.detectedAt) } })))
        for cve in try await self.cves(of: report) {
            let rows = try await (self.database as! any SQLDatabase).raw("""
                SELECT DISTINCT r.id AS id, r.detected_at AS detected_at FROM report_observables o JOIN incident_reports r ON r.id = o.report_id
                WHERE o.key = \(bind: "cve:\(cve)") AND r.sector_id = \(bind: report.$sector.id) AND r.exercise = \(bind: false)
                AND o.detected_at >= \(bind: from) AND o.detected_at <= \(bind: to)
                """).all()
            var times: [UUID: Date] = [:]
            for row in rows { times[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "detected_at", as: Date.self) }
            candidates.append((.cve, cve, times))
        }
        for (kind, value, times) in candidates where times.count >= ReportCorrelationRules.trendThreshold {
            guard let window = ReportCorrelationRules.trendWindow(Array(times.values), including: report.detectedAt) else { continue }
            let members = times.filter { $0.value >= window.start && $0.value <= window.end }.keys.map(\.uuidString).sorted()
            guard members.contains(id.uuidString) else { continue }
            let existing = try await TrendFlag.query(on: self.database).filter(\.$sector.$id == report.$sector.id).filter(\.$kind == kind.rawValue)
                .filter(\.$value == value).filter(\.$windowEnd >= window.start.addingTimeInterval(-span)).filter(\.$windowStart <= window.end).first()
            let flag = existing ?? TrendFlag()
            if existing == nil {
                flag.$sector.id = report.$sector.id
                flag.kind = kind.rawValue
                flag.value = value
                flag.raisedAt = Date()
                flag.windowStart = window.start
                flag.windowEnd = window.end
                flag.reportIDs = ""
                flag.reportCount = 0
            } else {
                flag.windowStart = min(flag.windowStart, window.start)
                flag.windowEnd = max(flag.windowEnd, window.end)
            }
            let all = Set(flag.reportIDs.split(separator: ",").map(String.init) + members)
            guard all.count != flag.reportCount else { continue }
            flag.reportIDs = all.sorted().joined(separator: ",")
            flag.reportCount = all.count
            try await flag.save(on: self.database)
            try await AuditLog.append(on: self.database, actor: actor, action: existing == nil ? "trend_raised" : "trend_widened", subject: "trend:\(try flag.requireID())",
                                      detail: ["kind": kind.rawValue, "value": value, "reports": String(all.count)])
        }
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
