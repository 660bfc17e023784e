import Foundation
import Testing

@testable import CeptoarKit

@Suite("Incident exchange: STIX incident and VERIS")
struct IncidentExchangeTests {
    static let bank = STIXParty(handle: "demo-banks-0001", name: LocalizedText(ja: "デモ銀行", en: "Demo Bank"), kind: nil, since: STIXTime("2007-01-01T00:00:00Z")!)

    static func incident(anonymised: Bool = false, severity: Int = 3, causes: [String] = ["intentional.unauthorised_access", "unintentional.software"],
                         event: ReportEventType = .unavailability, stage: ReportStage = .first) -> SharedIncident {
        let detected = Date(timeIntervalSince1970: 1_733_000_000)
        return SharedIncident(
            report: UUID(uuidString: "6F9619FF-8B86-4011-B42D-00C04FC964FF")!, anonymised: anonymised, filed: detected.addingTimeInterval(600),
            modified: detected.addingTimeInterval(3600), stage: stage, summary: LocalizedText(ja: "ネットバンキング停止", en: "Internet banking down"),
            affectedService: "インターネットバンキング", detectedAt: detected, occurredAt: detected.addingTimeInterval(-5400), eventType: event,
            causes: causes.compactMap(ReportCause.init(code:)), slaBreached: true,
            impact: ReportImpact(serviceContinuity: severity, safety: 0, lossOfTrust: min(severity, 2))!,
            observables: [ReportObservable(kind: .cve, value: "CVE-2024-3400")!, ReportObservable(kind: .ip, value: "203.0.113.7")!,
                          ReportObservable(kind: .hash, value: String(repeating: "a", count: 64))!],
            tlp: .amber, reporter: anonymised ? nil : Self.bank, sector: "finance")
    }

    @Test func anIncidentCarriesTheCoreExtensionTheMarkingAndItsObservables() throws {
        let objects = IncidentMapping.objects(Self.incident())
        let incident = try #require(objects.first)
        #expect(incident["type"]?.string == "incident")
        let core = try #require(incident["extensions"]?[IncidentMapping.incidentCore])
        #expect(core["extension_type"]?.string == "property-extension")
        #expect(core["criticality"] == .integer(75))
        #expect(core["investigation_status"]?.string == "open" && core["determination"]?.string == "successful-attempt")
        #expect(incident["created_by_ref"]?.string == Self.bank.identityID)
        // Every object but the marking definition and the (public) identity carries the marking.
        for object in objects where !["marking-definition", "identity"].contains(object["type"]?.string ?? "") {
            #expect(object["object_marking_refs"] == [.string(TLPMarking.id(.amber))], "\(object)")
        }
        let types = objects.compactMap { $0["type"]?.string }
        #expect(Set(types) == ["incident", "ipv4-addr", "file", "observed-data", "vulnerability", "relationship", "marking-definition", "identity"])
        // Each relationship starts at the incident and ends at an object of the bundle.
        let ids = Set(objects.compactMap { $0["id"]?.string })
        for relationship in objects where relationship["type"]?.string == "relationship" {
            #expect(relationship["source_ref"] == incident["id"])
            #expect(ids.contains(relationship["target_ref"]?.string ?? ""))
        }
        #expect(incident["labels"]?.array?.contains(.string("cause:unintentional.software")) == true)
    }

    @Test func severityMapsOntoCriticalityAndTheFinalStageCloses() {
        #expect((0...4).map(IncidentMapping.criticality) == [0, 25, 50, 75, 100])
        #expect(IncidentMapping.criticality(9) == 100 && IncidentMapping.criticality(-1) == 0)
        let final = IncidentMapping.objects(Self.incident(stage: .final))[0]
        #expect(final["extensions"]?[IncidentMapping.incidentCore]?["investigation_status"]?.string == "closed")
    }

    @Test func theAnonymisedViewHasNoAuthorNoIdentityAndIdsOfItsOwn() {
        let named = IncidentMapping.objects(Self.incident())
        let anonymous = IncidentMapping.objects(Self.incident(anonymised: true))
        let text = anonymous.map { $0.encoded() }.joined()
        #expect(!text.contains("created_by_ref") && !text.contains("デモ銀行") && !text.contains("demo-banks-0001") && !text.contains(Self.bank.identityID))
        #expect(!anonymous.contains { $0["type"]?.string == "identity" })
        #expect(named[0]["id"] != anonymous[0]["id"])
    }

    @Test func veris() throws {
        let document = VerisMapping.incident(Self.incident())
        for key in ["schema_version", "incident_id", "security_incident", "discovery_method", "timeline", "action", "actor", "asset", "summary"] {
            #expect(document[key] != nil, "\(key)")
        }
        #expect(document["impact"]?["overall_rating"]?.string == "Damaging")
        #expect(document["victim"]?["industry"]?.string == "52" && document["victim"]?["victim_id"]?.string == "デモ銀行")
        // A CVE makes the hacking an exploited vulnerability; the software cause an error.
        #expect(document["action"]?["hacking"]?["variety"] == ["Exploit vuln"])
        #expect(document["action"]?["hacking"]?["cve"]?.string == "CVE-2024-3400")
        #expect(document["action"]?["error"]?["variety"] == ["Programming error"])
        #expect(document["actor"]?["external"] != nil && document["actor"]?["internal"] != nil)
        #expect(document["attribute"]?["availability"]?["variety"] == ["Interruption"])
        // 90 minutes from occurrence to detection.
        #expect(document["timeline"]?["discovery"] == ["unit": "Hours", "value": .number(2)])
        #expect(document["timeline"]?["incident"]?["year"] == .integer(2024))

        let anonymous = VerisMapping.incident(Self.incident(anonymised: true, causes: [], event: .precursor))
        #expect(anonymous["victim"]?["victim_id"] == nil)
        #expect(anonymous["security_incident"]?.string == "Near miss")
        #expect(anonymous["action"] == ["unknown": [:]] && anonymous["actor"] == ["unknown": [:]])
        #expect(VerisMapping.incident(Self.incident(severity: 0))["impact"]?["overall_rating"]?.string == "Insignificant")
    }
}
