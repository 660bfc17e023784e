/// How urgent an advisory is; decides by default whether a relay hop forwards at once.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case low, medium, high, critical

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    public var label: LocalizedText {
        switch self {
        case .low: return LocalizedText(ja: "低", en: "low")
        case .medium: return LocalizedText(ja: "中", en: "medium")
        case .high: return LocalizedText(ja: "高", en: "high")
        case .critical: return LocalizedText(ja: "緊急", en: "critical")
        }
    }
}

/// What an advisory is about.
public enum AdvisoryCategory: String, Codable, Sendable, CaseIterable {
    case vulnerability, threat, incident, analysis, other

    public var label: LocalizedText {
        switch self {
        case .vulnerability: return LocalizedText(ja: "脆弱性情報", en: "vulnerability")
        case .threat: return LocalizedText(ja: "脅威情報", en: "threat")
        case .incident: return LocalizedText(ja: "インシデント情報", en: "incident")
        case .analysis: return LocalizedText(ja: "分析結果", en: "analysis result")
        case .other: return LocalizedText(ja: "その他", en: "other")
        }
    }
}

/// A relay hop's policy: forward at once, or hold for a reviewer.
public struct RelayPolicy: Codable, Sendable, Equatable {
    /// Advisories at or above this severity are forwarded at once; below it they wait for review.
    public var autoForwardFrom: Severity

    public init(autoForwardFrom: Severity = .high) {
        self.autoForwardFrom = autoForwardFrom
    }

    public static let `default` = RelayPolicy()

    public func forwardsAtOnce(_ severity: Severity) -> Bool { severity >= self.autoForwardFrom }
}
