import CeptoarKit
import Foundation
import Vapor

/// The organisation's own emergency contacts: the roster as saved, and a form with a fixed
/// number of slots (three contacts, four ways to reach each) — empty slots are left out.
struct PocPage {
    static let contactSlots = 3
    static let methodSlots = 4

    let roster: PointsOfContact.RosterDTO
    /// What the form shows: the saved roster, or what was typed when saving failed.
    var form: PointsOfContact.RosterInput?
    var error: String?
    var saved = false
    /// Said after a verification code was sent or entered.
    var notice: String?
    /// Keys of the CEPTOARs whose contact queue this user may read (secretariats).
    var queues: [String] = []

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var saved = ""
        for contact in self.roster.contacts {
            let rank = ContactRank(rawValue: contact.rank)?.label.text(language) ?? contact.rank
            var methods = ""
            for method in contact.methods {
                let channel = ContactChannel(rawValue: method.channel)?.label.text(language) ?? method.channel
                let flags = [method.verified ? (ja ? "確認済み" : "verified") : (ja ? "未確認" : "not verified"), method.published ? (ja ? "公開" : "published") : nil]
                    .compactMap { $0 }.joined(separator: ", ")
                var verify = ""
                if !method.verified, ContactChannel(rawValue: method.channel)?.isVerifiable == true {
                    // Send a code over this channel, then type it back.
                    let fields = "\(RelayViews.csrfField(request))<input type=\"hidden\" name=\"channel\" value=\"\(method.channel.htmlEscaped)\">"
                        + "<input type=\"hidden\" name=\"address\" value=\"\(method.address.htmlEscaped)\">"
                    verify = """
                         <form method="post" action="\(SiteURL.poc)/verify" class="inline">\(fields)\
                        <button type="submit" data-testid="send-code">\(ja ? "確認コードを送る" : "Send a code")</button></form>
                        <form method="post" action="\(SiteURL.poc)/verify/confirm" class="inline">\(fields)\
                        <input name="code" size="7" inputmode="numeric" aria-label="\(ja ? "確認コード" : "code")" data-testid="code">\
                        <button type="submit" data-testid="confirm-code">\(ja ? "確認" : "Confirm")</button></form>
                        """
                }
                methods += "<li data-testid=\"saved-method\">\(channel.htmlEscaped): \(method.address.htmlEscaped) (\(flags.htmlEscaped))\((method.note.map { " — " + $0 } ?? "").htmlEscaped)\(verify)</li>"
            }
            let hours = contact.availableAlways ? (ja ? "24時間" : "24 hours") : (contact.hours ?? "")
            saved += """
                <li data-testid="saved-contact"><strong>\(rank.htmlEscaped)</strong> \(contact.name.htmlEscaped)\
                \(contact.title.map { " / " + $0.htmlEscaped } ?? "") — \(hours.htmlEscaped)<ul>\(methods)</ul></li>
                """
        }
        if saved.isEmpty { saved = "<li data-testid=\"no-contacts\">\(ja ? "まだ登録されていません" : "none yet")</li>" }
        let form = self.form ?? PointsOfContact.RosterInput(contacts: self.roster.contacts.map { contact in
            PointsOfContact.ContactInput(
                rank: contact.rank, name: contact.name, title: contact.title, availableAlways: contact.availableAlways, hours: contact.hours,
                methods: contact.methods.map { .init(channel: $0.channel, address: $0.address, note: $0.note, published: $0.published) })
        })
        var slots = ""
        let defaultRanks: [ContactRank] = [.primary, .secondary, .deputy]
        for c in 0..<Self.contactSlots {
            let contact = c < form.contacts.count ? form.contacts[c] : nil
            let rankValue = contact?.rank ?? defaultRanks[c % defaultRanks.count].rawValue
            let ranks = ContactRank.allCases.map {
                "<option value=\"\($0.rawValue)\"\($0.rawValue == rankValue ? " selected" : "")>\($0.label.text(language).htmlEscaped)</option>"
            }.joined()
            var rows = ""
            for m in 0..<Self.methodSlots {
                let method = contact.flatMap { m < $0.methods.count ? $0.methods[m] : nil }
                let channels = ContactChannel.allCases.map {
                    "<option value=\"\($0.rawValue)\"\($0.rawValue == (method?.channel ?? "email") ? " selected" : "")>\($0.label.text(language).htmlEscaped)</option>"
                }.joined()
                rows += """
                    <tr><td><select name="c\(c)_m\(m)_channel" aria-label="\(ja ? "手段" : "channel")">\(channels)</select></td>\
                    <td><input name="c\(c)_m\(m)_address" value="\((method?.address ?? "").htmlEscaped)" aria-label="\(ja ? "連絡先" : "address")"></td>\
                    <td><input name="c\(c)_m\(m)_note" value="\((method?.note ?? "").htmlEscaped)" aria-label="\(ja ? "備考" : "note")"></td>\
                    <td><input type="checkbox" name="c\(c)_m\(m)_published"\(method?.published == true ? " checked" : "") aria-label="\(ja ? "公開" : "published")"></td></tr>
                    """
            }
            slots += """
                <fieldset data-testid="contact-slot"><legend>\(ja ? "連絡先" : "Contact") \(c + 1)</legend>
                <label>\(ja ? "区分" : "Rank") <select name="c\(c)_rank">\(ranks)</select></label>
                <label>\(ja ? "氏名" : "Name") <input name="c\(c)_name" value="\((contact?.name ?? "").htmlEscaped)" maxlength="200"></label>
                <label>\(ja ? "役職" : "Title") <input name="c\(c)_title" value="\((contact?.title ?? "").htmlEscaped)" maxlength="200"></label>
                <label><input type="checkbox" name="c\(c)_always"\(contact?.availableAlways == true ? " checked" : "")> \(ja ? "24時間対応" : "around the clock")</label>
                <label>\(ja ? "対応時間" : "Hours") <input name="c\(c)_hours" value="\((contact?.hours ?? "").htmlEscaped)" maxlength="200"></label>
                <table class="list"><thead><tr><th>\(ja ? "手段" : "Channel")</th><th>\(ja ? "連絡先" : "Address")</th><th>\(ja ? "備考" : "Note")</th>\
                <th>\(ja ? "窓口ページに公開" : "On the public page")</th></tr></thead><tbody>\(rows)</tbody></table></fieldset>
                """
        }
        var notice = ""
        if self.saved { notice = #"<p class="notice" role="status" data-testid="poc-saved">\#(ja ? "保存しました。" : "Saved.")</p>"# }
        if let text = self.notice { notice += #"<p class="notice" role="status" data-testid="poc-notice">\#(text.htmlEscaped)</p>"# }
        if let error { notice += #"<p class="error" role="alert" data-testid="error-message">\#(error.htmlEscaped)</p>"# }
        let queueLinks = self.queues.map {
            #"<a href="/ceptoars/\#($0.htmlEscaped)/inbound" data-testid="queue-link">\#(ja ? "窓口の受付" : "Contact queue") (\#($0.htmlEscaped))</a>"#
        }.joined(separator: " ")
        let body = """
            <h1>\(ja ? "緊急連絡先" : "Emergency contacts"): \(self.roster.organisation.text(language).htmlEscaped)</h1>
            \(queueLinks.isEmpty ? "" : "<p>\(queueLinks)</p>")
            \(notice)
            <ul>\(saved)</ul>
            <h2>\(ja ? "編集" : "Edit")</h2>
            <p>\(ja ? "空欄の連絡先・手段は登録されません。正の連絡先を1名以上、各連絡先に手段を1件以上入力してください。" : "Empty slots are left out. Give at least one primary contact and at least one way to reach each contact.")</p>
            <form method="post" action="\(SiteURL.poc)" class="stack" data-testid="poc-form">\(RelayViews.csrfField(request))
            \(slots)
            <button type="submit">\(ja ? "保存" : "Save")</button></form>
            """
        return Layout(title: LocalizedText(ja: "緊急連絡先", en: "Emergency contacts"), body: body).render(request)
    }

    /// The form's slots as a roster: a contact without a name and a method without an address
    /// are empty slots, not mistakes.
    static func roster(from fields: [String: String]) -> PointsOfContact.RosterInput {
        var contacts: [PointsOfContact.ContactInput] = []
        for c in 0..<Self.contactSlots {
            let name = (fields["c\(c)_name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            var methods: [PointsOfContact.MethodInput] = []
            for m in 0..<Self.methodSlots {
                let address = (fields["c\(c)_m\(m)_address"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !address.isEmpty else { continue }
                methods.append(.init(
                    channel: fields["c\(c)_m\(m)_channel"] ?? "", address: address, note: fields["c\(c)_m\(m)_note"],
                    published: fields["c\(c)_m\(m)_published"] != nil))
            }
            guard !name.isEmpty || !methods.isEmpty else { continue }
            contacts.append(.init(
                rank: fields["c\(c)_rank"] ?? "", name: name, title: fields["c\(c)_title"], availableAlways: fields["c\(c)_always"] != nil,
                hours: fields["c\(c)_hours"], methods: methods))
        }
        return PointsOfContact.RosterInput(contacts: contacts)
    }
}
