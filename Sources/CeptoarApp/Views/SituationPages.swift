import CeptoarKit
import Foundation
import Vapor

enum SituationViews {
    static func badge(_ level: SituationLevel, _ language: Language, testID: String? = nil) -> String {
        let id = testID.map { #" data-testid="\#($0)""# } ?? ""
        return #"<span class="level level-\#(level.rawValue)"\#(id)>\#(level.label.text(language))</span>"#
    }

    static func link(_ link: SituationLink, _ language: Language) -> String {
        let kind: LocalizedText = switch link.linkKind {
        case .report: LocalizedText(ja: "報告", en: "Report")
        case .trendFlag: LocalizedText(ja: "傾向フラグ", en: "Trend flag")
        case .advisory: LocalizedText(ja: "注意喚起", en: "Advisory")
        case .failureCase: LocalizedText(ja: "障害事例", en: "Failure case")
        case nil: LocalizedText(ja: link.kind)
        }
        return #"<a href="\#(link.path.htmlEscaped)">\#(kind.text(language)) \#(link.id.uuidString.suffix(8).lowercased())</a>"#
    }
}

/// Every scope the user may read, with its level.
struct SituationPage {
    let view: SituationView

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let rows = self.view.readable.map { scope -> String in
            let dto = self.view.dto(scope)
            let level = SituationLevel(rawValue: dto.level) ?? .normal
            let since = dto.current.map { RelayViews.time($0.at, language) } ?? "—"
            let mode = dto.largeIncident ? (ja ? "大規模障害対応中" : "Large-incident mode") : ""
            return """
                <tr data-testid="scope-\(scope.text.htmlEscaped)"><td><a href="\(SiteURL.situation(scope).htmlEscaped)">\(dto.name.text(language).htmlEscaped)</a></td>
                <td>\(SituationViews.badge(level, language))</td><td>\(mode)</td><td>\(since)</td><td>\(dto.coordinated ? (ja ? "判断できます" : "you coordinate it") : "")</td></tr>
                """
        }.joined()
        let body = """
            <h1>\(ja ? "情勢判断" : "Situation")</h1>
            <p>\(ja ? "範囲（全国・分野・セプター）ごとの情勢レベルです。レベルはその範囲の調整役（セプター事務局・所管省庁・NISC）が理由と根拠を示して判断します。" : "The situation level of each scope (nation, sector, CEPTOAR). Each level is set by that scope's coordinator — its CEPTOAR secretariat, competent ministry or NISC — with a rationale and the items it rests on.")</p>
            <table class="list"><thead><tr><th>\(ja ? "範囲" : "Scope")</th><th>\(ja ? "レベル" : "Level")</th><th>\(ja ? "モード" : "Mode")</th><th>\(ja ? "判断日時" : "Since")</th><th></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return Layout(title: LocalizedText(ja: "情勢判断", en: "Situation"), body: body).render(request)
    }
}

/// One scope: its level, the proposal and the form for its coordinator, and the timeline.
struct SituationScopePage {
    let view: SituationView
    let scope: SituationScope
    let detail: SituationDTO
    let candidates: [(ReportBook.Loaded, AccessPolicy.ReportView)]

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let level = SituationLevel(rawValue: self.detail.level) ?? .normal
        var body = """
            <p><a href="\(SiteURL.situation)">\(ja ? "← 情勢判断の一覧" : "← All scopes")</a></p>
            <h1>\(self.detail.name.text(language).htmlEscaped) — \(SituationViews.badge(level, language, testID: "level"))</h1>
            """
        if self.detail.largeIncident {
            body += #"<p class="error" data-testid="large-incident">\#(ja ? "大規模障害対応モード: この範囲の注意喚起は確認を待たずに直ちに転送され、緊急連絡のエスカレーションの待ち時間は短縮されています。" : "Large-incident mode: advisories in this scope forward at once without review, and escalation waits are shortened.")</p>"#
        }
        if let proposal = self.detail.proposal {
            let reasons = proposal.reasons.map { "<li>\($0.text(language).htmlEscaped)</li>" }.joined()
            body += """
                <section class="notice" data-testid="proposal"><h2>\(ja ? "データからの提案" : "What the data suggests"): \(SituationViews.badge(SituationLevel(rawValue: proposal.level) ?? .normal, language))</h2>
                <ul>\(reasons)</ul><p>\(ja ? "提案は参考です。判断するのは調整役です。" : "A suggestion only: the coordinator decides.")</p></section>
                """
            body += self.form(request)
        }
        let history = (self.detail.history ?? []).map { change -> String in
            let changeLevel = SituationLevel(rawValue: change.level) ?? .normal
            let links = change.links.map { SituationViews.link($0, language) }.joined(separator: " ")
            let effects = change.effects.isEmpty ? "" : "<br><small>" + change.effects.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)".htmlEscaped }.joined(separator: ", ") + "</small>"
            let notice = change.notice.map { #" · <a href="/advisories/\#($0.uuidString.lowercased())">\#(ja ? "構成員への通知" : "notice to members")</a>"# } ?? ""
            return """
                <li><strong>\(RelayViews.time(change.at, language))</strong> \(SituationViews.badge(changeLevel, language))\(change.largeIncident ? (ja ? " 大規模障害対応" : " large-incident mode") : "")
                <div class="pre-wrap">\(change.rationale.text(language).htmlEscaped)</div>
                <small>\(ja ? "根拠" : "Based on"): \(links) · \(ja ? "判断者" : "set by") \(change.setBy.htmlEscaped)\(notice)</small>\(effects)</li>
                """
        }.joined()
        body += """
            <h2>\(ja ? "経緯" : "Timeline")</h2>
            \(history.isEmpty ? "<p>\(ja ? "これまでの判断はありません（平常）。" : "No judgement yet (normal).")</p>" : #"<ol class="timeline" data-testid="timeline">\#(history)</ol>"#)
            """
        return Layout(title: LocalizedText(ja: "情勢判断: \(self.detail.name.ja)", en: "Situation: \(self.detail.name.text(.en))"), body: body).render(request)
    }

    private func form(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let options = SituationLevel.allCases.map { level -> String in
            #"<option value="\#(level.rawValue)"\#(level.rawValue == self.detail.proposal?.level ? " selected" : "")>\#(level.label.ja) / \#(level.label.text(.en) )</option>"#
        }.joined()
        let reports = self.candidates.map { loaded, view -> String in
            let id = loaded.report.id!.uuidString.lowercased()
            let summary = view == .named ? loaded.report.summaryJa : (ja ? "（匿名化された報告）" : "(anonymised report)") + " " + loaded.report.eventType
            return #"<label><input type="checkbox" name="reports[]" value="\#(id)" data-testid="report-choice"> \#(ReportImpact.severityLabel(loaded.report.severity).text(language).htmlEscaped) — \#(String(summary.prefix(80)).htmlEscaped) <small>\#(RelayViews.time(loaded.report.detectedAt, language)) \#(id.suffix(8))</small></label>"#
        }.joined()
        let nisc = self.view.person.isNISC
            ? #"<label><input type="checkbox" name="large_incident" value="on"> \#(ja ? "大規模障害対応モードにする（NISC のみ。緊急では自動）" : "Switch on large-incident mode (NISC only; automatic at emergency)")</label>"#
            : ""
        return """
            <section><h2>\(ja ? "レベルを変更する" : "Change the level")</h2>
            <form method="post" action="\(SiteURL.situation)" class="stack" data-testid="situation-form">
            \(RelayViews.csrfField(request))
            <input type="hidden" name="scope" value="\(self.scope.text.htmlEscaped)">
            <label>\(ja ? "レベル" : "Level") <select name="level">\(options)</select></label>
            <label>\(ja ? "判断の理由（日本語・必須）" : "Rationale (Japanese, required)")<br><textarea name="rationale_ja" rows="3" cols="70" required></textarea></label>
            <label>\(ja ? "判断の理由（英語）" : "Rationale (English)")<br><textarea name="rationale_en" rows="2" cols="70"></textarea></label>
            <fieldset><legend>\(ja ? "根拠とする報告（1つ以上）" : "Reports it rests on (at least one item)")</legend>\(reports.isEmpty ? (ja ? "この範囲に未完了の報告はありません。" : "No open reports in this scope.") : reports)</fieldset>
            <label>\(ja ? "その他の根拠（1行に1つ「advisory:ID」「trend_flag:ID」「failure_case:ID」）" : "Other items (one per line: advisory:ID, trend_flag:ID, failure_case:ID)")<br><textarea name="other_links" rows="2" cols="70"></textarea></label>
            \(nisc)
            <button type="submit" data-testid="situation-submit">\(ja ? "判断を記録して構成員に通知" : "Record and tell the members")</button>
            </form></section>
            """
    }
}
