import Fluent
import Foundation

/// A file attached to an advisory, stored in the database with its SHA-256 so recipients can
/// check what they received.
final class AdvisoryAttachment: Model, @unchecked Sendable {
    static let schema = "advisory_attachments"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Parent(key: "advisory_id") var advisory: Advisory
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "data") var data: Data

    init() {}
}
