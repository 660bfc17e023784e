import Foundation

extension ReportDraft {
    /// The draft written back as input in canonical form: what a stage version stores, and
    /// what validates again into the same draft when read back.
    public var canonicalInput: ReportInput {
        var input = ReportInput()
        input.summary = self.summary
        input.affectedService = self.affectedService
        input.detectedAt = Self.rfc3339(self.detectedAt)
        input.occurredAt = self.occurredAt.map(Self.rfc3339)
        input.eventType = self.eventType.rawValue
        input.causes = self.causes.map(\.code)
        input.slaBreached = self.slaBreached
        input.impact = ReportInput.Impact(
            serviceContinuity: self.impact.serviceContinuity, safety: self.impact.safety, lossOfTrust: self.impact.lossOfTrust)
        input.severity = self.severity
        input.observables = self.observables.map { ReportInput.Observable(kind: $0.kind.rawValue, value: $0.value) }
        input.tlp = self.tlp.rawValue
        input.attribution = self.attribution.rawValue
        input.redConsent = self.redConsent
        return input
    }

    /// Reads a stored stage back. Its detection was checked against the clock when it was
    /// submitted, so it is not checked again.
    public static func stored(_ input: ReportInput) -> ReportDraft? {
        try? input.validated(now: .distantFuture).get()
    }

    /// UTC, whole seconds: `2026-12-03T00:15:00Z`.
    public static func rfc3339(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let civil = Day.civil(daysSince1970: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(civil.year)
        return "\(String(repeating: "0", count: max(0, 4 - year.count)))\(year)-\(two(Int(civil.month)))-\(two(Int(civil.day)))T"
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }
}

extension DeadlineRule {
    /// Reads `24h from detection`, `72h from first_report`, `1 month from previous_stage`
    /// (`months` too): the form `text` writes.
    public init?(text: String) {
        let words = text.lowercased().split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let span: Span
        let rest: ArraySlice<String>
        if words.count == 3, words[0].hasSuffix("h"), let hours = Int(words[0].dropLast()), words[0].count <= 6 {
            span = .hours(hours)
            rest = words[1...]
        } else if words.count == 4, ["month", "months"].contains(words[1]), words[0].count <= 3, let months = Int(words[0]) {
            span = .months(months)
            rest = words[2...]
        } else {
            return nil
        }
        guard rest.first == "from", let trigger = rest.last.flatMap(Trigger.init(rawValue:)) else { return nil }
        self.init(trigger: trigger, span: span)
    }
}
