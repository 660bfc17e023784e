import CeptoarKit
import Foundation
import Vapor

/// The statistics page: the choice of scope and period, the event × cause table with its
/// totals, the charts (SVG, drawn here: no script), the median time to the first report and
/// the share of stages on time, and the same numbers as CSV and JSON. Hidden counts are drawn
/// as hatched bars with their "<5" or "x", never as a length.
struct ReportStatisticsPage {
    var answer: ReportStatistics.Answer
    var sectors: [(key: String, name: LocalizedText)]

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let answer = self.answer
        let k = answer.k
        let query = "scope=\(answer.scope.htmlEscaped)&amp;period=\(answer.period.htmlEscaped)"
        let scopeOptions = [(key: "nation", name: LocalizedText(ja: "全分野", en: "All sectors"))] + self.sectors
        let options = scopeOptions.map { #"<option value="\#($0.key.htmlEscaped)"\#($0.key == answer.scope ? " selected" : "")>\#($0.name.text(language).htmlEscaped)</option>"# }.joined()
        let table = answer.byEventAndCause
        func eventLabel(_ raw: String) -> String { ReportEventType(rawValue: raw)?.label.text(language) ?? raw }
        func causeLabel(_ raw: String) -> String { raw == "other" ? (ja ? "その他" : "Other") : ReportCause.groupLabel(raw).text(language) }
        var head = "<tr><th>\(ja ? "事象＼要因" : "Event \\ cause")</th>"
        for column in table.columns { head += "<th>\(causeLabel(column).htmlEscaped)</th>" }
        head += "<th>\(ja ? "計" : "Total")</th></tr>"
        var body = ""
        for (r, row) in table.rows.enumerated() {
            body += "<tr><th>\(eventLabel(row).htmlEscaped)</th>"
            for count in table.cells[r] { body += Self.cell(count, k: k) }
            body += Self.cell(table.rowTotals[r], k: k) + "</tr>"
        }
        body += "<tr><th>\(ja ? "計" : "Total")</th>" + table.columnTotals.map { Self.cell($0, k: k) }.joined() + Self.cell(table.total, k: k) + "</tr>"
        let median = answer.medianMinutesToFirstReport.map { Self.duration($0, language) } ?? (ja ? "非表示（\(k)件未満）" : "not shown (under \(k) reports)")
        let share = answer.stagesOnTimeShare.map { String(format: "%.1f%%", $0 * 100) } ?? (ja ? "非表示（\(k)件未満）" : "not shown (under \(k) stages)")
        let events = Self.barChart(
            labels: table.rows.map(eventLabel), counts: table.rowTotals, k: k,
            title: ja ? "事象別の件数（要因の延べ）" : "Reports by event type (counted per cause group)")
        let quarters = Self.barChart(
            labels: answer.byQuarter.columns, counts: answer.byQuarter.cells[0], k: k, title: ja ? "四半期別の報告件数" : "Reports per quarter")
        let page = """
            <h1>\(ja ? "情報連絡の統計" : "Incident report statistics")</h1>
            <form method="get" action="/report-statistics" class="inline" data-testid="statistics-form">
            <label>\(ja ? "範囲" : "Scope") <select name="scope">\(options)</select></label>
            <label>\(ja ? "期間（年度 2024 または四半期 2024Q1）" : "Period (fiscal year 2024 or quarter 2024Q1)") <input name="period" value="\(answer.period.htmlEscaped)" size="8" pattern="[0-9]{4}([Qq][1-4])?"></label>
            <button type="submit">\(ja ? "表示" : "Show")</button></form>
            <h2 data-testid="statistics-title">\(answer.scopeName.text(language).htmlEscaped) — \(answer.periodLabel.text(language).htmlEscaped)</h2>
            <p>\(RelayViews.time(answer.from, language)) – \(RelayViews.time(answer.until.addingTimeInterval(-1), language))。\(ja ? "\(k)件未満のセルは「<\(k)」、それを合計から逆算できないよう併せて秘匿したセルは「x」と表示します。訓練の報告は含みません。" : " Cells under \(k) show as \"<\(k)\"; cells hidden so that those cannot be worked out from the totals show as \"x\". Exercise reports are not counted.")</p>
            <table class="list" data-testid="statistics-table"><thead>\(head)</thead><tbody>\(body)</tbody></table>
            <dl><dt>\(ja ? "検知から第一報までの時間（中央値）" : "Median time from detection to the first report")</dt><dd data-testid="median">\(median)</dd>
            <dt>\(ja ? "期限内に提出された段階の割合" : "Share of stages on time")</dt><dd data-testid="on-time">\(share)</dd></dl>
            <div class="charts">\(events)\(quarters)</div>
            <p><a href="/api/v1/report-statistics.csv?\(query)" data-testid="csv">CSV</a> · <a href="/api/v1/report-statistics?\(query)">JSON</a></p>
            """
        return Layout(title: LocalizedText(ja: "情報連絡の統計", en: "Report statistics"), body: page).render(request)
    }

    static func cell(_ count: ReportStatistics.Count, k: Int) -> String {
        let hidden = count.status != "shown"
        return "<td class=\"num\(hidden ? " suppressed" : "")\" data-status=\"\(count.status)\">\(count.text(k: k).htmlEscaped)</td>"
    }

    static func duration(_ minutes: Int, _ language: Language) -> String {
        let (hours, rest) = minutes.quotientAndRemainder(dividingBy: 60)
        if language == .ja { return hours > 0 ? "\(hours)時間\(rest)分" : "\(rest)分" }
        return hours > 0 ? "\(hours) h \(rest) min" : "\(rest) min"
    }

    /// Horizontal bars; a hidden count is a hatched bar of fixed length with its label.
    static func barChart(labels: [String], counts: [ReportStatistics.Count], k: Int, title: String) -> String {
        let rowHeight = 22
        let width = 520
        let labelWidth = 190
        let barSpace = width - labelWidth - 50
        let largest = max(1, counts.compactMap(\.value).max() ?? 1)
        let height = rowHeight * labels.count + 30
        var svg = """
            <figure><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(title.htmlEscaped)" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" data-testid="chart">
            <defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#bbb"/></pattern></defs>
            <text x="0" y="14" font-size="13" font-weight="bold">\(title.htmlEscaped)</text>
            """
        for (index, label) in labels.enumerated() {
            let y = 24 + index * rowHeight
            let count = counts[index]
            let bar: String
            if let value = count.value {
                let length = value == 0 ? 0 : max(2, barSpace * value / largest)
                bar = ##"<rect x="\##(labelWidth)" y="\##(y)" width="\##(length)" height="16" fill="#2a6fb0"/><text x="\##(labelWidth + length + 4)" y="\##(y + 13)" font-size="12">\##(value)</text>"##
            } else {
                bar = ##"<rect x="\##(labelWidth)" y="\##(y)" width="24" height="16" fill="url(#hatch)"/><text x="\##(labelWidth + 28)" y="\##(y + 13)" font-size="12">\##(count.text(k: k).htmlEscaped)</text>"##
            }
            svg += #"<text x="0" y="\#(y + 13)" font-size="12">\#(label.htmlEscaped)</text>\#(bar)"#
        }
        return svg + "</svg></figure>"
    }
}
