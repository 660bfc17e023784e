import CeptoarKit
import Vapor

/// Agreements (相互合意): the list with the form to propose one, and one agreement with its
/// terms, approvals, history and the actions its parties may take.
struct AgreementListPage {
    var agreements: [Agreements.DTO]
    /// Parties the user may propose for (empty: no form).
    var acting: [String]
    var error: String?
    var notice: String?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for agreement in self.agreements {
            let parties = agreement.parties.map { agreement.partyNames[$0]?.text(language) ?? $0 }.joined(separator: ja ? "・" : ", ")
            rows += """
                <tr data-testid="agreement-row"><td><a href="/agreements/\(agreement.key.htmlEscaped)">\(agreement.title.text(language).htmlEscaped)</a></td>\
                <td>\(parties.htmlEscaped)</td><td>\(RelayViews.tlpBadge(agreement.maxTLP))</td>\
                <td data-testid="agreement-status">\(AgreementDetailPage.statusLabel(agreement.status, language).htmlEscaped)</td>\
                <td>\(agreement.validFrom)\(agreement.validTo.map { " – \($0)" } ?? "")</td></tr>
                """
        }
        if rows.isEmpty { rows = #"<tr><td colspan="5">\#(ja ? "相互合意はまだありません" : "No agreements yet")</td></tr>"# }
        var form = ""
        if !self.acting.isEmpty {
            let csrf = #"<input type="hidden" name="\#(CSRFMiddleware.field)" value="\#(request.csrfToken.htmlEscaped)">"#
            let categories = AdvisoryCategory.allCases.map {
                #"<label class="inline"><input type="checkbox" name="category_\#($0.rawValue)" value="1"> \#($0.label.text(language).htmlEscaped)</label>"#
            }.joined(separator: " ")
            let tlps = Agreement.markings.reversed().map { #"<option value="\#($0.rawValue)">\#($0.marking)</option>"# }.joined()
            form = """
                <h2>\(ja ? "相互合意を提案する" : "Propose an agreement")</h2>
                <form method="post" action="/agreements" class="stack" data-testid="propose-form">\(csrf)
                <label>\(ja ? "キー（英小文字・数字・ハイフン）" : "Key (lower-case letters, digits, hyphens)") <input name="key" required maxlength="80"></label>
                <label>\(ja ? "題名（日本語）" : "Title (Japanese)") <input name="title_ja" required maxlength="200"></label>
                <label>\(ja ? "題名（英語）" : "Title (English)") <input name="title_en" maxlength="200"></label>
                <label>\(ja ? "提案する当事者" : "Proposing party") <select name="party_0">\(self.acting.map { #"<option>\#($0.htmlEscaped)</option>"# }.joined())</select></label>
                <label>\(ja ? "連絡先（提案側）" : "Contact (proposing side)") <input name="contact_0" required maxlength="200"></label>
                <label>\(ja ? "相手方の当事者（ceptoar:キー または organisation:キー）" : "Other party (ceptoar:KEY or organisation:KEY)") <input name="party_1" required maxlength="200"></label>
                <label>\(ja ? "連絡先（相手方）" : "Contact (other side)") <input name="contact_1" required maxlength="200"></label>
                <label>\(ja ? "方向" : "Direction") <select name="direction"><option value="both">\(Agreement.Direction.both.label.text(language))</option><option value="one_way">\(Agreement.Direction.oneWay.label.text(language))</option></select></label>
                <fieldset><legend>\(ja ? "対象の分類（選ばなければすべて）" : "Categories covered (none chosen: all)")</legend>\(categories)</fieldset>
                <label>\(ja ? "TLP の上限" : "Highest TLP") <select name="max_tlp">\(tlps)</select></label>
                <label class="inline"><input type="checkbox" name="anonymised" value="1"> \(ja ? "提供元を匿名化する" : "Anonymise the source")</label>
                <label class="inline"><input type="checkbox" name="may_pass_on" value="1"> \(ja ? "受領者による再提供を認める" : "Recipients may pass it on")</label>
                <label>\(ja ? "有効期間（開始）" : "Valid from") <input type="date" name="valid_from" required></label>
                <label>\(ja ? "有効期間（終了・任意）" : "Valid to (optional)") <input type="date" name="valid_to"></label>
                <label>\(ja ? "保存期間（日）" : "Retention (days)") <input type="number" name="retention_days" min="1" max="3650" value="365" required></label>
                <button type="submit" data-testid="propose">\(ja ? "提案する" : "Propose")</button></form>
                """
        }
        let body = """
            <h1>\(ja ? "相互合意" : "Agreements")</h1>
            <p>\(ja ? "他分野のセプターや関係機関と、合意した範囲・条件で情報を直接共有します（STIX 2.1 / TAXII 2.1）。" : "Share directly with other sectors' CEPTOARs and related organisations, within the scope and on the terms agreed (STIX 2.1 / TAXII 2.1).")</p>
            \(self.error.map { #"<p class="error" role="alert" data-testid="error">\#($0.htmlEscaped)</p>"# } ?? "")
            \(self.notice.map { #"<p class="notice" data-testid="notice">\#($0.htmlEscaped)</p>"# } ?? "")
            <table class="list"><thead><tr><th>\(ja ? "題名" : "Title")</th><th>\(ja ? "当事者" : "Parties")</th><th>\(ja ? "上限" : "Up to")</th><th>\(ja ? "状態" : "Status")</th><th>\(ja ? "有効期間" : "Valid")</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(form)
            """
        return Layout(title: LocalizedText(ja: "相互合意", en: "Agreements"), body: body).render(request)
    }

    /// A proposal from the form's fields.
    static func proposal(from form: [String: String]) -> Agreements.Proposal {
        var parties: [String] = []
        var contacts: [String: String] = [:]
        for index in 0..<2 {
            guard let party = form["party_\(index)"]?.trimmingCharacters(in: .whitespaces), !party.isEmpty else { continue }
            parties.append(party)
            contacts[party] = form["contact_\(index)"] ?? ""
        }
        return Agreements.Proposal(
            key: form["key"] ?? "", title: LocalizedText(ja: form["title_ja"] ?? "", en: form["title_en"].flatMap { $0.isEmpty ? nil : $0 }),
            parties: parties, direction: form["direction"] ?? "both",
            categories: AdvisoryCategory.allCases.filter { form["category_\($0.rawValue)"] != nil }.map(\.rawValue), objectTypes: nil, originSectors: nil,
            maxTLP: form["max_tlp"] ?? "", anonymised: form["anonymised"] != nil, mayPassOn: form["may_pass_on"] != nil,
            validFrom: form["valid_from"] ?? "", validTo: form["valid_to"], retentionDays: Int(form["retention_days"] ?? "") ?? 0, contacts: contacts)
    }
}

struct AgreementDetailPage {
    var agreement: Agreements.DTO
    /// Actions the user may take now: approve, suspend, resume, terminate.
    var actions: [String]
    var error: String?
    var notice: String?

