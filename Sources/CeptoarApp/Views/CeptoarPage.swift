import CeptoarKit
import Vapor

/// One CEPTOAR: its map column as a vertical sheet, sub-groups, overview sheets and history.
struct CeptoarPage {
    let profile: CeptoarProfile
    /// The year's activity, for a signed-in reader.
    var activity: ActivityReport? = nil

    private func activitySection(_ language: Language) -> String {
        guard let activity = self.activity else { return "" }
        let ja = language == .ja
        let (header, rows) = activity.table(language)
        let cells = zip(header.dropFirst(2), (rows.first ?? []).dropFirst(2)).map { #"<tr><th scope="row">\#($0.htmlEscaped)</th><td>\#($1.htmlEscaped)</td></tr>"# }.joined()
        let year = activity.fiscalYear
        let links = [FiscalYear(year: year.year - 1), FiscalYear(year: year.year + 1)].compactMap { $0 }.map {
            #"<a href="\#(SiteURL.ceptoar(self.profile.key))?as_of=\#(self.profile.asOf.iso)&amp;fy=\#($0.year)">\#(ja ? $0.japanese : "FY" + String($0.year))</a>"#
        }.joined(separator: " · ")
        return """
            <section data-testid="activity"><h2>\(ja ? "活動状況" : "Activity") — \(year.label(language).htmlEscaped)</h2>
            <table class="ceptoar-map sheet"><tbody>\(cells)</tbody></table><p>\(links)</p></section>
            """
    }

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let column = self.profile.column
        var sheet = ""
        for row in MapRow.allCases {
            var cell = row.cell(of: column, language).htmlEscaped
            if row == .name, column.umbrella != nil { cell = column.name.text(language).htmlEscaped + " (" + cell + ")" }
            if let date = row.date(of: column) { cell += #" <time datetime="\#(date.iso)">\#(date.iso)</time>"# }
            sheet += #"<tr data-row="\#(row.rawValue)"><th scope="row">\#(row.label.text(language).htmlEscaped)</th><td>\#(cell)</td></tr>"#
        }
        sheet += "<tr><th scope=\"row\">\(ja ? "登録構成員数" : "Members in the registry")</th><td data-testid=\"registered-members\">\(self.profile.registeredMembers.groupedThousands)</td></tr>"
        var groups = ""
        if !self.profile.groups.isEmpty {
            groups = "<h2>\(ja ? "サブグループ・委員会" : "Sub-groups and committees")</h2><table class=\"list\"><tbody>"
            for group in self.profile.groups {
                groups += "<tr data-testid=\"group\"><td>\(group.code.htmlEscaped)</td><td>\(group.name.text(language).htmlEscaped)</td><td>\(group.members > 0 ? (ja ? "\(group.members)構成員" : "\(group.members) members") : "")</td></tr>"
            }
            groups += "</tbody></table>"
        }
        var overviews = ""
        for overview in self.profile.overviews {
            let era = EraDate(day: Day(year: overview.fiscalYear, month: 4, day: 1)!, precision: .day)
            let year = ja ? era.japanese.components(separatedBy: "年").first.map { $0 + "年度" } ?? "" : "FY\(overview.fiscalYear) (\(era.englishEraYear))"
            overviews += "<section class=\"overview\" data-testid=\"overview\"><h2>\(ja ? "概要" : "Overview") — \(year.htmlEscaped) (FY\(overview.fiscalYear))</h2>"
            overviews += "<p><strong>\(overview.name.htmlEscaped)</strong> / \(overview.secretariat.htmlEscaped)</p>"
            if !ja { overviews += "<p class=\"notice\">The overview sheet exists in Japanese only, as NISC published it.</p>" }
            for paragraph in overview.paragraphs { overviews += "<p>\(paragraph.htmlEscaped)</p>" }
            overviews += "</section>"
        }
        var history = "<h2>\(ja ? "登録履歴" : "History")</h2><table class=\"list\"><thead><tr><th>\(ja ? "適用開始" : "From")</th><th>\(ja ? "適用終了" : "Until")</th><th>\(ja ? "名称" : "Name")</th><th>\(ja ? "構成員数" : "Members")</th><th>\(ja ? "備考" : "Note")</th></tr></thead><tbody>"
        for version in self.profile.history {
            history += "<tr data-testid=\"version\"><td>\(version.validFrom)</td><td>\(version.validTo ?? "—")</td><td>\(version.name.text(language).htmlEscaped)</td><td>\(version.memberCount.groupedThousands)</td><td>\(version.changeNote?.htmlEscaped ?? "")</td></tr>"
        }
        history += "</tbody></table>"
        for (label, keys) in [(ja ? "前身" : "Split from", self.profile.predecessors), (ja ? "分割後" : "Split into", self.profile.successors)] where !keys.isEmpty {
            history += "<p>\(label): " + keys.map { "<a href=\"\(SiteURL.ceptoar($0))\">\($0.htmlEscaped)</a>" }.joined(separator: ", ") + "</p>"
        }
        let body = """
            <p><a href="\(SiteURL.map)?as_of=\(self.profile.asOf.iso)">← \(ja ? "特性把握マップ" : "Characteristics map")</a></p>
            <h1>\(column.name.text(language).htmlEscaped)</h1>
            <p><a href="\(SiteURL.ceptoarContact(column.ceptoarKey))" data-testid="contact-link">\(ja ? "緊急連絡窓口（外部からの連絡）" : "Emergency contact (for outsiders)")</a> ・ <a href="\(SiteURL.escalationPolicy(column.ceptoarKey))" data-testid="escalation-link">\(ja ? "エスカレーション方針" : "Escalation policy")</a></p>
            <p>\(ja ? "基準日" : "As of") \(self.profile.asOf.iso)</p>
            <table class="ceptoar-map sheet"><tbody>\(sheet)</tbody></table>
            \(self.activitySection(language))
            <p><a href="/ceptoars/\(column.ceptoarKey.htmlEscaped)/emergency-sheet" data-testid="sheet-link">\(ja ? "緊急連絡先一覧（印刷用・事務局・所管省庁・NISC）" : "Emergency sheet (print; secretariat, ministry, NISC)")</a></p>
            \(groups)\(overviews)\(history)
            """
        return Layout(title: column.name, body: body).render(request)
    }
}
