import Foundation

/// An incident report as one permitted reader may take it away: what the STIX and VERIS
/// exports are written from. It is made from the reader's own view of the report, so in the
/// anonymised view it already carries no reporter, scrubbed text and only the observables that
/// do not point at the reporter — the exports cannot leak what the view left out.
public struct SharedIncident: Sendable {
    public var report: UUID
    /// Whether this is the anonymised view (no reporter; its own ids, see `IncidentMapping`).
    public var anonymised: Bool
    /// When the report was filed, and when the version in force was submitted.
    public var filed: Date
    public var modified: Date
    public var stage: ReportStage
    public var summary: LocalizedText
    public var affectedService: String
    public var detectedAt: Date
    public var occurredAt: Date?
    public var eventType: ReportEventType
    public var causes: [ReportCause]
    public var slaBreached: Bool
    public var impact: ReportImpact
    public var observables: [ReportObservable]
    public var tlp: TLP
    /// The reporting organisation, in the named view only.
    public var reporter: STIXParty?
    /// The registry key of the report's sector (`finance`, `water`, …).
    public var sector: String

    public init(
        report: UUID, anonymised: Bool, filed: Date, modified: Date, stage: ReportStage, summary: LocalizedText, affectedService: String,
        detectedAt: Date, occurredAt: Date?, eventType: ReportEventType, causes: [ReportCause], slaBreached: Bool, impact: ReportImpact,
        observables: [ReportObservable], tlp: TLP, reporter: STIXParty?, sector: String
    ) {
        (self.report, self.anonymised, self.filed, self.modified, self.stage) = (report, anonymised, filed, modified, stage)
        (self.summary, self.affectedService, self.detectedAt, self.occurredAt) = (summary, affectedService, detectedAt, occurredAt)
        (self.eventType, self.causes, self.slaBreached, self.impact) = (eventType, causes, slaBreached, impact)
        (self.observables, self.tlp, self.reporter, self.sector) = (observables, tlp, reporter, sector)
    }

    /// The stable name the exported ids derive from. The anonymised view has ids of its own:
    /// one STIX id must not stand for two different texts at the same `modified`.
    var handle: String { "report:\(self.report.uuidString.lowercased())" + (self.anonymised ? ":anonymised" : "") }
}
