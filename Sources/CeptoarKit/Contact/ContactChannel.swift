import Foundation

/// Contact addresses on the map's channels (`ContactChannel`, in Registry/Kinds.swift): what
/// a point of contact's address must look like on each, and whether it can be verified.
extension ContactChannel {
    /// Whether an address can be verified by sending a code over the channel itself (a meeting
    /// has no address to send to; it is confirmed in person).
    public var isVerifiable: Bool { self != .meeting }

    /// The address in its stored form, or why it cannot be one.
    public func normalise(_ raw: String) -> Result<String, ContactAddressError> {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .failure(.empty) }
        guard text.count <= 320 else { return .failure(.tooLong) }
        // An address goes onto protocol lines (SMTP's RCPT TO, a gateway's request): a CR, LF
        // or TAB inside it would be a command of its own.
        guard !ProtocolText.hasControlCharacters(text) else { return .failure(.controlCharacters) }
        switch self {
        case .email:
            // One @, something on each side, a dot in the domain, no spaces or angle brackets:
            // enough to refuse typos; the verification code proves the rest.
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
                text.rangeOfCharacter(from: CharacterSet(charactersIn: " <>,;\"")) == nil
            else { return .failure(.notAnEmailAddress) }
            return .success(String(parts[0]) + "@" + parts[1].lowercased())
        case .phone, .mobile, .satellitePhone, .fax:
            // Japanese numbers as people write them (03-1234-5678, ０９０…, +81 90 …): keep the
            // digits and a leading +, refuse anything else.
            let folded = text.applyingTransform(.fullwidthToHalfwidth, reverse: false) ?? text
            var digits = ""
            for (index, character) in folded.enumerated() {
                if character.isASCII, character.isNumber {
                    digits.append(character)
                } else if character == "+", index == 0 {
                    digits.append(character)
                } else if !" -()（）ー−".contains(character) {
                    return .failure(.notAPhoneNumber)
                }
            }
            let count = digits.filter(\.isNumber).count
            guard (9...15).contains(count) else { return .failure(.notAPhoneNumber) }
            return .success(digits)
        case .web:
            guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host?.isEmpty == false else {
                return .failure(.notAWebAddress)
            }
            return .success(text)
        case .meeting:
            return .success(text)
        }
    }
}

/// Why a contact address was refused, in both languages.
public enum ContactAddressError: String, Error, Sendable {
    case empty, tooLong, controlCharacters, notAnEmailAddress, notAPhoneNumber, notAWebAddress

    public var message: LocalizedText {
        switch self {
        case .empty: return LocalizedText(ja: "連絡先が空です", en: "the address is empty")
        case .tooLong: return LocalizedText(ja: "連絡先が長すぎます（320文字まで）", en: "the address is longer than 320 characters")
        case .controlCharacters: return LocalizedText(ja: "連絡先に改行・タブなどの制御文字は使えません", en: "the address must not contain line breaks, tabs or other control characters")
        case .notAnEmailAddress: return LocalizedText(ja: "メールアドレスの形式ではありません", en: "not an email address")
        case .notAPhoneNumber: return LocalizedText(ja: "電話番号の形式ではありません（数字9〜15桁）", en: "not a phone number (9 to 15 digits)")
        case .notAWebAddress: return LocalizedText(ja: "http(s):// で始まるWebアドレスではありません", en: "not an http(s):// web address")
        }
    }
}

/// A contact's place in the roster: who is called first.
public enum ContactRank: String, Codable, Sendable, CaseIterable, Comparable {
    case primary, secondary, deputy

    private var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: ContactRank, rhs: ContactRank) -> Bool { lhs.order < rhs.order }

    public var label: LocalizedText {
        switch self {
        case .primary: return LocalizedText(ja: "正", en: "primary")
        case .secondary: return LocalizedText(ja: "副", en: "secondary")
        case .deputy: return LocalizedText(ja: "代理", en: "deputy")
        }
    }
}
