import CeptoarKit
import Fluent
import Foundation

/// A cross-sector exercise (分野横断的演習): participating CEPTOARs and timed injects.
final class Exercise: Model, @unchecked Sendable {
    static let schema = "exercises"

    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Parent(key: "created_by") var createdBy: User
    @Field(key: "name_ja") var nameJa: String
    @OptionalField(key: "name_en") var nameEn: String?
    /// CEPTOAR keys, comma-separated.
    @Field(key: "participants") var participants: String

    init() {}

    var name: LocalizedText { LocalizedText(ja: self.nameJa, en: self.nameEn) }
    var participantKeys: [String] { self.participants.split(separator: ",").map(String.init) }
}

/// One timed inject: an advisory or a drill, sent to the participants when its time comes.
final class ExerciseInject: Model, @unchecked Sendable {
    static let schema = "exercise_injects"

    enum Kind: String, Codable, CaseIterable { case advisory, drill }

    @ID(key: .id) var id: UUID?
    @Parent(key: "exercise_id") var exercise: Exercise
    @Field(key: "position") var position: Int
    @Field(key: "due_at") var dueAt: Date
    @Field(key: "kind") var kind: String
    @Field(key: "title_ja") var titleJa: String
    @OptionalField(key: "title_en") var titleEn: String?
    @Field(key: "body_ja") var bodyJa: String
    @OptionalField(key: "body_en") var bodyEn: String?
    @Field(key: "severity") var severity: String
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// The advisory, or the drills (comma-separated alert ids), it became.
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "error") var error: String?

    init() {}
}
