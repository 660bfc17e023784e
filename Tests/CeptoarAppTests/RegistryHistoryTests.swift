@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Registry history")
struct RegistryHistoryTests {
    static func later() throws -> RegistryChangeSet {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/registry-2015.json")
        return try RegistryChangeSet.decode(try Data(contentsOf: url))
    }

    @Test func laterSectorsAndCeptoarsFitWithoutChangingThePast() async throws {
        try await withCeptoar { app in
            // setup
            let query = MapQuery(database: app.db)
            let before = try await query.map(asOf: Day(iso: "2009-03-31")!)
            // act
            let applied = try await RegistryEditor(database: app.db).apply(try Self.later())
            // check
            #expect(applied == 7)
            let after2015 = try await query.map(asOf: Day(iso: "2015-04-01")!)
            #expect(after2015.sectorCount == 13)
            #expect(after2015.columns.count == 18)
            #expect(after2015.columns[2].ceptoarKey == "cable-tv" || after2015.columns.contains { $0.ceptoarKey == "cable-tv" })
            #expect(try await query.map(asOf: Day(iso: "2009-03-31")!) == before)
            let diff = MapDiff(from: before, to: after2015)
            #expect(Set(diff.changes.filter { $0.kind == .added }.map(\.ceptoarKey)) == ["cable-tv", "chemicals", "credit", "petroleum"])
        }
    }

    @Test func renameSplitAndRetireKeepEveryEarlierDay() async throws {
        try await withCeptoar { app in
            // setup
            let changes = RegistryChangeSet(changes: [
                RegistryChange(op: .renameSector, effective: Day(iso: "2014-05-19")!, key: "government",
                    name: LocalizedText(ja: "政府・行政サービス（地方公共団体を含む）", en: "Government and administrative services (incl. local government)")),
                RegistryChange(op: .addSector, effective: Day(iso: "2022-06-17")!, key: "airports",
                    name: LocalizedText(ja: "空港", en: "Airports"), ministry: "mlit"),
                RegistryChange(op: .splitCeptoar, effective: Day(iso: "2022-06-17")!, key: "aviation", into: [
                    CeptoarFields(key: "aviation-carriers", name: LocalizedText(ja: "航空CEPTOAR", en: "Aviation CEPTOAR")),
                    CeptoarFields(key: "airports", sector: "airports", name: LocalizedText(ja: "空港CEPTOAR", en: "Airports CEPTOAR")),
                ]),
                RegistryChange(op: .updateCeptoar, effective: Day(iso: "2010-03-31")!, key: "t-ceptoar",
                    ceptoar: CeptoarFields(members: SeedDocument.Members(text: "31社・団体", count: 31))),
                RegistryChange(op: .retireCeptoar, effective: Day(iso: "2023-04-01")!, key: "logistics"),
            ])
            let query = MapQuery(database: app.db)
            let seedDay = try await query.map(asOf: Day(iso: "2009-03-31")!)
            // act
            _ = try await RegistryEditor(database: app.db).apply(changes)
            // check
            #expect(try await query.map(asOf: Day(iso: "2009-03-31")!) == seedDay)
            let in2015 = try await query.map(asOf: Day(iso: "2015-01-01")!)
            #expect(in2015.columns.first { $0.ceptoarKey == "local-government" }?.sector.ja == "政府・行政サービス（地方公共団体を含む）")
            #expect(in2015.columns.first?.memberCount == 31)
            let in2023 = try await query.map(asOf: Day(iso: "2023-04-01")!)
            let keys = in2023.columns.map(\.ceptoarKey)
            #expect(!keys.contains("aviation") && !keys.contains("logistics"))
            #expect(keys.contains("aviation-carriers") && keys.contains("airports"))
            // A split copies what it does not change from the CEPTOAR it splits.
            #expect(in2023.columns.first { $0.ceptoarKey == "airports" }?.secretariat.ja == "国土交通省航空局 航空安全推進課 航空保安対策室")
            #expect(in2023.columns.first { $0.ceptoarKey == "airports" }?.sector.ja == "空港")
            let lineage = try await CeptoarLineage.query(on: app.db).count()
            #expect(lineage == 2)
        }
    }

    @Test func aRefusedChangeLeavesNothingHalfWritten() async throws {
        try await withCeptoar { app in
            let changes = RegistryChangeSet(changes: [
                RegistryChange(op: .addSector, effective: Day(iso: "2015-03-31")!, key: "chemicals", name: LocalizedText(ja: "化学"), ministry: "meti"),
                RegistryChange(op: .retireCeptoar, effective: Day(iso: "2015-03-31")!, key: "no-such-ceptoar"),
            ])
            await #expect(throws: RegistryEditor.Refusal.self) { _ = try await RegistryEditor(database: app.db).apply(changes) }
            let chemicals = try await Sector.query(on: app.db).filter(\.$key == "chemicals").count()
            #expect(chemicals == 0)
            // Changes dated before the version in force are refused too.
            let backwards = RegistryChangeSet(changes: [RegistryChange(op: .retireCeptoar, effective: Day(iso: "2006-01-01")!, key: "gas")])
            await #expect(throws: RegistryEditor.Refusal.self) { _ = try await RegistryEditor(database: app.db).apply(backwards) }
            // A sector with CEPTOARs cannot be retired from under them.
            let orphaning = RegistryChangeSet(changes: [RegistryChange(op: .retireSector, effective: Day(iso: "2015-03-31")!, key: "gas")])
            await #expect(throws: RegistryEditor.Refusal.self) { _ = try await RegistryEditor(database: app.db).apply(orphaning) }
        }
    }

