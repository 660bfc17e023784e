import CeptoarKit
import Foundation
import Vapor

/// Pages for alerts and drills: the list, the start form, the report with its chart, a
/// received alert with its acknowledge button, the call checklist, the acknowledgement link,
/// and a CEPTOAR's escalation policy.
enum AlertViews {
    static func kindBadge(_ kind: Alert.Kind, _ language: Language) -> String {
        kind == .alert ? "<strong>\(kind.label.text(language).htmlEscaped)</strong>"
            : "<span class=\"drill\" data-testid=\"drill-mark\">\(kind.label.text(language).htmlEscaped)</span>"
    }

    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }

    static func duration(_ seconds: Double?, _ language: Language) -> String {
        guard let seconds else { return "—" }
        let whole = BoundedInput.wholeNumber(seconds, in: 0...(366 * 86_400))
        if whole < 60 { return language == .ja ? "\(whole)秒" : "\(whole) s" }
        return language == .ja ? "\(whole / 60)分\(whole % 60)秒" : "\(whole / 60) min \(whole % 60) s"
    }

    static func scopeText(_ summary: AlertReport.Summary, _ language: Language) -> String {
        switch Alert.ScopeKind(rawValue: summary.scope) {
        case .nation: return language == .ja ? "全国" : "nation-wide"
        case .sector: return (language == .ja ? "分野: " : "sector: ") + summary.scopeKey
        default: return "CEPTOAR: " + summary.scopeKey
        }
    }
}

struct AlertsPage {
    let entries: [AlertListing.Entry]
    let canStart: Bool

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for entry in self.entries {
            let summary = AlertReporting.summary(entry.alert)
            let status: String
            if entry.received {
                status = entry.acknowledgedAt.map { (ja ? "確認済み " : "acknowledged ") + RelayViews.time($0, language) }
                    ?? "<strong data-testid=\"needs-ack\">\(ja ? "未確認" : "not acknowledged")</strong>"
            } else {
                status = ja ? "発信" : "sent"
            }
            rows += """
                <tr data-testid="alert-row"><td>\(AlertViews.kindBadge(entry.alert.alertKind, language))</td>\
                <td><a href="\(SiteURL.alert(summary.id))">\(summary.title.text(language).htmlEscaped)</a></td>\
                <td>\(AlertViews.scopeText(summary, language).htmlEscaped)</td><td>\(RelayViews.time(summary.createdAt, language))</td><td>\(status)</td></tr>
                """
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"5\" data-testid=\"no-alerts\">\(ja ? "まだありません" : "none yet")</td></tr>" }
        let body = """
            <h1>\(ja ? "緊急連絡・訓練" : "Alerts and drills")</h1>
            \(self.canStart ? "<p><a href=\"\(SiteURL.newAlert)\" data-testid=\"new-alert\">\(ja ? "訓練・連絡を開始する" : "Start a drill or alert")</a></p>" : "")
            <p class="error" id="live-alert" hidden data-testid="live-alert">\(ja ? "緊急連絡・訓練が届きました。" : "An alert or drill has arrived.") <a href="\(SiteURL.alerts)">\(ja ? "更新" : "Refresh")</a></p>
            <table class="list"><thead><tr><th>\(ja ? "種別" : "Kind")</th><th>\(ja ? "件名" : "Title")</th><th>\(ja ? "範囲" : "Scope")</th>\
            <th>\(ja ? "開始" : "Started")</th><th>\(ja ? "状態" : "Status")</th></tr></thead><tbody>\(rows)</tbody></table>
            <script src="\(StaticAssets.liveScriptPath)"></script>
            """
        return Layout(title: LocalizedText(ja: "緊急連絡・訓練", en: "Alerts and drills"), body: body).render(request)
    }
}

