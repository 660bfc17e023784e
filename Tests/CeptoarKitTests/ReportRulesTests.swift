import Foundation
import Testing

@testable import CeptoarKit

@Suite("Incident reports: taxonomy, deadlines, observables, input")
struct ReportRulesTests {
    // T: detection at 2026-04-10 09:00 JST.
    static let detection = Instant.date("2026-04-10T09:00:00+09:00")!

    @Test(arguments: [
        ("2026-12-03T09:15:00+09:00", Int64(1_796_256_900)),
        ("2026-12-03T00:15:00Z", 1_796_256_900),
        ("2026-12-03T00:15:00.123456z", 1_796_256_900),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T23:59:59-01:30", 1_709_256_599),
    ])
    func timestampsAreReadWithTheirOffset(text: String, seconds: Int64) {
        #expect(Instant.seconds(text) == seconds)
    }

    @Test(arguments: ["2026-02-29T00:00:00Z", "2026-12-03 09:15:00+09:00", "2026-12-03T24:00:00Z", "2026-12-03T09:15:00", "2026-12-03T09:15:00+9:00",
                      "2026-12-03T09:15:00.Z", "1867-12-31T00:00:00Z", "２０２６-12-03T09:15:00Z", "2026-12-03T09:15:00+09:00x", ""])
    func impossibleTimestampsAreRefused(text: String) {
        #expect(Instant.seconds(text) == nil)
    }

    @Test func daysCountFrom1970BothWays() {
        for days in [-36_889, -1, 0, 1, 19_700, 20_000, 2_932_896] {
            let civil = Day.civil(daysSince1970: Int64(days))
            let day = Day(year: Int(civil.year), month: Int(civil.month), day: Int(civil.day))
            #expect(day?.daysSince1970 == days)
        }
    }

    @Test func theStandardDeadlinesAre24And72HoursAndAMonthFromDetection() throws {
        let policy = DeadlinePolicy.standard
        let first = try #require(policy.deadline(.first, detectedAt: Self.detection, submitted: [:]))
        let followUp = try #require(policy.deadline(.followUp, detectedAt: Self.detection, submitted: [:]))
        let final = try #require(policy.deadline(.final, detectedAt: Self.detection, submitted: [:]))
        #expect(first == Self.detection.addingTimeInterval(24 * 3600))
        #expect(followUp == Self.detection.addingTimeInterval(72 * 3600))
        #expect(final == Instant.date("2026-05-10T09:00:00+09:00"))
    }

    @Test func aMonthFromTheLastDayOfAMonthEndsOnTheLastDayOfTheNext() {
        let rule = DeadlineRule(trigger: .detection, span: .months(1))!
        #expect(rule.deadline(from: Instant.date("2026-01-31T23:30:00+09:00")!) == Instant.date("2026-02-28T23:30:00+09:00"))
        #expect(rule.deadline(from: Instant.date("2028-01-31T00:10:00+09:00")!) == Instant.date("2028-02-29T00:10:00+09:00"))
        // 31 December 20:00 UTC is already 1 January in Japan: a month later is 1 February there.
        #expect(rule.deadline(from: Instant.date("2026-12-31T20:00:00Z")!) == Instant.date("2027-02-01T05:00:00+09:00"))
    }

    @Test func nothingByTheDeadlineIsOverdueAndAfterItLate() throws {
        let deadline = try #require(DeadlinePolicy.standard.deadline(.first, detectedAt: Self.detection, submitted: [:]))
        let t24 = Self.detection.addingTimeInterval(24 * 3600)
        #expect(Timeliness.of(deadline: deadline, submittedAt: nil, now: t24) == .due)
        #expect(Timeliness.of(deadline: deadline, submittedAt: nil, now: t24.addingTimeInterval(1)) == .overdue)
        #expect(Timeliness.of(deadline: deadline, submittedAt: t24, now: t24.addingTimeInterval(3600)) == .onTime)
        #expect(Timeliness.of(deadline: deadline, submittedAt: Self.detection.addingTimeInterval(25 * 3600), now: t24.addingTimeInterval(7200)) == .late)
    }

