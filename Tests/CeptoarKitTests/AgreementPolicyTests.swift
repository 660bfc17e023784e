import Testing

@testable import CeptoarKit

/// The agreement relationship of the access policy as a table: which agreement state a viewer
/// stands in, under every marking. Most cells are denials.
@Suite("Access policy: agreements")
struct AgreementPolicyTests {
    enum Standing: String, CaseIterable, CustomStringConvertible {
        case party, nonParty, expired, suspended, proposed, terminated, outOfScope
        var description: String { self.rawValue }
    }

    static let day = Day(iso: "2026-12-03")!
    static let telecom = Party.ceptoar("t-ceptoar")
    static let power = Party.ceptoar("electricity")
    static let water = Party.ceptoar("water")

    /// T-CEPTOAR and the power CEPTOAR share vulnerability information up to AMBER, both ways.
    static let agreement = Agreement(
        id: "a-1", parties: [telecom, power], direction: .both, status: .active, validFrom: Day(iso: "2026-04-01")!, validTo: Day(iso: "2027-03-31")!,
        scope: Agreement.Scope(categories: ["vulnerability"]), maxTLP: .amber, anonymised: true)

    /// An advisory T-CEPTOAR's secretariat sent to its own members.
    static func item(_ tlp: TLP, category: String = "vulnerability") -> AccessPolicy.Item {
        var item = AccessPolicy.Item(tlp: tlp, originator: "t-secretariat", audience: ["t-ceptoar"], recipients: ["isp-1"], named: ["isp-1"])
        item.sources = [telecom, Party.organisation("t-secretariat")]
        item.category = category
        item.objectType = "report"
        item.originSector = "info-comm"
        return item
    }

    static let powerMember = AccessPolicy.Viewer(organisation: "power-1", memberships: ["electricity": true], parties: [power, Party.organisation("power-1")])
    static let waterMember = AccessPolicy.Viewer(organisation: "water-1", memberships: ["water": true], parties: [water, Party.organisation("water-1")])

    static func setting(_ standing: Standing) -> (viewer: AccessPolicy.Viewer, agreement: Agreement, category: String) {
        var agreement = Self.agreement
        switch standing {
        case .party: break
        case .nonParty: return (Self.waterMember, agreement, "vulnerability")
        case .expired: agreement.validTo = Day(iso: "2026-11-30")!
        case .suspended: agreement.status = .suspended
        case .proposed: agreement.status = .proposed
        case .terminated: agreement.status = .terminated
        case .outOfScope: return (Self.powerMember, agreement, "threat")
        }
        return (Self.powerMember, agreement, "vulnerability")
    }

    typealias D = AccessPolicy.Decision
    /// `share` per standing, in TLP order CLEAR, GREEN, AMBER, AMBER+STRICT, RED.
    static let shareTable: [Standing: [D]] = [
        .party: [.allow, .allow, .allow, .deny(.strictStaysHome), .deny(.redNamedOnly)],
        .nonParty: Array(repeating: .deny(.notAParty), count: 5),
        .expired: Array(repeating: .deny(.agreementExpired), count: 5),
        .suspended: Array(repeating: .deny(.agreementSuspended), count: 5),
        .proposed: Array(repeating: .deny(.agreementNotInForce), count: 5),
        .terminated: Array(repeating: .deny(.agreementTerminated), count: 5),
        .outOfScope: [.deny(.outOfScope), .deny(.outOfScope), .deny(.outOfScope), .deny(.strictStaysHome), .deny(.redNamedOnly)],
    ]

    /// `read` (community rules, then agreements) per standing. CLEAR is for anyone and GREEN for
    /// the whole community inside one node; AMBER crosses to another CEPTOAR only by agreement.
    static let readTable: [Standing: [D]] = [
        .party: [.allow, .allow, .allow, .deny(.notARecipient), .deny(.redNamedOnly)],
        .nonParty: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
        .expired: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
        .suspended: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
        .proposed: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
        .terminated: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
        .outOfScope: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
    ]

    @Test(arguments: Standing.allCases)
    func sharesEveryMarkingOnlyAsTheAgreementSays(standing: Standing) throws {
        let (viewer, agreement, category) = Self.setting(standing)
        for (tlp, expected) in zip(TLP.allCases, try #require(Self.shareTable[standing])) {
            let decision = AccessPolicy.share(Self.item(tlp, category: category), with: viewer, under: agreement, on: Self.day)
            #expect(decision == expected, "\(standing) sharing \(tlp.marking)")
        }
    }

    @Test(arguments: Standing.allCases)
    func readsEveryMarkingWithTheAgreementInTheItem(standing: Standing) throws {
        let (viewer, agreement, category) = Self.setting(standing)
        for (tlp, expected) in zip(TLP.allCases, try #require(Self.readTable[standing])) {
            var item = Self.item(tlp, category: category)
            item.agreements = [agreement]
            #expect(AccessPolicy.read(viewer, item, on: Self.day) == expected, "\(standing) reading \(tlp.marking)")
        }
    }

