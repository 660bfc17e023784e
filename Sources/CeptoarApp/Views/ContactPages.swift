import CeptoarKit
import Foundation
import Vapor

/// A CEPTOAR's public emergency contact: what its secretariat published, and a form that puts a
/// message in the secretariat's queue. Reachable without signing in.
struct ContactPage {
    let sheet: PublicContact.ContactSheet
    var form = PublicContact.MessageInput(name: "", organisation: "", email: "", phone: nil, subject: "", body: "")
    var error: String?
    var received: InboundMessage?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let name = self.sheet.name.text(language)
        var methods = ""
        for method in self.sheet.methods {
            let channel = ContactChannel(rawValue: method.channel)?.label.text(language) ?? method.channel
            let rank = ContactRank(rawValue: method.rank)?.label.text(language) ?? method.rank
            let hours = method.availableAlways ? (ja ? "24時間" : "24 hours") : (method.hours ?? "")
            let address = method.channel == ContactChannel.email.rawValue
                ? #"<a href="mailto:\#(method.address.htmlEscaped)">\#(method.address.htmlEscaped)</a>"# : method.address.htmlEscaped
            methods += """
                <tr data-testid="published-method"><td>\(channel.htmlEscaped)</td><td>\(address)</td><td>\(rank.htmlEscaped)\
                \(method.title.map { " / " + $0.htmlEscaped } ?? "")</td><td>\(hours.htmlEscaped)</td><td>\((method.note ?? "").htmlEscaped)</td></tr>
                """
        }
        let table = methods.isEmpty
            ? #"<p data-testid="no-published-methods">\#(ja ? "公開されている連絡手段はまだありません。下のフォームからご連絡ください。" : "No contact methods are published yet; please use the form below.")</p>"#
            : """
                <table class="list"><thead><tr><th>\(ja ? "手段" : "Channel")</th><th>\(ja ? "連絡先" : "Address")</th>\
                <th>\(ja ? "区分" : "Contact")</th><th>\(ja ? "対応時間" : "Hours")</th><th>\(ja ? "備考" : "Note")</th></tr></thead>
                <tbody>\(methods)</tbody></table>
                """
        var notice = ""
        if let received {
            notice = """
                <p class="notice" role="status" data-testid="inbound-received">\(ja ? "受け付けました。受付番号" : "Received. Reference"): \
                <strong>\(received.id!.uuidString.prefix(8))</strong> — \(RelayViews.time(received.receivedAt, language))</p>
                """
        }
        if let error { notice += #"<p class="error" role="alert" data-testid="error-message">\#(error.htmlEscaped)</p>"# }
        func field(_ key: String, _ label: String, _ value: String, type: String = "text", required: Bool = true) -> String {
            #"<label>\#(label.htmlEscaped)\#(required ? " *" : "") <input type="\#(type)" name="\#(key)" value="\#(value.htmlEscaped)"\#(required ? " required" : "") maxlength="200"></label>"#
        }
        let body = """
            <h1>\(ja ? "緊急連絡窓口" : "Emergency contact"): \(name.htmlEscaped)</h1>
            <p>\(ja ? "事務局" : "Secretariat"): \(self.sheet.secretariat.text(language).htmlEscaped)</p>
            \(table)
            <h2>\((ja ? "\(name)への連絡" : "Write to \(name)").htmlEscaped)</h2>
            \(notice)
            <form method="post" action="\(SiteURL.ceptoarContact(self.sheet.ceptoar))" class="stack" data-testid="inbound-form">\(RelayViews.csrfField(request))
            \(field("name", ja ? "お名前" : "Your name", self.form.name))
            \(field("organisation", ja ? "ご所属" : "Organisation", self.form.organisation))
            \(field("email", ja ? "メールアドレス" : "Email", self.form.email, type: "email"))
            \(field("phone", ja ? "電話番号" : "Phone", self.form.phone ?? "", type: "tel", required: false))
            \(field("subject", ja ? "件名" : "Subject", self.form.subject))
            <label>\(ja ? "本文" : "Message") * <textarea name="body" rows="8" required maxlength="\(PublicContact.maxBody)">\(self.form.body.htmlEscaped)</textarea></label>
            <button type="submit">\(ja ? "送信" : "Send")</button></form>
            """
        return Layout(title: LocalizedText(ja: "緊急連絡窓口", en: "Emergency contact"), body: body).render(request)
    }
}

/// The secretariat's queue of messages from outsiders.
struct InboundQueuePage {
    let ceptoar: String
    let messages: [PublicContact.MessageDTO]

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        var rows = ""
        for message in self.messages {
            let state: String
            if message.status == InboundMessage.Status.handled.rawValue {
                state = (ja ? "対応済み " : "handled ") + RelayViews.time(message.handledAt, language)
            } else {
                state = """
                    <form method="post" action="/inbound/\(message.id)/handled" class="inline">\(RelayViews.csrfField(request))\
                    <button type="submit">\(ja ? "対応済みにする" : "Mark handled")</button></form>
                    """
            }
            rows += """
                <tr data-testid="inbound-row"><td>\(RelayViews.time(message.receivedAt, language))</td>\
                <td>\(message.name.htmlEscaped)<br>\(message.organisation.htmlEscaped)<br>\(message.email.htmlEscaped)\
                \(message.phone.map { "<br>" + $0.htmlEscaped } ?? "")</td>\
                <td><strong>\(message.subject.htmlEscaped)</strong><br><span class="pre-wrap">\(message.body.htmlEscaped)</span></td>\
                <td data-testid="inbound-state">\(state)</td></tr>
                """
        }
        let body = """
            <h1>\(ja ? "緊急連絡窓口の受付" : "Messages to the emergency contact") (\(self.ceptoar.htmlEscaped))</h1>
            <p><a href="\(SiteURL.ceptoarContact(self.ceptoar))">\(ja ? "公開窓口ページ" : "The public contact page")</a></p>
            <p data-testid="inbound-total">\(ja ? "\(self.messages.count)件" : "\(self.messages.count) messages")</p>
            <table class="list"><thead><tr><th>\(ja ? "受付日時" : "Received")</th><th>\(ja ? "送信者" : "From")</th>\
            <th>\(ja ? "内容" : "Message")</th><th>\(ja ? "状態" : "State")</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return Layout(title: LocalizedText(ja: "窓口の受付", en: "Contact queue"), body: body).render(request)
    }
}
