import CeptoarKit
import Vapor

struct HomePage {
    let map: CharacteristicsMap

    func render(_ request: Request) -> String {
        let ja = request.language == .ja
        let user = request.auth.get(User.self)
        let greeting = user.map { (ja ? "ようこそ、" : "Welcome, ") + $0.displayName.htmlEscaped } ?? (ja ? "ログインしてください。" : "Please sign in.")
        let body = """
            <h1>Ceptoar</h1>
            <p data-testid="greeting">\(greeting)</p>
            <p data-testid="today">\(ja ? "本日" : "Today"): \(ja ? EraDate(day: .today, precision: .day).japanese : EraDate(day: .today, precision: .day).englishEraYear) (\(Day.today.iso))</p>
            <p>\(ja ? "重要インフラ分野のセプター（情報共有・分析機能）が、政府からの情報提供を速やかに構成員へ伝え、情報連絡を受け、取扱いルールのもとで情報を共有するための基盤です。" : "Ceptoar runs a CEPTOAR: the information sharing and analysis function of a critical-infrastructure sector. It relays government information promptly to members, takes their reports, and shares information only as the handling rules allow.")</p>
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
