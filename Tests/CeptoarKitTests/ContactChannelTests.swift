import Testing

@testable import CeptoarKit

@Suite("Contact channels and addresses")
struct ContactChannelTests {
    @Test(arguments: [
        (ContactChannel.email, " Soc@Example.CO.JP ", "Soc@example.co.jp"),
        (.phone, "03-1234-5678", "0312345678"),
        (.mobile, "０９０−１２３４−５６７８", "09012345678"),
        (.satellitePhone, "+870 776 123 456", "+870776123456"),
        (.fax, "(03) 1234-5679", "0312345679"),
        (.web, "https://www.example.jp/ceptoar/contact", "https://www.example.jp/ceptoar/contact"),
        (.meeting, "月例会合（第2火曜）", "月例会合（第2火曜）"),
    ])
    func addressesAreKeptInOneForm(channel: ContactChannel, raw: String, stored: String) throws {
        #expect(try channel.normalise(raw).get() == stored)
    }

    @Test(arguments: [
        (ContactChannel.email, "soc.example.jp", ContactAddressError.notAnEmailAddress),
        (.email, "a@b", .notAnEmailAddress),
        (.email, "two words@example.jp", .notAnEmailAddress),
        (.email, "  ", .empty),
        (.phone, "03-1234", .notAPhoneNumber),
        (.phone, "03-1234-5678 ext. 9", .notAPhoneNumber),
        (.fax, "0312345678+1", .notAPhoneNumber),
        (.web, "ftp://example.jp", .notAWebAddress),
        (.web, "www.example.jp", .notAWebAddress),
    ])
    func mistakesAreNamed(channel: ContactChannel, raw: String, error: ContactAddressError) {
        #expect(throws: error) { try channel.normalise(raw).get() }
        #expect(!error.message.ja.isEmpty && error.message.en != nil)
    }

    @Test func ranksAreOrderedAndEveryChannelIsLabelledInBothLanguages() {
        #expect(ContactRank.allCases.sorted() == [.primary, .secondary, .deputy])
        for channel in ContactChannel.allCases {
            #expect(!channel.label.ja.isEmpty && channel.label.en != nil)
        }
        #expect(ContactChannel.allCases.filter { !$0.isVerifiable } == [.meeting])
        #expect(ContactChannel.email.normalise(String(repeating: "a", count: 321)).failure == .tooLong)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
