import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// What an analyst or coordinator sees linked to a report: the other reports sharing an
/// observable with it within the window, the advisories naming its CVEs, and the trend flags
/// it is part of. The report itself must be one the viewer holds a step of
/// (`AccessPolicy.correlate`); every linked report is then read through `readReport` and shown
/// in the view the viewer gets of it, so a link never shows what the report would not.
struct ReportRelated {
    let database: any Database

    struct LinkedReport: Content {
        var report: ReportDTO
        /// The observables both share, as `kind:value` — only those the viewer may see of both.
        var shared: [String]
    }

    struct LinkedAdvisory: Content {
        var id: UUID
        var title: LocalizedText
        var cve: String
        var createdAt: Date
    }

    struct Trend: Content {
        var id: UUID
        var sector: String
        var kind: String
        var value: String
        var reportCount: Int
        var raisedAt: Date
        var windowStart: Date
        var windowEnd: Date
        /// The reports in it that the viewer may read (the count covers all of them).
        var reports: [UUID]
    }

    struct Answer: Content {
        var report: UUID
        var windowDays: Int
        var reports: [LinkedReport]
        var advisories: [LinkedAdvisory]
        var trends: [Trend]
    }

    /// At most this many linked reports are shown, most shared first.
    static let maximumLinks = 50

    func related(_ id: UUID, by user: User) async throws -> Answer {
        let loaded = try await ReportBook.load(id, on: self.database)
        let viewer = AccessPolicy.Viewer(organisation: user.$organisation.id.uuidString)
        if case .deny(let denial) = AccessPolicy.correlate(viewer, loaded.item) { throw ReportBook.denied(denial) }
        let correlation = ReportCorrelation(database: self.database)
        let anchorView = AccessPolicy.reportView(for: viewer, of: loaded.item)

        // Every linked report loaded at once (three queries, not four per link): a common CVE
        // links hundreds of reports across sectors before the policy keeps the viewer's.
        let links = try await correlation.links(of: loaded.report)
        let rows = links.isEmpty ? [] : try await IncidentReport.query(on: self.database).filter(\.$id ~~ links.map(\.report)).all()
        // The policy needs no stage content: only the reports shown read theirs, below.
        let others = Dictionary(try await ReportBook.loadMany(rows, on: self.database, stages: false).map { ($0.report.id ?? UUID(), $0) }, uniquingKeysWith: { a, _ in a })
        var candidates: [(ReportBook.Loaded, AccessPolicy.ReportView, [String])] = []
        for link in links {
            guard let other = others[link.report] else { continue }
            guard !other.report.exercise || loaded.report.exercise else { continue }
            guard case .allow = AccessPolicy.readReport(viewer, other.item) else { continue }
            candidates.append((other, AccessPolicy.reportView(for: viewer, of: other.item), link.shared))
        }
        // The anonymised reporters' redactions, all read at once.
        var anonymised = Set(candidates.filter { $0.1 == .anonymised }.map { $0.0.report.$reporter.id })
        if anchorView == .anonymised { anonymised.insert(loaded.report.$reporter.id) }
        let redactions = try await ReportSteps(database: self.database).redactions(for: anonymised)
        var linked: [(ReportBook.Loaded, AccessPolicy.ReportView, [String])] = []
        for (other, view, linkShared) in candidates {
            guard linked.count < Self.maximumLinks else { break }
            // What is shared must be visible in both reports as this viewer sees them: an
            // observable withheld as pointing at an anonymised reporter is no reason shown.
            var shared = linkShared
            for (report, seen) in [(loaded.report, anchorView), (other.report, view)] where seen == .anonymised {
                let rule = redactions[report.$reporter.id] ?? ReportRedaction(names: [report.$reporter.id.uuidString], domains: [])
                shared = shared.filter { key in ReportObservable(key: key).map(rule.keeps) ?? false }
            }
            guard !shared.isEmpty else { continue }
            linked.append((other, view, shared))
        }
        var shown = linked.map(\.0)
        try await ReportBook.addStages(&shown, on: self.database)
        let dtos = try await ReportPresenter(database: self.database).dtos(zip(shown, linked).map { ($0, $1.1) })
        let reports = zip(dtos, linked).map { LinkedReport(report: $0.0, shared: $0.1.2) }

        var advisories: [LinkedAdvisory] = []
        let access = Access(database: self.database)
        for (advisory, cve) in try await correlation.advisories(naming: try await correlation.cves(of: loaded.report)) {
            guard case .allow = try await access.reading(advisory, by: user).decision else { continue }
            advisories.append(LinkedAdvisory(id: try advisory.requireID(), title: advisory.title, cve: cve, createdAt: advisory.createdAt ?? Date.distantPast))
        }

        let inFlags = try await TrendFlagReport.flags(of: id, on: self.database as! any SQLDatabase)
        let flags = inFlags.isEmpty ? [] : try await TrendFlag.query(on: self.database).filter(\.$id ~~ inFlags).sort(\.$raisedAt, .descending).limit(20).all()
        let trends = try await self.trends(flags, for: viewer)
        try await AuditLog.append(on: self.database, actor: user.email, action: "report_related", subject: "report:\(id)",
                                  detail: ["reports": String(reports.count), "advisories": String(advisories.count), "trends": String(trends.count)])
        return Answer(report: id, windowDays: correlation.windowDays, reports: reports, advisories: advisories, trends: trends)
    }

