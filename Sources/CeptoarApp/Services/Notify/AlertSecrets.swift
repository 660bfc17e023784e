import Fluent
import Foundation
import SQLKit

/// The key that signs acknowledgement links: made once, kept in the database, so links stay
/// valid across restarts and on every node.
enum AlertSecrets {
    static let name = "ack_link_key"

    static func ackKey(on database: any Database) async throws -> [UInt8] {
        if let existing = try await AppSecret.find(Self.name, on: database), let data = Data(base64Encoded: existing.value) {
            return Array(data)
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        // Two nodes starting together: the first insert wins and both read it back.
        try await (database as! any SQLDatabase).raw("""
            INSERT INTO app_secrets (name, value) VALUES (\(bind: Self.name), \(bind: Data(bytes).base64EncodedString())) ON CONFLICT DO NOTHING
            """).run()
        guard let stored = try await AppSecret.find(Self.name, on: database), let data = Data(base64Encoded: stored.value) else {
            throw AlertSecretError.unreadable
        }
        return Array(data)
    }
}

enum AlertSecretError: Error { case unreadable }
