import Testing

@testable import CeptoarKit

/// The situation rules of the one access policy — who sets a level, who reads it, who reads a
/// roster — denials first; and the proposal a coordinator sees beside the form.
@Suite("Situation: policy and proposal")
struct SituationTests {
    static let banksSecretariat = AccessPolicy.Coordinator(secretariatCeptoars: ["banks"], councilSectors: ["finance"], sectors: ["finance"])
    static let bankMember = AccessPolicy.Coordinator(sectors: ["finance"], ceptoars: ["banks"])
    static let fsa = AccessPolicy.Coordinator(ministrySectors: ["finance"], ceptoars: ["banks", "securities"])
    static let nisc = AccessPolicy.Coordinator(isNISC: true)
    static let waterSecretariat = AccessPolicy.Coordinator(secretariatCeptoars: ["water"], sectors: ["water"])

    @Test func onlyTheScopesCoordinatorSetsItsLevel() {
        // Denials: a member, another sector's secretariat, a ministry outside its sector, anyone but NISC for the nation.
        #expect(AccessPolicy.coordinate(.ceptoar("banks"), by: Self.bankMember) == .deny(.notCoordinatorOfScope))
        #expect(AccessPolicy.coordinate(.ceptoar("banks"), by: Self.waterSecretariat, sectorOf: "finance") == .deny(.notCoordinatorOfScope))
        #expect(AccessPolicy.coordinate(.sector("water"), by: Self.waterSecretariat) == .deny(.notCoordinatorOfScope), "no council: the ministry's")
        #expect(AccessPolicy.coordinate(.sector("water"), by: Self.banksSecretariat) == .deny(.notCoordinatorOfScope))
        #expect(AccessPolicy.coordinate(.sector("water"), by: Self.fsa) == .deny(.notCoordinatorOfScope))
        #expect(AccessPolicy.coordinate(.ceptoar("water"), by: Self.fsa, sectorOf: "water") == .deny(.notCoordinatorOfScope))
        #expect(AccessPolicy.coordinate(.nation, by: Self.fsa) == .deny(.notCoordinatorOfScope))
        #expect(AccessPolicy.coordinate(.nation, by: Self.banksSecretariat) == .deny(.notCoordinatorOfScope))
        #expect(AccessPolicy.coordinate(.nation, by: .anonymous) == .deny(.notCoordinatorOfScope))
        // Allowed.
        #expect(AccessPolicy.coordinate(.ceptoar("banks"), by: Self.banksSecretariat, sectorOf: "finance") == .allow)
        #expect(AccessPolicy.coordinate(.ceptoar("banks"), by: Self.fsa, sectorOf: "finance") == .allow)
        #expect(AccessPolicy.coordinate(.sector("finance"), by: Self.fsa) == .allow)
        #expect(AccessPolicy.coordinate(.sector("finance"), by: Self.banksSecretariat) == .allow, "the finance council's secretariats act for it")
        for scope in [SituationScope.nation, .sector("water"), .ceptoar("banks")] {
            #expect(AccessPolicy.coordinate(scope, by: Self.nisc) == .allow)
        }
    }

    @Test func aScopesSituationIsReadByItsPeopleOnly() {
        #expect(AccessPolicy.readSituation(.nation, by: .anonymous) == .deny(.outsideCommunity))
        #expect(AccessPolicy.readSituation(.ceptoar("banks"), by: Self.waterSecretariat) == .deny(.notInScope))
        #expect(AccessPolicy.readSituation(.sector("finance"), by: Self.waterSecretariat) == .deny(.notInScope))
        #expect(AccessPolicy.readSituation(.ceptoar("water"), by: Self.fsa) == .deny(.notInScope))
        #expect(AccessPolicy.readSituation(.nation, by: Self.bankMember) == .allow)
        #expect(AccessPolicy.readSituation(.sector("finance"), by: Self.bankMember) == .allow)
        #expect(AccessPolicy.readSituation(.ceptoar("banks"), by: Self.bankMember) == .allow)
        #expect(AccessPolicy.readSituation(.sector("finance"), by: Self.fsa) == .allow)
        #expect(AccessPolicy.readSituation(.ceptoar("water"), by: Self.nisc) == .allow)
    }

    @Test func aRosterIsReadByItsSecretariatMinistryAndNISCOnly() {
        #expect(AccessPolicy.readRoster(of: "banks", sector: "finance", by: Self.bankMember) == .deny(.rosterIsForCoordinators))
        #expect(AccessPolicy.readRoster(of: "banks", sector: "finance", by: Self.waterSecretariat) == .deny(.rosterIsForCoordinators))
        #expect(AccessPolicy.readRoster(of: "water", sector: "water", by: Self.fsa) == .deny(.rosterIsForCoordinators))
        #expect(AccessPolicy.readRoster(of: "banks", sector: "finance", by: .anonymous) == .deny(.outsideCommunity))
        #expect(AccessPolicy.readRoster(of: "banks", sector: "finance", by: Self.banksSecretariat) == .allow)
        #expect(AccessPolicy.readRoster(of: "banks", sector: "finance", by: Self.fsa) == .allow)
        #expect(AccessPolicy.readRoster(of: "water", sector: "water", by: Self.nisc) == .allow)
    }

    @Test func scopesParseStrictly() throws {
        #expect(try SituationScope(parsing: "nation") == .nation)
        #expect(try SituationScope(parsing: "sector:finance") == .sector("finance"))
        #expect(try SituationScope(parsing: "ceptoar:banks") == .ceptoar("banks"))
        for bad in ["", "nation:x", "sector:", "sector", "city:tokyo", "ceptoar:ba nks", "ceptoar:banks\r\nX: y", "sector:" + String(repeating: "a", count: 65), "ceptoar:銀行"] {
            #expect(throws: SituationScope.ParseError.self) { try SituationScope(parsing: bad) }
        }
        #expect(SituationLevel(text: "警戒") == .warning)
        #expect(SituationLevel(text: " Emergency ") == .emergency)
        #expect(SituationLevel(text: "red") == nil)
        #expect(SituationLevel.allCases.sorted() == [.normal, .caution, .warning, .emergency])
    }

    @Test func theProposalFollowsItsThresholds() {
        #expect(SituationProposal(SituationFacts()).level == .normal)
        #expect(SituationProposal(SituationFacts(openReports: [4: 3])).level == .emergency)
        #expect(SituationProposal(SituationFacts(openReports: [4: 2])).level == .warning)
        #expect(SituationProposal(SituationFacts(openReports: [3: 3, 1: 40])).level == .warning)
        #expect(SituationProposal(SituationFacts(openReports: [3: 1])).level == .caution)
        #expect(SituationProposal(SituationFacts(openReports: [2: 50, 1: 50, 0: 50])).level == .normal)
        #expect(SituationProposal(SituationFacts(trendFlags: 2)).level == .warning)
        #expect(SituationProposal(SituationFacts(trendFlags: 1)).level == .caution)
        #expect(SituationProposal(SituationFacts(unacknowledgedCritical: 5)).level == .caution)
        #expect(SituationProposal(SituationFacts(inner: [.normal, .emergency])).level == .warning)
        #expect(SituationProposal(SituationFacts(inner: [.warning])).level == .caution)
        let mixed = SituationProposal(SituationFacts(openReports: [4: 1, 3: 1], trendFlags: 1))
        #expect(mixed.level == .warning)
        #expect(mixed.reasons.count == 3)
        #expect(mixed.reasons[0].ja.contains("深刻度4") && mixed.reasons[0].text(.en).contains("Warning"))
    }
}
