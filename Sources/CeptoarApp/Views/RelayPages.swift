import CeptoarKit
import Foundation
import Vapor

/// Small pieces shared by the relay pages.
enum RelayViews {
    static func time(_ date: Date?, _ language: Language) -> String {
        guard let date else { return "—" }
        let c = Day.japaneseCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = Day(year: c.year!, month: c.month!, day: c.day!)!
        let clock = String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
        let era = EraDate(day: day, precision: .day)
        return language == .ja ? "\(era.japanese) \(clock) (\(day.iso))" : "\(day.iso) \(clock) JST"
    }

    static func tlpBadge(_ tlp: String) -> String {
        // Colours live in the stylesheet (the Content-Security-Policy allows no inline style).
        let colour: String
        switch TLP(rawValue: tlp) {
        case .red: colour = "tlp-red"
        case .amber, .amberStrict: colour = "tlp-amber"
        case .green: colour = "tlp-green"
        default: colour = "tlp-clear"
        }
        return #"<span class="tlp \#(colour)">TLP:\#(tlp.htmlEscaped)</span>"#
    }

    static func csrfField(_ request: Request) -> String {
        #"<input type="hidden" name="\#(CSRFMiddleware.field)" value="\#(request.csrfToken.htmlEscaped)">"#
    }
}

struct InboxPage {
    /// What the reader asked for, kept in the form and the page links.
    struct Filters {
        var query: String?
        var severity: String?
        var tlp: String?

        /// `/inbox?…` for another page of the same selection.
        func url(page: Int) -> String {
            var items = [URLQueryItem]()
            for (name, value) in [("q", self.query), ("severity", self.severity), ("tlp", self.tlp)] where !(value ?? "").isEmpty {
                items.append(URLQueryItem(name: name, value: value))
            }
            items.append(URLQueryItem(name: "page", value: String(page)))
            var components = URLComponents()
            components.path = SiteURL.inbox
            components.queryItems = items
            return components.string ?? SiteURL.inbox
        }
    }

    let inbox: InboxDTO
    var filters = Filters()

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for item in self.inbox.items {
            let title: String
            if item.redacted {
                let reason = AccessPolicy.Denial(rawValue: item.reason ?? "")?.message.text(language) ?? ""
                title = #"<em data-testid="redacted">\#((ja ? "閲覧できない注意喚起" : "An advisory you cannot open yet").htmlEscaped)</em> — \#(reason.htmlEscaped)"#
            } else {
                title = #"<a href="/advisories/\#(item.advisoryID)">\#((item.title?.text(language) ?? "").htmlEscaped)</a>"#
            }
            let state = item.withdrawn ? (ja ? "取り下げ" : "withdrawn") : item.expired ? (ja ? "期限切れ" : "expired") : item.acknowledgedAt != nil ? (ja ? "受領確認済み" : "acknowledged") : item.readAt != nil ? (ja ? "既読" : "read") : (ja ? "未読" : "unread")
            rows += """
                <tr data-testid="inbox-row"><td>\(RelayViews.tlpBadge(item.tlp))</td><td>\(Severity(rawValue: item.severity ?? "")?.label.text(language) ?? "")</td>\
                <td>\(title)</td><td>\(RelayViews.time(item.deliveredAt, language))</td><td data-testid="state">\(state)</td></tr>
                """
        }
        let any = ja ? "すべて" : "any"
        func option(_ value: String, _ label: String, selected: String?) -> String {
            #"<option value="\#(value.htmlEscaped)"\#(selected == value ? " selected" : "")>\#(label.htmlEscaped)</option>"#
        }
        let chosenSeverity = Severity(rawValue: self.filters.severity ?? "")?.rawValue
        let chosenTLP = TLP(label: self.filters.tlp ?? "")?.rawValue
        let severityOptions = option("", any, selected: chosenSeverity ?? "")
            + Severity.allCases.reversed().map { option($0.rawValue, $0.label.text(language), selected: chosenSeverity) }.joined()
        let tlpOptions = option("", any, selected: chosenTLP ?? "") + TLP.allCases.map { option($0.rawValue, $0.label.text(language), selected: chosenTLP) }.joined()
        let pages = max(1, (self.inbox.total + self.inbox.per - 1) / self.inbox.per)
        var pager = ""
        if pages > 1 {
            let previous = self.inbox.page > 1 ? #"<a href="\#(self.filters.url(page: self.inbox.page - 1).htmlEscaped)" rel="prev">\#(ja ? "前へ" : "Previous")</a>"# : ""
            let next = self.inbox.page < pages ? #"<a href="\#(self.filters.url(page: self.inbox.page + 1).htmlEscaped)" rel="next">\#(ja ? "次へ" : "Next")</a>"# : ""
            let position = ja ? "\(self.inbox.page) / \(pages) ページ" : "page \(self.inbox.page) of \(pages)"
            pager = #"<nav class="pager" data-testid="pager">\#(previous) \#(position) \#(next)</nav>"#
        }
        let body = """
            <h1>\(ja ? "受信した注意喚起" : "Inbox")</h1>
            <form method="get" action="/inbox" role="search" class="filters" data-testid="inbox-filters">\
            <label>\(ja ? "検索" : "Search") <input type="search" name="q" value="\((self.filters.query ?? "").htmlEscaped)"></label>
            <label>\(ja ? "重要度" : "Severity") <select name="severity" data-testid="filter-severity">\(severityOptions)</select></label>
            <label>TLP <select name="tlp" data-testid="filter-tlp">\(tlpOptions)</select></label>
            <button type="submit">\(ja ? "絞り込む" : "Filter")</button></form>
            <p class="error" id="live-alert" hidden data-testid="live-alert">\(ja ? "緊急連絡・訓練が届きました。" : "An alert or drill has arrived.") <a href="/alerts">\(ja ? "開いて受信を確認する" : "Open and acknowledge")</a></p>
            <p class="notice" id="live" hidden data-testid="live-banner">\(ja ? "新しい注意喚起が届きました。" : "A new advisory has arrived.") <a href="/inbox">\(ja ? "更新" : "Refresh")</a></p>
            <p data-testid="inbox-total">\(ja ? "\(self.inbox.total)件" : "\(self.inbox.total) advisories")</p>
            <table class="list"><thead><tr><th>TLP</th><th>\(ja ? "重要度" : "Severity")</th><th>\(ja ? "件名" : "Title")</th><th>\(ja ? "受信日時" : "Received")</th><th>\(ja ? "状態" : "State")</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(pager)
            <script src="\(StaticAssets.liveScriptPath)" data-live-alert-links="yes"></script>
            """
        return Layout(title: LocalizedText(ja: "受信した注意喚起", en: "Inbox"), body: body).render(request)
    }
}

