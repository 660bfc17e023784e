import Foundation

/// An incident report as a VERIS 1.4 incident (the Vocabulary for Event Recording and Incident
/// Sharing): what peers that keep failure statistics in VERIS (VCDB-style) read. Only values
/// of the VERIS enumerations are written; what a report does not say is "Unknown", as VERIS
/// asks, never guessed. NISC's causes become actions and actors, the event type becomes the
/// security-incident status and the attribute hit, severity the overall impact rating. The
/// victim is the sector's industry in Japan; its name travels in the named view only.
public enum VerisMapping {
    public static let schemaVersion = "1.4.0"

    public static func incident(_ incident: SharedIncident) -> JSONValue {
        var document: [String: JSONValue] = [
            "schema_version": .string(Self.schemaVersion),
            "incident_id": .string(incident.report.uuidString.uppercased()),
            "source_id": "ceptoar",
            "security_incident": .string(incident.eventType == .precursor ? "Near miss" : "Confirmed"),
            "summary": .string(IncidentMapping.description(incident)),
            "discovery_method": ["unknown": true],
            "timeline": Self.timeline(incident),
            "action": .object(Self.actions(incident)),
            "actor": .object(Self.actors(incident)),
            "asset": ["assets": [["variety": "Unknown"]], "cloud": ["Unknown"]],
            "impact": ["overall_rating": .string(Self.rating(incident.impact.severity))],
            "victim": Self.victim(incident),
            "plus": ["master_id": .string(incident.report.uuidString.uppercased())],
            "notes": .string("CEPTOAR report: \(incident.stage.label.text(.en)), \(incident.tlp.marking)"),
        ]
        let attribute = Self.attribute(incident)
        if !attribute.isEmpty { document["attribute"] = .object(attribute) }
        return .object(document)
    }

    /// Severity 0–4 onto VERIS's overall rating.
    static func rating(_ severity: Int) -> String {
        switch severity {
        case ...0: "Insignificant"
        case 1: "Distracting"
        case 2: "Painful"
        case 3: "Damaging"
        default: "Catastrophic"
        }
    }

    /// NAICS two-digit sector of each registry sector (VERIS's `victim.industry`); "00" unknown.
    static let industries: [String: String] = [
        "finance": "52", "info-comm": "51", "electricity": "22", "gas": "22", "water": "22", "railway": "48", "aviation": "48",
        "logistics": "48", "medical": "62", "government": "92",
    ]

    static func victim(_ incident: SharedIncident) -> JSONValue {
        var victim: [String: JSONValue] = [
            "country": ["JP"], "employee_count": "Unknown", "industry": .string(Self.industries[incident.sector] ?? "00"),
            "government": [incident.sector == "government" ? "Unknown" : "NA"],
        ]
        if let reporter = incident.reporter { victim["victim_id"] = .string(reporter.name.ja) }
        return .object(victim)
    }

    /// When it happened (the occurrence, else the detection), as the Japanese calendar day, and
    /// how long it went unnoticed when both are known.
    static func timeline(_ incident: SharedIncident) -> JSONValue {
        var timeline: [String: JSONValue] = [:]
        if let day = Instant.japaneseDay(incident.occurredAt ?? incident.detectedAt) {
            timeline["incident"] = ["year": .integer(Int64(day.year)), "month": .integer(Int64(day.month)), "day": .integer(Int64(day.day))]
        }
        if let occurred = incident.occurredAt {
            let seconds = Swift.max(0, incident.detectedAt.timeIntervalSince(occurred))
            let (unit, value): (String, Double) =
                seconds < 3600 ? ("Minutes", (seconds / 60).rounded()) : seconds < 86_400 ? ("Hours", (seconds / 3600).rounded()) : ("Days", (seconds / 86_400).rounded())
            timeline["discovery"] = ["unit": .string(unit), "value": .number(value)]
        }
        // VERIS requires the year; a date outside the calendar cannot come from a validated report.
        if timeline["incident"] == nil { timeline["incident"] = ["year": .integer(Int64(Instant.japaneseDay(incident.filed)?.year ?? 1970))] }
        return .object(timeline)
    }

