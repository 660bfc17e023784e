import CeptoarKit
import Foundation
import Vapor

/// The printable emergency sheet: A4, black on white, every channel spelled out, the
/// escalation order first — what a duty officer needs with no network.
struct EmergencySheetPage {
    let sheet: EmergencySheet

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let name = self.sheet.ceptoar.name.text(language)
        let steps = self.sheet.policy.steps.enumerated().map { index, step -> String in
            let ranks = step.ranks.map { $0.label.text(language) }.joined(separator: "・")
            let channels = step.channels.map { ContactChannel(rawValue: $0)?.label.text(language) ?? (ja ? "ポータル" : "portal") }.joined(separator: "・")
            let minutes = step.waitSeconds / 60
            return "<li>\(ja ? "段階" : "Step") \(index + 1): \(ranks.htmlEscaped) — \(channels.htmlEscaped) — \(ja ? "応答がなければ\(minutes)分後に次へ" : "next after \(minutes) min without acknowledgement")</li>"
        }.joined()
        let organisations = self.sheet.organisations.map { entry -> String in
            let rows = entry.contacts.map { contact -> String in
                let methods = contact.methods.map { method -> String in
                    let channel = ContactChannel(rawValue: method.channel)?.label.text(language) ?? method.channel
                    return "\(channel.htmlEscaped): <strong>\(method.address.htmlEscaped)</strong>\(method.note.map { " (\($0.htmlEscaped))" } ?? "")"
                }.joined(separator: "<br>")
                let rank = ContactRank(rawValue: contact.rank)?.label.text(language) ?? contact.rank
                let hours = contact.availableAlways ? (ja ? "24時間" : "24 h") : (contact.hours ?? "")
                return "<tr><td>\(rank.htmlEscaped)</td><td>\(contact.name.htmlEscaped)\(contact.title.map { "<br><small>\($0.htmlEscaped)</small>" } ?? "")</td><td>\(hours.htmlEscaped)</td><td>\(methods)</td></tr>"
            }.joined()
            let role = entry.secretariat ? (ja ? "（事務局）" : " (secretariat)") : ""
            return """
                <section class="sheet-org" data-testid="sheet-organisation"><h3>\(entry.name.text(language).htmlEscaped)\(role)</h3>
                <table class="list sheet"><thead><tr><th>\(ja ? "区分" : "Rank")</th><th>\(ja ? "担当者" : "Contact")</th><th>\(ja ? "対応時間" : "Hours")</th><th>\(ja ? "連絡手段" : "Channels")</th></tr></thead>
                <tbody>\(rows)</tbody></table></section>
                """
        }.joined()
        let missing = self.sheet.withoutContacts.isEmpty ? "" : """
            <section class="no-print-break"><h2>\(ja ? "連絡先未登録の構成員" : "Members with no contact on record") (\(self.sheet.withoutContacts.count))</h2>
            <p data-testid="sheet-missing">\(self.sheet.withoutContacts.prefix(200).map { $0.text(language).htmlEscaped }.joined(separator: "、"))\(self.sheet.withoutContacts.count > 200 ? (ja ? " ほか" : " and others") : "")</p></section>
            """
        let printed = RelayViews.time(self.sheet.printedAt, language)
        let body = """
            <div class="sheet-head"><p class="sheet-marking">TLP:AMBER+STRICT — \(ja ? "取扱注意・複製禁止・受領組織内限り" : "handle with care; do not copy; for the receiving organisation only")</p>
            <h1 data-testid="sheet-title">\(name.htmlEscaped) \(ja ? "緊急連絡先一覧" : "emergency contact sheet")</h1>
            <p>\(self.sheet.sectorName.text(language).htmlEscaped) · \(ja ? "印刷" : "Printed") \(printed) · \(self.sheet.printedBy.htmlEscaped)</p>
            <p class="no-print">\(ja ? "ブラウザの印刷機能（Ctrl+P / ⌘P）で印刷してください。ネットワーク障害時に備え、紙で保管してください。" : "Print with the browser (Ctrl+P / ⌘P) and keep the paper at hand for when the network is down.")</p></div>
            <h2>\(ja ? "エスカレーションの順序" : "Escalation order")</h2><ol data-testid="sheet-escalation">\(steps)</ol>
            <h2>\(ja ? "連絡先" : "Contacts") (\(self.sheet.organisations.count))</h2>
            \(organisations)
            \(missing)
            """
        return Layout(title: LocalizedText(ja: "\(self.sheet.ceptoar.name.ja) 緊急連絡先一覧", en: "\(self.sheet.ceptoar.name.text(.en)) emergency sheet"), body: body).render(request)
    }
}
