import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// Statistics shared back (統計): for a sector or the nation and a fiscal year or quarter, the
/// reports by event type × cause group, by quarter, the median time from detection to the
/// first report and the share of stages on time. Every count goes through
/// `SmallCellSuppression`, so no count under k — nor one that could be worked out from the
/// totals — is shown; the median and the share are shown only over k reports or more.
/// Exercise reports are never counted.
struct ReportStatistics {
    let database: any Database
    var k = ReportStatistics.defaultK
    var now = Date()

    static let defaultK = 5

    enum Scope: Equatable {
        case nation
        case sector(String)

        /// `nation` or a sector key.
        init?(_ text: String) {
            if text == "nation" { self = .nation; return }
            guard (1...40).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else { return nil }
            self = .sector(text)
        }

        var text: String {
            switch self {
            case .nation: "nation"
            case .sector(let key): key
            }
        }
    }

    /// A count as published: the number, or why it is not shown.
    struct Count: Codable, Equatable, Sendable {
        var value: Int?
        /// `shown`, `small` (under k, shown as "<k"), `hidden` (complementary).
        var status: String

        init(_ table: SmallCellSuppression, _ cell: SmallCellSuppression.Cell) {
            switch table.shown(cell) {
            case .value(let value): (self.value, self.status) = (value, "shown")
            case .small: (self.value, self.status) = (nil, "small")
            case .hidden: (self.value, self.status) = (nil, "hidden")
            }
        }

        func text(k: Int) -> String {
            switch self.status {
            case "shown": return String(self.value ?? 0)
            case "small": return "<\(k)"
            default: return "x"
            }
        }
    }

    struct Table: Codable, Sendable {
        var rows: [String]
        var columns: [String]
        /// rows × columns.
        var cells: [[Count]]
        var rowTotals: [Count]
        var columnTotals: [Count]
        var total: Count
    }

    struct Answer: Content {
        var scope: String
        var scopeName: LocalizedText
        var period: String
        var periodLabel: LocalizedText
        var from: Date
        var until: Date
        var k: Int
        /// Event type × cause group; a report counts once in each cause group it names.
        var byEventAndCause: Table
        /// One row: the reports in each quarter (a fiscal year) or the quarter's own (a quarter).
        var byQuarter: Table
        /// Over k reports or more, else nil.
        var medianMinutesToFirstReport: Int?
        /// Stages on time among those submitted or past their deadline, over k or more.
        var stagesOnTimeShare: Double?
        var stagesCounted: Count
    }

    static let causeGroups = ["intentional", "unintentional", "disaster", "spillover", "other"]
    private static let causeGroupBytes = causeGroups.map { Array($0.utf8) }

    func statistics(_ scope: Scope, _ period: StatisticsPeriod) async throws -> Answer {
        // setup: the scope's sector, its name and the deadline policies.
        var sectorID: UUID?
        var scopeName = LocalizedText(ja: "全分野", en: "All sectors")
        if case .sector(let key) = scope {
            guard let sector = try await Sector.query(on: self.database).filter(\.$key == key).first() else {
                throw UserError.notFound(ja: "分野が見つかりません: \(key)", en: "no sector '\(key)'")
            }
            sectorID = try sector.requireID()
            if let version = try await MapQuery.validOn(SectorVersion.query(on: self.database), .today).filter(\.$sector.$id == sectorID!).first() {
                scopeName = LocalizedText(ja: version.nameJa, en: version.nameEn)
            }
        }
        let facts = try await self.facts(period, sector: sectorID)

        // act: count.
        let events = ReportEventType.allCases.map(\.rawValue)
        var grid = Array(repeating: Array(repeating: 0, count: Self.causeGroups.count), count: events.count)
        var quarters = Array(repeating: 0, count: period.quarter == nil ? 4 : 1)
        var minutes: [Int] = []
        var (onTime, counted) = (0, 0)
        let policies = try await ReportDeadlines(database: self.database).policies(for: Array(Set(facts.map(\.sector))))
        let quarterStarts: [Date] = period.quarter == nil
            ? (1...4).compactMap { StatisticsPeriod(fiscalYear: period.fiscalYear, quarter: $0)?.start } : [period.start]
        for report in facts {
            for column in Self.causeGroups.indices where report.causeGroups & (1 << column) != 0 { grid[report.event][column] += 1 }
            // The quarter by its start, worked out once above: making a period per report built
            // a calendar each time (measured: a third of the page on 20,000 reports).
            quarters[(quarterStarts.lastIndex { report.detectedAt >= $0 } ?? 0)] += 1
            if let first = report.submitted[.first] {
                // Whole minutes; a clock skew that puts the report before detection counts as 0.
                let seconds = first.timeIntervalSince(report.detectedAt)
                minutes.append(seconds <= 0 ? 0 : Int(min(seconds / 60, 1e9)))
            }
            let policy = policies[report.sector] ?? .standard
            for stage in ReportStage.allCases {
                let deadline = policy.deadline(stage, detectedAt: report.detectedAt, submitted: report.submitted)
                switch Timeliness.of(deadline: deadline, submittedAt: report.submitted[stage], now: self.now) {
                case .onTime: onTime += 1; counted += 1
                case .late, .overdue: counted += 1
                default: break
                }
            }
        }

        // check: suppress and answer.
        let table = SmallCellSuppression(counts: grid, k: self.k)
        let quarterTable = SmallCellSuppression(counts: [quarters], k: self.k)
        let stagesTable = SmallCellSuppression(counts: [[counted]], k: self.k)
        let enough = facts.count >= self.k
        minutes.sort()
        return Answer(
            scope: scope.text, scopeName: scopeName, period: period.text, periodLabel: period.label, from: period.start, until: period.end, k: self.k,
            byEventAndCause: Self.table(table, rows: events, columns: Self.causeGroups),
            byQuarter: Self.table(quarterTable, rows: ["reports"], columns: period.quarter == nil ? ["Q1", "Q2", "Q3", "Q4"] : ["Q\(period.quarter!)"]),
            medianMinutesToFirstReport: enough && minutes.count >= self.k ? minutes[minutes.count / 2] : nil,
            stagesOnTimeShare: enough && counted >= self.k ? Double(onTime) / Double(counted) : nil,
            stagesCounted: Count(stagesTable, .init(0, 0)))
    }

