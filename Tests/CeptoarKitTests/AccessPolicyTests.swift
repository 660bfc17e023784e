import Testing

@testable import CeptoarKit

/// The access policy as a table: every relationship a viewer can have to an item, under every
/// marking. The denials matter as much as the grants.
@Suite("Access policy")
struct AccessPolicyTests {
    enum Relationship: String, CaseIterable, CustomStringConvertible {
        case originator
        case relayHolder
        case namedRecipient
        case deliveredMemberAccepted
        case audienceMemberAcceptedNotDelivered
        case deliveredMemberNotAccepted
        case otherCeptoarMember
        case otherCeptoarMemberNotAccepted
        case communityNonMember
        case anonymous

        var description: String { self.rawValue }
    }

    static let item = AccessPolicy.Item(
        tlp: .amber, originator: "nisc", audience: ["finance", "local-government"], relay: ["fsa", "finance-secretariat"],
        recipients: ["bank-1", "bank-2"], named: ["bank-1"])

    static func viewer(_ relationship: Relationship) -> AccessPolicy.Viewer {
        switch relationship {
        case .originator: return .init(organisation: "nisc")
        case .relayHolder: return .init(organisation: "fsa")
        case .namedRecipient: return .init(organisation: "bank-1", memberships: ["finance": true])
        case .deliveredMemberAccepted: return .init(organisation: "bank-2", memberships: ["finance": true])
        case .audienceMemberAcceptedNotDelivered: return .init(organisation: "city-9", memberships: ["local-government": true])
        case .deliveredMemberNotAccepted: return .init(organisation: "bank-2", memberships: ["finance": false])
        case .otherCeptoarMember: return .init(organisation: "water-1", memberships: ["water": true])
        case .otherCeptoarMemberNotAccepted: return .init(organisation: "water-2", memberships: ["water": false])
        case .communityNonMember: return .init(organisation: "jpcert")
        case .anonymous: return .anonymous
        }
    }

    typealias D = AccessPolicy.Decision
    /// Expected decision per relationship, in TLP order CLEAR, GREEN, AMBER, AMBER+STRICT, RED.
    static let table: [Relationship: [D]] = [
        .originator: [.allow, .allow, .allow, .allow, .allow],
        .relayHolder: [.allow, .allow, .allow, .allow, .deny(.redNamedOnly)],
        .namedRecipient: [.allow, .allow, .allow, .allow, .allow],
        .deliveredMemberAccepted: [.allow, .allow, .allow, .allow, .deny(.redNamedOnly)],
        // A member of a CEPTOAR the item went to, but not in the part its sender chose.
        .audienceMemberAcceptedNotDelivered: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
        .deliveredMemberNotAccepted: [.allow, .deny(.rulesNotAccepted), .deny(.rulesNotAccepted), .deny(.rulesNotAccepted), .deny(.redNamedOnly)],
        .otherCeptoarMember: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
        .otherCeptoarMemberNotAccepted: [.allow, .deny(.rulesNotAccepted), .deny(.rulesNotAccepted), .deny(.rulesNotAccepted), .deny(.redNamedOnly)],
        .communityNonMember: [.allow, .allow, .deny(.notInAudience), .deny(.notARecipient), .deny(.redNamedOnly)],
        .anonymous: [.allow, .deny(.outsideCommunity), .deny(.outsideCommunity), .deny(.outsideCommunity), .deny(.redNamedOnly)],
    ]

    @Test(arguments: Relationship.allCases)
    func decidesEveryMarkingForEveryRelationship(relationship: Relationship) throws {
        let expected = try #require(Self.table[relationship])
        for (tlp, decision) in zip(TLP.allCases, expected) {
            var item = Self.item
            item.tlp = tlp
            #expect(AccessPolicy.read(Self.viewer(relationship), item) == decision, "\(relationship) reading \(tlp.marking)")
        }
    }

    @Test func theTableCoversEveryCell() {
        #expect(Self.table.count == Relationship.allCases.count)
        #expect(Self.table.values.allSatisfy { $0.count == TLP.allCases.count })
        // Most cells are denials: the table is about who may not read.
        let denials = Self.table.values.flatMap { $0 }.filter { !$0.isAllowed }.count
        #expect(denials == 23)
    }

    /// A GREEN item that a ministry forwarded as AMBER+STRICT to one CEPTOAR's members.
    static let tightened = AccessPolicy.Item(
        tlp: .green, originator: "nisc", audience: ["telecom"], relay: ["mic"], recipients: ["isp-1"], received: .amberStrict, strictest: .amberStrict)

