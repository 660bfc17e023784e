/// The one access policy. Every read of shared information and every forward is decided here,
/// from who is asking and what the item is; controllers never decide access on their own.
///
/// The rules (TLP 2.0 as the CEPTOAR handling rules apply it):
/// - the originating organisation always sees its own item;
/// - RED: only the named recipient organisations;
/// - organisations on the relay path (ministries, secretariats) see what they must forward;
/// - CLEAR: anyone;
/// - a member organisation that has not accepted the current handling rules of its CEPTOAR
///   sees CLEAR items only;
/// - GREEN: any organisation of the community (registered in Ceptoar);
/// - AMBER and AMBER+STRICT: only organisations the item was delivered to — the audience its
///   sender chose, which may be one sub-group or one organisation of a CEPTOAR — having
///   accepted the rules of the CEPTOAR it came through;
/// - across CEPTOARs, and to related organisations, GREEN and AMBER go also to the receiving
///   parties of an agreement in force whose scope covers the item, when it comes from one of
///   its giving parties and its marking is within the agreement's ceiling (`share`);
/// - an item received from outside under an agreement is read only as that agreement (or
///   another that it allows to pass it on) says, never by the rest of the community.
///
/// The marking that decides is the one *this viewer* holds the item under: a hop may tighten
/// a marking on the way (a ministry forwarding GREEN as AMBER+STRICT), so a recipient holds
/// the marking of the hop that delivered it, and anyone it was not delivered to is judged by
/// the tightest marking anywhere on its relay. The originator holds its own marking.
public enum AccessPolicy {
    /// Who is asking.
    public struct Viewer: Sendable {
        public var organisation: OrganisationRef
        /// Registered in Ceptoar (an anonymous visitor is not).
        public var isCommunity: Bool
        /// CEPTOAR id → whether the organisation accepted that CEPTOAR's current rules.
        public var memberships: [String: Bool]
        /// The agreement parties the viewer belongs to (`Party.ceptoar` for each CEPTOAR it is a
        /// member or the secretariat of, `Party.organisation` for itself).
        public var parties: Set<String>

        public init(organisation: OrganisationRef, isCommunity: Bool = true, memberships: [String: Bool] = [:], parties: Set<String>? = nil) {
            self.organisation = organisation
            self.isCommunity = isCommunity
            self.memberships = memberships
            self.parties = parties ?? (organisation.isEmpty ? [] : [Party.organisation(organisation)])
        }

        public static let anonymous = Viewer(organisation: "", isCommunity: false)
    }

    /// What is asked about.
    public struct Item: Sendable {
        /// The marking the originator gave it.
        public var tlp: TLP
        /// The marking under which the viewer received it (the hop that delivered it, or the
        /// hop the viewer holds on its relay); nil when it never reached the viewer.
        public var received: TLP?
        /// The tightest marking any hop of its relay gave it (nil: none tighter than `tlp`).
        public var strictest: TLP?
        public var originator: OrganisationRef
        /// CEPTOARs the item was relayed to.
        public var audience: Set<String>
        /// Organisations holding a hop of its relay (ministries, secretariats).
        public var relay: Set<OrganisationRef>
        /// Organisations it was delivered to.
        public var recipients: Set<OrganisationRef>
        /// For RED: the organisations the originator named.
        public var named: Set<OrganisationRef>
        /// The agreement parties it comes from (the originator's CEPTOARs and itself, or the
        /// party that sent it from outside).
        public var sources: Set<String> = []
        /// What an agreement's scope looks at: advisory category, STIX type, origin sector.
        public var category: String?
        public var objectType: String?
        public var originSector: String?
        /// The agreements that might carry it (the application passes those naming the viewer).
        public var agreements: [Agreement] = []
        /// Set when it came from outside under an agreement: that agreement, and the local
        /// parties that received it (who give it on, where that agreement allows passing on).
        public var receivedUnder: Agreement?
        public var receivedBy: Set<String> = []

        public init(tlp: TLP, originator: OrganisationRef, audience: Set<String> = [], relay: Set<OrganisationRef> = [],
                    recipients: Set<OrganisationRef> = [], named: Set<OrganisationRef> = [], received: TLP? = nil, strictest: TLP? = nil) {
            self.tlp = tlp
            self.received = received
            self.strictest = strictest
            self.originator = originator
            self.audience = audience
            self.relay = relay
            self.recipients = recipients
            self.named = named
        }
    }

