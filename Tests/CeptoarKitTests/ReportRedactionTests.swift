import Foundation
import Testing

@testable import CeptoarKit

@Suite("Incident reports: anonymisation, stored content, deadline rules as text")
struct ReportRedactionTests {
    let redaction = ReportRedaction(
        names: ["デモ銀行", "Demo Bank", "demo-banks-0001", "山田"], domains: ["www.bank0001.example.jp"], addresses: ["203.0.113.9", "csirt@bank0001.example.jp"])

    @Test func namesDomainsAndAddressesAreReplacedInBothLanguages() {
        #expect(self.redaction.scrub("デモ銀行のIB（https://ib.bank0001.example.jp/login）が停止、山田が対応", .ja)
            == "［報告組織］のIB（［報告組織］）が停止、［報告組織］が対応")
        #expect(self.redaction.scrub("DEMO BANK: mail csirt@bank0001.example.jp, host 203.0.113.9", .en)
            == "[reporting organisation]: mail [reporting organisation], host [reporting organisation]")
        // Another organisation's domain that merely ends the same way is not the reporter's.
        #expect(self.redaction.scrub("notbank0001.example.jp と example.jp", .ja) == "notbank0001.example.jp と example.jp")
        #expect(self.redaction.isNamed(in: "連絡先 demo-banks-0001"))
        #expect(!self.redaction.isNamed(in: "VPN 装置の脆弱性 CVE-2024-3400"))
    }

    @Test func observablesPointingAtTheReporterAreWithheld() throws {
        let own = try #require(ReportObservable(kind: .url, value: "https://ib.bank0001.example.jp/x"))
        let attacker = try #require(ReportObservable(kind: .domain, value: "evil.example.net"))
        let ownAddress = try #require(ReportObservable(kind: .ip, value: "203.0.113.9"))
        let cve = try #require(ReportObservable(kind: .cve, value: "CVE-2024-3400"))
        #expect([own, attacker, ownAddress, cve].filter(self.redaction.keeps) == [attacker, cve])
    }

    @Test func aStoredStageReadsBackAsTheSameDraft() throws {
        var input = ReportInput()
        input.summary = LocalizedText(ja: "停止", en: "down")
        input.affectedService = "IB"
        input.detectedAt = "2026-04-10T09:00:00+09:00"
        input.occurredAt = "2026-04-10T08:30:00+09:00"
        input.eventType = "unavailability"
        input.causes = ["unintentional.software", "spillover.electricity"]
        input.slaBreached = false
        input.impact = .init(serviceContinuity: 2, safety: 1, lossOfTrust: 0)
        input.observables = [.init(kind: "domain", value: "Evil.Example.NET.")]
        input.tlp = "amber+strict"
        input.attribution = "named"
        let draft = try input.validated(now: Date(timeIntervalSince1970: 1_800_000_000)).get()
        let stored = draft.canonicalInput
        #expect(stored.detectedAt == "2026-04-10T00:00:00Z" && stored.tlp == "AMBER+STRICT" && stored.severity == 2)
        #expect(ReportDraft.stored(try JSONDecoder().decode(ReportInput.self, from: JSONEncoder().encode(stored))) == draft)
    }

    @Test(arguments: [
        ("24h from detection", "24h from detection"), ("72H  from  first_report", "72h from first_report"),
        ("1 month from previous_stage", "1 month from previous_stage"), ("2 months from detection", "2 months from detection"),
    ])
    func deadlineRulesReadTheirText(text: String, canonical: String) {
        #expect(DeadlineRule(text: text)?.text == canonical)
    }

    @Test(arguments: ["", "soon", "0h from detection", "9999999999999999999h from detection", "24h after detection", "24h from lunch", "25 months from detection", "1 month detection"])
    func impossibleDeadlineRulesAreRefused(text: String) {
        #expect(DeadlineRule(text: text) == nil)
    }
}

@Suite("Incident reports: the trend rule")
struct ReportTrendTests {
    let t = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func threeReportsWithin72HoursRaiseATrend() throws {
        let hours: [Double] = [0, 30, 71.9]
        let times = hours.map { self.t.addingTimeInterval($0 * 3600) }
        let window = try #require(ReportCorrelationRules.trendWindow(times, including: times[2]))
        #expect(window.count == 3 && window.start == self.t)
    }

    @Test func threeReportsOver72HoursDoNot() {
        let times = [0, 40, 72.01].map { self.t.addingTimeInterval($0 * 3600) }
        #expect(ReportCorrelationRules.trendWindow(times, including: times[2]) == nil)
        #expect(ReportCorrelationRules.trendWindow(Array(times.prefix(2)), including: times[1]) == nil)
    }

    @Test func aWindowMustHoldTheNewReport() {
        let times = [0, 1, 2, 200].map { self.t.addingTimeInterval($0 * 3600) }
        #expect(ReportCorrelationRules.trendWindow(times, including: times[3]) == nil)
        #expect(ReportCorrelationRules.trendWindow(times, including: times[1])?.count == 3)
    }
}
