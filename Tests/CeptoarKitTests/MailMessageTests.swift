import Foundation
import Testing

@testable import CeptoarKit

@Suite("Mail messages on the wire")
struct MailMessageTests {
    /// Decodes RFC 2047 base64 encoded words back to text, as a mail reader would.
    func decode(_ header: String) -> String {
        header.components(separatedBy: "\r\n ").map { word -> String in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return word }
            let base64 = String(word.dropFirst(10).dropLast(2))
            return String(decoding: Data(base64Encoded: base64)!, as: UTF8.self)
        }.joined()
    }

    @Test func japaneseSubjectsSurviveAsEncodedWordsOfLegalLength() {
        let subject = "【訓練】疎通確認のお願い：金融分野セプター緊急連絡網の確認（第3回）への返信をお願いします"
        let encoded = MailMessage.encodedWords(subject)
        #expect(encoded.components(separatedBy: "\r\n ").allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") })
        #expect(self.decode(encoded) == subject)
        #expect(MailMessage.encodedWords("Plain ASCII subject") == "Plain ASCII subject")
    }

    @Test func theMessageIsCRLFBase64UTF8() throws {
        let message = MailMessage(
            from: MailAddress("ceptoar@nisc.example.jp", name: "NISC 情報共有"), to: [MailAddress("poc@bank.example.jp")],
            subject: "注意喚起", body: "修正プログラムを適用してください。\n.\n以上", date: Date(timeIntervalSince1970: 1_795_712_400),
            messageID: "abc@ceptoar.example", headers: [("X-Ceptoar-Drill", "no")])
        let wire = message.rendered
        #expect(!wire.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(wire.contains("Content-Type: text/plain; charset=UTF-8\r\n") && wire.contains("Content-Transfer-Encoding: base64\r\n"))
        #expect(wire.contains("Date: Fri, 27 Nov 2026 02:00:00 +0900\r\n"))
        #expect(wire.contains("Message-ID: <abc@ceptoar.example>\r\n") && wire.contains("X-Ceptoar-Drill: no\r\n"))
        #expect(wire.contains("To: <poc@bank.example.jp>\r\n"))
        let from = try #require(wire.components(separatedBy: "\r\n").first { $0.hasPrefix("From: ") })
        #expect(self.decode(String(from.dropFirst(6)).replacingOccurrences(of: " <ceptoar@nisc.example.jp>", with: "")) == "NISC 情報共有")
        let body = wire.components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "\r\n", with: "")
        #expect(String(decoding: Data(base64Encoded: body)!, as: UTF8.self) == "修正プログラムを適用してください。\r\n.\r\n以上")
        #expect(wire.components(separatedBy: "\r\n").allSatisfy { $0.count <= 998 && !$0.hasPrefix(".") })
    }
}