    @Test func aDeadlineFromAStageNotYetSubmittedHasNotStarted() throws {
        let policy = DeadlinePolicy(first: DeadlineRule(trigger: .detection, span: .hours(2))!, followUp: DeadlineRule(trigger: .firstReport, span: .hours(48))!,
                                    final: DeadlineRule(trigger: .previousStage, span: .months(2))!)
        #expect(policy.deadline(.followUp, detectedAt: Self.detection, submitted: [:]) == nil)
        #expect(Timeliness.of(deadline: nil, submittedAt: nil, now: Self.detection) == .waiting)
        let firstAt = Self.detection.addingTimeInterval(3600)
        #expect(policy.deadline(.followUp, detectedAt: Self.detection, submitted: [.first: firstAt]) == firstAt.addingTimeInterval(48 * 3600))
        #expect(policy.deadline(.final, detectedAt: Self.detection, submitted: [.first: firstAt]) == nil)
        let followUpAt = Instant.date("2026-04-12T10:00:00+09:00")!
        #expect(policy.deadline(.final, detectedAt: Self.detection, submitted: [.first: firstAt, .followUp: followUpAt]) == Instant.date("2026-06-12T10:00:00+09:00"))
    }

    @Test func deadlineRulesAreBounded() {
        #expect(DeadlineRule(trigger: .detection, span: .hours(0)) == nil)
        #expect(DeadlineRule(trigger: .detection, span: .hours(DeadlineRule.maxHours + 1)) == nil)
        #expect(DeadlineRule(trigger: .detection, span: .months(25)) == nil)
        #expect(DeadlineRule(trigger: .detection, span: .hours(Int.max)) == nil)
    }

    @Test(arguments: [
        ("intentional.unauthorised_access", "intentional"), ("intentional.malware", "intentional"), ("unintentional.management_or_human", "unintentional"),
        ("disaster", "disaster"), ("spillover.electricity", "spillover"), ("other", "other"),
    ])
    func causesReadTheirCodes(code: String, group: String) throws {
        let cause = try #require(ReportCause(code: code))
        #expect(cause.code == code)
        #expect(cause.group == group)
        #expect(!cause.label.ja.isEmpty && !cause.label.text(.en).isEmpty)
    }

    @Test(arguments: ["intentional", "intentional.dos", "disaster.flood", "spillover.", "spillover.Electricity", "spillover.電力", "", "other.x", "unintentional.software.x"])
    func unknownCausesAreRefused(code: String) {
        #expect(ReportCause(code: code) == nil)
    }

    @Test func theSeverityIsTheHighestAxis() {
        #expect(ReportImpact(serviceContinuity: 1, safety: 3, lossOfTrust: 2)?.severity == 3)
        #expect(ReportImpact(serviceContinuity: 0, safety: 0, lossOfTrust: 0)?.severity == 0)
        #expect(ReportImpact(serviceContinuity: 5, safety: 0, lossOfTrust: 0) == nil)
        #expect(ReportImpact(serviceContinuity: -1, safety: 0, lossOfTrust: 0) == nil)
    }