    /// What the counting needs of each report detected in the period: its sector, event type
    /// (as its row: an unknown one counts as the last, その他), the cause groups it names (a bit
    /// each), detection, and the first submission of each stage.
    struct Facts {
        var sector: UUID
        var event: Int
        var causeGroups: Int
        var detectedAt: Date
        var submitted: [ReportStage: Date] = [:]
    }

    private static let eventBytes = ReportEventType.allCases.map { Array($0.rawValue.utf8) }

    /// The cause groups a stored `causes` text names, a bit each; matched on the bytes, without
    /// making a string per cause (a set of them per report was a fifth of the counting).
    static func causeGroups<Bytes: Collection<UInt8>>(_ causes: Bytes) -> Int {
        var named = 0
        for cause in causes.split(separator: UInt8(ascii: ",")) {
            let group = cause.prefix { $0 != UInt8(ascii: ".") }
            if let column = Self.causeGroupBytes.firstIndex(where: { $0.elementsEqual(group) }) { named |= 1 << column }
        }
        return named
    }

    /// One query, one text: a line per report, the lines joined by the database, as
    /// `CollectionReader` reads a page. On a year of 100,000 reports over five years this went
    /// from 0.55 s (rows through the driver, grouped) to 0.17–0.27 s (SQLite) with a covering
    /// index and splitting by bytes, and then with each stage's first submission kept on the
    /// report row instead of looked up per report (`ReportFirstSubmissions`) to the figures in
    /// BENCHMARKS.md.
    /// Stored text never holds U+001E or U+001F, so they separate lines and fields.
    func facts(_ period: StatisticsPeriod, sector: UUID?) async throws -> [Facts] {
        let sql = self.database as! any SQLDatabase
        let postgres = sql.dialect.name == "postgresql"
        func text(_ column: String) -> String { postgres ? "CAST(\(column) AS TEXT)" : column }
        func epoch(_ expression: String) -> String {
            postgres ? "COALESCE(CAST(EXTRACT(EPOCH FROM \(expression)) AS TEXT), '')" : "COALESCE(CAST(\(expression) AS TEXT), '')"
        }
        // Each stage's first submission, as kept on the report (`ReportFirstSubmissions`): the
        // whole read is one scan of a covering index.
        let fields = [text("r.sector_id"), "r.event_type", "r.causes", epoch("r.detected_at")]
            + ReportFirstSubmissions.columns.map { epoch("r.\($0.1)") }
        var conditions: [SQLQueryString] = ["r.exercise = \(bind: false)", "r.detected_at >= \(bind: period.start)", "r.detected_at < \(bind: period.end)"]
        if let sector { conditions.append("r.sector_id = \(bind: sector)") }
        let aggregate: SQLQueryString = postgres ? "string_agg(p.line, \(bind: "\u{1E}"))" : "group_concat(p.line, \(bind: "\u{1E}"))"
        let row = try await sql.raw("""
            SELECT COUNT(*) AS n, \(aggregate) AS page FROM (SELECT concat_ws(\(bind: "\u{1F}"), \(unsafeRaw: fields.joined(separator: ", "))) AS line
            FROM \(unsafeRaw: IncidentReport.schema) r WHERE \(conditions.joined(separator: " AND "))) p
            """).first()
        guard let row else { return [] }
        let count = try row.decode(column: "n", as: Int.self)
        guard count > 0 else { return [] }
        var page = try row.decode(column: "page", as: String.self)
        var facts: [Facts] = []
        facts.reserveCapacity(count)
        // Split by bytes, not Characters (grapheme breaking over megabytes of text cost more than
        // the query itself), and read each field where it lies: only the numbers become strings
        // (short enough to need no allocation), each sector's id is parsed once.
        let read: Bool = page.withUTF8 { bytes in
            var sectors: [(text: UnsafeBufferPointer<UInt8>, id: UUID)] = []
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(8)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x1E { end += 1 }
                ranges.removeAll(keepingCapacity: true)
                var fieldStart = start
                for index in start...end where index == end || bytes[index] == 0x1F {
                    ranges.append(fieldStart..<index)
                    fieldStart = index + 1
                }
                // Fail closed: a line that does not read back is an error, never a silent miscount.
                guard ranges.count == 7 else { return false }
                func field(_ n: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[ranges[n]]) }
                func date(_ n: Int) -> Date? {
                    guard !ranges[n].isEmpty else { return nil }
                    return Double(String(decoding: field(n), as: UTF8.self)).map { Date(timeIntervalSince1970: $0) }
                }
                let sectorText = field(0)
                let sector: UUID
                if let known = sectors.first(where: { $0.text.elementsEqual(sectorText) }) {
                    sector = known.id
                } else {
                    guard let parsed = UUID(uuidString: String(decoding: sectorText, as: UTF8.self)) else { return false }
                    sectors.append((sectorText, parsed))
                    sector = parsed
                }
                guard let detected = date(3) else { return false }
                let eventText = field(1)
                var fact = Facts(
                    sector: sector, event: Self.eventBytes.firstIndex { $0.elementsEqual(eventText) } ?? Self.eventBytes.count - 1,
                    causeGroups: Self.causeGroups(field(2)), detectedAt: detected)
                for (index, stage) in ReportStage.allCases.enumerated() { fact.submitted[stage] = date(4 + index) }
                facts.append(fact)
                start = end + 1
            }
            return true
        }
        guard read, facts.count == count else { throw Abort(.internalServerError, reason: "a report's statistics did not read back") }
        return facts
    }

    static func table(_ table: SmallCellSuppression, rows: [String], columns: [String]) -> Table {
        let (r, c) = (table.rowCount, table.columnCount)
        return Table(
            rows: rows, columns: columns,
            cells: (0..<r).map { row in (0..<c).map { Count(table, .init(row, $0)) } },
            rowTotals: (0..<r).map { Count(table, .init($0, c)) }, columnTotals: (0..<c).map { Count(table, .init(r, $0)) },
            total: Count(table, .init(r, c)))
    }
}