struct NewAlertPage {
    /// (value "kind:key", label) of the scopes this user may start.
    let scopes: [(String, String)]
    var error: String?
    var form: [String: String] = [:]

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let kind = self.form["kind"] ?? "drill"
        let kinds = Alert.Kind.allCases.map {
            "<option value=\"\($0.rawValue)\"\($0.rawValue == kind ? " selected" : "")>\($0.label.text(language).htmlEscaped)</option>"
        }.joined()
        let scopes = self.scopes.map {
            "<option value=\"\($0.0.htmlEscaped)\"\($0.0 == self.form["scope"] ? " selected" : "")>\($0.1.htmlEscaped)</option>"
        }.joined()
        let standard = Alerts.standardText(.drill)
        let body = """
            <h1>\(ja ? "訓練・連絡を開始する" : "Start a drill or alert")</h1>
            \(self.error.map { "<p class=\"error\" role=\"alert\" data-testid=\"error-message\">\($0.htmlEscaped)</p>" } ?? "")
            <p>\(ja ? "範囲内の全組織の緊急連絡先に、セプターのエスカレーション方針に従って送信します。訓練と試験は件名に【訓練】【試験】と付きます。"
                : "Every organisation in scope is sent to, following the CEPTOAR's escalation policy. Drills and tests are marked so in the subject.")</p>
            <form method="post" action="\(SiteURL.alerts)" class="stack" data-testid="alert-form">\(RelayViews.csrfField(request))
            <label>\(ja ? "種別" : "Kind") <select name="kind">\(kinds)</select></label>
            <label>\(ja ? "範囲" : "Scope") <select name="scope" data-testid="scope">\(scopes)</select></label>
            <label>\(ja ? "件名（日本語・空欄なら標準文）" : "Title in Japanese (empty: the standard wording)") <input name="title_ja" maxlength="200" value="\((self.form["title_ja"] ?? "").htmlEscaped)" placeholder="\(standard.title.ja.htmlEscaped)"></label>
            <label>\(ja ? "件名（英語）" : "Title in English") <input name="title_en" maxlength="200" value="\((self.form["title_en"] ?? "").htmlEscaped)" placeholder="\((standard.title.en ?? "").htmlEscaped)"></label>
            <label>\(ja ? "本文（日本語）" : "Body in Japanese") <textarea name="body_ja" rows="4" cols="70">\((self.form["body_ja"] ?? "").htmlEscaped)</textarea></label>
            <label>\(ja ? "本文（英語）" : "Body in English") <textarea name="body_en" rows="4" cols="70">\((self.form["body_en"] ?? "").htmlEscaped)</textarea></label>
            <button type="submit" data-testid="start-alert">\(ja ? "開始" : "Start")</button></form>
            """
        return Layout(title: LocalizedText(ja: "訓練・連絡を開始する", en: "Start a drill or alert"), body: body).render(request)
    }
}

struct AlertReportPage {
    let report: AlertReport
    let body: LocalizedText
    let notice: String?

