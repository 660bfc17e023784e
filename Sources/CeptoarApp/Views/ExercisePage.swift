import CeptoarKit
import Foundation
import Vapor

/// An exercise's after-action report: the injects against their planned times, each
/// CEPTOAR's times per stage as a table and as charts (inline SVG: it prints, needs no script).
struct ExercisePage {
    let report: AfterAction

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let time = { (seconds: Int?) in CeptoarActivity.duration(seconds, language) }
        let injects = self.report.injects.map { inject -> String in
            let state: String
            if let error = inject.error {
                state = (ja ? "送信できず: " : "not sent: ") + error.htmlEscaped
            } else if let late = inject.lateSeconds {
                state = (ja ? "送信済み（予定から" : "sent (") + time(late) + (ja ? "後）" : " after its time)")
            } else {
                state = ja ? "予定" : "scheduled"
            }
            return "<tr data-testid=\"inject\"><td>\(inject.position)</td><td>\(RelayViews.time(inject.dueAt, language))</td><td>\(inject.kind == "drill" ? (ja ? "訓練" : "drill") : (ja ? "注意喚起" : "advisory"))</td><td>\(inject.title.text(language).htmlEscaped)</td><td>\(state)</td></tr>"
        }.joined()
        let rows = self.report.rows.map { row -> String in
            """
            <tr data-testid="exercise-row"><td>\(row.name.text(language).htmlEscaped)</td><td>\(time(row.ministryRelaySeconds))</td><td>\(time(row.ceptoarRelaySeconds))</td>
            <td>\(row.acknowledged)/\(row.deliveries) (\(CeptoarActivity.percent(row.acknowledged, of: row.deliveries)))</td><td>\(time(row.acknowledgeSeconds))</td>
            <td>\(row.drillAnswered)/\(row.drillTargets) (\(CeptoarActivity.percent(row.drillAnswered, of: row.drillTargets)))</td><td>\(time(row.drillAnswerSeconds))</td>
            <td>\(row.reports)</td><td>\(time(row.firstReportSeconds))</td></tr>
            """
        }.joined()
        func chart(_ ja: String, _ en: String, _ value: (AfterAction.Row) -> Int?) -> String {
            BarChart(title: language == .ja ? ja : en, bars: self.report.rows.map {
                BarChart.Bar(label: $0.name.text(language), value: value($0).map(Double.init), text: time(value($0)))
            }).svg
        }
        let body = """
            <h1>\(ja ? "演習の事後評価" : "Exercise after-action report"): \(self.report.name.text(language).htmlEscaped)</h1>
            <p class="drill">\(ja ? "演習（CAP status: Exercise）— 実際の統計・活動状況には含まれません" : "Exercise (CAP status: Exercise) — never counted in real statistics or activity")</p>
            <h2>\(ja ? "インジェクト" : "Injects")</h2>
            <table class="list"><thead><tr><th>#</th><th>\(ja ? "予定時刻" : "Planned")</th><th>\(ja ? "種類" : "Kind")</th><th>\(ja ? "件名" : "Title")</th><th>\(ja ? "状態" : "State")</th></tr></thead><tbody>\(injects)</tbody></table>
            <h2>\(ja ? "セプター別・段階別の所要時間（中央値）" : "Times per CEPTOAR and stage (medians)")</h2>
            <div class="wide"><table class="list" data-testid="exercise-table"><thead><tr><th>\(ja ? "セプター" : "CEPTOAR")</th><th>\(ja ? "所管省庁の転送" : "Ministry relay")</th><th>\(ja ? "事務局の転送" : "Secretariat relay")</th>
            <th>\(ja ? "構成員の受領確認" : "Members acknowledged")</th><th>\(ja ? "確認までの時間" : "Time to acknowledge")</th><th>\(ja ? "訓練への応答" : "Drill answered")</th><th>\(ja ? "応答までの時間" : "Time to answer")</th>
            <th>\(ja ? "演習の報告" : "Exercise reports")</th><th>\(ja ? "最初の報告まで" : "Time to first report")</th></tr></thead><tbody>\(rows)</tbody></table></div>
            <div data-testid="exercise-charts">
            \(chart("構成員が受領確認するまで（中央値）", "Time for members to acknowledge (median)", \.acknowledgeSeconds))
            \(chart("事務局が転送するまで（中央値）", "Time for the secretariat to relay (median)", \.ceptoarRelaySeconds))
            \(chart("訓練に応答するまで（中央値）", "Time to answer the drill (median)", \.drillAnswerSeconds))
            </div>
            """
        return Layout(title: LocalizedText(ja: "演習の事後評価", en: "Exercise after-action report"), body: body).render(request)
    }
}
