extension CharacteristicsMap {
    /// The map as a table laid out like NISC's: sectors as columns, rows as in the seed,
    /// merged cells as spans, machine dates beside the era text. With `link`, each business-scope
    /// cell (the one row where every column is its own CEPTOAR) links to that CEPTOAR's page.
    public func htmlTable(_ language: Language, link: ((MapColumn) -> String)? = nil) -> String {
        var html = #"<table class="ceptoar-map" lang="\#(language.rawValue)">"#
        html += "<caption>\(self.title.text(language).htmlEscaped) — \(self.asOfLine(language).htmlEscaped)</caption>"
        html += "<tbody>"
        for row in MapRow.allCases {
            html += #"<tr data-row="\#(row.rawValue)"><th scope="row">\#(row.label.text(language).htmlEscaped)</th>"#
            for span in row.spans(self.columns, language) {
                let column = self.columns[span.start]
                let colspan = span.span > 1 ? #" colspan="\#(span.span)""# : ""
                html += #"<td\#(colspan) data-ceptoar="\#(column.ceptoarKey.htmlEscaped)">"#
                if row == .scope, let link {
                    html += #"<a href="\#(link(column).htmlEscaped)">\#(span.text.htmlEscaped)</a>"#
                } else {
                    html += span.text.htmlEscaped
                }
                // The cell's own text already carries the era date (平成19年3月末に整備); the
                // machine date sits beside it.
                if let date = row.date(of: column) {
                    html += #" <time datetime="\#(date.iso)">\#(date.iso)</time>"#
                }
                if row == .members {
                    html += #" <data class="count" value="\#(column.memberCount)"></data>"#
                }
                html += "</td>"
            }
            html += "</tr>"
        }
        html += "</tbody></table>"
        if let note = self.note {
            html += #"<p class="map-note">\#(note.text(language).htmlEscaped)</p>"#
        }
        return html
    }

    /// A standalone HTML document, for `ceptoar map --format html`.
    public func htmlDocument(_ language: Language) -> String {
        """
        <!doctype html>
        <html lang="\(language.rawValue)"><head><meta charset="utf-8">
        <title>\(self.title.text(language).htmlEscaped) \(self.asOf.iso)</title>
        <style>\(Self.tableStyle)</style></head>
        <body>\(self.htmlTable(language))</body></html>

        """
    }

    /// Table styling shared by the standalone document and the web page.
    public static let tableStyle = """
        table.ceptoar-map{border-collapse:collapse;font-size:12px}
        table.ceptoar-map th,table.ceptoar-map td{border:1px solid #999;padding:4px;vertical-align:top;min-width:7em}
        table.ceptoar-map th{background:#eef;white-space:nowrap;text-align:left}
        table.ceptoar-map time{display:block;color:#555;font-size:11px}
        """
}