    /// The response-time distribution as an SVG bar chart (no script, prints as is).
    func chart(_ language: Language) -> String {
        let ja = language == .ja
        var labels = AlertReport.bucketBounds.map { bound in bound < 60 ? "≤\(bound)s" : (ja ? "≤\(bound / 60)分" : "≤\(bound / 60) min") }
        labels.append(ja ? "60分超" : ">60 min")
        labels.append(ja ? "未確認" : "none")
        let counts = self.report.histogram.map(\.count) + [self.report.targets - self.report.acknowledged]
        let highest = max(1, counts.max() ?? 1)
        let width = 64, height = 160, top = 20
        var bars = ""
        for (index, count) in counts.enumerated() {
            let barHeight = BoundedInput.wholeNumber(Double(height) * Double(count) / Double(highest), in: 0...height)
            let x = 40 + index * width
            let colour = index == counts.count - 1 ? "#bbb" : "#2a6ebb"
            bars += """
                <rect x="\(x + 8)" y="\(top + height - barHeight)" width="\(width - 16)" height="\(barHeight)" fill="\(colour)" data-testid="chart-bar" data-count="\(count)"><title>\(labels[index]): \(count)</title></rect>\
                <text x="\(x + width / 2)" y="\(top + height - barHeight - 4)" text-anchor="middle" font-size="12">\(count)</text>\
                <text x="\(x + width / 2)" y="\(top + height + 16)" text-anchor="middle" font-size="11">\(labels[index].htmlEscaped)</text>
                """
        }
        let total = 40 + counts.count * width + 10
        return """
            <svg role="img" aria-label="\(ja ? "応答時間の分布" : "Response-time distribution")" data-testid="response-chart" width="\(total)" height="\(top + height + 30)" viewBox="0 0 \(total) \(top + height + 30)" xmlns="http://www.w3.org/2000/svg">
            <line x1="36" y1="\(top + height)" x2="\(total - 6)" y2="\(top + height)" stroke="#333"/>\(bars)</svg>
            """
    }

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let r = self.report
        let id = r.alert.id
        func rateRows(_ rates: [AlertReport.Rate], testID: String) -> String {
            rates.map {
                "<tr data-testid=\"\(testID)\"><td>\($0.label.text(language).htmlEscaped)</td><td>\($0.targets)</td><td>\($0.acknowledged)</td><td>\(AlertViews.percent($0.rate))</td></tr>"
            }.joined()
        }
        let rateHead = "<thead><tr><th></th><th>\(ja ? "対象" : "Organisations")</th><th>\(ja ? "確認" : "Acknowledged")</th><th>\(ja ? "疎通確認率" : "Reach rate")</th></tr></thead>"
        let messages = r.messages.map {
            "<tr data-testid=\"message-count\"><td>\(AlertReport.routeLabel($0.route).text(language).htmlEscaped)</td><td>\((DeliveryState(rawValue: $0.state)?.label.text(language) ?? $0.state).htmlEscaped)</td><td>\($0.count)</td></tr>"
        }.joined()
        var unreached = ""
        for recipient in r.unreached.prefix(200) {
            unreached += """
                <tr data-testid="unreached"><td>\(recipient.organisation.text(language).htmlEscaped)</td><td>\((AlertTarget.Stage(rawValue: recipient.stage)?.label.text(language) ?? recipient.stage).htmlEscaped)</td>\
                <td>\((recipient.ceptoar ?? "").htmlEscaped)</td><td>\(AlertReport.outcomeLabel(recipient.outcome).text(language).htmlEscaped)\
                \(recipient.problems.map { "<br>" + $0.htmlEscaped }.joined())</td></tr>
                """
        }
        if r.unreached.count > 200 { unreached += "<tr><td colspan=\"4\">\(ja ? "ほか \(r.unreached.count - 200) 件（CSV を参照）" : "and \(r.unreached.count - 200) more (see the CSV)")</td></tr>" }
        var comparison = "<p data-testid=\"no-previous\">\(ja ? "同じ範囲の前回の\(Alert.Kind(rawValue: r.alert.kind)?.label.ja ?? "")はありません。" : "No earlier \(r.alert.kind) of the same scope.")</p>"
        if let previous = r.previous {
            let delta = (r.reachRate - previous.reachRate) * 100
            comparison = """
                <table class="list" data-testid="comparison"><thead><tr><th></th><th>\(ja ? "今回" : "This one")</th><th>\(ja ? "前回" : "Previous") (\(RelayViews.time(previous.createdAt, language)))</th></tr></thead><tbody>
                <tr><td>\(ja ? "対象" : "Organisations")</td><td>\(r.targets)</td><td>\(previous.targets)</td></tr>
                <tr><td>\(ja ? "疎通確認率" : "Reach rate")</td><td>\(AlertViews.percent(r.reachRate))</td><td>\(AlertViews.percent(previous.reachRate)) (\(String(format: "%+.1f", delta)) \(ja ? "ポイント" : "points"))</td></tr>
                <tr><td>\(ja ? "応答時間（中央値）" : "Median response")</td><td>\(AlertViews.duration(r.medianResponseSeconds, language))</td><td>\(AlertViews.duration(previous.medianResponseSeconds, language))</td></tr>
                </tbody></table>
                """
        }
        let steps = r.alert.policy.steps.enumerated().map { index, step -> String in
            let ranks = step.ranks.map { $0.label.text(language) }.joined(separator: "・")
            let channels = step.channels.map { ContactChannel(rawValue: $0)?.label.text(language) ?? (ja && $0 == "portal" ? "ポータル" : $0) }.joined(separator: "・")
            return "<li>\(ranks.htmlEscaped) — \(channels.htmlEscaped) — \(ja ? "待ち" : "wait") \(AlertViews.duration(Double(step.waitSeconds), language))</li>"
        }.joined()
        let body = """
            <h1>\(AlertViews.kindBadge(Alert.Kind(rawValue: r.alert.kind) ?? .alert, language)) \(r.alert.title.text(language).htmlEscaped)</h1>
            \(self.notice.map { "<p class=\"notice\" role=\"status\" data-testid=\"notice\">\($0.htmlEscaped)</p>" } ?? "")
            <p>\(AlertViews.scopeText(r.alert, language).htmlEscaped) — \(ja ? "開始" : "started") \(RelayViews.time(r.alert.createdAt, language)) — CAP status: \(r.alert.capStatus)</p>
            <div class="figures">
            <div>\(ja ? "疎通確認率" : "Reach rate")<strong data-testid="reach-rate">\(AlertViews.percent(r.reachRate))</strong></div>
            <div>\(ja ? "確認 / 対象" : "Acknowledged / organisations")<strong data-testid="acknowledged-count">\(r.acknowledged) / \(r.targets)</strong></div>
            <div>\(ja ? "応答時間（中央値）" : "Median response")<strong>\(AlertViews.duration(r.medianResponseSeconds, language))</strong></div>
            <div>\(ja ? "90%が応答するまで" : "90th percentile")<strong>\(AlertViews.duration(r.p90ResponseSeconds, language))</strong></div>
            <div>\(ja ? "未了の電話・FAX" : "Open calls")<strong data-testid="open-calls">\(r.openCallTasks)</strong></div>
            </div>
            <p><a href="/api/v1/alerts/\(id.uuidString.lowercased())/report.csv" data-testid="csv-link">CSV</a> ・ \
            <a href="/api/v1/alerts/\(id.uuidString.lowercased())/cap" data-testid="cap-link">CAP 1.2</a> ・ \
            <a href="\(SiteURL.alert(id))/calls" data-testid="calls-link">\(ja ? "電話・FAX の連絡タスク" : "Call tasks")</a></p>
            <h2>\(ja ? "応答時間の分布" : "Response times")</h2>
            \(self.chart(language))
            <h2>\(ja ? "段階別" : "By stage")</h2>
            <table class="list">\(rateHead)<tbody>\(rateRows(r.stages, testID: "stage-rate"))</tbody></table>
            <h2>\(ja ? "セプター別" : "By CEPTOAR")</h2>
            <table class="list">\(rateHead)<tbody>\(rateRows(r.ceptoars, testID: "ceptoar-rate"))</tbody></table>
            <h2>\(ja ? "前回との比較" : "Compared with the previous one")</h2>
            \(comparison)
            <h2>\(ja ? "未確認の組織と理由" : "Not reached, and why") (\(r.unreached.count))</h2>
            <table class="list"><thead><tr><th>\(ja ? "組織" : "Organisation")</th><th>\(ja ? "段階" : "Stage")</th><th>CEPTOAR</th><th>\(ja ? "理由" : "Why")</th></tr></thead><tbody>\(unreached)</tbody></table>
            <h2>\(ja ? "メッセージ" : "Messages")</h2>
            <table class="list"><thead><tr><th>\(ja ? "経路" : "Route")</th><th>\(ja ? "状態" : "State")</th><th>\(ja ? "件数" : "Count")</th></tr></thead><tbody>\(messages)</tbody></table>
            <h2>\(ja ? "エスカレーション" : "Escalation")</h2>
            <ol>\(steps)</ol><p>\(ja ? "繰り返し" : "Repeat"): \(r.alert.policy.repeatCount)</p>
            <h2>\(ja ? "本文" : "Message")</h2>
            <pre class="pre-wrap">\(self.body.text(language).htmlEscaped)</pre>
            """
        return Layout(title: r.alert.title, body: body).render(request)
    }
}

