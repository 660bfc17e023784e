@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Incident reports: correlation and trends")
struct ReportCorrelationTests {
    /// Three banks (two demo accounts and one made here) and a water utility, each filing.
    static func reporters(_ app: Application) async throws -> [APIClient] {
        _ = try await app.accounts(on: app.db).createUser(
            email: "bank3@bank0003.example.jp", displayName: "第三銀行 担当", organisationKey: "demo-banks-0003", roles: ["member"], password: "a-long-password")
        return [
            try await APIClient.demo(app, ReportTests.bankEmail), try await APIClient.demo(app, "pending@demo.ceptoar.example"),
            try await APIClient.demo(app, "bank3@bank0003.example.jp"),
        ]
    }

    @Test func threeBanksReportingOneCVERaiseATrendAndOnlyCoordinatorsSeeTheLinks() async throws {
        try await withCeptoar(demo: true) { app in
            // setup
            let banks = try await Self.reporters(app)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            // An advisory naming the CVE, relayed to the banks.
            let advisory = try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "GREEN", targets: [("sector", "finance")]))
            #expect(advisory.status == .created)
            // One naming a longer CVE number that begins the same is no link.
            var longer = AdvisoryInput.sample(tlp: "GREEN", targets: [("sector", "finance")])
            longer.references = ["https://nvd.nist.gov/vuln/detail/CVE-2024-34001"]
            #expect(try await nisc.send(.POST, "/api/v1/advisories", json: longer).status == .created)

            // act: two reports of the CVE — no trend yet; a third within 72 hours raises it.
            var ids: [UUID] = []
            var names: [String] = []
            for (index, bank) in banks.enumerated() {
                let organisation = try #require(try await Organisation.query(on: app.db).filter(\.$key == "demo-banks-000\(index + 1)").first())
                names.append(organisation.nameJa)
                var input = ReportInput.outage(detectedHoursAgo: Double(10 - index * 3), bankName: organisation.nameJa, cve: "CVE-2024-3400")
                input.observables = [.init(kind: "cve", value: "cve-2024-3400"), .init(kind: "domain", value: "ib.bank000\(index + 1).example.jp")]
                let filed = try await bank.send(.POST, "/api/v1/reports", json: input)
                #expect(filed.status == .created)
                ids.append(try bank.decode(ReportDTO.self, filed).id)
                let flags = try await TrendFlag.query(on: app.db).all()
                #expect(flags.count == (index < 2 ? 0 : 2), "after report \(index + 1): \(flags.map(\.kind))")
            }
            // A report of another CVE and event type joins neither.
            var unrelated = ReportInput.outage(bankName: "x", cve: "CVE-2023-4966")
            unrelated.eventType = "leak"
            unrelated.observables = [.init(kind: "cve", value: "CVE-2023-4966")]
            let other = try banks[0].decode(ReportDTO.self, try await banks[0].send(.POST, "/api/v1/reports", json: unrelated))

            // check: one flag for the CVE and one for the event type, each with the three reports.
            let flags = try await TrendFlag.query(on: app.db).sort(\.$kind).all()
            #expect(flags.map(\.kind) == ["cve", "event_type"] && flags.map(\.value) == ["CVE-2024-3400", "unavailability"])
            let members = try await TrendFlagReport.reports(of: flags.compactMap(\.id), on: app.db as! any SQLDatabase)
            #expect(flags.allSatisfy { $0.reportCount == 3 && Set(members[$0.id!] ?? []) == Set(ids) })
            let audited = try await AuditRecord.query(on: app.db).filter(\.$action == "trend_raised").count()
            #expect(audited == 2)

            // The banks' secretariat sees the other two reports linked by the CVE, named (its own
            // step), and the advisory naming the CVE, and both trends.
            let related = try secretariat.decode(ReportRelated.Answer.self, try await secretariat.send(.GET, "/api/v1/reports/\(ids[0])/related"))
            #expect(Set(related.reports.map(\.report.id)) == Set(ids.dropFirst()))
            #expect(related.reports.allSatisfy { $0.shared == ["cve:CVE-2024-3400"] && !$0.report.anonymised })
            #expect(!related.reports.map(\.report.id).contains(other.id))
            #expect(related.advisories.map(\.cve) == ["CVE-2024-3400"])
            #expect(related.trends.count == 2 && related.trends.allSatisfy { $0.reports.count == 3 })

            // Members never see links, not even of their own report; nor does another sector.
            for client in [banks[0], banks[1], try await APIClient.demo(app, "water-secretariat@demo.ceptoar.example")] {
                let denied = try await client.send(.GET, "/api/v1/reports/\(ids[0])/related")
                #expect(denied.status == .forbidden)
                #expect(try await client.send(.GET, "/api/v1/report-trends").body.string == "[]")
            }
            // The ministry holds no step yet (the CEPTOAR reviews first): no links for it.
            #expect(try await fsa.send(.GET, "/api/v1/reports/\(ids[0])/related").status == .forbidden)

