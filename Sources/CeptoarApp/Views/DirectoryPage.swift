import CeptoarKit
import Vapor

struct DirectoryPage {
    let query: String
    let kind: String?
    let page: DirectoryPageResult

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var options = #"<option value="">\#(ja ? "すべて" : "All kinds")</option>"#
        for kind in OrganisationKind.allCases {
            let selected = self.kind == kind.rawValue ? " selected" : ""
            options += #"<option value="\#(kind.rawValue)"\#(selected)>\#(kind.label.text(language).htmlEscaped)</option>"#
        }
        var rows = ""
        for item in self.page.items {
            rows += """
                <tr data-testid="org-row"><td>\(item.name.text(language).htmlEscaped)</td>\
                <td>\(OrganisationKind(rawValue: item.kind)?.label.text(language).htmlEscaped ?? item.kind.htmlEscaped)</td>\
                <td>\(item.ceptoars.map { $0.text(language) }.joined(separator: "、").htmlEscaped)</td>\
                <td>\(item.synthetic ? (ja ? "デモ" : "demo") : "")</td></tr>
                """
        }
        var pager = ""
        let q = self.query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let kindParameter = self.kind.map { "&amp;kind=\($0)" } ?? ""
        if self.page.page > 1 {
            pager += #"<a href="?q=\#(q)\#(kindParameter)&amp;page=\#(self.page.page - 1)" rel="prev">\#(ja ? "前へ" : "Previous")</a> "#
        }
        if self.page.page * self.page.per < self.page.total {
            pager += #"<a href="?q=\#(q)\#(kindParameter)&amp;page=\#(self.page.page + 1)" rel="next" data-testid="next-page">\#(ja ? "次へ" : "Next")</a>"#
        }
        let body = """
            <h1>\(ja ? "組織一覧" : "Organisation directory")</h1>
            <form method="get" action="\(SiteURL.organisations)" role="search" data-testid="directory-search">
            <label>\(ja ? "検索" : "Search") <input type="search" name="q" value="\(self.query.htmlEscaped)"></label>
            <label>\(ja ? "種別" : "Kind") <select name="kind">\(options)</select></label>
            <button type="submit">\(ja ? "検索" : "Search")</button></form>
            <p data-testid="directory-total">\(ja ? "\(self.page.total)件" : "\(self.page.total) organisations")</p>
            <table class="list"><thead><tr><th>\(ja ? "名称" : "Name")</th><th>\(ja ? "種別" : "Kind")</th><th>\(ja ? "所属セプター" : "CEPTOARs")</th><th></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <p>\(pager)</p>
            """
        return Layout(title: LocalizedText(ja: "組織一覧", en: "Directory"), body: body).render(request)
    }
}