extension ReportStatistics.Answer {
    /// One line per published number: `table,row,column,value` — a hidden one as `<k` or `x`.
    func csv() -> String {
        var lines = ["table,row,column,value"]
        func add(_ name: String, _ table: ReportStatistics.Table, totals: Bool) {
            for (r, row) in table.rows.enumerated() {
                for (c, column) in table.columns.enumerated() { lines.append("\(name),\(row),\(column),\(table.cells[r][c].text(k: self.k))") }
                if totals { lines.append("\(name),\(row),total,\(table.rowTotals[r].text(k: self.k))") }
            }
            if totals {
                for (c, column) in table.columns.enumerated() { lines.append("\(name),total,\(column),\(table.columnTotals[c].text(k: self.k))") }
                lines.append("\(name),total,total,\(table.total.text(k: self.k))")
            } else {
                lines.append("\(name),\(table.rows[0]),total,\(table.rowTotals[0].text(k: self.k))")
            }
        }
        add("event_by_cause", self.byEventAndCause, totals: true)
        add("quarters", self.byQuarter, totals: false)
        lines.append("summary,median_minutes_to_first_report,,\(self.medianMinutesToFirstReport.map(String.init) ?? "")")
        lines.append("summary,stages_on_time_share,,\(self.stagesOnTimeShare.map { String(format: "%.3f", $0) } ?? "")")
        lines.append("summary,stages_counted,,\(self.stagesCounted.text(k: self.k))")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