    /// A day as 令和8年12月3日 (2026-12-03), or the ISO day in English with its era.
    static func day(_ iso: String, _ language: Language) -> String {
        guard let day = Day(iso: iso) else { return iso }
        let era = EraDate(day: day, precision: .day)
        return language == .ja ? "\(era.japanese)（\(day.iso)）" : era.englishEra
    }

    static func changeLabel(_ change: String, _ language: Language) -> String {
        let labels: [String: (String, String)] = [
            "proposed": ("提案", "proposed"), "approved": ("承認", "approved"), "activated": ("発効", "activated"),
            "suspended": ("停止", "suspended"), "resumed": ("再開", "resumed"), "terminated": ("終了", "terminated"),
        ]
        guard let label = labels[change] else { return change }
        return language == .ja ? label.0 : label.1
    }

    static func statusLabel(_ status: String, _ language: Language) -> String {
        if status == "expired" { return language == .ja ? "期限切れ" : "expired" }
        return Agreement.Status(rawValue: status)?.label.text(language) ?? status
    }

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let a = self.agreement
        let name = { (party: String) in a.partyNames[party]?.text(language) ?? party }
        let parties = a.parties.map { party -> String in
            let approved = a.approvals.first { $0.party == party }
            let state = approved.map { (ja ? "承認済み " : "approved ") + RelayViews.time($0.approvedAt, language) } ?? (ja ? "承認待ち" : "awaiting approval")
            return "<li data-testid=\"party\">\(name(party).htmlEscaped) <code>\(party.htmlEscaped)</code> — \(ja ? "連絡先" : "contact"): \((a.contacts[party] ?? "").htmlEscaped) — <span data-testid=\"approval\">\(state.htmlEscaped)</span></li>"
        }.joined()
        let scope = [
            a.categories.isEmpty ? (ja ? "すべての分類" : "every category") : a.categories.compactMap { AdvisoryCategory(rawValue: $0)?.label.text(language) }.joined(separator: ", "),
            a.objectTypes.isEmpty ? nil : "STIX: " + a.objectTypes.joined(separator: ", "),
            a.originSectors.isEmpty ? nil : (ja ? "分野: " : "sectors: ") + a.originSectors.joined(separator: ", "),
        ].compactMap { $0 }.joined(separator: " / ")
        let csrf = #"<input type="hidden" name="\#(CSRFMiddleware.field)" value="\#(request.csrfToken.htmlEscaped)">"#
        var forms = ""
        for action in self.actions {
            let label: String
            switch action {
            case "approve": label = ja ? "承認する" : "Approve"
            case "suspend": label = ja ? "停止する" : "Suspend"
            case "resume": label = ja ? "再開する" : "Resume"
            default: label = ja ? "終了する" : "Terminate"
            }
            let reason = action == "approve" ? "" : #"<label>\#(ja ? "理由" : "Reason") <input name="reason" required maxlength="1000"></label>"#
            forms += #"<form method="post" action="/agreements/\#(a.key.htmlEscaped)/\#(action)" class="inline">\#(csrf)\#(reason) <button type="submit" data-testid="\#(action)">\#(label)</button></form> "#
        }
        let history = (a.history ?? []).map { entry -> String in
            "<tr data-testid=\"history-row\"><td>\(RelayViews.time(entry.at, language).htmlEscaped)</td><td>\(Self.changeLabel(entry.change, language).htmlEscaped)</td><td>\(Self.statusLabel(entry.status, language).htmlEscaped)</td><td>\(entry.actor.htmlEscaped)</td><td>\((entry.reason ?? "").htmlEscaped)</td></tr>"
        }.joined()
        let body = """
            <h1>\(a.title.text(language).htmlEscaped)</h1>
            \(self.error.map { #"<p class="error" role="alert" data-testid="error">\#($0.htmlEscaped)</p>"# } ?? "")
            \(self.notice.map { #"<p class="notice" data-testid="notice">\#($0.htmlEscaped)</p>"# } ?? "")
            <p>\(ja ? "状態" : "Status"): <strong data-testid="agreement-status">\(Self.statusLabel(a.status, language).htmlEscaped)</strong> (\(ja ? "版" : "version") \(a.version))</p>
            <h2>\(ja ? "当事者" : "Parties")</h2><ul>\(parties)</ul>
            <table class="list">
            <tr><th>\(ja ? "方向" : "Direction")</th><td>\((Agreement.Direction(rawValue: a.direction)?.label.text(language) ?? a.direction).htmlEscaped)</td></tr>
            <tr><th>\(ja ? "対象範囲" : "Scope")</th><td>\(scope.htmlEscaped)</td></tr>
            <tr><th>\(ja ? "TLP の上限" : "Highest TLP")</th><td>\(RelayViews.tlpBadge(a.maxTLP))</td></tr>
            <tr><th>\(ja ? "提供元の匿名化" : "Source anonymised")</th><td>\(a.anonymised ? (ja ? "する" : "yes") : (ja ? "しない" : "no"))</td></tr>
            <tr><th>\(ja ? "再提供" : "Passing on")</th><td>\(a.mayPassOn ? (ja ? "可" : "allowed") : (ja ? "不可" : "not allowed"))</td></tr>
            <tr><th>\(ja ? "有効期間" : "Valid")</th><td>\(Self.day(a.validFrom, language).htmlEscaped)\(a.validTo.map { " – " + Self.day($0, language) }?.htmlEscaped ?? "")</td></tr>
            <tr><th>\(ja ? "保存期間" : "Retention")</th><td>\(a.retentionDays)\(ja ? "日" : " days")</td></tr>
            <tr><th>TAXII</th><td><code data-testid="collection">\(TaxiiController.root)collections/\(a.collection)/</code></td></tr>
            </table>
            <p>\(forms)</p>
            <h2>\(ja ? "履歴" : "History")</h2>
            <table class="list"><thead><tr><th>\(ja ? "日時" : "When")</th><th>\(ja ? "変更" : "Change")</th><th>\(ja ? "状態" : "Status")</th><th>\(ja ? "実施者" : "By")</th><th>\(ja ? "理由" : "Reason")</th></tr></thead><tbody>\(history)</tbody></table>
            <p><a href="/agreements">\(ja ? "相互合意の一覧へ" : "All agreements")</a></p>
            """
        return Layout(title: LocalizedText(ja: "相互合意: " + a.title.ja, en: "Agreement: " + (a.title.en ?? a.title.ja)), body: body).render(request)
    }
}