    /// The trend flags raised in the sectors `user` coordinates (its CEPTOAR's sector, the
    /// ministry's sectors, every sector for NISC) since `since`, newest first.
    func trends(for user: User, since: Date) async throws -> [Trend] {
        let viewer = AccessPolicy.Viewer(organisation: user.$organisation.id.uuidString)
        let sectors = try await ReportCorrelation(database: self.database).coordinatedSectors(of: user.$organisation.id)
        if let sectors, sectors.isEmpty { return [] }
        var query = TrendFlag.query(on: self.database).filter(\.$windowEnd >= since)
        if let sectors { query = query.filter(\.$sector.$id ~~ Array(sectors)) }
        return try await self.trends(query.sort(\.$raisedAt, .descending).limit(200).all(), for: viewer)
    }

    /// The flags with the reports in each that the viewer may read: every report loaded at
    /// once (in slices), not one by one — a flag of a burst holds hundreds.
    private func trends(_ flags: [TrendFlag], for viewer: AccessPolicy.Viewer) async throws -> [Trend] {
        guard !flags.isEmpty else { return [] }
        let sectors = try await Sector.query(on: self.database).filter(\.$id ~~ Array(Set(flags.map { $0.$sector.id }))).all()
        let sectorKeys = Dictionary(sectors.compactMap { s in s.id.map { ($0, s.key) } }, uniquingKeysWith: { a, _ in a })
        let members = try await TrendFlagReport.reports(of: flags.compactMap(\.id), on: self.database as! any SQLDatabase)
        let all = Array(Set(members.values.joined()))
        var readable: Set<UUID> = []
        for slice in stride(from: 0, to: all.count, by: 500).map({ all[$0..<min($0 + 500, all.count)] }) {
            let reports = try await IncidentReport.query(on: self.database).filter(\.$id ~~ Array(slice)).all()
            for loaded in try await ReportBook.loadMany(reports, on: self.database, stages: false) {
                if case .allow = AccessPolicy.readReport(viewer, loaded.item), let id = loaded.report.id { readable.insert(id) }
            }
        }
        return try flags.map { flag in
            let id = try flag.requireID()
            return Trend(
                id: id, sector: sectorKeys[flag.$sector.id] ?? "", kind: flag.kind, value: flag.value, reportCount: flag.reportCount,
                raisedAt: flag.raisedAt, windowStart: flag.windowStart, windowEnd: flag.windowEnd,
                reports: (members[id] ?? []).filter(readable.contains).sorted { $0.uuidString < $1.uuidString })
        }
    }
}
