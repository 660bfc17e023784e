import Testing

@testable import CeptoarKit

/// The report rules of the one access policy, as a table: who reads, how named, how far it goes.
@Suite("Access policy: incident reports")
struct ReportAccessTests {
    typealias Step = AccessPolicy.ReportStep

    static let bank = "org-bank-a"
    static let otherBank = "org-bank-b"
    static let secretariat = "org-banks-ceptoar"
    static let ministry = "org-fsa"
    static let nisc = "org-nisc"
    static let power = "org-power"

    static func viewer(_ organisation: String) -> AccessPolicy.Viewer {
        AccessPolicy.Viewer(organisation: organisation, memberships: ["banks": true])
    }

    static func item(_ tlp: TLP, _ attribution: ReportAttribution, reached: Step, consent: Bool = false) -> AccessPolicy.ReportItem {
        var steps: [Step: Set<String>] = [.ceptoar: [secretariat]]
        if reached >= .ministry { steps[.ministry] = [ministry] }
        if reached >= .nisc { steps[.nisc] = [nisc] }
        return AccessPolicy.ReportItem(reporter: bank, tlp: tlp, attribution: attribution, consentToForward: consent, reached: steps)
    }

    /// Every marking, every attribution: the reporter and the steps reached read it; another
    /// member (of the same CEPTOAR), another sector, a step not reached yet and an anonymous
    /// visitor never do.
    @Test(arguments: TLP.allCases, ReportAttribution.allCases)
    func onlyTheReporterAndTheStepsReachedRead(tlp: TLP, attribution: ReportAttribution) {
        let atMinistry = Self.item(tlp, attribution, reached: .ministry)
        #expect(AccessPolicy.readReport(Self.viewer(Self.bank), atMinistry) == .allow)
        #expect(AccessPolicy.readReport(Self.viewer(Self.secretariat), atMinistry) == .allow)
        #expect(AccessPolicy.readReport(Self.viewer(Self.ministry), atMinistry) == .allow)
        #expect(AccessPolicy.readReport(Self.viewer(Self.nisc), atMinistry) == .deny(.notThisReport))
        #expect(AccessPolicy.readReport(Self.viewer(Self.otherBank), atMinistry) == .deny(.notThisReport))
        #expect(AccessPolicy.readReport(Self.viewer(Self.power), atMinistry) == .deny(.notThisReport))
        #expect(AccessPolicy.readReport(.anonymous, atMinistry) == .deny(.notThisReport))
        let atCeptoar = Self.item(tlp, attribution, reached: .ceptoar)
        #expect(AccessPolicy.readReport(Self.viewer(Self.ministry), atCeptoar) == .deny(.notThisReport))
        #expect(AccessPolicy.readReport(Self.viewer(Self.nisc), Self.item(tlp, attribution, reached: .nisc)) == .allow)
    }

    @Test(arguments: ReportAttribution.allCases)
    func pastTheCeptoarTheReporterIsNamedOnlyIfItChoseSo(attribution: ReportAttribution) {
        let item = Self.item(.amber, attribution, reached: .nisc)
        #expect(AccessPolicy.reportView(for: Self.viewer(Self.bank), of: item) == .named)
        #expect(AccessPolicy.reportView(for: Self.viewer(Self.secretariat), of: item) == .named)
        let beyond: AccessPolicy.ReportView = attribution == .named ? .named : .anonymised
        #expect(AccessPolicy.reportView(for: Self.viewer(Self.ministry), of: item) == beyond)
        #expect(AccessPolicy.reportView(for: Self.viewer(Self.nisc), of: item) == beyond)
    }

    @Test(arguments: TLP.allCases, ReportAttribution.allCases)
    func aReportGoesOnOnlyAsItsReporterAllowed(tlp: TLP, attribution: ReportAttribution) {
        let item = Self.item(tlp, attribution, reached: .ceptoar)
        let expected: AccessPolicy.Decision =
            attribution == .ceptoarOnly ? .deny(.reportStopsAtCeptoar) : tlp >= .amberStrict ? .deny(.restrictedReportNeedsConsent) : .allow
        #expect(AccessPolicy.forwardReport(item, from: .ceptoar, by: Self.secretariat) == expected)
        // With consent, RED and AMBER+STRICT go on too; "not past the CEPTOAR" still holds.
        let consented = Self.item(tlp, attribution, reached: .ceptoar, consent: true)
        #expect(AccessPolicy.forwardReport(consented, from: .ceptoar, by: Self.secretariat) == (attribution == .ceptoarOnly ? .deny(.reportStopsAtCeptoar) : .allow))
    }

    @Test func onlyTheHolderOfAReachedStepForwardsAndNISCIsTheEnd() {
        let item = Self.item(.green, .named, reached: .nisc)
        #expect(AccessPolicy.forwardReport(item, from: .ceptoar, by: Self.bank) == .deny(.notThisHop))
        #expect(AccessPolicy.forwardReport(item, from: .ministry, by: Self.secretariat) == .deny(.notThisHop))
        #expect(AccessPolicy.forwardReport(item, from: .ministry, by: Self.ministry) == .allow)
        #expect(AccessPolicy.forwardReport(item, from: .nisc, by: Self.nisc) == .deny(.notThisHop))
        #expect(AccessPolicy.forwardReport(Self.item(.green, .named, reached: .ceptoar), from: .ministry, by: Self.ministry) == .deny(.notThisHop))
    }
}
