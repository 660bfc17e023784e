import CeptoarKit
import Fluent
import Foundation

/// Reports by mail to a CEPTOAR's address (`banks@<intake domain>`), handed over by the MTA
/// (`ceptoar intake mail`, as Postfix's pipe transport runs it). The sender must be a Ceptoar
/// user whose domain the MTA authenticated (DMARC or DKIM pass in its Authentication-Results):
/// a From line alone proves nothing. A mail from anyone else is rejected without a reply — a
/// reply to a forged address would itself be spam (backscatter). An authenticated sender is
/// always answered: with the reports filed, or with every problem and the template, nothing
/// filed.
struct MailIntake {
    let database: any Database
    let settings: NotifySettings

    enum Outcome {
        /// Filed; the reply lists the reports.
        case filed([ReportImport.Filed], reply: MailMessage)
        /// From a known sender, refused; the reply says why. Nothing was filed.
        case refused(reply: MailMessage)
        /// Not from anyone the intake may answer: the MTA bounces or drops it.
        case rejected(String)
    }

    func receive(_ data: Data, recipient given: String?, now: Date = Date()) async throws -> Outcome {
        guard let domain = self.settings.intakeDomain, let authserv = self.settings.intakeAuthservID else {
            return .rejected("reports by mail are not set up: set CEPTOAR_INTAKE_DOMAIN and CEPTOAR_INTAKE_AUTHSERV_ID")
        }
        let mail: InboundMail
        switch InboundMail.parse(data) {
        case .success(let parsed): mail = parsed
        case .failure(let problem): return .rejected(problem.message.text(.en))
        }
        guard let from = mail.fromAddress, let senderDomain = from.split(separator: "@").last.map(String.init) else {
            return .rejected("the mail has no single From address")
        }
        guard mail.authenticatedDomains(authservID: authserv).contains(senderDomain) else {
            return .rejected("the sender \(from) is not authenticated by \(authserv) (no DMARC or DKIM pass for \(senderDomain))")
        }
        guard let user = try await User.query(on: self.database).filter(\.$email == from).first(), user.active else {
            return .rejected("\(from) is not a Ceptoar user")
        }
        func refuse(_ ja: String, _ en: String) -> Outcome {
            .refused(reply: self.reply(to: user, about: mail, subject: "【Ceptoar】情報連絡を受け付けられませんでした / Report not accepted",
                                       ja: ja + "\n\n報告は登録されていません。次の様式で送り直してください。\n\n" + ReportIntake.blankTemplate(.ja),
                                       en: en + "\n\nNothing was filed. Please send the report again in this form:\n\n" + ReportIntake.blankTemplate(.en)))
        }
        // The CEPTOAR is the recipient's local part.
        let recipient = (given ?? mail.header("Delivered-To") ?? mail.header("To")).flatMap(InboundMail.address(in:))
        guard let recipient, recipient.hasSuffix("@" + domain), let key = recipient.split(separator: "@").first.map(String.init),
            try await Ceptoar.query(on: self.database).filter(\.$key == key).first() != nil
        else {
            return refuse("宛先がセプターの報告用アドレスではありません（<セプター>@\(domain)）", "the mail is not addressed to a CEPTOAR's report address (<ceptoar>@\(domain))")
        }
        // A CSV attachment, else the template in the body.
        var rows: [ReportIntake.Row] = []
        let sheets = mail.attachments.filter { $0.contentType == "text/csv" || ($0.filename?.lowercased().hasSuffix(".csv") ?? false) }
        for sheet in sheets.prefix(5) {
            switch ReportIntake.csv(sheet.data) {
            case .success(let read): rows += read
            case .failure(let problems): return refuse(problems.ja.joined(separator: "\n"), problems.en.joined(separator: "\n"))
            }
        }
        if rows.isEmpty, let row = mail.text.flatMap(ReportIntake.template) { rows = [row] }
        guard !rows.isEmpty else {
            return refuse("本文に報告の様式が見つからず、CSV の添付もありません", "the mail holds neither the report form in its body nor a CSV attachment")
        }
        guard rows.count <= ReportIntake.maxRows else {
            return refuse("一度に送れる報告は\(ReportIntake.maxRows)件までです", "at most \(ReportIntake.maxRows) reports per mail")
        }
        do {
            let filed = try await ReportImport(database: self.database).file(rows, ceptoar: key, by: user, channel: "mail", now: now)
            let links = filed.map { "\(self.settings.publicURL)/reports/\($0.loaded.report.id!.uuidString.lowercased())" }
            return .filed(filed, reply: self.reply(
                to: user, about: mail, subject: "【Ceptoar】情報連絡を受け付けました / Report received",
                ja: "\(key) セプターへの情報連絡 \(filed.count) 件を受け付けました。\n" + links.joined(separator: "\n"),
                en: "\(filed.count) report(s) to the \(key) CEPTOAR were filed.\n" + links.joined(separator: "\n")))
        } catch let error as UserError {
            return refuse(error.ja.replacingOccurrences(of: "。", with: "。\n"), error.en.replacingOccurrences(of: "; ", with: "\n"))
        }
    }

    /// The answer goes to the user's registered address, never to a Reply-To the mail names.
    private func reply(to user: User, about mail: InboundMail, subject: String, ja: String, en: String) -> MailMessage {
        var headers: [(String, String)] = []
        // Threaded under the report's mail when its Message-ID is a plain one.
        if let id = mail.header("Message-ID"), id.utf8.count <= 250, id.hasPrefix("<"), id.hasSuffix(">"),
            id.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
        {
            headers = [("In-Reply-To", id), ("References", id)]
        }
        return MailMessage(
            from: MailAddress(self.settings.mailFrom, name: "Ceptoar"), to: [MailAddress(user.email, name: nil)], subject: subject,
            body: ja + "\n\n----\n\n" + en + "\n", messageID: "\(UUID().uuidString.lowercased())@ceptoar.intake", headers: headers)
    }
}