struct AdvisoryPage {
    let advisory: AdvisoryDTO
    let delivery: Delivery?
    let notice: String?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let a = self.advisory
        var ack = ""
        if let delivery {
            if let at = delivery.acknowledgedAt {
                ack = #"<p class="notice" data-testid="acknowledged">\#(ja ? "受領確認済み" : "Acknowledged"): \#(RelayViews.time(at, language))</p>"#
            } else {
                ack = """
                    <form method="post" action="/advisories/\(a.id)/acknowledge" class="stack" data-testid="ack-form">\(RelayViews.csrfField(request))
                    <label>\(ja ? "コメント（任意）" : "Comment (optional)") <input name="comment" maxlength="2000"></label>
                    <button type="submit">\(ja ? "受領確認" : "Acknowledge receipt")</button></form>
                    """
            }
        }
        let withdrawn = a.withdrawnAt.map { #"<p class="error" data-testid="withdrawn">\#(ja ? "この注意喚起は取り下げられました" : "This advisory was withdrawn"): \#((a.withdrawnReason ?? "").htmlEscaped) (\#(RelayViews.time($0, language)))</p>"# } ?? ""
        let expiry = a.expiresAt.map { expires in
            let past = expires < Date()
            return #"<p class="\#(past ? "error" : "notice")" data-testid="expiry">\#(past ? (ja ? "有効期限切れ" : "Expired") : (ja ? "有効期限" : "Valid until")): \#(RelayViews.time(expires, language))</p>"#
        } ?? ""
        let notes = a.notes.map { #"<p class="notice">\#(ja ? "補足" : "Note"): \#($0.htmlEscaped)</p>"# }.joined()
        let references = a.references.map { reference -> String in
            reference.hasPrefix("http") ? #"<li><a href="\#(reference.htmlEscaped)" rel="noopener">\#(reference.htmlEscaped)</a></li>"# : "<li>\(reference.htmlEscaped)</li>"
        }.joined()
        let body = """
            \(self.notice.map { #"<p class="notice">\#($0.htmlEscaped)</p>"# } ?? "")
            <p>\(RelayViews.tlpBadge(a.tlp)) \(ja ? "重要度" : "Severity"): \(Severity(rawValue: a.severity)?.label.text(language) ?? a.severity) / \(AdvisoryCategory(rawValue: a.category)?.label.text(language) ?? a.category) / \(ja ? "第\(a.version)版" : "version \(a.version)")</p>
            <h1 data-testid="advisory-title">\(a.title.text(language).htmlEscaped)</h1>
            \(withdrawn)\(expiry)
            <p>\(ja ? "発信元" : "From"): \(a.originator.htmlEscaped) — \(RelayViews.time(a.createdAt, language))</p>
            <div class="advisory-body pre-wrap">\(a.body.text(language).htmlEscaped)</div>
            \(notes)
            \(references.isEmpty ? "" : "<h2>\(ja ? "参考" : "References")</h2><ul>\(references)</ul>")
            \(ack)
            """
        return Layout(title: a.title, body: body).render(request)
    }
}

struct RulesPromptPage {
    let ceptoarKey: String
    let rules: HandlingRules

