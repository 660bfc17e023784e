import CeptoarKit
import Foundation
import Vapor

/// Incident report pages (情報連絡): the list with the filing form (members) and the trend
/// flags (coordinators), and one report with its stages, deadlines, relay and actions.
struct ReportListPage {
    /// Shown live when one of the organisation's reports is returned for revision.
    static func liveBanner(_ ja: Bool) -> String {
        #"<p class="error" id="live-report" hidden data-testid="live-report">\#(ja ? "報告が差し戻されました。" : "A report was returned for revision.") <a href="/reports">\#(ja ? "開いて確認する" : "Open it")</a></p><script src="\#(StaticAssets.liveScriptPath)"></script>"#
    }

    var reports: [ReportDTO]
    var total: Int
    /// CEPTOARs the user may report to (empty: no form).
    var ceptoars: [(key: String, name: LocalizedText)]
    var sectors: [(key: String, name: LocalizedText)]
    var trends: [ReportRelated.Trend]
    var input: ReportInput?
    var error: String?
    var notice: String? = nil

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for report in self.reports {
            let next = report.deadlines.first { $0.submittedAt == nil && $0.deadline != nil }
            let event = ReportEventType(rawValue: report.eventType)?.label.text(language) ?? report.eventType
            rows += """
                <tr data-testid="report-row"><td><a href="/reports/\(report.id.uuidString.lowercased())">\(String(report.summary.text(language).prefix(80)).htmlEscaped)</a></td>\
                <td>\(report.ceptoar.htmlEscaped)</td><td>\(event.htmlEscaped)</td><td>\(report.severity)</td><td>\(RelayViews.tlpBadge(report.tlp))</td>\
                <td>\((ReportStage(rawValue: report.stage)?.label.text(language) ?? report.stage).htmlEscaped)</td>\
                <td data-testid="report-next">\(next.map { ReportDetailPage.timeliness($0, language) } ?? "—")</td>\
                <td>\(RelayViews.time(report.updatedAt, language))</td></tr>
                """
        }
        if rows.isEmpty { rows = #"<tr><td colspan="8">\#(ja ? "報告はまだありません" : "No reports yet")</td></tr>"# }
        var trends = ""
        if !self.trends.isEmpty {
            trends = "<h2>\(ja ? "傾向（72時間以内に3件以上）" : "Trends (three or more within 72 hours)")</h2><ul data-testid=\"trends\">"
            for trend in self.trends {
                let value = trend.kind == "event_type" ? ReportEventType(rawValue: trend.value)?.label.text(language) ?? trend.value : trend.value
                let links = trend.reports.map { #"<a href="/reports/\#($0.uuidString.lowercased())">\#($0.uuidString.prefix(8))</a>"# }.joined(separator: " ")
                trends += "<li data-testid=\"trend\">\(trend.sector.htmlEscaped): \(value.htmlEscaped) — \(trend.reportCount)\(ja ? "件" : " reports") (\(RelayViews.time(trend.windowStart, language)) – \(RelayViews.time(trend.windowEnd, language))) \(links)</li>"
            }
            trends += "</ul>"
        }
        var form = ""
        if !self.ceptoars.isEmpty {
            let destination = self.ceptoars.count == 1 ? #"<input type="hidden" name="ceptoar" value="\#(self.ceptoars[0].key.htmlEscaped)">"# :
                #"<label>\#(ja ? "報告先のセプター" : "Report to") <select name="ceptoar">\#(self.ceptoars.map { #"<option value="\#($0.key.htmlEscaped)">\#($0.name.text(language).htmlEscaped)</option>"# }.joined())</select></label>"#
            form = """
                <h2>\(ja ? "第一報を提出する" : "File a first report")</h2>
                <form method="post" action="/reports" class="stack" data-testid="report-form">\(RelayViews.csrfField(request))\(destination)
                \(ReportForm.fields(self.input, sectors: self.sectors, language: language))
                <p><button type="submit" data-testid="file-report">\(ja ? "提出する" : "Submit")</button></p></form>
                <h2>\(ja ? "CSV でまとめて報告する" : "Report several at once from a CSV")</h2>
                <p>\(ja ? "1行目は列名（\(ReportIntake.fields.map(\.key).joined(separator: ", "))、または日本語の項目名）。UTF-8 または Shift_JIS。1件でも誤りがあれば何も登録せず、誤った行と項目を示します。" : "The first line names the columns (\(ReportIntake.fields.map(\.key).joined(separator: ", ")), or their Japanese names). UTF-8 or Shift_JIS. If any row is wrong nothing is filed, and the wrong rows and fields are named.")</p>
                <form method="post" action="/reports/import" enctype="multipart/form-data" class="stack" data-testid="import-form">\(RelayViews.csrfField(request))
                <label>\(ja ? "CSV ファイル" : "CSV file") <input type="file" name="file" accept=".csv,text/csv" required></label>
                <p><button type="submit" data-testid="import-reports">\(ja ? "まとめて提出する" : "File them")</button></p></form>
                """
        }
        let body = """
            <h1>\(ja ? "情報連絡（障害報告）" : "Incident reports")</h1>
            <p>\(ja ? "構成員は障害をセプターに報告し、セプターから所管省庁、内閣官房へと、報告者が認めた範囲で伝わります。" : "Members report failures to their CEPTOAR; from there they go to the competent ministry and NISC as far as the reporter allows.")</p>
            \(self.error.map { #"<p class="error" role="alert" data-testid="error">\#($0.htmlEscaped)</p>"# } ?? "")
            \(self.notice.map { #"<p class="notice" role="status" data-testid="notice">\#($0.htmlEscaped)</p>"# } ?? "")
            \(Self.liveBanner(ja))
            \(trends)
            <table class="list"><thead><tr><th>\(ja ? "概要" : "Summary")</th><th>\(ja ? "セプター" : "CEPTOAR")</th><th>\(ja ? "事象" : "Event")</th><th>\(ja ? "深刻度" : "Severity")</th><th>TLP</th><th>\(ja ? "段階" : "Stage")</th><th>\(ja ? "次の期限" : "Next deadline")</th><th>\(ja ? "更新" : "Updated")</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <p>\(ja ? "全\(self.total)件" : "\(self.total) in all")</p>
            \(form)
            """
        return Layout(title: LocalizedText(ja: "情報連絡", en: "Incident reports"), body: body).render(request)
    }
}

struct ReportDetailPage {
    /// Stage versions' and hops' states in the page's language.
    static func statusLabel(_ status: String, _ language: Language) -> String {
        let labels: [String: LocalizedText] = [
            "submitted": LocalizedText(ja: "提出済み", en: "submitted"), "superseded": LocalizedText(ja: "訂正により旧版", en: "superseded"),
            "needs_revision": LocalizedText(ja: "差戻し（要修正）", en: "returned for revision"), "held": LocalizedText(ja: "確認待ち", en: "held for review"),
            "forwarded": LocalizedText(ja: "転送済み", en: "forwarded"), "final": LocalizedText(ja: "受領（最終）", en: "received (last step)"),
        ]
        return labels[status]?.text(language) ?? status
    }

