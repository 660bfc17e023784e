import Crypto
import Foundation

/// Webhook signatures, both ways (to SMS/voice/FAX gateways, and their callbacks to us):
/// `HMAC-SHA256(secret, "<unix seconds>.<body>")` in hex, sent as
/// `X-Ceptoar-Timestamp: <unix seconds>` and `X-Ceptoar-Signature: v1=<hex>`. The timestamp is
/// inside the signature, so an old request cannot be replayed with a fresh time; a receiver
/// refuses times more than `tolerance` away from its clock, and remembers signatures it has
/// seen within that window, so a request cannot be replayed inside it either.
public enum WebhookSignature {
    public static let timestampHeader = "X-Ceptoar-Timestamp"
    public static let signatureHeader = "X-Ceptoar-Signature"
    public static let tolerance: TimeInterval = 300

    public static func sign(body: [UInt8], timestamp: Int, secret: String) -> String {
        var message = Array("\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    public enum Refusal: String, Error, Sendable {
        case missing, malformedTimestamp, stale, badSignature

        public var message: LocalizedText {
            switch self {
            case .missing: return LocalizedText(ja: "署名ヘッダがありません", en: "the signature headers are missing")
            case .malformedTimestamp: return LocalizedText(ja: "タイムスタンプが不正です", en: "the timestamp is not a number of seconds")
            case .stale: return LocalizedText(ja: "タイムスタンプが古すぎるか未来です（5分以内）", en: "the timestamp is more than 5 minutes from now")
            case .badSignature: return LocalizedText(ja: "署名が一致しません", en: "the signature does not match")
            }
        }
    }

    /// Checks a request's headers against its body; constant-time comparison of the MAC.
    public static func verify(body: [UInt8], timestamp: String?, signature: String?, secret: String, now: Date = Date()) -> Result<Void, Refusal> {
        guard let timestamp, let signature else { return .failure(.missing) }
        guard let seconds = Int(timestamp) else { return .failure(.malformedTimestamp) }
        guard abs(now.timeIntervalSince1970 - TimeInterval(seconds)) <= Self.tolerance else { return .failure(.stale) }
        return constantTimeEqual(Self.sign(body: body, timestamp: seconds, secret: secret), signature) ? .success(()) : .failure(.badSignature)
    }
}

/// The one-click acknowledgement link in a message: the attempt's number and a MAC over it,
/// so a link cannot be guessed or altered into another organisation's acknowledgement.
public enum AckToken {
    public static func make(attempt: Int, secret: [UInt8]) -> String {
        "\(attempt).\(self.mac(attempt, secret))"
    }

    /// The attempt a token stands for, if its MAC is right.
    public static func attempt(in token: String, secret: [UInt8]) -> Int? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let attempt = Int(parts[0]), attempt > 0 else { return nil }
        return constantTimeEqual(self.mac(attempt, secret), String(parts[1])) ? attempt : nil
    }

    private static func mac(_ attempt: Int, _ secret: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array("ack:\(attempt)".utf8), using: SymmetricKey(data: secret))
        // 128 bits are plenty for a link; base64url keeps it short and safe in any URL.
        return Data(Array(code).prefix(16)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// Compares two MACs in time that does not depend on where they first differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let (x, y) = (Array(a.utf8), Array(b.utf8))
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for (p, q) in zip(x, y) { difference |= p ^ q }
    return difference == 0
}