    func render(_ request: Request) -> String {
        let ja = request.language == .ja
        let body = """
            <h1>\(ja ? "情報取扱いルールへの同意" : "Accept the information-handling rules")</h1>
            <p class="error">\(AccessPolicy.Denial.rulesNotAccepted.message.text(request.language).htmlEscaped)</p>
            <h2>\(ja ? "第\(self.rules.version)版" : "Version \(self.rules.version)") (\(self.rules.effectiveFrom))</h2>
            <div class="pre-wrap" data-testid="rules-text">\((ja ? self.rules.textJa : (self.rules.textEn ?? self.rules.textJa)).htmlEscaped)</div>
            <p>\(ja ? "外部提供" : "External provision"): \(self.rules.externalPolicy.htmlEscaped)</p>
            <form method="post" action="/ceptoars/\(self.ceptoarKey.htmlEscaped)/rules/accept" data-testid="accept-rules">\(RelayViews.csrfField(request))
            <input type="hidden" name="back" value="\(request.url.path.htmlEscaped)">
            <button type="submit">\(ja ? "組織としてこのルールに同意する" : "Accept these rules for my organisation")</button></form>
            """
        return Layout(title: LocalizedText(ja: "情報取扱いルール", en: "Handling rules"), body: body).render(request)
    }
}

struct TimelinePage {
    let timeline: TimelineDTO
    /// Nil when the viewer may not read the advisory itself.
    let title: LocalizedText?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for hop in self.timeline.hops {
            let stage = ["ministry": ja ? "所管省庁" : "Ministry", "ceptoar": ja ? "セプター" : "CEPTOAR", "direct": ja ? "直接" : "Direct"][hop.stage] ?? hop.stage
            let status = ["held": ja ? "確認待ち" : "held for review", "forwarded": ja ? (hop.automatic ? "自動転送" : "転送済み") : (hop.automatic ? "forwarded automatically" : "forwarded"), "withheld": ja ? "差し止め" : "withheld"][hop.status] ?? hop.status
            rows += """
                <tr data-testid="hop-row"><td>\(stage)</td><td>\(hop.organisation.text(language).htmlEscaped)\(hop.ceptoar.map { " [\($0.htmlEscaped)]" } ?? "")</td>\
                <td>\(status)\(hop.withheldReason.map { ": " + $0.htmlEscaped } ?? "")</td><td>\(RelayViews.time(hop.receivedAt, language))</td><td>\(RelayViews.time(hop.forwardedAt, language))</td>\
                <td>\(hop.stage == "ministry" ? "" : "\(hop.delivered.groupedThousands) / \(hop.read.groupedThousands) / \(hop.acknowledged.groupedThousands)")</td></tr>
                """
        }
        let t = self.timeline
        let body = """
            <h1>\(ja ? "中継状況" : "Relay timeline"): \(self.title.map { $0.text(language).htmlEscaped } ?? "<span data-testid=\"title-withheld\">\(ja ? "（題名は閲覧権限のある組織にのみ表示）" : "(title shown only to organisations allowed to read it)")</span>")</h1>
            <p>\(ja ? "発信" : "Published"): \(RelayViews.time(t.publishedAt, language))</p>
            <p data-testid="totals">\(ja ? "配信" : "Delivered") \(t.delivered.groupedThousands) / \(ja ? "既読" : "read") \(t.read.groupedThousands) / \(ja ? "受領確認" : "acknowledged") \(t.acknowledged.groupedThousands)</p>
            <table class="list"><thead><tr><th>\(ja ? "段階" : "Stage")</th><th>\(ja ? "組織" : "Organisation")</th><th>\(ja ? "状態" : "Status")</th><th>\(ja ? "受信" : "Received")</th><th>\(ja ? "転送" : "Forwarded")</th><th>\(ja ? "配信 / 既読 / 受領確認" : "Delivered / read / acknowledged")</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <p><a href="/advisories/\(t.advisoryID)">\(ja ? "本文を見る" : "Open the advisory")</a></p>
            """
        return Layout(title: LocalizedText(ja: "中継状況", en: "Relay timeline"), body: body).render(request)
    }
}