    var report: ReportDTO
    /// The content in force, for the reporter's form of the next version.
    var content: ReportInput?
    var isReporter: Bool
    /// The user holds the CEPTOAR's step and may return a stage.
    var mayReturn: Bool
    /// The user's own step is held for its review.
    var mayForward: Bool
    var readers: [ReportRead]
    var related: ReportRelated.Answer?
    var sectors: [(key: String, name: LocalizedText)]
    var error: String?
    var notice: String?

    static func timeliness(_ deadline: ReportDTO.StageDeadline, _ language: Language) -> String {
        let label = Timeliness(rawValue: deadline.timeliness)?.label.text(language) ?? deadline.timeliness
        let stage = ReportStage(rawValue: deadline.stage)?.label.text(language) ?? deadline.stage
        return "\(stage.htmlEscaped): <span class=\"timeliness-\(deadline.timeliness.htmlEscaped)\">\(label.htmlEscaped)</span> (\(RelayViews.time(deadline.deadline, language)))"
    }

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let r = self.report
        let csrf = RelayViews.csrfField(request)
        let path = "/reports/\(r.id.uuidString.lowercased())"
        let causes = r.causes.compactMap { ReportCause(code: $0)?.label.text(language) }.joined(separator: ja ? "、" : ", ")
        let observables = r.observables.map { "<li><code>\($0.kind.htmlEscaped)</code> \($0.value.htmlEscaped)</li>" }.joined()
        var deadlines = ""
        for deadline in r.deadlines {
            let stage = ReportStage(rawValue: deadline.stage)
            let returnForm = self.mayReturn && deadline.submittedAt != nil && !deadline.needsRevision
                ? #"<form method="post" action="\#(path)/stages/\#(deadline.stage)/return" class="inline">\#(csrf)<input name="comment" required maxlength="2000" placeholder="\#(ja ? "差戻しの理由" : "What to revise")"> <button type="submit" data-testid="return-\#(deadline.stage)">\#(ja ? "差し戻す" : "Return for revision")</button></form>"#
                : ""
            deadlines += """
                <tr data-testid="deadline"><td>\((stage?.label.text(language) ?? deadline.stage).htmlEscaped)</td><td>\((DeadlineRule(text: deadline.rule)?.label.text(language) ?? deadline.rule).htmlEscaped)</td>\
                <td>\(RelayViews.time(deadline.deadline, language))</td><td>\(RelayViews.time(deadline.submittedAt, language))</td>\
                <td data-testid="timeliness-\(deadline.stage)">\((Timeliness(rawValue: deadline.timeliness)?.label.text(language) ?? deadline.timeliness).htmlEscaped)\
                \(deadline.needsRevision ? (ja ? "（要修正）" : " (needs revision)") : "")</td><td>\(returnForm)</td></tr>
                """
        }
        let versions = r.versions.map { v -> String in
            "<li>\((ReportStage(rawValue: v.stage)?.label.text(language) ?? v.stage).htmlEscaped) v\(v.version) — \(Self.statusLabel(v.status, language).htmlEscaped) \(RelayViews.time(v.submittedAt, language))\(v.returnComment.map { " — " + $0.htmlEscaped } ?? "")</li>"
        }.joined()
        let hops = r.hops.map { hop -> String in
            let step = AccessPolicy.ReportStep(rawValue: hop.step)?.label.text(language) ?? hop.step
            return "<li data-testid=\"hop\">\(step.htmlEscaped): \(hop.organisation.text(language).htmlEscaped) — \(Self.statusLabel(hop.status, language).htmlEscaped) \(RelayViews.time(hop.receivedAt, language))\(hop.note.map { " — " + $0.htmlEscaped } ?? "")</li>"
        }.joined()
        var actions = ""
        if self.mayForward {
            actions += """
                <form method="post" action="\(path)/forward" class="stack">\(csrf)<label>\(ja ? "補足（任意）" : "Note (optional)") <input name="note" maxlength="2000"></label>
                <button type="submit" data-testid="forward-report">\(ja ? "次の段階へ転送する" : "Forward to the next step")</button></form>
                """
        }
        if self.isReporter {
            let next = ReportStage.allCases.first { stage in !r.deadlines.contains { $0.stage == stage.rawValue && $0.submittedAt != nil } } ?? .final
            let options = ReportStage.allCases.map { #"<option value="\#($0.rawValue)"\#($0 == next ? " selected" : "")>\#($0.label.text(language).htmlEscaped)</option>"# }.joined()
            actions += """
                <h2>\(ja ? "続報・最終報・訂正を提出する" : "Submit a follow-up, the final report or a correction")</h2>
                <form method="post" action="\(path)/stages" class="stack" data-testid="stage-form">\(csrf)
                <label>\(ja ? "段階（提出済みの段階を選ぶと訂正版になります）" : "Stage (a stage already submitted gets a new version)") <select name="stage">\(options)</select></label>
                \(ReportForm.fields(self.content, sectors: self.sectors, language: language))
                <p><button type="submit" data-testid="submit-stage">\(ja ? "提出する" : "Submit")</button></p></form>
                """
            let readers = self.readers.map { "<li>\($0.organisation.name.text(language).htmlEscaped) — \($0.step.htmlEscaped) \(RelayViews.time($0.firstReadAt, language))</li>" }.joined()
            actions += "<h2>\(ja ? "閲覧した組織" : "Read by")</h2><ul data-testid=\"readers\">\(readers.isEmpty ? "<li>—</li>" : readers)</ul>"
        }
        var related = ""
        if let answer = self.related {
            let reports = answer.reports.map { link in
                "<li data-testid=\"related-report\"><a href=\"/reports/\(link.report.id.uuidString.lowercased())\">\(String(link.report.summary.text(language).prefix(80)).htmlEscaped)</a> (\(link.report.sector.htmlEscaped)) — \(ja ? "共通" : "shared"): \(link.shared.joined(separator: ", ").htmlEscaped)</li>"
            }.joined()
            let advisories = answer.advisories.map {
                "<li data-testid=\"related-advisory\"><a href=\"/advisories/\($0.id.uuidString.lowercased())\">\($0.title.text(language).htmlEscaped)</a> — \($0.cve.htmlEscaped)</li>"
            }.joined()
            let trends = answer.trends.map { "<li data-testid=\"related-trend\">\($0.kind.htmlEscaped): \($0.value.htmlEscaped) — \($0.reportCount)</li>" }.joined()
            related = """
                <h2>\(ja ? "関連（\(answer.windowDays)日以内）" : "Related (within \(answer.windowDays) days)")</h2>
                <ul>\(reports.isEmpty ? "<li>\(ja ? "共通の観測情報を持つ報告はありません" : "No report shares an observable")</li>" : reports)</ul>
                <ul>\(advisories)</ul><ul>\(trends)</ul>
                """
        }
        let reporter = r.reporter.map { "\($0.name.text(language).htmlEscaped) (\($0.filedBy.htmlEscaped))" } ?? (ja ? "匿名化されています" : "anonymised")
        let body = """
            <h1>\(ja ? "情報連絡" : "Incident report") \(RelayViews.tlpBadge(r.tlp))</h1>
            \(self.error.map { #"<p class="error" role="alert" data-testid="error">\#($0.htmlEscaped)</p>"# } ?? "")
            \(self.notice.map { #"<p class="notice" data-testid="notice">\#($0.htmlEscaped)</p>"# } ?? "")
            \(self.isReporter ? ReportListPage.liveBanner(ja) : "")
            <p class="pre-wrap" data-testid="report-summary">\(r.summary.text(language).htmlEscaped)</p>
            <table class="list">
            <tr><th>\(ja ? "報告者" : "Reporter")</th><td data-testid="reporter">\(reporter)</td></tr>
            <tr><th>\(ja ? "セプター・分野" : "CEPTOAR, sector")</th><td>\(r.ceptoar.htmlEscaped) / \(r.sector.htmlEscaped)</td></tr>
            <tr><th>\(ja ? "影響を受けたサービス" : "Affected service")</th><td>\(r.affectedService.htmlEscaped)</td></tr>
            <tr><th>\(ja ? "検知・発生" : "Detected, occurred")</th><td>\(RelayViews.time(r.detectedAt, language)) / \(RelayViews.time(r.occurredAt, language))</td></tr>
            <tr><th>\(ja ? "事象の種類" : "Event type")</th><td>\((ReportEventType(rawValue: r.eventType)?.label.text(language) ?? r.eventType).htmlEscaped)</td></tr>
            <tr><th>\(ja ? "要因" : "Causes")</th><td>\(causes.htmlEscaped)</td></tr>
            <tr><th>\(ja ? "サービス水準" : "Service level")</th><td>\(r.slaBreached ? (ja ? "下回った" : "breached") : (ja ? "維持" : "kept"))</td></tr>
            <tr><th>\(ja ? "深刻度" : "Severity")</th><td data-testid="severity">\(r.severity) (\(ja ? "サービス継続" : "continuity") \(r.impact.serviceContinuity) / \(ja ? "安全" : "safety") \(r.impact.safety) / \(ja ? "信頼" : "trust") \(r.impact.lossOfTrust))</td></tr>
            <tr><th>\(ja ? "組織名の扱い" : "Attribution")</th><td>\((ReportAttribution(rawValue: r.attribution)?.label.text(language) ?? r.attribution).htmlEscaped)</td></tr>
            </table>
            <h2>\(ja ? "観測情報" : "Observables")</h2><ul>\(observables.isEmpty ? "<li>—</li>" : observables)</ul>
            \(r.withheldObservables > 0 ? "<p>\(ja ? "報告者を示す観測情報\(r.withheldObservables)件は表示されません" : "\(r.withheldObservables) observables pointing at the reporter are withheld")</p>" : "")
            <h2>\(ja ? "段階と期限" : "Stages and deadlines")</h2>
            <table class="list"><thead><tr><th>\(ja ? "段階" : "Stage")</th><th>\(ja ? "規則" : "Rule")</th><th>\(ja ? "期限" : "Deadline")</th><th>\(ja ? "提出" : "Submitted")</th><th>\(ja ? "状況" : "Status")</th><th></th></tr></thead>
            <tbody>\(deadlines)</tbody></table>
            <h2>\(ja ? "版" : "Versions")</h2><ul>\(versions)</ul>
            <h2>\(ja ? "上位への連絡" : "Upward relay")</h2><ul>\(hops)</ul>
            \(actions)
            \(related)
            """
        return Layout(title: LocalizedText(ja: "情報連絡", en: "Incident report"), body: body).render(request)
    }
}
