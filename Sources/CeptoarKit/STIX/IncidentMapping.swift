import Foundation

/// An incident report as STIX 2.1: an `incident` with the OASIS Incident Core extension
/// (severity 0–4 as `criticality` 0–100; the stage as `investigation_status`), its observables
/// as cyber-observables under one `observed-data`, its CVEs as `vulnerability` objects, each
/// linked to the incident by a `related-to` relationship, every object marked with the report's
/// TLP 2.0 marking. The reporter's `identity` and `created_by_ref` appear in the named view
/// only. NISC's event type and the causes travel as labels (`event-type:…`, `cause:…`), which
/// peers can filter on; the Incident Core vocabulary has no place for them.
public enum IncidentMapping {
    /// The Incident Core extension definition (OASIS CTI common objects).
    public static let incidentCore = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

    public static func incidentID(_ incident: SharedIncident) -> String { STIXIdentifier.make("incident", name: incident.handle) }

    /// Every object of the incident, the incident first; the marking definition and (named)
    /// the reporter's identity last, so a bundle of them is complete.
    public static func objects(_ incident: SharedIncident) -> [JSONValue] {
        let created = JSONValue.string(STIXTime(incident.filed).milliseconds)
        let modified = JSONValue.string(STIXTime(Swift.max(incident.modified, incident.filed)).milliseconds)
        let marking: JSONValue = [.string(TLPMarking.id(incident.tlp))]
        let id = Self.incidentID(incident)
        func common(_ type: String, _ name: String) -> [String: JSONValue] {
            var object: [String: JSONValue] = [
                "type": .string(type), "spec_version": "2.1", "id": .string(STIXIdentifier.make(type, name: incident.handle + ":" + name)),
                "created": created, "modified": modified, "object_marking_refs": marking,
            ]
            if let reporter = incident.reporter { object["created_by_ref"] = .string(reporter.identityID) }
            return object
        }

        var related: [JSONValue] = []
        var children: [JSONValue] = []
        // Cyber-observables have no created/modified and no author (STIX 2.1 §6).
        var observed: [String] = []
        for observable in incident.observables {
            guard let sco = Self.cyberObservable(observable, marking: marking) else { continue }
            if let scoID = sco["id"]?.string, !observed.contains(scoID) {
                observed.append(scoID)
                children.append(sco)
            }
        }
        if !observed.isEmpty {
            var data = common("observed-data", "observed-data")
            let seen = JSONValue.string(STIXTime(incident.detectedAt).milliseconds)
            (data["first_observed"], data["last_observed"], data["number_observed"]) = (seen, seen, .integer(1))
            data["object_refs"] = .array(observed.map { .string($0) })
            children.append(.object(data))
            related.append(.string(STIXIdentifier.make("observed-data", name: incident.handle + ":observed-data")))
        }
        for cve in incident.observables where cve.kind == .cve {
            var vulnerability = common("vulnerability", "cve:" + cve.value)
            vulnerability["name"] = .string(cve.value)
            vulnerability["external_references"] = [["source_name": "cve", "external_id": .string(cve.value)]]
            children.append(.object(vulnerability))
            related.append(vulnerability["id"] ?? .null)
        }
        for (index, target) in related.enumerated() {
            var relationship = common("relationship", "related:\(index)")
            relationship["relationship_type"] = "related-to"
            relationship["source_ref"] = .string(id)
            relationship["target_ref"] = target
            children.append(.object(relationship))
        }

        var core: [String: JSONValue] = [
            "extension_type": "property-extension",
            "determination": .string(incident.eventType == .precursor ? "suspected" : "successful-attempt"),
            "investigation_status": .string(incident.stage == .final ? "closed" : "open"),
            "criticality": .integer(Int64(Self.criticality(incident.impact.severity))),
        ]
        if let types = Self.incidentTypes[incident.eventType] { core["incident_types"] = .array(types.map { .string($0) }) }
        var object = common("incident", "incident")
        object["id"] = .string(id)
        object["name"] = .string(String(incident.summary.ja.prefix(200)))
        object["description"] = .string(Self.description(incident))
        object["lang"] = "ja"
        var labels: [JSONValue] = [.string("event-type:" + incident.eventType.rawValue), .string("stage:" + incident.stage.rawValue), .string("sector:" + incident.sector)]
        labels += incident.causes.map { .string("cause:" + $0.code) }
        if incident.slaBreached { labels.append("sla-breached") }
        object["labels"] = .array(labels)
        object["extensions"] = .object([Self.incidentCore: .object(core)])

        var objects: [JSONValue] = [.object(object)] + children
        objects.append(TLPMarking.definition(incident.tlp))
        if let reporter = incident.reporter { objects.append(AdvisoryMapping.identity(reporter)) }
        return objects
    }