    public enum Denial: String, Error, Sendable, Codable, CaseIterable {
        case redNamedOnly = "red_named_only"
        case rulesNotAccepted = "rules_not_accepted"
        case outsideCommunity = "outside_community"
        case notInAudience = "not_in_audience"
        case notARecipient = "not_a_recipient"
        case wouldWidenMarking = "would_widen_marking"
        case notThisHop = "not_this_hop"
        case notAParty = "not_a_party"
        case oneWayOnly = "one_way_only"
        case agreementNotInForce = "agreement_not_in_force"
        case agreementSuspended = "agreement_suspended"
        case agreementExpired = "agreement_expired"
        case agreementTerminated = "agreement_terminated"
        case aboveAgreementMarking = "above_agreement_marking"
        case strictStaysHome = "strict_stays_home"
        case notFromAParty = "not_from_a_party"
        case outOfScope = "out_of_scope"
        case passOnNotAllowed = "pass_on_not_allowed"
        case notThisReport = "not_this_report"
        case reportStopsAtCeptoar = "report_stops_at_ceptoar"
        case restrictedReportNeedsConsent = "restricted_report_needs_consent"
        case correlationIsForCoordinators = "correlation_is_for_coordinators"
        case notAnalystOfReport = "not_analyst_of_report"
        case notThisCase = "not_this_case"
        case notCoordinatorOfScope = "not_coordinator_of_scope"
        case notInScope = "not_in_scope"
        case rosterIsForCoordinators = "roster_is_for_coordinators"

