import CeptoarKit
import Foundation
import Vapor

/// Failure case pages (障害事例): the organisation's cases with the form to write one from the
/// reports it may analyse, and one case with its revision form and the publish button.
struct FailureCaseListPage {
    var cases: [FailureCaseDTO]
    /// Reports the user may write a case from (empty: no form).
    var candidates: [ReportDTO]
    var input: FailureCaseInput?
    var error: String?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for item in self.cases {
            rows += """
                <tr data-testid="case-row"><td><a href="/failure-cases/\(item.id.uuidString.lowercased())">\(item.title.text(language).htmlEscaped)</a></td>\
                <td>\(item.sector.htmlEscaped)</td><td>\(FailureCaseDetailPage.status(item.status, language))</td><td>\(RelayViews.tlpBadge(item.tlp))</td>\
                <td>\(RelayViews.time(item.updatedAt, language))</td></tr>
                """
        }
        if rows.isEmpty { rows = #"<tr><td colspan="5">\#(ja ? "障害事例はまだありません" : "No failure cases yet")</td></tr>"# }
        var form = ""
        if !self.candidates.isEmpty {
            form = """
                <h2>\(ja ? "報告から障害事例を作成する" : "Write a failure case from reports")</h2>
                <form method="post" action="/failure-cases" class="stack" data-testid="case-form">\(RelayViews.csrfField(request))
                \(FailureCaseDetailPage.fields(self.input, candidates: self.candidates, language: language))
                <p><button type="submit" data-testid="write-case">\(ja ? "下書きを保存" : "Save the draft")</button></p></form>
                """
        }
        let body = """
            <h1>\(ja ? "障害事例" : "Failure cases")</h1>
            <p>\(ja ? "障害事例は報告から作成し、元になった報告の組織名・ドメイン・アドレスを含まない場合に限り、分野の構成員へ「分析結果」として情報提供されます。" : "A failure case is written from reports and reaches the sector's members as an \"analysis result\" only once it names no organisation, domain or address of those reports.")</p>
            \(self.error.map { #"<p class="error" role="alert" data-testid="error">\#($0.htmlEscaped)</p>"# } ?? "")
            <table class="list"><thead><tr><th>\(ja ? "件名" : "Title")</th><th>\(ja ? "分野" : "Sector")</th><th>\(ja ? "状態" : "Status")</th><th>TLP</th><th>\(ja ? "更新" : "Updated")</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(form)
            """
        return Layout(title: LocalizedText(ja: "障害事例", en: "Failure cases"), body: body).render(request)
    }
}

