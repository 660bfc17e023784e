import Fluent
import SQLKit

/// What a node received under an agreement is found by agreement and arrival, so retention
/// deletes it without reading the whole store.
struct SharingRetentionIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).create(index: "stix_objects_received").on(StixObjectRecord.schema).column("received_under").column("date_added").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "stix_objects_received").run()
    }
}
