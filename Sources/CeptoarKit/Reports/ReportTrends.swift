import Foundation

/// Correlation's two rules, as pure functions over what the store returns.
public enum ReportCorrelationRules {
    /// Reports are linked when they share an observable (a CVE, a product, an address…)
    /// detected within this many days of each other.
    public static let defaultWindowDays = 14
    /// A trend flag rises when this many reports of a sector share an event type or a CVE…
    public static let trendThreshold = 3
    /// …within this span.
    public static let trendSpan: TimeInterval = 72 * 3600

    /// What a trend is about.
    public enum TrendKind: String, Sendable, Codable, CaseIterable {
        case eventType = "event_type"
        case cve
    }

    /// The earliest span of `span` seconds holding at least `threshold` of `times` and
    /// including `anchor` (the report just filed), as (start, count) with every time in it;
    /// nil when none does. Each time is one distinct report.
    public static func trendWindow(_ times: [Date], including anchor: Date, threshold: Int = trendThreshold, span: TimeInterval = trendSpan) -> (start: Date, end: Date, count: Int)? {
        let sorted = times.sorted()
        var best: (start: Date, end: Date, count: Int)?
        var upper = 0
        for lower in sorted.indices {
            let start = sorted[lower]
            if upper < lower { upper = lower }
            while upper + 1 < sorted.count, sorted[upper + 1].timeIntervalSince(start) <= span { upper += 1 }
            let end = sorted[upper]
            let count = upper - lower + 1
            guard count >= threshold, start <= anchor, anchor <= end else { continue }
            if best == nil || count > best!.count { best = (start, end, count) }
        }
        return best
    }
}
