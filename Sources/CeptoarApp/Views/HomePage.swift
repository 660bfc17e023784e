import CeptoarKit
import Vapor

/// The first page: for a visitor, what Ceptoar is and the registry's size; for a signed-in
/// person, what needs them now — counts with links, chosen by their roles — their scopes'
/// situation and the last week, kept current over the inbox's event stream.
struct HomePage {
    let map: CharacteristicsMap
    var work: HomeWork? = nil
    var situation: [SituationDTO] = []
    /// CEPTOAR keys whose secretariat the user works for (for the inbound-message link).
    var secretariatCeptoars: [String] = []

    /// A tile: the count's key (as `/api/v1/home` names it), label, link, and whether a non-zero count is urgent.
    struct Tile {
        var key: String
        var label: LocalizedText
        var link: String
        var value: Int
        var urgent: Bool
    }

    func tiles(for user: User, _ work: HomeWork) -> [Tile] {
        let coordinator = user.has(.ceptoarSecretariat) || user.has(.ministryLiaison) || user.has(.niscCoordinator)
        var tiles: [Tile] = []
        func add(_ key: String, _ ja: String, _ en: String, _ link: String, _ value: Int, urgent: Bool = true) {
            tiles.append(Tile(key: key, label: LocalizedText(ja: ja, en: en), link: link, value: value, urgent: urgent))
        }
        if coordinator {
            add("held_hops", "転送確認待ちの注意喚起", "Advisories held for your review", "/hops", work.heldHops)
            add("held_reports", "転送待ちの情報連絡", "Reports waiting at your step", "/reports", work.heldReports)
        }
        add("unacknowledged_advisories", "未確認の注意喚起", "Advisories not yet acknowledged", SiteURL.inbox, work.unacknowledgedAdvisories)
        add("alerts_to_acknowledge", "応答待ちの緊急連絡・訓練", "Alerts and drills to acknowledge", SiteURL.alerts, work.alertsToAcknowledge)
        if coordinator || user.has(.systemAdmin) {
            add("running_alerts", "実行中の緊急連絡", "Alerts still reaching people", SiteURL.alerts, work.runningAlerts, urgent: false)
            add("call_tasks", "電話・FAXの作業", "Calls and faxes to make", SiteURL.alerts, work.callTasks)
        }
        if user.has(.member) {
            add("reports_due", "提出期限前の報告", "Report stages due", "/reports", work.reportsDue, urgent: false)
            add("reports_overdue", "提出期限を過ぎた報告", "Report stages overdue", "/reports", work.reportsOverdue)
            add("reports_needing_revision", "差し戻された報告", "Reports returned for revision", "/reports", work.reportsNeedingRevision)
        }
        if user.has(.ceptoarSecretariat) {
            let inbound = self.secretariatCeptoars.first.map { "/ceptoars/\($0)/inbound" } ?? SiteURL.home
            add("inbound_messages", "外部からの問い合わせ", "Messages to your public contact", inbound, work.inboundMessages)
        }
        if user.has(.ceptoarSecretariat) || user.has(.analyst) {
            add("agreements_awaiting_approval", "承認待ちの相互合意", "Agreements awaiting your approval", "/agreements", work.agreementsAwaitingApproval)
        }
        if user.has(.systemAdmin) || user.has(.niscCoordinator) || user.has(.ceptoarSecretariat) {
            add("failing_peers", "同期に失敗しているノード", "Peers failing to sync", "/sync", work.failingPeers)
        }
        return tiles
    }

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let user = request.auth.get(User.self)
        let greeting = user.map { (ja ? "ようこそ、" : "Welcome, ") + $0.displayName.htmlEscaped } ?? (ja ? "ログインしてください。" : "Please sign in.")
        var body = """
            <h1>Ceptoar</h1>
            <p data-testid="greeting">\(greeting)</p>
            <p data-testid="today">\(ja ? "本日" : "Today"): \(ja ? EraDate(day: .today, precision: .day).japanese : EraDate(day: .today, precision: .day).englishEraYear) (\(Day.today.iso))</p>
            """
        if let user, let work = self.work {
            let tiles = self.tiles(for: user, work).map { tile -> String in
                let hot = tile.urgent && tile.value > 0 ? " hot" : ""
                return #"<a class="tile\#(hot)" href="\#(tile.link.htmlEscaped)" data-testid="tile-\#(tile.key)" data-urgent="\#(tile.urgent ? "yes" : "no")"><strong data-count="\#(tile.key)">\#(tile.value.groupedThousands)</strong>\#(tile.label.text(language).htmlEscaped)</a>"#
            }.joined()
            let levels = self.situation.map { dto -> String in
                let level = SituationLevel(rawValue: dto.level) ?? .normal
                let mode = dto.largeIncident ? (ja ? " 大規模障害対応中" : " large-incident mode") : ""
                return #"<li data-testid="home-situation-\#(dto.scope.htmlEscaped)"><a href="/situation?scope=\#(dto.scope.htmlEscaped)">\#(dto.name.text(language).htmlEscaped)</a> \#(SituationViews.badge(level, language))\#(mode)</li>"#
            }.joined()
            let week: [(String, LocalizedText, Int)] = [
                ("advisories_received", LocalizedText(ja: "受け取った注意喚起", en: "Advisories received"), work.week.advisoriesReceived),
                ("advisories_published", LocalizedText(ja: "発信した注意喚起", en: "Advisories published"), work.week.advisoriesPublished),
                ("reports_filed", LocalizedText(ja: "提出した情報連絡", en: "Reports filed"), work.week.reportsFiled),
                ("reports_received", LocalizedText(ja: "受けた情報連絡", en: "Reports received"), work.week.reportsReceived),
                ("alerts_sent", LocalizedText(ja: "送った緊急連絡・訓練", en: "Alerts and drills sent"), work.week.alertsSent),
                ("situation_changes", LocalizedText(ja: "情勢判断", en: "Situation changes"), work.week.situationChanges),
            ]
            let weekRows = week.map { #"<li>\#($0.1.text(language)): <strong data-count="week.\#($0.0)">\#($0.2.groupedThousands)</strong></li>"# }.joined()
            body += """
                <section id="home-work" data-testid="home-work"><h2>\(ja ? "いま対応が必要なこと" : "What needs you now")</h2>
                <div class="tiles">\(tiles)</div></section>
                \(self.secretariatCeptoars.isEmpty ? "" : "<p>" + self.secretariatCeptoars.map { key in
                    let name = self.map.columns.first { $0.ceptoarKey == key }?.name.text(language) ?? key
                    return #"<a href="/ceptoars/\#(key.htmlEscaped)/emergency-sheet" data-testid="sheet-link">\#(ja ? "緊急連絡先一覧（印刷用）" : "Emergency sheet (print)"): \#(name.htmlEscaped)</a>"#
                }.joined(separator: " · ") + "</p>")
                <section><h2>\(ja ? "情勢" : "Situation")</h2><ul class="plain" data-testid="home-situation">\(levels)</ul>
                <p><a href="\(SiteURL.situation)">\(ja ? "情勢判断の一覧" : "All scopes")</a></p></section>
                <section><h2>\(ja ? "この1週間" : "The last seven days")</h2><ul class="plain" data-testid="home-week">\(weekRows)</ul></section>
                <script src="\(StaticAssets.liveScriptPath)"></script>
                """
        } else {
            body += """
                <p>\(ja ? "重要インフラ分野のセプター（情報共有・分析機能）が、政府からの情報提供を速やかに構成員へ伝え、情報連絡を受け、取扱いルールのもとで情報を共有するための基盤です。" : "Ceptoar runs a CEPTOAR: the information sharing and analysis function of a critical-infrastructure sector. It relays government information promptly to members, takes their reports, and shares information only as the handling rules allow.")</p>
                """
        }
        body += """
            <h2>\(ja ? "登録状況" : "The registry")</h2>
            <ul>
            <li>\(ja ? "登録分野数" : "Sectors"): <strong data-testid="sector-count">\(self.map.sectorCount)</strong></li>
            <li>\(ja ? "セプター数" : "CEPTOARs"): <strong data-testid="ceptoar-count">\(self.map.columns.count)</strong></li>
            <li>\(ja ? "構成員数（マップ記載）" : "Members (as the map counts them)"): <strong>\(self.map.memberCount.groupedThousands)</strong></li>
            </ul>
            <p><a href="\(SiteURL.map)">\(ja ? "セプター特性把握マップを見る" : "Open the CEPTOAR characteristics map")</a></p>
            """
        return Layout(title: LocalizedText(ja: "ホーム", en: "Home"), body: body).render(request)
    }
}
