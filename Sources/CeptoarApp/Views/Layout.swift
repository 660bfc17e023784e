import CeptoarKit
import Vapor

/// The page frame: header with navigation, language switch and sign-in state, then the body.
/// Pages are built in Swift rather than a template language so that the map renderer in
/// CeptoarKit serves the CLI and the web alike, and every page is checked by the compiler.
struct Layout {
    let title: LocalizedText
    let body: String

    func render(_ request: Request) -> String {
        let language = request.language
        let t = { (ja: String, en: String) in language == .ja ? ja : en }
        let user = request.auth.get(User.self)
        let path = request.url.path
        let other: Language = language == .ja ? .en : .ja
        let back = (request.url.string).htmlEscaped
        var nav = ""
        for (href, label) in [
            (SiteURL.home, t("ホーム", "Home")), (SiteURL.map, t("特性把握マップ", "Characteristics map")),
            (SiteURL.organisations, t("組織一覧", "Directory")), ("/inbox", t("受信箱", "Inbox")), ("/hops", t("転送確認", "Review")),
            ("/advisories/new", t("発信", "Publish")), (SiteURL.alerts, t("緊急連絡・訓練", "Alerts & drills")), (SiteURL.poc, t("緊急連絡先", "Contacts")),
            (SiteURL.situation, t("情勢", "Situation")), ("/reports", t("情報連絡", "Reports")), ("/failure-cases", t("障害事例", "Failure cases")), ("/report-statistics", t("統計", "Statistics")),
            ("/agreements", t("相互合意", "Agreements")), ("/sync", t("ノード連携", "Sync")),
        ] {
            let current = (href == "/" ? path == "/" : path.hasPrefix(href)) ? #" aria-current="page""# : ""
            nav += #"<a href="\#(href)"\#(current)>\#(label.htmlEscaped)</a>"#
        }
        let account: String
        if let user {
            account = """
                <span class="who" data-testid="signed-in-as">\(user.displayName.htmlEscaped) \
                (\(user.roleList.map { $0.label.text(language) }.joined(separator: ", ").htmlEscaped))</span>
                <form method="post" action="\(SiteURL.logout)" class="inline">
                <input type="hidden" name="\(CSRFMiddleware.field)" value="\(request.csrfToken.htmlEscaped)">
                <button type="submit" data-testid="logout">\(t("ログアウト", "Sign out"))</button></form>
                """
        } else {
            account = #"<a href="\#(SiteURL.login)" data-testid="login-link">\#(t("ログイン", "Sign in"))</a>"#
        }
        return """
            <!doctype html>
            <html lang="\(language.rawValue)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(self.title.text(language).htmlEscaped) — Ceptoar</title>
            <link rel="stylesheet" href="\(StaticAssets.stylesheetPath)"></head>
            <body><header><a class="brand" href="/">Ceptoar <small>\(t("セプター情報共有基盤", "CEPTOAR information sharing"))</small></a>
            <nav>\(nav)</nav>
            <div class="account"><a href="\(SiteURL.language)/\(other.rawValue)?back=\(back)" data-testid="lang-switch" hreflang="\(other.rawValue)">\(other == .ja ? "日本語" : "English")</a>
            \(account)</div></header>
            <main>\(Self.banner(request))\(self.body)</main>
            <footer>Ceptoar — \(t("重要インフラの情報共有・分析機能 (CEPTOAR) のために", "for the information sharing and analysis functions (CEPTOAR) of critical infrastructure"))</footer>
            </body></html>
            """
    }

    /// A raised level (警戒, 緊急, large-incident mode) leads every page of its scope.
    static func banner(_ request: Request) -> String {
        let raised = request.situationBanner
        guard !raised.isEmpty else { return "" }
        let ja = request.language == .ja
        let items = raised.map { entry -> String in
            let mode = entry.level.largeIncident ? (ja ? "【大規模障害対応中】" : "[Large-incident mode] ") : ""
            return #"<li><a href="\#(SiteURL.situation(entry.scope))">\#(mode)\#(entry.name.text(request.language).htmlEscaped): <strong>\#(entry.level.level.label.text(request.language))</strong></a></li>"#
        }.joined()
        let serious = raised.contains { $0.level.largeIncident || $0.level.level == .emergency }
        return #"<aside class="situation-banner \#(serious ? "situation-emergency" : "situation-warning")" data-testid="situation-banner" role="alert"><ul>\#(items)</ul></aside>"#
    }

    static let style = """
        body{font-family:"Noto Sans CJK JP","Noto Sans JP",sans-serif;margin:0;color:#222}
        header{display:flex;gap:1.5em;align-items:center;background:#123;color:#fff;padding:.6em 1em;flex-wrap:wrap}
        header a{color:#fff}.brand{font-weight:bold;text-decoration:none}.brand small{font-weight:normal;opacity:.8}
        nav{display:flex;gap:1em}nav a[aria-current]{text-decoration:underline;font-weight:bold}
        .account{margin-left:auto;display:flex;gap:1em;align-items:center}.inline{display:inline}
        main{padding:1em}footer{padding:1em;color:#666;font-size:12px;border-top:1px solid #ddd}
        .error{background:#fee;border:1px solid #c66;padding:.6em}.notice{background:#eef;padding:.6em}
        table.list{border-collapse:collapse}table.list td,table.list th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
        form.stack label{display:block;margin:.5em 0}.wide{overflow-x:auto}
        .figures{display:flex;gap:1.5em;flex-wrap:wrap}.figures div{background:#f4f6f8;padding:.6em 1em}.figures strong{display:block;font-size:1.6em}
        .drill{background:#fff3cd;border:1px solid #d9b44a;padding:.4em .8em;font-weight:bold}
        .pre-wrap{white-space:pre-wrap}label.inline{display:inline}.big-button{font-size:1.3em;padding:.5em 1.5em}
        .situation-banner ul{margin:0;padding:.4em 1em;list-style:none}.situation-banner a{color:inherit}
        .situation-warning{background:#fff3cd;border:2px solid #d9a400}.situation-emergency{background:#c00;color:#fff;border:2px solid #700}
        .level{padding:0 .5em;font-weight:bold;border-radius:3px}.level-normal{background:#dfe}.level-caution{background:#ffe9a8}
        .level-warning{background:#f90;color:#000}.level-emergency{background:#c00;color:#fff}
        ol.timeline{list-style:none;padding:0}ol.timeline li{border-left:4px solid #89a;margin:0 0 1em;padding:.2em .8em}
        .sheet-marking{font-weight:bold;border:2px solid #000;padding:.2em .5em;display:inline-block}.sheet-org{break-inside:avoid}
        table.sheet{width:100%}table.sheet td{vertical-align:top}
        @page{size:A4;margin:12mm}@media print{header,footer,.no-print,.situation-banner{display:none}main{padding:0}body{font-size:10pt;color:#000}a{color:#000;text-decoration:none}}
        .tiles{display:flex;gap:1em;flex-wrap:wrap}.tile{display:block;min-width:12em;background:#f4f6f8;padding:.6em 1em;color:#222;text-decoration:none;border-left:6px solid #9ab}
        .tile strong{display:block;font-size:1.8em}.tile.hot{border-left-color:#c00;background:#fff0f0}ul.plain{list-style:none;padding-left:0}ul.plain li{margin:.3em 0}
        .tlp{background:#000;padding:0 .4em;font-weight:bold}.tlp-red{color:#f03}.tlp-amber{color:#fa0}.tlp-green{color:#3c3}.tlp-clear{color:#fff}
        """
}
