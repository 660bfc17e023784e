/// The level the data suggests for a scope, with the reasons — shown beside the form; a person
/// decides (as an ISAC's alert level is set by its duty officer, never by a counter).
///
/// The thresholds are deliberately plain, so a coordinator can check them by hand:
/// - open severity-4 (critical) reports: 3 or more → 緊急, 1 or more → 警戒;
/// - open severity-3 (severe) reports: 3 or more → 警戒, 1 or more → 注意;
/// - trend flags raised in the window: 2 or more → 警戒, 1 → 注意;
/// - critical advisories a member has not acknowledged → 注意;
/// - a scope inside this one at 緊急 → 警戒, at 警戒 → 注意.
public struct SituationFacts: Sendable, Equatable {
    /// Open (not yet at the final stage) real reports, by severity 0–4.
    public var openReports: [Int: Int]
    public var trendFlags: Int
    public var unacknowledgedCritical: Int
    /// The current levels of the scopes inside this one (a sector's CEPTOARs, the nation's sectors).
    public var inner: [SituationLevel]

    public init(openReports: [Int: Int] = [:], trendFlags: Int = 0, unacknowledgedCritical: Int = 0, inner: [SituationLevel] = []) {
        self.openReports = openReports
        self.trendFlags = trendFlags
        self.unacknowledgedCritical = unacknowledgedCritical
        self.inner = inner
    }
}

public struct SituationProposal: Sendable, Equatable {
    public var level: SituationLevel
    public var reasons: [LocalizedText]

    public init(_ facts: SituationFacts) {
        var level = SituationLevel.normal
        var reasons: [LocalizedText] = []
        func raise(_ to: SituationLevel, _ why: LocalizedText) {
            level = max(level, to)
            reasons.append(LocalizedText(ja: "\(why.ja) → \(to.label.ja)", en: "\(why.text(.en)) → \(to.label.text(.en))"))
        }
        let critical = facts.openReports[4, default: 0]
        let severe = facts.openReports[3, default: 0]
        if critical > 0 {
            raise(critical >= 3 ? .emergency : .warning, LocalizedText(ja: "深刻度4（甚大）の未完了報告 \(critical)件", en: "\(critical) open severity-4 (critical) report\(critical == 1 ? "" : "s")"))
        }
        if severe > 0 {
            raise(severe >= 3 ? .warning : .caution, LocalizedText(ja: "深刻度3（重大）の未完了報告 \(severe)件", en: "\(severe) open severity-3 (severe) report\(severe == 1 ? "" : "s")"))
        }
        if facts.trendFlags > 0 {
            raise(facts.trendFlags >= 2 ? .warning : .caution, LocalizedText(ja: "傾向フラグ \(facts.trendFlags)件", en: "\(facts.trendFlags) trend flag\(facts.trendFlags == 1 ? "" : "s")"))
        }
        if facts.unacknowledgedCritical > 0 {
            raise(.caution, LocalizedText(ja: "構成員が未確認の「緊急」注意喚起 \(facts.unacknowledgedCritical)件", en: "\(facts.unacknowledgedCritical) critical advisory deliveries not acknowledged"))
        }
        if let highest = facts.inner.max(), highest >= .warning {
            raise(highest == .emergency ? .warning : .caution, LocalizedText(ja: "内側の範囲が\(highest.label.ja)", en: "a scope inside is at \(highest.label.text(.en))"))
        }
        if reasons.isEmpty {
            reasons = [LocalizedText(ja: "未完了の重大な報告・傾向・未確認の注意喚起はありません", en: "no open severe reports, trends or unacknowledged critical advisories")]
        }
        self.level = level
        self.reasons = reasons
    }
}
