import Foundation

/// How an alert reaches an organisation that does not answer: ordered steps, each naming which
/// contacts (by rank) and which channels to use, and how long to wait for an acknowledgement
/// before the next step; the whole sequence may be repeated. A running alert keeps the policy
/// it started with (a copy), so editing a policy never changes an alert in flight.
public struct EscalationPolicy: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        /// Contacts of these ranks are sent to (a portal message goes to the organisation).
        public var ranks: [ContactRank]
        /// The channels to use: contact channels (email, phone, mobile, satellite_phone, fax)
        /// and `portal`.
        public var channels: [String]
        /// How long to wait for an acknowledgement before the next step (or the next round).
        public var waitSeconds: Int

        public init(ranks: [ContactRank], channels: [String], waitSeconds: Int) {
            self.ranks = ranks
            self.channels = channels
            self.waitSeconds = waitSeconds
        }
    }

    public var steps: [Step]
    /// How many times the whole sequence runs again after its last step (0 = once only).
    public var repeatCount: Int
    /// In large-incident mode (大規模障害対応時) each wait is multiplied by this (default
    /// `defaultLargeIncidentFactor`): the next contact is tried sooner when a whole sector is down.
    public var largeIncidentFactor: Double?

    public init(steps: [Step], repeatCount: Int = 0, largeIncidentFactor: Double? = nil) {
        self.steps = steps
        self.repeatCount = repeatCount
        self.largeIncidentFactor = largeIncidentFactor
    }

    public static let defaultLargeIncidentFactor = 0.25
    public static let largeIncidentFactorRange = 0.01...1.0

    /// A step's wait in large-incident mode: at least one second, never longer than the wait.
    public func largeIncidentWait(_ seconds: Int) -> Int {
        let factor = self.largeIncidentFactor.flatMap { Self.largeIncidentFactorRange.contains($0) ? $0 : nil } ?? Self.defaultLargeIncidentFactor
        let bounded = Double(Swift.min(Swift.max(seconds, 1), Self.maxWaitSeconds))
        return Swift.min(Swift.max(1, Int((bounded * factor).rounded())), Swift.max(seconds, 1))
    }

    /// The channel name for the web portal (the member's inbox, live by SSE).
    public static let portal = "portal"
    /// Channels an alert can send on; `web` (a site) and `meeting` cannot be sent to.
    public static let sendableChannels: [String] = [portal] + [ContactChannel.email, .phone, .mobile, .satellitePhone, .fax].map(\.rawValue)

    /// Primary by mail and portal, then the secondary, then deputies, 10 minutes apart; phones
    /// as call tasks from the second step on.
    public static let standard = EscalationPolicy(steps: [
        Step(ranks: [.primary], channels: ["portal", "email"], waitSeconds: 600),
        Step(ranks: [.secondary], channels: ["email", "mobile"], waitSeconds: 600),
        Step(ranks: [.deputy, .primary], channels: ["email", "phone", "mobile", "satellite_phone", "fax"], waitSeconds: 900),
    ])

    public static let maxSteps = 10
    public static let maxRepeat = 5
    /// A day: longer waits are a mistake, not a policy.
    public static let maxWaitSeconds = 86_400

    /// Why a policy cannot be used, in both languages; nil when it can.
    public func problem() -> LocalizedText? {
        guard (1...Self.maxSteps).contains(self.steps.count) else {
            return LocalizedText(ja: "段階は1〜\(Self.maxSteps)個で指定してください", en: "give 1 to \(Self.maxSteps) steps")
        }
        guard (0...Self.maxRepeat).contains(self.repeatCount) else {
            return LocalizedText(ja: "繰り返し回数は0〜\(Self.maxRepeat)です", en: "repeat count must be 0 to \(Self.maxRepeat)")
        }
        if let factor = self.largeIncidentFactor, !Self.largeIncidentFactorRange.contains(factor) {
            return LocalizedText(ja: "大規模障害時の待ち時間の倍率は0.01〜1です", en: "the large-incident factor must be 0.01 to 1")
        }
        for (index, step) in self.steps.enumerated() {
            let n = index + 1
            guard !step.ranks.isEmpty else { return LocalizedText(ja: "段階\(n): 連絡先の区分を指定してください", en: "step \(n): name at least one contact rank") }
            guard !step.channels.isEmpty else { return LocalizedText(ja: "段階\(n): 連絡手段を指定してください", en: "step \(n): name at least one channel") }
            for channel in step.channels where !Self.sendableChannels.contains(channel) {
                return LocalizedText(
                    ja: "段階\(n): 送信できない連絡手段です: \(channel)（\(Self.sendableChannels.joined(separator: "・"))）",
                    en: "step \(n): cannot send on '\(channel)' (use \(Self.sendableChannels.joined(separator: ", ")))")
            }
            guard (1...Self.maxWaitSeconds).contains(step.waitSeconds) else {
                return LocalizedText(ja: "段階\(n): 待ち時間は1秒〜24時間です", en: "step \(n): the wait must be 1 second to 24 hours")
            }
        }
        return nil
    }

    /// Where escalation stands after the step at `step` of round `round` has fired: the next
    /// position, or nil when the policy is exhausted.
    public func position(after step: Int, round: Int) -> (step: Int, round: Int)? {
        if step + 1 < self.steps.count { return (step + 1, round) }
        if round < self.repeatCount { return (0, round + 1) }
        return nil
    }
}
