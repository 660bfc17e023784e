import Foundation

/// One CEPTOAR's year (活動状況), counted from what the system recorded; nothing marked
/// exercise or synthetic-exercise is in it.
public struct CeptoarActivity: Codable, Sendable, Equatable {
    public var ceptoar: String
    public var name: LocalizedText
    public var sector: String
    public var sectorName: LocalizedText?
    /// Advisories that reached the CEPTOAR's hop, and those it passed on to members.
    public var advisoriesReceived: Int
    public var advisoriesRelayed: Int
    /// The median time from a hop's arrival to its forwarding, in seconds (nil: none relayed).
    public var medianRelaySeconds: Int?
    public var drills: Int
    /// Organisations a drill was sent to, and those that acknowledged it, over the year's drills.
    public var drillTargets: Int
    public var drillReached: Int
    /// Real reports detected in the year, by the stage they reached.
    public var reportsFirst: Int
    public var reportsFollowUp: Int
    public var reportsFinal: Int
    /// Stages submitted by their deadline, and after it.
    public var stagesOnTime: Int
    public var stagesLate: Int
    public var failureCasesPublished: Int
    public var agreementsActive: Int
    public var situationChanges: Int

    public init(ceptoar: String, name: LocalizedText, sector: String, sectorName: LocalizedText? = nil) {
        self.ceptoar = ceptoar
        self.name = name
        self.sector = sector
        self.sectorName = sectorName
        (self.advisoriesReceived, self.advisoriesRelayed, self.medianRelaySeconds) = (0, 0, nil)
        (self.drills, self.drillTargets, self.drillReached) = (0, 0, 0)
        (self.reportsFirst, self.reportsFollowUp, self.reportsFinal, self.stagesOnTime, self.stagesLate) = (0, 0, 0, 0, 0)
        (self.failureCasesPublished, self.agreementsActive, self.situationChanges) = (0, 0, 0)
    }

    public var reports: Int { self.reportsFirst + self.reportsFollowUp + self.reportsFinal }

    /// "87.5%", or "—" without drills: from counts, never a float turned into an Int.
    public var reachRate: String { Self.percent(self.drillReached, of: self.drillTargets) }

    public static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "—" }
        return String(format: "%.1f%%", Double(part) * 100 / Double(whole))
    }

    /// "12分30秒" / "12 min 30 s"; hours past an hour.
    public static func duration(_ seconds: Int?, _ language: Language) -> String {
        guard let seconds, seconds >= 0 else { return "—" }
        let (h, m, s) = (seconds / 3_600, (seconds % 3_600) / 60, seconds % 60)
        if language == .ja { return h > 0 ? "\(h)時間\(m)分" : (m > 0 ? "\(m)分\(s)秒" : "\(s)秒") }
        return h > 0 ? "\(h) h \(m) min" : (m > 0 ? "\(m) min \(s) s" : "\(s) s")
    }

    /// The median of some durations in seconds, rounded down; nil for none.
    public static func median(_ values: [Int]) -> Int? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        // Halves added apart: two large values never overflow.
        return sorted[middle - 1] / 2 + sorted[middle] / 2 + (sorted[middle - 1] % 2 + sorted[middle] % 2) / 2
    }
}

/// The year's activity of every CEPTOAR on the map: the part of NISC's yearly follow-up
/// (平成20年度の各セプターの活動状況) that sits beside the characteristics map.
public struct ActivityReport: Codable, Sendable, Equatable {
    public var fiscalYear: FiscalYear
    public var rows: [CeptoarActivity]

    public init(fiscalYear: FiscalYear, rows: [CeptoarActivity]) {
        self.fiscalYear = fiscalYear
        self.rows = rows
    }

    /// The row labels and each CEPTOAR's cells, in one order for every format.
    public func table(_ language: Language) -> (header: [String], rows: [[String]]) {
        let ja = language == .ja
        let header = ja
            ? ["セプター", "分野", "情報提供 受領", "転送", "転送所要時間（中央値）", "訓練", "訓練到達率", "情報連絡（第一報止まり）", "続報まで", "最終報まで", "期限内の提出", "期限後の提出", "障害事例", "有効な相互合意", "情勢判断"]
            : ["CEPTOAR", "Sector", "Advisories received", "Relayed", "Median relay time", "Drills", "Drill reach", "Reports at first stage", "At follow-up", "Final", "Stages on time", "Stages late", "Failure cases", "Agreements active", "Situation changes"]
        let rows = self.rows.map { row -> [String] in
            [
                row.name.text(language), row.sectorName?.text(language) ?? row.sector, String(row.advisoriesReceived), String(row.advisoriesRelayed),
                CeptoarActivity.duration(row.medianRelaySeconds, language), String(row.drills), row.reachRate, String(row.reportsFirst),
                String(row.reportsFollowUp), String(row.reportsFinal), String(row.stagesOnTime), String(row.stagesLate),
                String(row.failureCasesPublished), String(row.agreementsActive), String(row.situationChanges),
            ]
        }
        return (header, rows)
    }

    public func title(_ language: Language) -> String {
        language == .ja ? "\(self.fiscalYear.japanese)の各セプターの活動状況" : "Each CEPTOAR's activity in \(self.fiscalYear.english)"
    }

    public func markdown(_ language: Language) -> String {
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        let (header, rows) = self.table(language)
        var out = "## \(self.title(language))\n\n\(self.fiscalYear.label(language))\n\n"
        out += "| " + header.map(escape).joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for row in rows { out += "| " + row.map(escape).joined(separator: " | ") + " |\n" }
        return out
    }

    public func csvLines(_ language: Language) -> [[String]] {
        let (header, rows) = self.table(language)
        return [[self.title(language)], header] + rows
    }

    public func htmlTable(_ language: Language) -> String {
        let (header, rows) = self.table(language)
        var html = #"<h2 class="activity-title">\#(self.title(language).htmlEscaped)</h2><p>\#(self.fiscalYear.label(language).htmlEscaped)</p>"#
        html += #"<table class="ceptoar-map activity" data-testid="activity"><thead><tr>"# + header.map { "<th>\($0.htmlEscaped)</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\($0.htmlEscaped)</td>" }.joined() + "</tr>" }
        return html + "</tbody></table>"
    }
}

extension MapFormat {
    /// The map with the year's activity beside it, in one document of this format.
    public func render(_ map: CharacteristicsMap, activity: ActivityReport, language: Language) throws -> Data {
        switch self {
        case .html:
            let document = map.htmlDocument(language)
            return Data(document.replacingOccurrences(of: "</body></html>", with: activity.htmlTable(language) + "</body></html>").utf8)
        case .csv:
            return map.csv(language) + CSV.document([[]] + activity.csvLines(language)).dropFirst(3)
        case .md:
            return Data((map.markdown(language) + "\n" + activity.markdown(language)).utf8)
        case .json:
            struct Both: Encodable { var map: CharacteristicsMap; var activity: ActivityReport }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(Both(map: map, activity: activity))
        }
    }
}
