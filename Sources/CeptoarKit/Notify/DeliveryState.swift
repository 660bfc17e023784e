/// The life of one message to one address (one notification attempt).
public enum DeliveryState: String, Codable, Sendable, CaseIterable {
    /// Waiting to be sent (or, for a call task, waiting for staff to call).
    case queued
    /// Handed to a sender; if the process dies here, the attempt is sent again after its lease.
    case sending
    /// Accepted by the next hop (the SMTP server, the gateway).
    case sent
    /// The gateway reported it delivered, or it is shown in the portal.
    case delivered
    /// Refused for now (4xx, timeout, connection refused): retried with backoff.
    case failedTemporary = "failed_temporary"
    /// Refused for good (5xx, a wrong number), or given up after many tries.
    case failedPermanent = "failed_permanent"
    /// The organisation acknowledged through this attempt.
    case acknowledged
    /// Not sent because the organisation had already acknowledged another way.
    case cancelled

    public var label: LocalizedText {
        switch self {
        case .queued: return LocalizedText(ja: "送信待ち", en: "queued")
        case .sending: return LocalizedText(ja: "送信中", en: "sending")
        case .sent: return LocalizedText(ja: "送信済み", en: "sent")
        case .delivered: return LocalizedText(ja: "配信済み", en: "delivered")
        case .failedTemporary: return LocalizedText(ja: "一時的な失敗（再送予定）", en: "failed, will retry")
        case .failedPermanent: return LocalizedText(ja: "失敗", en: "failed")
        case .acknowledged: return LocalizedText(ja: "受信確認済み", en: "acknowledged")
        case .cancelled: return LocalizedText(ja: "取消（確認済みのため）", en: "cancelled (already acknowledged)")
        }
    }

    /// Waiting to be sent (again).
    public var isDue: Bool { self == .queued || self == .failedTemporary }
}

/// The wait before retry number `tries` (1-based) after a temporary failure: 5 s doubling,
/// at most a minute, so an SMTP server back after a minute is used within a minute.
public func retryDelaySeconds(afterTries tries: Int) -> Int {
    min(60, 5 << min(max(tries - 1, 0), 4))
}