    /// What the causes say was done. Several causes of one kind merge into one action.
    static func actions(_ incident: SharedIncident) -> [String: JSONValue] {
        var varieties: [String: [String]] = [:]
        var vectors: [String: [String]] = [:]
        var notes: [String] = []
        func add(_ action: String, _ variety: String?, _ vector: String?) {
            if let variety, !(varieties[action] ?? []).contains(variety) { varieties[action, default: []].append(variety) }
            if let vector, !(vectors[action] ?? []).contains(vector) { vectors[action, default: []].append(vector) }
            if variety == nil, vector == nil, varieties[action] == nil { varieties[action] = [] }
        }
        let cve = incident.observables.first { $0.kind == .cve }?.value
        for cause in incident.causes {
            switch cause {
            case .intentional(.unauthorisedAccess):
                add("hacking", cve != nil ? "Exploit vuln" : incident.eventType == .unavailability ? "DoS" : "Unknown", "Unknown")
            case .intentional(.malware):
                add("malware", cve != nil ? "Exploit vuln" : "Unknown", "Unknown")
            case .intentional(.other):
                add("unknown", nil, nil)
                notes.append("intentional (other)")
            case .unintentional(.software): add("error", "Programming error", "Inadequate technology")
            case .unintentional(.hardware): add("error", "Malfunction", "Inadequate technology")
            case .unintentional(.managementOrHuman): add("error", "Unknown", "Inadequate processes")
            case .unintentional(.other): add("error", "Other", "Other")
            case .disasterOrEpidemic: add("environmental", "Other", nil)
            case .spillOver(let sector):
                if sector == "electricity" {
                    add("environmental", "Power failure", nil)
                } else {
                    add("unknown", nil, nil)
                    notes.append("spill-over from the \(sector) sector")
                }
            case .other:
                add("unknown", nil, nil)
                notes.append("other cause")
            }
        }
        if varieties.isEmpty { add("unknown", nil, nil) }
        var actions: [String: JSONValue] = [:]
        for (action, list) in varieties {
            var object: [String: JSONValue] = [:]
            switch action {
            case "unknown":
                if !notes.isEmpty { object["notes"] = .string(notes.joined(separator: "; ")) }
            case "environmental":
                object["variety"] = .array(list.map { .string($0) })
            default:
                object["variety"] = .array(list.map { .string($0) })
                object["vector"] = .array((vectors[action] ?? ["Unknown"]).map { .string($0) })
                if let cve, action == "hacking" || action == "malware" { object["cve"] = .string(cve) }
            }
            actions[action] = .object(object)
        }
        return actions
    }

    /// Who did it, as far as the causes tell: someone outside for an intentional cause, the
    /// organisation's own people for an unintentional one, force majeure for a disaster, a
    /// partner (the other sector's provider) for a spill-over.
    static func actors(_ incident: SharedIncident) -> [String: JSONValue] {
        var actors: [String: JSONValue] = [:]
        for cause in incident.causes {
            switch cause {
            case .intentional:
                actors["external"] = ["variety": ["Unknown"], "motive": ["Unknown"], "country": ["Unknown"]]
            case .unintentional:
                actors["internal"] = ["variety": ["Unknown"], "motive": ["NA"]]
            case .disasterOrEpidemic:
                if actors["external"] == nil { actors["external"] = ["variety": ["Force majeure"], "motive": ["NA"], "country": ["JP"]] }
            case .spillOver:
                actors["partner"] = ["motive": ["NA"], "country": ["JP"]]
            case .other:
                actors["unknown"] = [:]
            }
        }
        if actors.isEmpty { actors["unknown"] = [:] }
        return actors
    }

    /// Which of confidentiality, integrity and availability the event hit.
    static func attribute(_ incident: SharedIncident) -> [String: JSONValue] {
        var attribute: [String: JSONValue] = [:]
        switch incident.eventType {
        case .leak: attribute["confidentiality"] = ["data_disclosure": "Yes"]
        case .destruction: attribute["availability"] = ["variety": ["Destruction"]]
        case .unavailability: attribute["availability"] = ["variety": ["Interruption"]]
        case .malware: attribute["integrity"] = ["variety": ["Software installation"]]
        case .unauthorisedCode: attribute["integrity"] = ["variety": ["Alter behavior"]]
        case .intrusion: attribute["confidentiality"] = ["data_disclosure": "Unknown"]
        case .precursor, .other: break
        }
        if incident.slaBreached, attribute["availability"] == nil { attribute["availability"] = ["variety": ["Interruption"]] }
        return attribute
    }
}
