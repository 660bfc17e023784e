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
///   accepted the rules of the CEPTOAR it came through (later also parties an agreement names).
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

        public init(organisation: OrganisationRef, isCommunity: Bool = true, memberships: [String: Bool] = [:]) {
            self.organisation = organisation
            self.isCommunity = isCommunity
            self.memberships = memberships
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

        public var message: LocalizedText {
            switch self {
            case .redNamedOnly: return LocalizedText(ja: "TLP:RED の情報は指名された受領者のみ閲覧できます", en: "TLP:RED information is for its named recipients only")
            case .rulesNotAccepted: return LocalizedText(ja: "情報取扱いルールに同意するまで TLP:CLEAR 以外の情報は閲覧できません", en: "accept your CEPTOAR's current handling rules to see anything beyond TLP:CLEAR")
            case .outsideCommunity: return LocalizedText(ja: "この情報はコミュニティ内に限られます", en: "this information is for the community only")
            case .notInAudience: return LocalizedText(ja: "この情報は送信元が選んだ提供先の組織に限られます", en: "this information is for the organisations its sender chose")
            case .notARecipient: return LocalizedText(ja: "この情報は受領組織内に限られます", en: "this information is for the receiving organisations only")
            case .wouldWidenMarking: return LocalizedText(ja: "転送時に TLP を緩めることはできません", en: "a forward can never widen the marking")
            case .notThisHop: return LocalizedText(ja: "この中継段階の担当組織ではありません", en: "your organisation does not hold this relay step")
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

    /// May `viewer` read `item`?
    public static func read(_ viewer: Viewer, _ item: Item) -> Decision {
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
