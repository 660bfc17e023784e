/// The two languages of every page and message: Japanese first, English too.
public enum Language: String, CaseIterable, Sendable, Codable {
    case ja
    case en

    /// Reads a language tag such as `en-GB` or `ja`; nil when it is neither language.
    public init?(tag: String) {
        let primary = tag.lowercased().split(separator: "-").first.map(String.init) ?? ""
        self.init(rawValue: primary)
    }
}

/// A text in Japanese with an optional English rendering.
public struct LocalizedText: Hashable, Sendable, Codable {
    public var ja: String
    public var en: String?

    public init(ja: String, en: String? = nil) {
        self.ja = ja
        self.en = en
    }

    /// The text in the language asked for; Japanese when no English exists.
    public func text(_ language: Language) -> String {
        switch language {
        case .ja: return self.ja
        case .en: return self.en ?? self.ja
        }
    }
}

extension Int {
    /// 5692 → "5,692", as both Japanese and English documents write counts.
    public var groupedThousands: String {
        let digits = String(self.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return self < 0 ? "-" + out : out
    }
}