struct FailureCaseDetailPage {
    var item: FailureCaseDTO
    /// The author's draft: the revision form and the publish button.
    var editable: Bool
    var candidates: [ReportDTO]
    var input: FailureCaseInput?
    var error: String?
    var notice: String?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let id = self.item.id.uuidString.lowercased()
        let parts: [(LocalizedText, String)] = [
            (LocalizedText(ja: "業態", en: "Business type"), self.item.businessType), (LocalizedText(ja: "事象", en: "Event"), self.item.event),
            (LocalizedText(ja: "原因", en: "Cause"), self.item.cause), (LocalizedText(ja: "対策", en: "Countermeasure"), self.item.countermeasure),
            (LocalizedText(ja: "教訓", en: "Lessons"), self.item.lessons),
        ]
        var content = "<dl class=\"case\" data-testid=\"case-content\">"
        for (label, text) in parts { content += "<dt>\(label.text(language).htmlEscaped)</dt><dd class=\"pre\">\(text.htmlEscaped)</dd>" }
        content += "</dl>"
        var sources = ""
        if let reports = self.item.reports, !reports.isEmpty {
            sources = "<h2>\(ja ? "元になった報告" : "Written from")</h2><ul>" + reports.map {
                #"<li><a href="/reports/\#($0.uuidString.lowercased())">\#($0.uuidString.prefix(8))</a></li>"#
            }.joined() + "</ul>"
        }
        var actions = ""
        if self.editable {
            actions = """
                <h2>\(ja ? "公開する" : "Publish")</h2>
                <form method="post" action="/failure-cases/\(id)/publish">\(RelayViews.csrfField(request))
                <p>\(ja ? "公開すると分野の全構成員に「分析結果」として情報提供されます。" : "Publishing relays it to every member of the sector as an \"analysis result\".")</p>
                <p><button type="submit" data-testid="publish-case">\(ja ? "公開する" : "Publish")</button></p></form>
                <h2>\(ja ? "下書きを修正する" : "Revise the draft")</h2>
                <form method="post" action="/failure-cases/\(id)" class="stack" data-testid="case-form">\(RelayViews.csrfField(request))
                \(Self.fields(self.input ?? self.asInput, candidates: self.candidates, language: language))
                <p><button type="submit" data-testid="revise-case">\(ja ? "修正を保存" : "Save the revision")</button></p></form>
                """
        }
        let published = self.item.advisory.map {
            #"<p data-testid="case-advisory">\#(ja ? "情報提供" : "Relayed as"): <a href="/advisories/\#($0.uuidString.lowercased())">\#(ja ? "分析結果の注意喚起" : "the analysis-result advisory")</a> \#(self.item.publishedAt.map { RelayViews.time($0, language) } ?? "")</p>"#
        } ?? ""
        let body = """
            <p><a href="/failure-cases">\(ja ? "← 障害事例の一覧" : "← Failure cases")</a></p>
            <h1 data-testid="case-title">\(self.item.title.text(language).htmlEscaped)</h1>
            \(self.notice.map { #"<p class="notice" role="status" data-testid="notice">\#($0.htmlEscaped)</p>"# } ?? "")
            \(self.error.map { #"<p class="error" role="alert" data-testid="error">\#($0.htmlEscaped)</p>"# } ?? "")
            <p>\(self.item.author.text(language).htmlEscaped) · \(self.item.sector.htmlEscaped) · <span data-testid="case-status">\(Self.status(self.item.status, language))</span> · \(RelayViews.tlpBadge(self.item.tlp))</p>
            \(published)
            \(content)
            \(sources)
            \(actions)
            """
        return Layout(title: LocalizedText(ja: "障害事例", en: "Failure case"), body: body).render(request)
    }

    var asInput: FailureCaseInput {
        FailureCaseInput(
            title: self.item.title, businessType: self.item.businessType, event: self.item.event, cause: self.item.cause,
            countermeasure: self.item.countermeasure, lessons: self.item.lessons, tlp: self.item.tlp, reports: self.item.reports ?? [])
    }

    static func status(_ status: String, _ language: Language) -> String {
        switch status {
        case "published": return language == .ja ? "公開済み" : "published"
        default: return language == .ja ? "下書き" : "draft"
        }
    }

    /// The case's fields, and a checkbox for each report it may be written from.
    static func fields(_ input: FailureCaseInput?, candidates: [ReportDTO], language: Language) -> String {
        let ja = language == .ja
        func area(_ name: String, _ label: String, _ value: String) -> String {
            #"<label>\#(label)<textarea name="\#(name)" rows="3" required>\#(value.htmlEscaped)</textarea></label>"#
        }
        let chosen = Set(input?.reports ?? [])
        let boxes: String = candidates.map { (report: ReportDTO) -> String in
            let checked = chosen.contains(report.id) ? " checked" : ""
            let summary = String(report.summary.text(language).prefix(60))
            return #"<label class="inline"><input type="checkbox" name="reports[]" value="\#(report.id.uuidString.lowercased())"\#(checked) data-testid="case-report"> \#(summary.htmlEscaped) (\#(report.ceptoar.htmlEscaped), \#(RelayViews.time(report.detectedAt, language)))</label>"#
        }.joined(separator: "<br>")
        let tlp = TLP(label: input?.tlp ?? "AMBER") ?? .amber
        let options = [TLP.clear, .green, .amber].map { #"<option value="\#($0.rawValue)"\#($0 == tlp ? " selected" : "")>\#($0.label.text(language).htmlEscaped)</option>"# }.joined()
        return """
            <label>\(ja ? "件名" : "Title") <input name="title_ja" maxlength="200" required value="\((input?.title.ja ?? "").htmlEscaped)"></label>
            <label>\(ja ? "件名（英語・任意）" : "Title in English (optional)") <input name="title_en" maxlength="200" value="\((input?.title.en ?? "").htmlEscaped)"></label>
            <label>\(ja ? "業態" : "Business type") <input name="business_type" required value="\((input?.businessType ?? "").htmlEscaped)"></label>
            \(area("event", ja ? "事象" : "Event", input?.event ?? ""))
            \(area("cause", ja ? "原因" : "Cause", input?.cause ?? ""))
            \(area("countermeasure", ja ? "対策" : "Countermeasure", input?.countermeasure ?? ""))
            \(area("lessons", ja ? "教訓" : "Lessons", input?.lessons ?? ""))
            <label>TLP <select name="tlp">\(options)</select></label>
            <fieldset><legend>\(ja ? "元になった報告" : "Reports it is written from")</legend>\(boxes.isEmpty ? (ja ? "選べる報告がありません" : "No report to choose") : boxes)</fieldset>
            """
    }
}

/// The case form's fields as posted.
struct FailureCaseForm: Content {
    var title_ja: String?
    var title_en: String?
    var business_type: String?
    var event: String?
    var cause: String?
    var countermeasure: String?
    var lessons: String?
    var tlp: String?
    var reports: [String]?

    /// The input, or a 422 when a chosen report is not an id (a forged form).
    func input() throws -> FailureCaseInput {
        let ids = (self.reports ?? []).map { UUID(uuidString: $0) }
        guard !ids.contains(nil) else {
            throw UserError(status: .unprocessableEntity, ja: "報告の指定が正しくありません", en: "reports: not a report id", fields: ["reports"])
        }
        return FailureCaseInput(
            title: LocalizedText(ja: self.title_ja ?? "", en: self.title_en), businessType: self.business_type ?? "", event: self.event ?? "",
            cause: self.cause ?? "", countermeasure: self.countermeasure ?? "", lessons: self.lessons ?? "", tlp: self.tlp,
            reports: ids.compactMap { $0 })
    }
}
