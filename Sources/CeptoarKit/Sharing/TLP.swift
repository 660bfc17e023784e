import Foundation

/// Traffic Light Protocol 2.0 markings (FIRST), from least to most restrictive.
public enum TLP: String, Codable, Sendable, CaseIterable, Comparable {
    case clear = "CLEAR"
    case green = "GREEN"
    case amber = "AMBER"
    case amberStrict = "AMBER+STRICT"
    case red = "RED"

    /// Reads `TLP:AMBER`, `amber`, `AMBER+STRICT`; nil for anything else (TLP 1.0's WHITE included,
    /// so an old marking is never silently read as a different one).
    public init?(label: String) {
        var text = label.trimmingCharacters(in: .whitespaces).uppercased()
        if text.hasPrefix("TLP:") { text.removeFirst(4) }
        self.init(rawValue: text)
    }

    /// `TLP:AMBER+STRICT`, as the standard writes a marking.
    public var marking: String { "TLP:\(self.rawValue)" }

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: TLP, rhs: TLP) -> Bool { lhs.rank < rhs.rank }

    public var label: LocalizedText {
        switch self {
        case .clear: return LocalizedText(ja: "TLP:CLEAR（制限なし）", en: "TLP:CLEAR (no restriction)")
        case .green: return LocalizedText(ja: "TLP:GREEN（コミュニティ内）", en: "TLP:GREEN (within the community)")
        case .amber: return LocalizedText(ja: "TLP:AMBER（セプター構成員内）", en: "TLP:AMBER (CEPTOAR members)")
        case .amberStrict: return LocalizedText(ja: "TLP:AMBER+STRICT（受領組織内のみ）", en: "TLP:AMBER+STRICT (recipient organisation only)")
        case .red: return LocalizedText(ja: "TLP:RED（指名された受領者のみ）", en: "TLP:RED (named recipients only)")
        }
    }
}