    @Test func seedIsAllOrNothingAndIdempotent() async throws {
        try await withCeptoar(seeded: false) { app in
            // setup: a seed whose second CEPTOAR repeats a sub-group code, which the database refuses
            var seed = try SeedDocument.bundled()
            let group = SeedDocument.Group(code: "SG1", kind: .subgroup, name: LocalizedText(ja: "重複"))
            seed.ceptoars[1].groups = [group, group]
            // act
            await #expect(throws: (any Error).self) { try await RegistrySeeder(database: app.db).load(seed) }
            // check: nothing of the first CEPTOAR, its organisations or sectors was kept
            #expect(try await Ceptoar.query(on: app.db).count() == 0)
            #expect(try await Organisation.query(on: app.db).count() == 0)
            #expect(try await Sector.query(on: app.db).count() == 0)
            // and the good seed loads once
            #expect(try await RegistrySeeder(database: app.db).load(try SeedDocument.bundled()) == .loaded(ceptoars: 14))
            #expect(try await RegistrySeeder(database: app.db).load(try SeedDocument.bundled()) == .alreadySeeded)
            #expect(try await CeptoarOverview.query(on: app.db).count() == 1)
            #expect(try await CeptoarGroup.query(on: app.db).count() == 5)
        }
    }

    @Test func demoNationMatchesTheMapsMemberCounts() async throws {
        try await withCeptoar(demo: true) { app in
            #expect(try await Organisation.query(on: app.db).filter(\.$synthetic == true).count() == 5_692)
            let water = try await Ceptoar.query(on: app.db).filter(\.$key == "water").first()!
            #expect(try await Membership.query(on: app.db).filter(\.$ceptoar.$id == water.requireID()).filter(\.$role == "member").count() == 1_393)
            let sg = try await Membership.query(on: app.db).filter(\.$group.$id != nil).count()
            #expect(sg == 29)
            #expect(try await User.query(on: app.db).count() == DemoNation.users.count)
            #expect(Set(try await User.query(on: app.db).all().flatMap(\.roleList)) == Set(Role.allCases))
            // A second run changes nothing.
            #expect(try await DemoNation(database: app.db, passwords: app.password.async).create() == 0)
        }
    }

    @Test func registryAPIIsForMaintainersOnlyAndRefusesBadChanges() async throws {
        try await withCeptoar(demo: true) { app in
            let accounts = app.accounts(on: app.db)
            let (_, member) = try await accounts.createToken(for: "member@demo.ceptoar.example", name: "t", days: nil)
            let (_, admin) = try await accounts.createToken(for: "admin@demo.ceptoar.example", name: "t", days: nil)
            let body = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/registry-2015.json"))
            func post(_ token: String?, _ data: Data) async throws -> TestingHTTPResponse {
                var headers = english
                if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
                headers.contentType = .json
                return try await app.testing().sendRequest(.POST, "/api/v1/registry/changes", headers: headers, body: ByteBuffer(data: data))
            }
            #expect(try await post(nil, body).status == .unauthorized)
            #expect(try await post("cptr_wrong", body).status == .unauthorized)
            #expect(try await post(member, body).status == .forbidden)
            #expect(try await post(admin, Data("{".utf8)).status == .unprocessableEntity)
            #expect(try await Sector.query(on: app.db).count() == 10)
            let cachedBefore = try await app.testing().sendRequest(.GET, "/api/v1/map?as_of=2015-04-01")
            #expect(try JSONDecoder().decode(CharacteristicsMap.self, from: Data(buffer: cachedBefore.body)).columns.count == 14)
            let ok = try await post(admin, body)
            #expect(ok.status == .ok)
            #expect(try await Sector.query(on: app.db).count() == 13)
            // The cached map of that day is rebuilt: the change bumped the registry revision.
            let cachedAfter = try await app.testing().sendRequest(.GET, "/api/v1/map?as_of=2015-04-01")
            #expect(try JSONDecoder().decode(CharacteristicsMap.self, from: Data(buffer: cachedAfter.body)).columns.count == 18)
            // The same file again: the keys exist, so nothing changes.
            let again = try await post(admin, body)
            #expect(again.status == .unprocessableEntity)
            #expect(again.body.string.contains("nothing changed"))
            #expect(try await Ceptoar.query(on: app.db).count() == 18)
        }
    }
}
