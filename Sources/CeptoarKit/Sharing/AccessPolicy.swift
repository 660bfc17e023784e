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
/// - AMBER: members of a CEPTOAR the item was relayed to, having accepted its rules (later
///   also parties an agreement names);
/// - AMBER+STRICT: only organisations the item was delivered to, having accepted the rules.
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
        public var tlp: TLP
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
                    recipients: Set<OrganisationRef> = [], named: Set<OrganisationRef> = []) {
            self.tlp = tlp
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
            case .notInAudience: return LocalizedText(ja: "この情報は提供先セプターの構成員に限られます", en: "this information is for members of the CEPTOARs it was provided to")
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

    /// May `viewer` read `item`?
    public static func read(_ viewer: Viewer, _ item: Item) -> Decision {
        let me = viewer.organisation
        if viewer.isCommunity, me == item.originator { return .allow }
        if item.tlp == .red {
            return viewer.isCommunity && item.named.contains(me) ? .allow : .deny(.redNamedOnly)
        }
        if viewer.isCommunity, item.relay.contains(me) { return .allow }
        if item.tlp == .clear { return .allow }
        guard viewer.isCommunity else { return .deny(.outsideCommunity) }
        // A member bound by rules it has not accepted sees CLEAR only.
        let bound = viewer.memberships
        if !bound.isEmpty, !bound.values.contains(true) { return .deny(.rulesNotAccepted) }
        let inAudience = bound.filter { item.audience.contains($0.key) }
        switch item.tlp {
        case .clear, .red:
            return .allow  // handled above
        case .green:
            return .allow
        case .amber:
            guard !inAudience.isEmpty else { return .deny(.notInAudience) }
            return inAudience.values.contains(true) ? .allow : .deny(.rulesNotAccepted)
        case .amberStrict:
            guard item.recipients.contains(me) else { return .deny(.notARecipient) }
            guard inAudience.isEmpty || inAudience.values.contains(true) else { return .deny(.rulesNotAccepted) }
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
