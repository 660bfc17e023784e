import CeptoarKit
import Fluent
import Foundation

/// Reports in the exchange formats (STIX 2.1, VERIS), each made from the reader's own view of
/// the report (`ReportPresenter`): anonymised past the CEPTOAR when the reporter chose so, so
/// an export carries no more than the reader's page does.
struct ReportExchange {
    let database: any Database

    func incidents(_ items: [(ReportBook.Loaded, AccessPolicy.ReportView)]) async throws -> [SharedIncident] {
        let dtos = try await ReportPresenter(database: self.database).dtos(items)
        let named = Set(dtos.compactMap { $0.reporter?.id })
        let organisations = named.isEmpty ? [] : try await Organisation.query(on: self.database).filter(\.$id ~~ Array(named)).all()
        let parties = Dictionary(organisations.compactMap { o in o.id.map { ($0, Parties.stixParty(o)) } }, uniquingKeysWith: { a, _ in a })
        return zip(items, dtos).compactMap { item, dto in
            let report = item.0.report
            // Stored reports were checked when written; one that no longer reads is left out
            // rather than exported with guessed values.
            guard let eventType = ReportEventType(rawValue: dto.eventType), let stage = ReportStage(rawValue: dto.stage),
                let impact = ReportImpact(serviceContinuity: dto.impact.serviceContinuity, safety: dto.impact.safety, lossOfTrust: dto.impact.lossOfTrust),
                let tlp = TLP(rawValue: dto.tlp)
            else { return nil }
            return SharedIncident(
                report: dto.id, anonymised: dto.anonymised, filed: report.createdAt, modified: report.updatedAt, stage: stage, summary: dto.summary,
                affectedService: dto.affectedService, detectedAt: dto.detectedAt, occurredAt: dto.occurredAt, eventType: eventType,
                causes: dto.causes.compactMap(ReportCause.init(code:)), slaBreached: dto.slaBreached, impact: impact,
                observables: dto.observables.compactMap { observable in
                    ReportObservable.Kind(rawValue: observable.kind).flatMap { ReportObservable(kind: $0, value: observable.value) }
                },
                tlp: tlp, reporter: dto.reporter.flatMap { parties[$0.id] }, sector: dto.sector)
        }
    }

    func incident(_ loaded: ReportBook.Loaded, view: AccessPolicy.ReportView) async throws -> SharedIncident {
        guard let incident = try await self.incidents([(loaded, view)]).first else {
            throw UserError(status: .conflict, ja: "この報告の内容を読み出せません", en: "this report's content does not read back")
        }
        return incident
    }

    /// A STIX bundle of the incident's objects.
    static func bundle(_ incident: SharedIncident) -> JSONValue {
        [
            "type": "bundle", "id": .string(STIXIdentifier.make("bundle", name: "export:" + IncidentMapping.incidentID(incident) + ":" + STIXTime(incident.modified).canonical)),
            "objects": .array(IncidentMapping.objects(incident)),
        ]
    }
}