/// An alert as a recipient organisation sees it, with its acknowledge button.
struct ReceivedAlertPage {
    let alert: Alert
    let target: AlertTarget

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let acknowledged: String
        if let at = self.target.acknowledgedAt {
            acknowledged = "<p class=\"notice\" data-testid=\"acknowledged\">\(ja ? "受信を確認しました" : "Acknowledged") \(RelayViews.time(at, language))</p>"
        } else {
            acknowledged = """
                <form method="post" action="\(SiteURL.alert(self.alert.id!))/ack">\(RelayViews.csrfField(request))\
                <button type="submit" data-testid="portal-ack">\(ja ? "受信を確認しました" : "I received this")</button></form>
                """
        }
        let body = """
            <h1>\(AlertViews.kindBadge(self.alert.alertKind, language)) \(self.alert.title.text(language).htmlEscaped)</h1>
            <p>\(RelayViews.time(self.alert.createdAt, language))</p>
            <pre class="pre-wrap" data-testid="alert-body">\(self.alert.body.text(language).htmlEscaped)</pre>
            \(acknowledged)
            """
        return Layout(title: self.alert.title, body: body).render(request)
    }
}

/// The checklist of calls and faxes to make by hand (no gateway for that channel).
struct CallTasksPage {
    let alert: Alert
    let tasks: [AlertAPIController.MessageDTO]
    let notice: String?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for task in self.tasks {
            let state = DeliveryState(rawValue: task.state) ?? .queued
            var action = (state.label.text(language) + (task.handledBy.map { " (\($0))" } ?? "")).htmlEscaped
            if state.isDue {
                let outcomes = Acknowledgements.CallOutcome.allCases.map {
                    "<button type=\"submit\" name=\"outcome\" value=\"\($0.rawValue)\" data-testid=\"call-\($0.rawValue)\">\($0.label.text(language).htmlEscaped)</button>"
                }.joined(separator: " ")
                action = """
                    \(state == .failedTemporary ? action + "<br>" : "")<form method="post" action="\(SiteURL.alert(self.alert.id!))/calls/\(task.id)" class="inline">\(RelayViews.csrfField(request))\
                    <input name="note" placeholder="\(ja ? "メモ" : "note")" maxlength="500" aria-label="\(ja ? "メモ" : "note")"> \(outcomes)</form>
                    """
            }
            let channel = ContactChannel(rawValue: task.channel)?.label.text(language) ?? task.channel
            rows += """
                <tr data-testid="call-task" data-state="\(task.state)"><td>\(task.organisationKey.htmlEscaped)</td><td>\(task.step)</td><td>\(task.contactName.htmlEscaped)</td>\
                <td>\(channel.htmlEscaped)</td><td><a href="tel:\(task.address.htmlEscaped)">\(task.address.htmlEscaped)</a></td><td>\((task.lastError ?? "").htmlEscaped)</td><td>\(action)</td></tr>
                """
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"7\" data-testid=\"no-calls\">\(ja ? "連絡タスクはありません" : "no call tasks")</td></tr>" }
        let body = """
            <h1>\(ja ? "電話・FAX の連絡タスク" : "Call tasks"): \(self.alert.title.text(language).htmlEscaped)</h1>
            \(self.notice.map { "<p class=\"notice\" role=\"status\" data-testid=\"notice\">\($0.htmlEscaped)</p>" } ?? "")
            <p>\(ja ? "ゲートウェイのない連絡手段は、事務局が電話・FAX で連絡し、結果を記録します。「連絡がついた」でその組織の受信確認になります。"
                : "Channels without a gateway are called or faxed by the secretariat, who record the outcome here. “Reached” acknowledges for the organisation.")</p>
            <p><a href="\(SiteURL.alert(self.alert.id!))">\(ja ? "結果に戻る" : "Back to the report")</a></p>
            <table class="list"><thead><tr><th>\(ja ? "組織" : "Organisation")</th><th>\(ja ? "段階" : "Step")</th><th>\(ja ? "相手" : "Contact")</th>\
            <th>\(ja ? "手段" : "Channel")</th><th>\(ja ? "番号" : "Number")</th><th>\(ja ? "前回の結果" : "Last outcome")</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return Layout(title: LocalizedText(ja: "電話・FAX の連絡タスク", en: "Call tasks"), body: body).render(request)
    }
}

/// What the link in a message opens: who it is for, and one button. Opening the link alone
/// changes nothing, because mail scanners open links too; the button press is the answer.
struct AckLinkPage {
    let alert: Alert
    let organisation: LocalizedText
    let token: String
    let result: Acknowledgements.Result?
    let acknowledgedBefore: Date?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var status = ""
        if let result = self.result {
            status = result.first
                ? "<p class=\"notice\" role=\"status\" data-testid=\"ack-done\">\(ja ? "受信確認を記録しました。ありがとうございました。" : "Your acknowledgement is recorded. Thank you.") \(RelayViews.time(result.acknowledgedAt, language))</p>"
                : "<p class=\"notice\" role=\"status\" data-testid=\"ack-already\">\(ja ? "この組織は既に受信を確認しています" : "Your organisation had acknowledged already") \(RelayViews.time(result.acknowledgedAt, language))</p>"
        } else if let before = self.acknowledgedBefore {
            status = "<p class=\"notice\" data-testid=\"ack-already\">\(ja ? "この組織は既に受信を確認しています" : "Your organisation has acknowledged already") \(RelayViews.time(before, language))</p>"
        } else {
            status = """
                <form method="post" action="\(SiteURL.ackLink(self.token))">\(RelayViews.csrfField(request))\
                <button type="submit" data-testid="link-ack" class="big-button">\(ja ? "受信を確認しました" : "I received this")</button></form>
                """
        }
        let body = """
            <h1>\(AlertViews.kindBadge(self.alert.alertKind, language)) \(self.alert.title.text(language).htmlEscaped)</h1>
            <p>\(ja ? "宛先" : "For"): <strong>\(self.organisation.text(language).htmlEscaped)</strong></p>
            <pre class="pre-wrap">\(self.alert.body.text(language).htmlEscaped)</pre>
            \(status)
            """
        return Layout(title: LocalizedText(ja: "受信確認", en: "Acknowledge"), body: body).render(request)
    }
}

/// A CEPTOAR's escalation policy: its steps as rows of checkboxes and a wait.
struct EscalationPolicyPage {
    static let stepSlots = 5
    let ceptoarKey: String
    let policy: EscalationPolicy
    let canEdit: Bool
    var error: String?
    var saved = false

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for index in 0..<Self.stepSlots {
            let step = index < self.policy.steps.count ? self.policy.steps[index] : nil
            let ranks = ContactRank.allCases.map {
                "<label class=\"inline\"><input type=\"checkbox\" name=\"s\(index)_rank_\($0.rawValue)\"\(step?.ranks.contains($0) == true ? " checked" : "")> \($0.label.text(language).htmlEscaped)</label>"
            }.joined(separator: " ")
            let channels = EscalationPolicy.sendableChannels.map { channel -> String in
                let label = ContactChannel(rawValue: channel)?.label.text(language) ?? (ja ? "ポータル" : "portal")
                return "<label class=\"inline\"><input type=\"checkbox\" name=\"s\(index)_channel_\(channel)\"\(step?.channels.contains(channel) == true ? " checked" : "")> \(label.htmlEscaped)</label>"
            }.joined(separator: " ")
            let minutes = step.map { String(format: "%g", Double($0.waitSeconds) / 60) } ?? ""
            rows += """
                <tr data-testid="policy-step"><td>\(index + 1)</td><td>\(ranks)</td><td>\(channels)</td>\
                <td><input name="s\(index)_wait" value="\(minutes)" size="5" aria-label="\(ja ? "待ち（分）" : "wait (minutes)")"></td></tr>
                """
        }
        let notice = (self.saved ? "<p class=\"notice\" role=\"status\" data-testid=\"policy-saved\">\(ja ? "保存しました。" : "Saved.")</p>" : "")
            + (self.error.map { "<p class=\"error\" role=\"alert\" data-testid=\"error-message\">\($0.htmlEscaped)</p>" } ?? "")
        let body = """
            <h1>\(ja ? "エスカレーション方針" : "Escalation policy"): \(self.ceptoarKey.htmlEscaped)</h1>
            \(notice)
            <p>\(ja ? "受信確認がないとき、各段階の待ち時間の後に次の段階へ進みます。空の段階は使われません。" : "Without an acknowledgement, each step's wait is followed by the next step. Empty steps are left out.")</p>
            <form method="post" action="\(SiteURL.escalationPolicy(self.ceptoarKey))" data-testid="policy-form">\(RelayViews.csrfField(request))
            <table class="list"><thead><tr><th>#</th><th>\(ja ? "連絡先" : "Contacts")</th><th>\(ja ? "手段" : "Channels")</th><th>\(ja ? "待ち（分）" : "Wait (min)")</th></tr></thead><tbody>\(rows)</tbody></table>
            <label>\(ja ? "繰り返し回数" : "Repeat count") <input name="repeat" value="\(self.policy.repeatCount)" size="3"></label>
            \(self.canEdit ? "<button type=\"submit\" data-testid=\"save-policy\">\(ja ? "保存" : "Save")</button>" : "")</form>
            """
        return Layout(title: LocalizedText(ja: "エスカレーション方針", en: "Escalation policy"), body: body).render(request)
    }

    /// The form as a policy; empty rows are left out, a wait that is not a number is a mistake.
    static func policy(from fields: [String: String]) throws -> EscalationPolicy {
        var steps: [EscalationPolicy.Step] = []
        for index in 0..<Self.stepSlots {
            let ranks = ContactRank.allCases.filter { fields["s\(index)_rank_\($0.rawValue)"] != nil }
            let channels = EscalationPolicy.sendableChannels.filter { fields["s\(index)_channel_\($0)"] != nil }
            let wait = (fields["s\(index)_wait"] ?? "").trimmingCharacters(in: .whitespaces)
            if ranks.isEmpty, channels.isEmpty, wait.isEmpty { continue }
            // Minutes as typed (1.5 is fine), bounded before they become seconds: `Int(1e300)` traps.
            let seconds: Int?
            do {
                seconds = try BoundedInput.scaled(wait, field: "s\(index)_wait", scale: 60, in: 1...EscalationPolicy.maxWaitSeconds)
            } catch {
                seconds = nil
            }
            guard let seconds else {
                throw UserError(
                    status: .unprocessableEntity, ja: "段階\(index + 1): 待ち時間を分で入力してください（24時間=1440分まで）",
                    en: "step \(index + 1): give the wait in minutes (at most 1,440, a day)")
            }
            steps.append(.init(ranks: ranks, channels: channels, waitSeconds: seconds))
        }
        do {
            let repeatCount = try BoundedInput.integer(fields["repeat"], field: "repeat", in: 0...EscalationPolicy.maxRepeat) ?? 0
            return EscalationPolicy(steps: steps, repeatCount: repeatCount)
        } catch {
            throw UserError(
                status: .unprocessableEntity, ja: "繰り返し回数は0〜\(EscalationPolicy.maxRepeat)の整数です",
                en: "the repeat count is a whole number from 0 to \(EscalationPolicy.maxRepeat)")
        }
    }
}
