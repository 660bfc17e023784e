import Foundation
import Testing

@testable import CeptoarKit

@Suite("Escalation policies, signatures and CAP")
struct NotifyTests {
    @Test func aPolicyRefusesWhatCannotRunAndCountsItsSteps() {
        #expect(EscalationPolicy.standard.problem() == nil)
        #expect(EscalationPolicy(steps: []).problem()?.en == "give 1 to 10 steps")
        let step = EscalationPolicy.Step(ranks: [.primary], channels: ["email"], waitSeconds: 60)
        #expect(EscalationPolicy(steps: [step], repeatCount: 6).problem() != nil)
        #expect(EscalationPolicy(steps: [.init(ranks: [.primary], channels: ["web"], waitSeconds: 60)]).problem()?.en?.contains("cannot send on 'web'") == true)
        #expect(EscalationPolicy(steps: [.init(ranks: [], channels: ["email"], waitSeconds: 60)]).problem() != nil)
        let twice = EscalationPolicy(steps: [step, step], repeatCount: 1)
        #expect(twice.position(after: 0, round: 0)! == (1, 0))
        #expect(twice.position(after: 1, round: 0)! == (0, 1))
        #expect(twice.position(after: 1, round: 1) == nil)
    }

    @Test func retriesBackOffToAMinute() {
        #expect((1...7).map { retryDelaySeconds(afterTries: $0) } == [5, 10, 20, 40, 60, 60, 60])
    }

    @Test func webhookSignaturesBindBodyAndTime() {
        let body = Array(#"{"attempt":1,"event":"acknowledged"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_795_734_000)
        let signature = WebhookSignature.sign(body: body, timestamp: 1_795_734_000, secret: "s")
        #expect(signature.hasPrefix("v1=") && signature.count == 67)
        #expect(WebhookSignature.verify(body: body, timestamp: "1795734000", signature: signature, secret: "s", now: now).isSuccess)
        #expect(WebhookSignature.verify(body: body + [32], timestamp: "1795734000", signature: signature, secret: "s", now: now).refusal == .badSignature)
        #expect(WebhookSignature.verify(body: body, timestamp: "1795734001", signature: signature, secret: "s", now: now).refusal == .badSignature)
        #expect(WebhookSignature.verify(body: body, timestamp: "1795734000", signature: signature, secret: "s", now: now.addingTimeInterval(301)).refusal == .stale)
        #expect(WebhookSignature.verify(body: body, timestamp: "soon", signature: signature, secret: "s", now: now).refusal == .malformedTimestamp)
        #expect(WebhookSignature.verify(body: body, timestamp: nil, signature: signature, secret: "s", now: now).refusal == .missing)
    }

    @Test func ackTokensNameTheirAttemptAndNoOther() {
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        let token = AckToken.make(attempt: 42, secret: key)
        #expect(AckToken.attempt(in: token, secret: key) == 42)
        #expect(AckToken.attempt(in: token.replacingOccurrences(of: "42.", with: "43."), secret: key) == nil)
        #expect(AckToken.attempt(in: token, secret: Array("another key".utf8)) == nil)
        #expect(AckToken.attempt(in: "42", secret: key) == nil)
        #expect(!token.contains("/") && !token.contains("+") && !token.contains("="))
    }

    @Test func capCarriesStatusScopeAndBothLanguagesInSchemaOrder() {
        let alert = CAPAlert(
            identifier: "ceptoar-alert-1", sender: "nisc@ceptoar", sent: Date(timeIntervalSince1970: 1_795_734_000), status: .exercise, marking: .amber,
            severity: .critical,
            infos: [
                .init(language: "ja-JP", event: "訓練", headline: "疎通確認 <訓練>", description: "本文 & 詳細", senderName: "内閣官房"),
                .init(language: "en-US", event: "drill", headline: "Contact drill", description: "Body", senderName: "NISC"),
            ])
        let xml = alert.xml()
        #expect(xml.contains("<sent>2026-11-27T08:00:00+09:00</sent>"))
        #expect(xml.contains("<status>Exercise</status>") && xml.contains("<scope>Restricted</scope>") && xml.contains("<restriction>TLP:AMBER</restriction>"))
        #expect(xml.contains("<severity>Extreme</severity>") && xml.contains("<headline>疎通確認 &lt;訓練&gt;</headline>"))
        let order = ["<identifier>", "<sender>", "<sent>", "<status>", "<msgType>", "<scope>", "<restriction>", "<info>"].map { xml.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        let infoOrder = ["<language>", "<category>", "<event>", "<urgency>", "<severity>", "<certainty>", "<senderName>", "<headline>", "<description>", "<parameter>"]
            .map { xml.range(of: $0)!.lowerBound }
        #expect(infoOrder == infoOrder.sorted())
        #expect(xml.components(separatedBy: "<info>").count == 3)
    }
}

extension Result where Failure == WebhookSignature.Refusal {
    var isSuccess: Bool { if case .success = self { return true } else { return false } }
    var refusal: WebhookSignature.Refusal? { if case .failure(let refusal) = self { return refusal } else { return nil } }
}

@Suite("Escalation in large-incident mode")
struct LargeIncidentEscalationTests {
    @Test func waitsShortenByThePolicysFactorAndStayBounded() {
        var policy = EscalationPolicy.standard
        #expect(policy.largeIncidentWait(600) == 150, "the default factor is 0.25")
        policy.largeIncidentFactor = 0.1
        #expect(policy.largeIncidentWait(600) == 60)
        #expect(policy.largeIncidentWait(1) == 1, "never below a second")
        #expect(policy.largeIncidentWait(86_400) == 8_640)
        #expect(policy.problem() == nil)
        // A factor out of range is refused when the policy is saved, and ignored if one ever got through.
        for bad in [0.0, -1, 1.5, Double.nan, Double.infinity] {
            policy.largeIncidentFactor = bad
            #expect(policy.problem() != nil, "\(bad)")
            #expect(policy.largeIncidentWait(600) == 150, "\(bad)")
        }
        policy.largeIncidentFactor = 1
        #expect(policy.largeIncidentWait(600) == 600)
        #expect(policy.largeIncidentWait(Int.max) >= 1, "a hostile wait never traps")
    }
}
