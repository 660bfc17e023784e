import CeptoarKit
import Foundation

/// The words of one message to one contact, Japanese first, English after, with the signed
/// acknowledgement link; a drill or test is marked so in the subject and the first line.
struct AlertMessageText {
    let alert: Alert
    let attemptID: Int
    let contactName: String
    let organisation: LocalizedText
    let link: String

    var subject: String {
        let mark = self.alert.alertKind.subjectMark
        let ja = (mark?.ja ?? "") + self.alert.titleJa
        let en = (mark?.en ?? "") + self.alert.titleEn
        return ja == en ? ja : "\(ja) / \(en)"
    }

    var body: String {
        let kind = self.alert.alertKind
        var lines: [String] = []
        if let mark = kind.subjectMark { lines.append("\(mark.ja) \(mark.en ?? "")") ; lines.append("") }
        if !self.contactName.isEmpty { lines.append("\(self.contactName) 様") }
        lines.append("\(self.organisation.ja) 御中")
        lines.append("")
        lines.append(self.alert.titleJa)
        lines.append("")
        lines.append(self.alert.bodyJa)
        lines.append("")
        lines.append("受信を確認したら、次のリンクを開いて「受信を確認しました」を押してください。")
        lines.append(self.link)
        lines.append("")
        lines.append("----")
        lines.append("To: \(self.contactName.isEmpty ? "" : self.contactName + ", ")\(self.organisation.en ?? self.organisation.ja)")
        lines.append("")
        lines.append(self.alert.titleEn)
        lines.append("")
        lines.append(self.alert.bodyEn)
        lines.append("")
        lines.append("To acknowledge, open this link and press \"I received this\":")
        lines.append(self.link)
        lines.append("")
        lines.append("-- ")
        lines.append("Ceptoar (alert \(self.alert.id?.uuidString.lowercased() ?? ""), message \(self.attemptID))")
        return lines.joined(separator: "\n")
    }

    /// A short form for SMS, voice and FAX gateways.
    var short: LocalizedText {
        let mark = self.alert.alertKind.subjectMark
        return LocalizedText(
            ja: "\(mark?.ja ?? "")\(self.alert.titleJa) 受信確認: \(self.link)",
            en: "\(mark?.en ?? "")\(self.alert.titleEn) Acknowledge: \(self.link)")
    }
}
