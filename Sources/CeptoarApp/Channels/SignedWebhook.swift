import CeptoarKit
import Foundation
import Vapor

/// A JSON POST to a gateway, signed as docs/gateways.md describes (HMAC-SHA256 over the
/// timestamp and the exact body bytes), with a 10-second limit.
struct SignedWebhook {
    let client: any Client
    let secret: String

    func post<Payload: Encodable>(_ payload: Payload, to url: String, idempotencyKey: String? = nil) async throws -> HTTPStatus {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = Array(try encoder.encode(payload))
        let timestamp = Int(Date().timeIntervalSince1970)
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        headers.add(name: WebhookSignature.signatureHeader, value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: self.secret))
        if let idempotencyKey { headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        let response = try await self.client.send(ClientRequest(
            method: .POST, url: URI(string: url), headers: headers, body: ByteBuffer(bytes: body), timeout: .seconds(10)))
        return response.status
    }
}