    @Test func theTablesCoverEveryCell() {
        #expect(Self.shareTable.count == Standing.allCases.count && Self.readTable.count == Standing.allCases.count)
        #expect(Self.shareTable.values.allSatisfy { $0.count == TLP.allCases.count })
        let denials = Self.shareTable.values.flatMap { $0 }.filter { !$0.isAllowed }.count
        #expect(denials == 32)
    }

    @Test func withoutADayNoAgreementOpensAnything() {
        var item = Self.item(.amber)
        item.agreements = [Self.agreement]
        #expect(AccessPolicy.read(Self.powerMember, item) == .deny(.notInAudience))
    }

    @Test func theCeilingAndTheTighteningHold() {
        var capped = Self.agreement
        capped.maxTLP = .green
        #expect(AccessPolicy.share(Self.item(.amber), with: Self.powerMember, under: capped, on: Self.day) == .deny(.aboveAgreementMarking))
        #expect(AccessPolicy.share(Self.item(.green), with: Self.powerMember, under: capped, on: Self.day) == .allow)
        // Published GREEN, tightened to AMBER on a hop: judged by the tightest.
        var tightened = Self.item(.green)
        tightened.strictest = .amber
        #expect(AccessPolicy.share(tightened, with: Self.powerMember, under: capped, on: Self.day) == .deny(.aboveAgreementMarking))
        // Not yet valid.
        #expect(AccessPolicy.share(Self.item(.green), with: Self.powerMember, under: Self.agreement, on: Day(iso: "2026-03-31")!) == .deny(.agreementNotInForce))
        // The last valid day still counts.
        #expect(AccessPolicy.share(Self.item(.green), with: Self.powerMember, under: Self.agreement, on: Day(iso: "2027-03-31")!) == .allow)
    }

    @Test func oneWayGivesFromTheFirstPartyOnly() {
        var oneWay = Self.agreement
        oneWay.direction = .oneWay
        #expect(AccessPolicy.share(Self.item(.amber), with: Self.powerMember, under: oneWay, on: Self.day) == .allow)
        // What the power side publishes does not cross to T-CEPTOAR.
        var fromPower = Self.item(.amber)
        fromPower.sources = [Self.power]
        let telecomMember = AccessPolicy.Viewer(organisation: "isp-1", memberships: ["t-ceptoar": true], parties: [Self.telecom])
        #expect(AccessPolicy.share(fromPower, with: telecomMember, under: oneWay, on: Self.day) == .deny(.oneWayOnly))
    }

    @Test func nothingGoesBackWhereItCameFrom() {
        var fromPower = Self.item(.amber)
        fromPower.sources = [Self.power]
        #expect(AccessPolicy.share(fromPower, with: Self.powerMember, under: Self.agreement, on: Self.day) == .deny(.notFromAParty))
        // And a third CEPTOAR's item does not ride on an agreement it is not party to.
        var fromWater = Self.item(.amber)
        fromWater.sources = [Self.water]
        #expect(AccessPolicy.share(fromWater, with: Self.powerMember, under: Self.agreement, on: Self.day) == .deny(.notFromAParty))
    }

    @Test func whatCameInUnderAnAgreementStaysWithinIt() {
        // On the power node: received from T-CEPTOAR under the agreement.
        var received = Self.item(.green)
        received.originator = "t-secretariat"
        received.recipients = []
        received.receivedUnder = Self.agreement
        received.receivedBy = [Self.power]
        #expect(AccessPolicy.read(Self.powerMember, received, on: Self.day) == .allow)
        // GREEN from outside is not community-wide: the water member does not read it.
        #expect(AccessPolicy.read(Self.waterMember, received, on: Self.day) == .deny(.notAParty))
        // Nor does it cross on the power CEPTOAR's agreement with water, which T-CEPTOAR never agreed to.
        let powerWater = Agreement(id: "a-2", parties: [Self.power, Self.water], validFrom: Day(iso: "2026-01-01")!, maxTLP: .amber)
        #expect(AccessPolicy.share(received, with: Self.waterMember, under: powerWater, on: Self.day) == .deny(.passOnNotAllowed))
        // Unless the agreement it came under allows passing it on.
        var passOn = Self.agreement
        passOn.mayPassOn = true
        received.receivedUnder = passOn
        #expect(AccessPolicy.share(received, with: Self.waterMember, under: powerWater, on: Self.day) == .allow)
        // Suspended: the receiving side no longer reads it either.
        var suspended = Self.agreement
        suspended.status = .suspended
        received.receivedUnder = suspended
        #expect(AccessPolicy.read(Self.powerMember, received, on: Self.day) == .deny(.agreementSuspended))
        // CLEAR from outside is for anyone.
        received.tlp = .clear
        #expect(AccessPolicy.read(.anonymous, received, on: Self.day) == .allow)
    }
}