            // Forwarded anonymised: 金融庁 and NISC see the links without any bank's name or domain.
            for id in ids { #expect(try await secretariat.send(.POST, "/api/v1/reports/\(id)/forward").status == .ok) }
            for reader in [fsa, nisc] {
                let response = try await reader.send(.GET, "/api/v1/reports/\(ids[2])/related")
                #expect(response.status == .ok)
                let seen = try reader.decode(ReportRelated.Answer.self, response)
                #expect(Set(seen.reports.map(\.report.id)) == Set(ids.prefix(2)))
                #expect(seen.reports.allSatisfy { $0.report.anonymised && $0.report.reporter == nil && $0.shared == ["cve:CVE-2024-3400"] })
                for leak in ["bank0001", "bank0002", "bank0003", "demo-banks-000"] + names {
                    #expect(!response.body.string.contains(leak), "\(leak)")
                }
                let trends = try reader.decode([ReportRelated.Trend].self, try await reader.send(.GET, "/api/v1/report-trends"))
                #expect(trends.count == 2 && trends.allSatisfy { $0.sector == "finance" && $0.reports.count == 3 })
            }
            // The other ministry coordinates no finance report.
            let mic = try await APIClient.demo(app, "mic@demo.ceptoar.example")
            #expect(try await mic.send(.GET, "/api/v1/report-trends").body.string == "[]")
            #expect(try await mic.send(.GET, "/api/v1/report-trends?days=0").status == .badRequest)
        }
    }

    @Test func aFourthReportWidensTheFlagAndAStaleOneDoesNot() async throws {
        try await withCeptoar(demo: true) { app in
            let banks = try await Self.reporters(app)
            for (index, bank) in banks.enumerated() {
                #expect(try await bank.send(.POST, "/api/v1/reports", json: ReportInput.outage(detectedHoursAgo: Double(5 + index), bankName: "x")).status == .created)
            }
            // Detected 100 hours before the others: outside their 72 hours, so no flag widens.
            #expect(try await banks[0].send(.POST, "/api/v1/reports", json: ReportInput.outage(detectedHoursAgo: 100, bankName: "x")).status == .created)
            #expect(try await TrendFlag.query(on: app.db).all().map(\.reportCount) == [3, 3])
            #expect(try await banks[1].send(.POST, "/api/v1/reports", json: ReportInput.outage(detectedHoursAgo: 1, bankName: "x")).status == .created)
            let flags = try await TrendFlag.query(on: app.db).all()
            #expect(flags.count == 2 && flags.allSatisfy { $0.reportCount == 4 })
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "trend_widened").count() == 2)
        }
    }

    @Test func aBurstOfOneCVEKeepsOneFlagPerSubjectCountingEveryReport() async throws {
        try await withCeptoar(demo: true) { app in
            let banks = try await Self.reporters(app)
            // Twenty reports within a day, as a mass exploitation brings them.
            var last: (APIClient, UUID, ReportInput)?
            for index in 0..<20 {
                var input = ReportInput.outage(detectedHoursAgo: Double(24 - index), bankName: "x", cve: "CVE-2024-3400")
                input.observables = [.init(kind: "cve", value: "CVE-2024-3400")]
                let filed = try await banks[index % 3].send(.POST, "/api/v1/reports", json: input)
                #expect(filed.status == .created)
                last = (banks[index % 3], try banks[index % 3].decode(ReportDTO.self, filed).id, input)
            }
            // A correction of a report already in the flags adds nothing.
            let (bank, id, input) = try #require(last)
            #expect(try await bank.send(.POST, "/api/v1/reports/\(id)/stages/first", json: input).status == .created)
            let flags = try await TrendFlag.query(on: app.db).sort(\.$kind).all()
            #expect(flags.map(\.kind) == ["cve", "event_type"] && flags.allSatisfy { $0.reportCount == 20 })
            let members = try await TrendFlagReport.reports(of: flags.compactMap(\.id), on: app.db as! any SQLDatabase)
            let reports = try await IncidentReport.query(on: app.db).all().compactMap(\.id)
            #expect(flags.allSatisfy { Set(members[$0.id!] ?? []) == Set(reports) && members[$0.id!]?.count == 20 })
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "trend_raised").count() == 2)
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "trend_widened").count() == 34)
            // The window spans the first to the last detection.
            let times = try await IncidentReport.query(on: app.db).all().map(\.detectedAt)
            #expect(flags.allSatisfy { abs($0.windowStart.timeIntervalSince(times.min()!)) < 1 && abs($0.windowEnd.timeIntervalSince(times.max()!)) < 1 })
            // The banks' secretariat reads all twenty in each trend.
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let trends = try secretariat.decode([ReportRelated.Trend].self, try await secretariat.send(.GET, "/api/v1/report-trends"))
            #expect(trends.count == 2 && trends.allSatisfy { $0.reports.count == 20 && $0.reportCount == 20 })
        }
    }
}