    /// Severity 0–4 onto Incident Core's 0–100.
    public static func criticality(_ severity: Int) -> Int { Swift.min(Swift.max(severity, 0), 4) * 25 }

    /// The Incident Core types that say the same as NISC's event type; the others have none.
    static let incidentTypes: [ReportEventType: [String]] = [
        .malware: ["malware"], .intrusion: ["system-compromise"], .unauthorisedCode: ["system-compromise"], .leak: ["data-exfiltration"],
    ]

    /// The report's text in Japanese with its English summary, the affected service and the
    /// impact scores: what a reader of the incident alone needs.
    static func description(_ incident: SharedIncident) -> String {
        var lines = [incident.summary.ja]
        if let english = incident.summary.en, !english.isEmpty { lines.append(english) }
        lines.append("影響を受けたサービス / Affected service: " + incident.affectedService)
        lines.append("事象 / Event: \(incident.eventType.label.ja) / \(incident.eventType.label.text(.en))")
        if !incident.causes.isEmpty {
            lines.append("要因 / Causes: " + incident.causes.map { "\($0.label.ja) / \($0.label.text(.en))" }.joined(separator: "; "))
        }
        let impact = incident.impact
        lines.append("深刻度 / Severity: \(impact.severity) (サービスの継続性 / service continuity \(impact.serviceContinuity), 安全性 / safety \(impact.safety), 信頼の失墜 / loss of trust \(impact.lossOfTrust))")
        lines.append("検知 / Detected: " + ReportDraft.rfc3339(incident.detectedAt))
        if let occurred = incident.occurredAt { lines.append("発生 / Occurred: " + ReportDraft.rfc3339(occurred)) }
        if incident.slaBreached { lines.append("合意したサービスレベルを満たせなかった / The agreed service level was breached") }
        return lines.joined(separator: "\n")
    }

    /// A cyber-observable for an observable (CVEs are vulnerabilities instead). Its id derives
    /// from its value, so the same address in two reports is one object.
    static func cyberObservable(_ observable: ReportObservable, marking: JSONValue) -> JSONValue? {
        func sco(_ type: String, _ properties: [String: JSONValue], key: String) -> JSONValue {
            var object = properties
            object["type"] = .string(type)
            object["spec_version"] = "2.1"
            object["id"] = .string(STIXIdentifier.make(type, name: key))
            object["object_marking_refs"] = marking
            return .object(object)
        }
        let value = observable.value
        switch observable.kind {
        case .ip:
            return sco(value.contains(":") ? "ipv6-addr" : "ipv4-addr", ["value": .string(value)], key: "ip:" + value)
        case .domain:
            return sco("domain-name", ["value": .string(value)], key: "domain:" + value)
        case .url:
            return sco("url", ["value": .string(value)], key: "url:" + value)
        case .hash:
            guard let algorithm = AdvisoryMapping.References.hashAlgorithm(value) else { return nil }
            return sco("file", ["hashes": .object([algorithm: .string(value.lowercased())])], key: "hash:" + value.lowercased())
        case .cpe:
            return sco("software", ["name": .string(value), "cpe": .string(value)], key: "cpe:" + value)
        case .product:
            return sco("software", ["name": .string(value)], key: "product:" + value)
        case .cve:
            return nil
        }
    }
}
