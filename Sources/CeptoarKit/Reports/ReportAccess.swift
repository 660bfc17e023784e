/// Incident reports in the one access policy. A report flows up, not down, so the community
/// rules do not apply: whatever its marking, a report is read by the organisation that filed it
/// and by the organisations holding a step of its relay that it has reached (its CEPTOAR's
/// secretariat, then the competent ministry, then NISC) — never by another member, even of the
/// same CEPTOAR. Past the CEPTOAR it travels only as the reporter chose, and names the reporter
/// only if the reporter chose that.
extension AccessPolicy {
    /// The steps of a report's upward relay.
    public enum ReportStep: String, CaseIterable, Sendable, Codable, Comparable {
        case ceptoar
        case ministry
        case nisc

        var order: Int {
            switch self {
            case .ceptoar: 1
            case .ministry: 2
            case .nisc: 3
            }
        }

        public static func < (a: ReportStep, b: ReportStep) -> Bool { a.order < b.order }

        public var next: ReportStep? {
            switch self {
            case .ceptoar: .ministry
            case .ministry: .nisc
            case .nisc: nil
            }
        }

        public var label: LocalizedText {
            switch self {
            case .ceptoar: LocalizedText(ja: "セプター", en: "CEPTOAR")
            case .ministry: LocalizedText(ja: "所管省庁", en: "Competent ministry")
            case .nisc: LocalizedText(ja: "内閣官房（NISC）", en: "Cabinet Secretariat (NISC)")
            }
        }
    }

    public struct ReportItem: Sendable {
        public var reporter: OrganisationRef
        public var tlp: TLP
        public var attribution: ReportAttribution
        /// The reporter's consent to a RED or AMBER+STRICT report going past its CEPTOAR.
        public var consentToForward: Bool
        /// The organisations holding each step the report has reached.
        public var reached: [ReportStep: Set<OrganisationRef>]
        /// The analysis bodies of the report's sector (FISC for finance): they read what may
        /// leave the CEPTOAR, to write failure cases, and no more.
        public var analysts: Set<OrganisationRef>

        public init(
            reporter: OrganisationRef, tlp: TLP, attribution: ReportAttribution, consentToForward: Bool = false,
            reached: [ReportStep: Set<OrganisationRef>] = [:], analysts: Set<OrganisationRef> = []
        ) {
            (self.reporter, self.tlp, self.attribution, self.consentToForward, self.reached) = (reporter, tlp, attribution, consentToForward, reached)
            self.analysts = analysts
        }

        /// Whether the reporter's choice and the marking let the report past its CEPTOAR.
        public var mayLeaveCeptoar: Bool {
            self.attribution != .ceptoarOnly && (self.tlp < .amberStrict || self.consentToForward)
        }

        /// Whether the organisation reads it as an analysis body of its sector.
        public func analyses(_ organisation: OrganisationRef) -> Bool {
            self.analysts.contains(organisation) && self.mayLeaveCeptoar
        }

        /// The furthest step the viewer's organisation holds, if it holds one the report reached.
        public func step(of organisation: OrganisationRef) -> ReportStep? {
            ReportStep.allCases.reversed().first { self.reached[$0]?.contains(organisation) == true }
        }
    }

    /// How a permitted reader sees a report.
    public enum ReportView: Equatable, Sendable {
        /// With the reporter's name.
        case named
        /// With no organisation's name, id, domain or address.
        case anonymised
    }

    /// May `viewer` read the report? (Its analysts and coordinators — the step holders — are
    /// also the only ones correlation shows it to.)
    public static func readReport(_ viewer: Viewer, _ item: ReportItem) -> Decision {
        guard viewer.isCommunity, !viewer.organisation.isEmpty else { return .deny(.notThisReport) }
        if viewer.organisation == item.reporter || item.step(of: viewer.organisation) != nil { return .allow }
        if item.analyses(viewer.organisation) { return .allow }
        return .deny(.notThisReport)
    }

    /// How `viewer` (who may read it) sees the report: named to the reporter and its CEPTOAR,
    /// past the CEPTOAR only if the reporter chose to be named.
    public static func reportView(for viewer: Viewer, of item: ReportItem) -> ReportView {
        if viewer.organisation == item.reporter { return .named }
        guard let step = item.step(of: viewer.organisation) else {
            // An analysis body is past the CEPTOAR.
            return item.attribution == .named ? .named : .anonymised
        }
        if step == .ceptoar { return .named }
        return item.attribution == .named ? .named : .anonymised
    }

    /// May the report go on from `step` to the next one? From the CEPTOAR on, only as the
    /// reporter allowed; `organisation` must be the one holding `step` for it.
    public static func forwardReport(_ item: ReportItem, from step: ReportStep, by organisation: OrganisationRef) -> Decision {
        guard item.reached[step]?.contains(organisation) == true, step.next != nil else { return .deny(.notThisHop) }
        if item.attribution == .ceptoarOnly { return .deny(.reportStopsAtCeptoar) }
        if item.tlp >= .amberStrict, !item.consentToForward { return .deny(.restrictedReportNeedsConsent) }
        return .allow
    }

    /// May `viewer` write a failure case from the report? Its CEPTOAR's step (the secretariat
    /// knows its members) or an analysis body of its sector that may read it.
    public static func analyseReport(_ viewer: Viewer, _ item: ReportItem) -> Decision {
        guard viewer.isCommunity, item.reached[.ceptoar]?.contains(viewer.organisation) == true || item.analyses(viewer.organisation) else {
            return .deny(.notAnalystOfReport)
        }
        return .allow
    }

    /// May `viewer` see what the report is linked to (other reports sharing its observables,
    /// advisories naming its CVEs)? Only a holder of a step it reached: the reporter is a
    /// member, and members never see each other's reports, not even as links.
    public static func correlate(_ viewer: Viewer, _ item: ReportItem) -> Decision {
        guard viewer.isCommunity, item.step(of: viewer.organisation) != nil else { return .deny(.correlationIsForCoordinators) }
        return .allow
    }
}