    @Test func aTightenedForwardHoldsForEveryReader() {
        // The recipient holds it under the marking its hop gave, not the originator's.
        let recipient = AccessPolicy.Viewer(organisation: "isp-1", memberships: ["telecom": true])
        #expect(AccessPolicy.marking(for: recipient, of: Self.tightened) == .amberStrict)
        #expect(AccessPolicy.read(recipient, Self.tightened) == .allow)
        // Everyone else is judged by the tightest marking on the relay: GREEN no longer opens it.
        let otherSector = AccessPolicy.Viewer(organisation: "water-1", memberships: ["water": true])
        #expect(AccessPolicy.marking(for: otherSector, of: Self.tightened) == .amberStrict)
        #expect(AccessPolicy.read(otherSector, Self.tightened) == .deny(.notARecipient))
        let sameSectorNotSent = AccessPolicy.Viewer(organisation: "isp-2", memberships: ["telecom": true])
        #expect(AccessPolicy.read(sameSectorNotSent, Self.tightened) == .deny(.notARecipient))
        #expect(AccessPolicy.read(.init(organisation: "jpcert"), Self.tightened) == .deny(.notARecipient))
        #expect(AccessPolicy.read(.anonymous, Self.tightened) == .deny(.outsideCommunity))
        // The originator keeps its own marking; the ministry that tightened it still reads it.
        #expect(AccessPolicy.marking(for: .init(organisation: "nisc"), of: Self.tightened) == .green)
        #expect(AccessPolicy.read(.init(organisation: "mic"), Self.tightened) == .allow)
        // Tightened to RED on the way: only the named, even for the recipient of the hop.
        var red = Self.tightened
        red.received = .red
        red.strictest = .red
        #expect(AccessPolicy.read(recipient, red) == .deny(.redNamedOnly))
    }

    @Test func aReceivedMarkingIsNeverLooserThanTheOriginators() {
        let item = AccessPolicy.Item(tlp: .amber, originator: "nisc", recipients: ["isp-1"], received: .green, strictest: .clear)
        #expect(AccessPolicy.marking(for: .init(organisation: "isp-1"), of: item) == .amber)
        #expect(AccessPolicy.marking(for: .init(organisation: "jpcert"), of: item) == .amber)
    }

    @Test func anAudienceNarrowerThanTheCeptoarBoundsAmber() {
        // Sent to one sub-group (SG1) of T-CEPTOAR: the members delivered to, and no other member.
        let item = AccessPolicy.Item(tlp: .amber, originator: "mic", audience: ["t-ceptoar"], relay: ["t-secretariat"], recipients: ["isp-1", "isp-2"])
        #expect(AccessPolicy.read(.init(organisation: "isp-1", memberships: ["t-ceptoar": true]), item) == .allow)
        #expect(AccessPolicy.read(.init(organisation: "isp-9", memberships: ["t-ceptoar": true]), item) == .deny(.notInAudience))
        var strict = item
        strict.tlp = .amberStrict
        #expect(AccessPolicy.read(.init(organisation: "isp-9", memberships: ["t-ceptoar": true]), strict) == .deny(.notARecipient))
        // GREEN stays community-wide: that is what GREEN means.
        var green = item
        green.tlp = .green
        #expect(AccessPolicy.read(.init(organisation: "isp-9", memberships: ["t-ceptoar": true]), green) == .allow)
    }

    @Test func aForwardNeverWidensTheMarking() {
        for from in TLP.allCases {
            for to in TLP.allCases {
                let decision = AccessPolicy.forward(by: "fsa", holder: "fsa", from: from, to: to)
                #expect(decision == (to >= from ? .allow : .deny(.wouldWidenMarking)), "\(from) → \(to)")
            }
        }
        #expect(AccessPolicy.forward(by: "mic", holder: "fsa", from: .amber, to: .amber) == .deny(.notThisHop))
    }

    @Test func readsMarkingsStrictly() {
        #expect(TLP(label: "TLP:AMBER+STRICT") == .amberStrict)
        #expect(TLP(label: "amber") == .amber)
        #expect(TLP(label: "TLP:WHITE") == nil)
        #expect(TLP(label: "PURPLE") == nil)
        #expect(TLP.clear < TLP.green && TLP.amberStrict < TLP.red)
    }
}

@Suite("Audit hash chain")
struct AuditChainTests {
    static func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for index in 0..<count {
            let previous = entries.last.map { ($0.sequence, $0.hash) }
            entries.append(AuditChain.next(after: previous, at: Date(timeIntervalSince1970: Double(index)), actor: "user-\(index)", action: "publish", subject: "advisory-\(index)", detail: "{}"))
        }
        return entries
    }

    @Test(arguments: [0.0, 1_764_172_501.123, 951_782_400.5, -1.0, 4_102_444_799.999])
    func timestampsMatchFoundationsISOFormat(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        #expect(AuditChain.timestamp(date) == formatter.string(from: date))
    }

    @Test func anIntactChainVerifies() {
        #expect(AuditChain.verify(Self.chain(50)) == nil)
        #expect(AuditChain.verify([AuditEntry]()) == nil)
    }

    @Test func anEditIsFoundAtItsSequence() {
        var entries = Self.chain(20)
        entries[6].detail = #"{"tlp":"CLEAR"}"#
        #expect(AuditChain.verify(entries) == .edited(sequence: 7))
        // Re-hashing the edited entry does not hide it: the next one no longer links.
        entries[6].hash = AuditChain.hash(sequence: 7, at: entries[6].at, actor: entries[6].actor, action: entries[6].action, subject: entries[6].subject, detail: entries[6].detail, previousHash: entries[6].previousHash)
        #expect(AuditChain.verify(entries) == .unlinked(sequence: 8))
    }

    @Test func aDeletionIsFound() {
        var entries = Self.chain(10)
        entries.remove(at: 3)
        #expect(AuditChain.verify(entries) == .missing(before: 5))
        var tail = Self.chain(10)
        tail.removeFirst()
        #expect(AuditChain.verify(tail) == .missing(before: 2))
    }

    @Test func aReorderIsFound() {
        var entries = Self.chain(10)
        entries.swapAt(4, 5)
        #expect(AuditChain.verify(entries) == .reordered(sequence: 5))
    }
}

import Foundation
