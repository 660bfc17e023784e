import Fluent
import SQLKit

/// The STIX store's indexes, as its queries turned out to use them:
/// - what a node received under an agreement is found by agreement and arrival, so retention
///   deletes it without reading the whole store (partial: most rows are the node's own);
/// - the advisory index keeps only rows of an advisory (partial): what came from outside has
///   none, and an index entry for every such row was paid on every insert;
/// - `(community, seq)` goes: a community collection walks `seq` in order on purpose (see
///   `CollectionReader.view`), so the index was never read and only cost every insert.
struct SharingIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX stix_objects_received ON stix_objects (received_under, date_added) WHERE received_under IS NOT NULL").run()
        try await sql.drop(index: "stix_objects_community").run()
        try await sql.drop(index: "stix_objects_advisory").run()
        try await sql.raw("CREATE INDEX stix_objects_advisory ON stix_objects (advisory_id) WHERE advisory_id IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "stix_objects_received").run()
        try await sql.drop(index: "stix_objects_advisory").run()
        try await sql.create(index: "stix_objects_advisory").on(StixObjectRecord.schema).column("advisory_id").run()
        try await sql.create(index: "stix_objects_community").on(StixObjectRecord.schema).column("community").column("seq").run()
    }
}