    @Test(arguments: [
        (ReportObservable.Kind.ip, "192.0.2.10", "192.0.2.10"), (.ip, "2001:DB8::1", "2001:db8::1"), (.domain, "Example.CO.jp.", "example.co.jp"),
        (.domain, "xn--eckwd4c7c.xn--zckzah", "xn--eckwd4c7c.xn--zckzah"), (.url, "https://example.jp/a?b=c", "https://example.jp/a?b=c"),
        (.hash, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"), (.cve, "cve-2024-3400", "CVE-2024-3400"),
        (.cpe, "cpe:2.3:a:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*", "cpe:2.3:a:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*"),
        (.product, "FortiGate 60F", "FortiGate 60F"),
    ])
    func observablesAreCanonical(kind: ReportObservable.Kind, value: String, canonical: String) throws {
        #expect(try #require(ReportObservable(kind: kind, value: value)).value == canonical)
    }

    @Test(arguments: [
        (ReportObservable.Kind.ip, "256.1.1.1"), (.ip, "192.0.2"), (.ip, "example.jp"), (.domain, "localhost"), (.domain, "-a.example"), (.domain, "1.2.3.4"),
        (.domain, "exa mple.jp"), (.domain, "例え.jp"), (.url, "javascript:alert(1)"), (.url, "https://"), (.url, "https://exa mple.jp/"),
        (.url, "https://example.jp/\r\nX: y"), (.hash, "abc"), (.hash, String(repeating: "g", count: 32)), (.cve, "CVE-24-3400"), (.cve, "CVE-2024-123"),
        (.cpe, "cpe:2.3:a:vendor"), (.cpe, "cpe:/x:vendor"), (.product, String(repeating: "x", count: 201)), (.product, "a\u{0}b"), (.ip, ""),
    ])
    func malformedObservablesAreRefused(kind: ReportObservable.Kind, value: String) {
        #expect(ReportObservable(kind: kind, value: value) == nil)
    }

    static func goodInput() -> ReportInput {
        var input = ReportInput()
        input.summary = LocalizedText(ja: "インターネットバンキングが停止", en: "Internet banking down")
        input.affectedService = "インターネットバンキング"
        input.detectedAt = "2026-04-10T09:00:00+09:00"
        input.occurredAt = "2026-04-10T08:40:00+09:00"
        input.eventType = "unavailability"
        input.causes = ["intentional.unauthorised_access", "spillover.electricity", "intentional.unauthorised_access"]
        input.slaBreached = true
        input.impact = .init(serviceContinuity: 3, safety: 0, lossOfTrust: 2)
        input.severity = 3
        input.observables = [.init(kind: "cve", value: "cve-2024-3400"), .init(kind: "ip", value: "192.0.2.10"), .init(kind: "cve", value: "CVE-2024-3400")]
        input.tlp = "AMBER"
        input.attribution = "anonymised"
        return input
    }

    @Test func aGoodReportBecomesADraft() throws {
        let draft = try Self.goodInput().validated(now: Self.detection.addingTimeInterval(3600)).get()
        #expect(draft.severity == 3)
        #expect(draft.causes.map(\.code) == ["intentional.unauthorised_access", "spillover.electricity"])
        #expect(draft.spillOverSectors == ["electricity"])
        #expect(draft.observables.map(\.key) == ["cve:CVE-2024-3400", "ip:192.0.2.10"])
        #expect(draft.tlp == .amber && draft.attribution == .anonymised && !draft.redConsent)
    }

    @Test func anEmptyReportNamesEveryMissingField() {
        guard case .failure(let problems) = ReportInput().validated(now: Self.detection) else {
            Issue.record("an empty report was accepted")
            return
        }
        #expect(Set(problems.fields) == ["summary.ja", "affectedService", "detectedAt", "eventType", "causes", "slaBreached", "impact", "tlp", "attribution"])
        #expect(problems.ja.count == problems.fields.count && problems.en.count == problems.fields.count)
        #expect(problems.ja.allSatisfy { !$0.isEmpty } && problems.en.allSatisfy { !$0.isEmpty })
    }

    @Test func impossibleValuesAreNamed() {
        var input = Self.goodInput()
        input.detectedAt = "2026-04-10T12:00:00+09:00"
        input.occurredAt = "2026-04-10T13:00:00+09:00"
        input.severity = 4
        input.impact = .init(serviceContinuity: 3, safety: 0, lossOfTrust: 2)
        input.observables = [.init(kind: "ip", value: "999.1.1.1"), .init(kind: "mac", value: "00:11")]
        input.causes = ["intentional.dos"]
        input.tlp = "PURPLE"
        guard case .failure(let problems) = input.validated(now: Self.detection) else {
            Issue.record("an impossible report was accepted")
            return
        }
        // Detected three hours after `now`: in the future.
        #expect(Set(problems.fields) == ["detectedAt", "occurredAt", "severity", "observables[0].value", "observables[1].kind", "causes", "tlp"])
    }
}
