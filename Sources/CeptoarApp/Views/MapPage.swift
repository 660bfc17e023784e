import CeptoarKit
import Vapor

struct MapPage {
    let map: CharacteristicsMap

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let asOf = self.map.asOf.iso
        var exports = ""
        for format in MapFormat.allCases {
            exports += #" <a href="\#(SiteURL.mapExport)?format=\#(format.rawValue)&amp;as_of=\#(asOf)&amp;lang=\#(language.rawValue)" data-testid="export-\#(format.rawValue)">\#(format.rawValue.uppercased())</a>"#
        }
        let body = """
            <h1>\(self.map.title.text(language).htmlEscaped)</h1>
            <form method="get" action="\(SiteURL.map)" data-testid="as-of-form">
            <label>\(ja ? "基準日" : "As of") <input type="date" name="as_of" value="\(asOf)"></label>
            <button type="submit">\(ja ? "表示" : "Show")</button>
            <span class="exports">\(ja ? "ダウンロード" : "Download"):\(exports)</span>
            </form>
            <p data-testid="as-of-line">\(self.map.asOfLine(language).htmlEscaped) — \(ja ? "\(self.map.sectorCount)分野\(self.map.columns.count)セプター" : "\(self.map.sectorCount) sectors, \(self.map.columns.count) CEPTOARs")</p>
            <div class="wide">\(self.map.columns.isEmpty ? "<p class=\"notice\">" + (ja ? "この日付に登録されたセプターはありません。" : "No CEPTOAR was registered on this date.") + "</p>" : self.map.htmlTable(language, link: { SiteURL.ceptoar($0.ceptoarKey) + "?as_of=\(asOf)" }))</div>
            """
        return Layout(title: self.map.title, body: body).render(request)
    }
}
