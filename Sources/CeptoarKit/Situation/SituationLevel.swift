import Foundation

/// A scope's situation level (情勢), as its coordinator judges it: 平常, 注意, 警戒, 緊急 — the
/// four steps ISACs commonly use. 緊急 puts the scope in large-incident mode (大規模障害対応時).
public enum SituationLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case normal, caution, warning, emergency

    private var rank: Int {
        switch self {
        case .normal: 0
        case .caution: 1
        case .warning: 2
        case .emergency: 3
        }
    }

    public static func < (lhs: SituationLevel, rhs: SituationLevel) -> Bool { lhs.rank < rhs.rank }

    public var label: LocalizedText {
        switch self {
        case .normal: LocalizedText(ja: "平常", en: "Normal")
        case .caution: LocalizedText(ja: "注意", en: "Caution")
        case .warning: LocalizedText(ja: "警戒", en: "Warning")
        case .emergency: LocalizedText(ja: "緊急", en: "Emergency")
        }
    }

    /// Accepts the English name or the Japanese label (`警戒`), as people type them.
    public init?(text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let level = SituationLevel(rawValue: trimmed) {
            self = level
        } else if let level = Self.allCases.first(where: { $0.label.ja == trimmed }) {
            self = level
        } else {
            return nil
        }
    }
}

/// Where a situation is judged: the whole nation, one sector, or one CEPTOAR (by registry key).
public enum SituationScope: Hashable, Sendable, Comparable {
    case nation
    case sector(String)
    case ceptoar(String)

    public var kind: String {
        switch self {
        case .nation: "nation"
        case .sector: "sector"
        case .ceptoar: "ceptoar"
        }
    }

    /// The registry key; empty for the nation.
    public var key: String {
        switch self {
        case .nation: ""
        case .sector(let key), .ceptoar(let key): key
        }
    }

    /// `nation`, `sector:finance`, `ceptoar:banks`: how the API and the CLI name a scope.
    public var text: String { self == .nation ? "nation" : "\(self.kind):\(self.key)" }

    public init(kind: String, key: String) throws(SituationScope.ParseError) {
        switch kind {
        case "nation":
            guard key.isEmpty else { throw ParseError(text: "\(kind):\(key)") }
            self = .nation
        case "sector", "ceptoar":
            guard (1...64).contains(key.count), key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw ParseError(text: "\(kind):\(key)")
            }
            self = kind == "sector" ? .sector(key) : .ceptoar(key)
        default: throw ParseError(text: kind)
        }
    }

    /// Parses `nation`, `sector:KEY` or `ceptoar:KEY`; anything else is refused.
    public init(parsing text: String) throws(SituationScope.ParseError) {
        guard text.count <= 80 else { throw ParseError(text: String(text.prefix(80))) }
        if text == "nation" { self = .nation; return }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw ParseError(text: text) }
        try self.init(kind: parts[0], key: parts[1])
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var text: String
        public var description: String { "not a scope: '\(text)' (use nation, sector:KEY or ceptoar:KEY)" }
        public var message: LocalizedText {
            LocalizedText(ja: "範囲の指定が不正です: \(text)（nation, sector:キー, ceptoar:キー）", en: self.description)
        }
    }

    private var order: Int { self == .nation ? 0 : (self.kind == "sector" ? 1 : 2) }
    public static func < (lhs: SituationScope, rhs: SituationScope) -> Bool {
        (lhs.order, lhs.key) < (rhs.order, rhs.key)
    }
}
