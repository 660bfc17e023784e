import Foundation

/// A report's stages (第一報 / 続報 / 最終報) and their deadlines. Each deadline counts from a
/// trigger — the detection, the first report, or the stage before — by a span of hours or of
/// calendar months (in Japan's time). The defaults are NISC's: 24 hours, 72 hours and one
/// month from detection; a sector may agree others.
public enum ReportStage: String, CaseIterable, Sendable, Codable, Comparable {
    case first
    case followUp = "follow_up"
    case final

    public var label: LocalizedText {
        switch self {
        case .first: LocalizedText(ja: "第一報", en: "First report")
        case .followUp: LocalizedText(ja: "続報", en: "Follow-up report")
        case .final: LocalizedText(ja: "最終報", en: "Final report")
        }
    }

    public var previous: ReportStage? {
        switch self {
        case .first: nil
        case .followUp: .first
        case .final: .followUp
        }
    }

    public var order: Int {
        switch self {
        case .first: 1
        case .followUp: 2
        case .final: 3
        }
    }

    public static func < (a: ReportStage, b: ReportStage) -> Bool { a.order < b.order }
}

public struct DeadlineRule: Hashable, Sendable, Codable {
    public enum Trigger: String, CaseIterable, Sendable, Codable {
        case detection
        case firstReport = "first_report"
        case previousStage = "previous_stage"
    }

    public enum Span: Hashable, Sendable, Codable {
        case hours(Int)
        case months(Int)
    }

    public static let maxHours = 24 * 366
    public static let maxMonths = 24

    public var trigger: Trigger
    public var span: Span

    public init?(trigger: Trigger, span: Span) {
        switch span {
        case .hours(let hours): guard (1...Self.maxHours).contains(hours) else { return nil }
        case .months(let months): guard (1...Self.maxMonths).contains(months) else { return nil }
        }
        self.trigger = trigger
        self.span = span
    }

    /// `24h from detection`, `1 month from previous_stage`: how the policy is written and shown.
    public var text: String {
        switch self.span {
        case .hours(let hours): "\(hours)h from \(self.trigger.rawValue)"
        case .months(let months): "\(months) month\(months == 1 ? "" : "s") from \(self.trigger.rawValue)"
        }
    }

    /// The rule as a person reads it: 検知から24時間 / 24 hours from detection.
    public var label: LocalizedText {
        let from: LocalizedText
        switch self.trigger {
        case .detection: from = LocalizedText(ja: "検知", en: "detection")
        case .firstReport: from = LocalizedText(ja: "第一報", en: "the first report")
        case .previousStage: from = LocalizedText(ja: "前の段階", en: "the previous stage")
        }
        switch self.span {
        case .hours(let hours): return LocalizedText(ja: "\(from.ja)から\(hours)時間", en: "\(hours) hours from \(from.text(.en))")
        case .months(let months): return LocalizedText(ja: "\(from.ja)から\(months)か月", en: "\(months) month\(months == 1 ? "" : "s") from \(from.text(.en))")
        }
    }

    /// The deadline for a trigger at `start`.
    public func deadline(from start: Date) -> Date {
        switch self.span {
        case .hours(let hours):
            return start.addingTimeInterval(TimeInterval(hours) * 3600)
        case .months(let months):
            // Calendar months in Japan (UTC+9, no summer time), the day kept or, past the end
            // of the shorter month, its last day: 1 month from 31 January is 28/29 February.
            let local = start.timeIntervalSince1970 + 9 * 3600
            guard let day = Instant.japaneseDay(start) else { return start }
            let secondOfDay = local - TimeInterval(day.daysSince1970) * 86_400
            let monthIndex = day.year * 12 + (day.month - 1) + months
            let (year, month) = (monthIndex / 12, monthIndex % 12 + 1)
            guard let target = Day(year: year, month: month, day: Swift.min(day.day, Day.daysIn(month: month, year: year))) else { return start }
            return Date(timeIntervalSince1970: TimeInterval(target.daysSince1970) * 86_400 + secondOfDay - 9 * 3600)
        }
    }
}

/// The rules of a sector (or the defaults): one per stage.
public struct DeadlinePolicy: Hashable, Sendable, Codable {
    public var first: DeadlineRule
    public var followUp: DeadlineRule
    public var final: DeadlineRule

    public init(first: DeadlineRule, followUp: DeadlineRule, final: DeadlineRule) {
        (self.first, self.followUp, self.final) = (first, followUp, final)
    }

    /// NISC's defaults: 24 h, 72 h and one month, all from detection.
    public static let standard = DeadlinePolicy(
        first: DeadlineRule(trigger: .detection, span: .hours(24))!, followUp: DeadlineRule(trigger: .detection, span: .hours(72))!,
        final: DeadlineRule(trigger: .detection, span: .months(1))!)

    public func rule(_ stage: ReportStage) -> DeadlineRule {
        switch stage {
        case .first: self.first
        case .followUp: self.followUp
        case .final: self.final
        }
    }

    /// The stage's deadline, or nil while its trigger has not happened (the stage it counts
    /// from is not submitted yet). The first stage cannot count from itself: from detection.
    public func deadline(_ stage: ReportStage, detectedAt: Date, submitted: [ReportStage: Date]) -> Date? {
        let rule = self.rule(stage)
        let start: Date?
        switch rule.trigger {
        case .detection: start = detectedAt
        case .firstReport: start = stage == .first ? detectedAt : submitted[.first]
        case .previousStage: start = stage.previous.map { submitted[$0] } ?? detectedAt
        }
        return start.map(rule.deadline(from:))
    }
}

/// Where a stage stands against its deadline.
public enum Timeliness: String, CaseIterable, Sendable, Codable {
    /// Submitted by its deadline.
    case onTime = "on_time"
    /// Not submitted; the deadline is still ahead.
    case due
    /// Not submitted; the deadline has passed.
    case overdue
    /// Submitted after its deadline.
    case late
    /// Its trigger has not happened, so it has no deadline yet.
    case waiting

    public static func of(deadline: Date?, submittedAt: Date?, now: Date) -> Timeliness {
        guard let deadline else { return submittedAt == nil ? .waiting : .onTime }
        if let submittedAt { return submittedAt <= deadline ? .onTime : .late }
        return now <= deadline ? .due : .overdue
    }

    public var label: LocalizedText {
        switch self {
        case .onTime: LocalizedText(ja: "期限内", en: "On time")
        case .due: LocalizedText(ja: "期限前", en: "Due")
        case .overdue: LocalizedText(ja: "期限超過", en: "Overdue")
        case .late: LocalizedText(ja: "遅延提出", en: "Late")
        case .waiting: LocalizedText(ja: "起算前", en: "Not started")
        }
    }
}