        public var message: LocalizedText {
            switch self {
            case .redNamedOnly: return LocalizedText(ja: "TLP:RED の情報は指名された受領者のみ閲覧できます", en: "TLP:RED information is for its named recipients only")
            case .rulesNotAccepted: return LocalizedText(ja: "情報取扱いルールに同意するまで TLP:CLEAR 以外の情報は閲覧できません", en: "accept your CEPTOAR's current handling rules to see anything beyond TLP:CLEAR")
            case .outsideCommunity: return LocalizedText(ja: "この情報はコミュニティ内に限られます", en: "this information is for the community only")
            case .notInAudience: return LocalizedText(ja: "この情報は送信元が選んだ提供先の組織に限られます", en: "this information is for the organisations its sender chose")
            case .notARecipient: return LocalizedText(ja: "この情報は受領組織内に限られます", en: "this information is for the receiving organisations only")
            case .wouldWidenMarking: return LocalizedText(ja: "転送時に TLP を緩めることはできません", en: "a forward can never widen the marking")
            case .notThisHop: return LocalizedText(ja: "この中継段階の担当組織ではありません", en: "your organisation does not hold this relay step")
            case .notAParty: return LocalizedText(ja: "この相互合意の当事者ではありません", en: "your organisation is not a party to this agreement")
            case .oneWayOnly: return LocalizedText(ja: "この相互合意は一方向で、貴組織は提供する側です", en: "this agreement is one way and your side gives, it does not receive")
            case .agreementNotInForce: return LocalizedText(ja: "この相互合意はまだ発効していません", en: "this agreement is not in force yet")
            case .agreementSuspended: return LocalizedText(ja: "この相互合意は停止中です", en: "this agreement is suspended")
            case .agreementExpired: return LocalizedText(ja: "この相互合意は有効期限を過ぎています", en: "this agreement has expired")
            case .agreementTerminated: return LocalizedText(ja: "この相互合意は終了しています", en: "this agreement was terminated")
            case .aboveAgreementMarking: return LocalizedText(ja: "この情報の TLP は相互合意の上限を超えています", en: "this information's marking is above what the agreement lets cross")
            case .strictStaysHome: return LocalizedText(ja: "TLP:AMBER+STRICT の情報は受領組織の外に出せません", en: "TLP:AMBER+STRICT information never leaves its organisation")
            case .notFromAParty: return LocalizedText(ja: "この情報は相互合意の提供側の当事者から出たものではありません", en: "this information does not come from a giving party of the agreement")
            case .outOfScope: return LocalizedText(ja: "この情報は相互合意の対象範囲外です", en: "this information is outside the agreement's scope")
            case .passOnNotAllowed: return LocalizedText(ja: "相互合意により受け取った情報は、その合意が認めない限り再提供できません", en: "information received under an agreement is not passed on unless that agreement allows it")
            case .notThisReport: return LocalizedText(ja: "報告は、報告した組織と、報告が届いた中継段階の組織だけが閲覧できます", en: "a report is read only by the organisation that filed it and the organisations holding a step it reached")
            case .reportStopsAtCeptoar: return LocalizedText(ja: "この報告は報告者の指定によりセプターより先には上げられません", en: "the reporter chose that this report goes no further than its CEPTOAR")
            case .correlationIsForCoordinators: return LocalizedText(ja: "関連する報告や傾向は、報告を受けた中継段階の分析担当・調整担当だけが見られます", en: "related reports and trends are for the analysts and coordinators holding a step of the report, not for members")
            case .notAnalystOfReport: return LocalizedText(ja: "障害事例は、報告を受けたセプターと、その分野の分析機関だけが報告から作成できます", en: "a failure case is written from a report only by its CEPTOAR or an analysis body of its sector that may read it")
            case .notThisCase: return LocalizedText(ja: "公開前の障害事例は作成した組織だけが閲覧できます", en: "a failure case is read only by the organisation writing it until it is published")
            case .notCoordinatorOfScope: return LocalizedText(ja: "この範囲の情勢判断は、セプター事務局・所管省庁・NISC のうちその範囲を調整する組織だけが行えます", en: "only the coordinator of this scope (its CEPTOAR secretariat, competent ministry or NISC) sets its situation level")
            case .notInScope: return LocalizedText(ja: "この範囲の情勢は、その範囲の構成員と調整する組織だけが閲覧できます", en: "this scope's situation is for its members and coordinators")
            case .rosterIsForCoordinators: return LocalizedText(ja: "セプターの緊急連絡先一覧は、その事務局・所管省庁・NISC だけが閲覧できます", en: "a CEPTOAR's emergency roster is for its secretariat, its competent ministry and NISC only")
            case .restrictedReportNeedsConsent: return LocalizedText(ja: "TLP:RED と TLP:AMBER+STRICT の報告は、報告者の同意なくセプターより先に上げられません", en: "a TLP:RED or TLP:AMBER+STRICT report goes no further than its CEPTOAR without the reporter's consent")
            }
        }
    }

    public enum Decision: Equatable, Sendable {
        case allow
        case deny(Denial)

        public var isAllowed: Bool { self == .allow }
    }

    /// The marking `viewer` holds `item` under: its own for the originator, the delivering
    /// hop's for a recipient, otherwise the tightest on the relay. Pages, exports and mail show
    /// this marking, never the originator's when it was tightened since.
    public static func marking(for viewer: Viewer, of item: Item) -> TLP {
        if viewer.isCommunity, viewer.organisation == item.originator { return item.tlp }
        // Never looser than the originator's, whatever a hop recorded.
        return Swift.max(item.received ?? item.strictest ?? item.tlp, item.tlp)
    }

    /// May `viewer` read `item`? Agreements count only with the day to judge them on (Japan's
    /// today, which the application knows); without it, the community rules alone decide.
    public static func read(_ viewer: Viewer, _ item: Item, on day: Day? = nil) -> Decision {
        if item.receivedUnder != nil {
            // From outside: only the agreements decide, whatever the community rules would say.
            if item.tlp == .clear { return .allow }
            guard viewer.isCommunity else { return .deny(.outsideCommunity) }
            return Self.underAgreements(viewer, item, on: day) ?? .deny(.notAParty)
        }
        let decision = Self.community(viewer, item)
        guard case .deny = decision, viewer.isCommunity else { return decision }
        let marking = Self.marking(for: viewer, of: item)
        guard marking == .green || marking == .amber else { return decision }
        if Self.underAgreements(viewer, item, on: day) == .allow { return .allow }
        return decision
    }