struct ReviewPage {
    let hops: [HopDTO]

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for hop in self.hops {
            rows += """
                <tr data-testid="review-row"><td>\(RelayViews.tlpBadge(hop.tlp))</td><td>\(hop.title.text(language).htmlEscaped)</td><td>\(Severity(rawValue: hop.severity)?.label.text(language) ?? "")</td><td>\(RelayViews.time(hop.receivedAt, language))</td>
                <td><form method="post" action="/hops/\(hop.id)/forward" class="inline">\(RelayViews.csrfField(request))
                <input name="note" placeholder="\(ja ? "補足（任意）" : "Note (optional)")">
                <select name="tlp">\(TLP.allCases.filter { $0 >= (TLP(rawValue: hop.tlp) ?? .red) }.map { "<option value=\"\($0.rawValue)\">\($0.marking)</option>" }.joined())</select>
                <button type="submit" data-testid="forward">\(ja ? "転送" : "Forward")</button></form>
                <form method="post" action="/hops/\(hop.id)/withhold" class="inline">\(RelayViews.csrfField(request))
                <input name="reason" placeholder="\(ja ? "差し止め理由" : "Reason")" required><button type="submit">\(ja ? "差し止め" : "Withhold")</button></form></td></tr>
                """
        }
        let body = """
            <h1>\(ja ? "転送確認待ち" : "Held for review")</h1>
            <p data-testid="review-total">\(ja ? "\(self.hops.count)件" : "\(self.hops.count) held")</p>
            <table class="list"><tbody>\(rows)</tbody></table>
            """
        return Layout(title: LocalizedText(ja: "転送確認待ち", en: "Review"), body: body).render(request)
    }
}

struct PublishPage {
    let sectors: [(key: String, name: LocalizedText)]
    let ceptoars: [(key: String, name: LocalizedText)]
    var error: String?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        func options<T: RawRepresentable & Equatable>(_ all: [T], label: (T) -> String, selected: T) -> String where T.RawValue == String {
            all.map { "<option value=\"\($0.rawValue)\"\($0 == selected ? " selected" : "")>\(label($0).htmlEscaped)</option>" }.joined()
        }
        let sectorBoxes = self.sectors.map { #"<label><input type="checkbox" name="sectors[]" value="\#($0.key)"> \#($0.name.text(language).htmlEscaped)</label>"# }.joined(separator: " ")
        let ceptoarBoxes = self.ceptoars.map { #"<label><input type="checkbox" name="ceptoars[]" value="\#($0.key)"> \#($0.name.text(language).htmlEscaped)</label>"# }.joined(separator: " ")
        let body = """
            <h1>\(ja ? "注意喚起の発信" : "Publish an advisory")</h1>
            \(self.error.map { #"<p class="error" role="alert" data-testid="publish-error">\#($0.htmlEscaped)</p>"# } ?? "")
            <form method="post" action="/advisories" class="stack" data-testid="publish-form">\(RelayViews.csrfField(request))
            <label>\(ja ? "件名（日本語）" : "Title (Japanese)") <input name="titleJa" required maxlength="200" size="80"></label>
            <label>\(ja ? "件名（英語・任意）" : "Title (English, optional)") <input name="titleEn" maxlength="200" size="80"></label>
            <label>\(ja ? "本文（日本語）" : "Body (Japanese)")<br><textarea name="bodyJa" rows="8" cols="80" required></textarea></label>
            <label>\(ja ? "本文（英語・任意）" : "Body (English, optional)")<br><textarea name="bodyEn" rows="4" cols="80"></textarea></label>
            <label>\(ja ? "重要度" : "Severity") <select name="severity">\(options(Severity.allCases, label: { $0.label.text(language) }, selected: .high))</select></label>
            <label>\(ja ? "分類" : "Category") <select name="category">\(options(AdvisoryCategory.allCases, label: { $0.label.text(language) }, selected: .vulnerability))</select></label>
            <label>TLP <select name="tlp">\(options(TLP.allCases, label: { $0.label.text(language) }, selected: .amber))</select></label>
            <fieldset><legend>\(ja ? "提供先の分野" : "Target sectors")</legend>\(sectorBoxes)</fieldset>
            <fieldset><legend>\(ja ? "提供先のセプター" : "Target CEPTOARs")</legend>\(ceptoarBoxes)</fieldset>
            <label>\(ja ? "指名する組織キー（空白区切り・TLP:RED はこれのみ）" : "Named organisation keys (space-separated; the only targets for TLP:RED)") <input name="organisations" size="60"></label>
            <label>\(ja ? "参照（CVE番号・URL、空白区切り）" : "References (CVE ids, URLs, space-separated)") <input name="references" size="60"></label>
            <button type="submit" data-testid="publish">\(ja ? "発信" : "Publish")</button></form>
            """
        return Layout(title: LocalizedText(ja: "注意喚起の発信", en: "Publish"), body: body).render(request)
    }
}
