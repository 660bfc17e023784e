import CeptoarKit
import Foundation
import Vapor

/// A scope's situation as the API shows it.
struct SituationDTO: Content {
    struct Change: Content {
        var id: UUID
        var level: String
        var label: LocalizedText
        var largeIncident: Bool
        var at: Date
        var rationale: LocalizedText
        var links: [SituationLink]
        var setBy: String
        var notice: UUID?
        var effects: [String: String]

        enum CodingKeys: String, CodingKey {
            case id, level, label, at, rationale, links, notice, effects
            case largeIncident = "large_incident"
            case setBy = "set_by"
        }

        init(_ change: SituationChange) {
            self.id = change.id!
            self.level = change.level
            self.label = change.situationLevel.label
            self.largeIncident = change.largeIncident
            self.at = change.createdAt
            self.rationale = change.rationale
            self.links = change.linkList
            self.setBy = change.actorEmail
            self.notice = change.$advisory.id
            self.effects = (try? JSONDecoder().decode([String: String].self, from: Data(change.effects.utf8))) ?? [:]
        }
    }

    struct Proposal: Content {
        var level: String
        var label: LocalizedText
        var reasons: [LocalizedText]
    }

    var scope: String
    var name: LocalizedText
    var level: String
    var label: LocalizedText
    var largeIncident: Bool
    /// The change that set the current level (none: 平常 since the start).
    var current: Change?
    /// Whether the caller may change it.
    var coordinated: Bool
    /// Only when one scope is asked for.
    var history: [Change]?
    var proposal: Proposal?

    enum CodingKeys: String, CodingKey {
        case scope, name, level, label, current, coordinated, history, proposal
        case largeIncident = "large_incident"
    }
}

struct SituationListDTO: Content {
    var scopes: [SituationDTO]
}