    /// The first agreement that lets the item reach the viewer, else the denial of the one that
    /// came closest (nil when none of them names the viewer).
    private static func underAgreements(_ viewer: Viewer, _ item: Item, on day: Day?) -> Decision? {
        guard let day else { return nil }
        var closest: Decision?
        for agreement in item.agreements + (item.receivedUnder.map { [$0] } ?? []) {
            let decision = Self.share(item, with: viewer, under: agreement, on: day)
            if decision == .allow { return .allow }
            if decision != .deny(.notAParty) || closest == nil { closest = decision }
        }
        return closest
    }

    /// May `item` cross to `viewer` under `agreement` on `day`? Decides the agreement's TAXII
    /// collection, a pull or push between nodes, and agreement reads on pages alike.
    public static func share(_ item: Item, with viewer: Viewer, under agreement: Agreement, on day: Day) -> Decision {
        switch agreement.status {
        case .proposed: return .deny(.agreementNotInForce)
        case .suspended: return .deny(.agreementSuspended)
        case .terminated: return .deny(.agreementTerminated)
        case .active: break
        }
        if agreement.expired(on: day) { return .deny(.agreementExpired) }
        if day < agreement.validFrom { return .deny(.agreementNotInForce) }
        guard viewer.isCommunity, !viewer.parties.isDisjoint(with: agreement.parties) else { return .deny(.notAParty) }
        guard !viewer.parties.isDisjoint(with: agreement.receivers) else { return .deny(.oneWayOnly) }
        let marking = Swift.max(item.strictest ?? item.tlp, item.tlp)
        switch marking {
        case .red: return .deny(.redNamedOnly)
        case .amberStrict: return .deny(.strictStaysHome)
        default: if marking > agreement.maxTLP { return .deny(.aboveAgreementMarking) }
        }
        // From a giving party other than the viewer's own side: nothing goes back where it came from.
        var sources = item.sources
        if let received = item.receivedUnder, received.id != agreement.id {
            guard received.mayPassOn else { return .deny(.passOnNotAllowed) }
            sources.formUnion(item.receivedBy)
        }
        guard !sources.subtracting(viewer.parties).isDisjoint(with: agreement.givers) else { return .deny(.notFromAParty) }
        guard agreement.scope.covers(category: item.category, objectType: item.objectType, originSector: item.originSector) else {
            return .deny(.outOfScope)
        }
        return .allow
    }

    /// The community rules alone: originator, RED, relay, CLEAR, GREEN, AMBER to recipients.
    private static func community(_ viewer: Viewer, _ item: Item) -> Decision {
        let me = viewer.organisation
        if viewer.isCommunity, me == item.originator { return .allow }
        let marking = Self.marking(for: viewer, of: item)
        if marking == .red {
            return viewer.isCommunity && item.named.contains(me) ? .allow : .deny(.redNamedOnly)
        }
        if viewer.isCommunity, item.relay.contains(me) { return .allow }
        if marking == .clear { return .allow }
        guard viewer.isCommunity else { return .deny(.outsideCommunity) }
        // A member bound by rules it has not accepted sees CLEAR only.
        let bound = viewer.memberships
        if !bound.isEmpty, !bound.values.contains(true) { return .deny(.rulesNotAccepted) }
        switch marking {
        case .clear, .red:
            return .allow  // handled above
        case .green:
            return .allow
        case .amber, .amberStrict:
            // The audience the sender chose bounds who reads it: being a member of a CEPTOAR it
            // went to is not enough when it went to one sub-group or one organisation there.
            guard item.recipients.contains(me) else { return .deny(marking == .amber ? .notInAudience : .notARecipient) }
            let cameThrough = bound.filter { item.audience.contains($0.key) }
            guard cameThrough.isEmpty || cameThrough.values.contains(true) else { return .deny(.rulesNotAccepted) }
            return .allow
        }
    }

    /// May the organisation holding a hop forward the item from marking `from` as `to`?
    public static func forward(by organisation: OrganisationRef, holder: OrganisationRef, from: TLP, to: TLP) -> Decision {
        guard organisation == holder else { return .deny(.notThisHop) }
        guard to >= from else { return .deny(.wouldWidenMarking) }
        return .allow
    }
}

/// An organisation's identity as the policy sees it (its id as text).
public typealias OrganisationRef = String
