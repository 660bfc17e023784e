import Fluent
import Foundation
import SQLKit

/// The keys that sign acknowledgement links and TAXII paging tokens: made once, kept in the database, so links stay
/// valid across restarts and on every node.
enum AlertSecrets {
    static let name = "ack_link_key"

    static func ackKey(on database: any Database) async throws -> [UInt8] {
        try await self.key(named: Self.name, on: database)
    }

    /// A random 32-byte key by name, made the first time it is asked for.
    static func key(named name: String, on database: any Database) async throws -> [UInt8] {
        if let existing = try await AppSecret.find(name, on: database), let data = Data(base64Encoded: existing.value) {
            return Array(data)
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        // Two nodes starting together: the first insert wins and both read it back.
        try await (database as! any SQLDatabase).raw("""
            INSERT INTO app_secrets (name, value) VALUES (\(bind: name), \(bind: Data(bytes).base64EncodedString())) ON CONFLICT DO NOTHING
            """).run()
        guard let stored = try await AppSecret.find(name, on: database), let data = Data(base64Encoded: stored.value) else {
            throw AlertSecretError.unreadable
        }
        return Array(data)
    }
}

enum AlertSecretError: Error { case unreadable }
