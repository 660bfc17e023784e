import Fluent
import Foundation

/// One row counting changes to the registry. Every seed and change bumps it in the same
/// transaction, so any node can tell in one small query whether its cached map is current.
final class RegistryRevision: Model, @unchecked Sendable {
    static let schema = "registry_revisions"

    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "revision") var revision: Int

    init() {}

    /// Bumps the revision inside the caller's transaction.
    static func bump(on db: any Database) async throws {
        guard let row = try await RegistryRevision.find(1, on: db) else {
            throw RegistryEditor.Refusal(description: "the registry revision row is missing; run the migrations")
        }
        row.revision += 1
        try await row.save(on: db)
    }

    static func current(on db: any Database) async throws -> Int {
        try await RegistryRevision.find(1, on: db)?.revision ?? 0
    }
}
