@testable import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

@Suite("Incident reports: STIX and VERIS exports, the TAXII reports collection")
struct ReportExchangeTests {
    /// A bank files an anonymised report and its CEPTOAR forwards it to 金融庁 and NISC.
    static func forwardedReport(_ app: Application) async throws -> (report: ReportDTO, bank: (id: UUID, name: String, key: String)) {
        let bank = try await ReportTests.bankContact(app)
        let member = try await APIClient.demo(app, ReportTests.bankEmail)
        let filed = try await member.send(.POST, "/api/v1/reports", json: ReportInput.outage(bankName: bank.name))
        #expect(filed.status == .created)
        let report = try member.decode(ReportDTO.self, filed)
        let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
        #expect(try await secretariat.send(.POST, "/api/v1/reports/\(report.id)/forward").status == .ok)
        return (report, bank)
    }

    static func leaks(_ bank: (id: UUID, name: String, key: String)) -> [String] {
        [bank.name, bank.key, bank.id.uuidString, bank.id.uuidString.lowercased(), "bank0001.example.jp", "csirt@", ReportTests.bankEmail]
    }

    @Test func theExportsFollowTheReadersView() async throws {
        try await withCeptoar(demo: true) { app in
            let (report, bank) = try await Self.forwardedReport(app)
            let secretariat = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            let named = try await secretariat.send(.GET, "/api/v1/reports/\(report.id)/stix")
            #expect(named.status == .ok && named.headers.contentType?.description.hasPrefix("application/stix+json") == true)
            #expect(named.body.string.contains(bank.name) && named.body.string.contains("created_by_ref"))

            for email in ["fsa@demo.ceptoar.example", "nisc@demo.ceptoar.example"] {
                let reader = try await APIClient.demo(app, email)
                for format in ["stix", "veris"] {
                    let response = try await reader.send(.GET, "/api/v1/reports/\(report.id)/\(format)")
                    #expect(response.status == .ok, "\(email) \(format)")
                    for leak in Self.leaks(bank) { #expect(!response.body.string.contains(leak), "\(leak) in \(format) for \(email)") }
                }
                let bundle = try JSONValue.decode(Data(buffer: try await reader.send(.GET, "/api/v1/reports/\(report.id)/stix").body))
                let incident = try #require(bundle["objects"]?.array?.first)
                #expect(incident["type"]?.string == "incident" && incident["created_by_ref"] == nil)
                // The bank's own domain was withheld; the attacker's address and the CVE travel.
                let values = bundle["objects"]?.array?.compactMap { $0["value"]?.string ?? $0["name"]?.string } ?? []
                #expect(values.contains("203.0.113.7") && values.contains("CVE-2024-3400") && !values.contains("ib.bank0001.example.jp"))
            }
            // Exports are reads: audited with their format.
            let exports = try await AuditRecord.query(on: app.db).filter(\.$subject == "report:\(report.id)").filter(\.$action == "report_read").all()
            #expect(exports.filter { $0.detail.contains("stix") }.count == 5 && exports.filter { $0.detail.contains("veris") }.count == 2)
        }
    }

    @Test func whoMayNotReadAReportMayNotExportIt() async throws {
        try await withCeptoar(demo: true) { app in
            let (report, _) = try await Self.forwardedReport(app)
            for email in ["pending@demo.ceptoar.example", "water@demo.ceptoar.example", "power-secretariat@demo.ceptoar.example", "analyst@demo.ceptoar.example"] {
                let other = try await APIClient.demo(app, email)
                for format in ["stix", "veris"] {
                    #expect(try await other.send(.GET, "/api/v1/reports/\(report.id)/\(format)").status == .forbidden, "\(email) \(format)")
                }
            }
            let signedOut = try await app.testing().sendRequest(.GET, "/api/v1/reports/\(report.id)/stix")
            #expect(signedOut.status == .unauthorized)
            let member = try await APIClient.demo(app, ReportTests.bankEmail)
            #expect(try await member.send(.GET, "/api/v1/reports/\(UUID())/veris").status == .notFound)
            #expect(try await member.send(.GET, "/api/v1/reports/not-an-id/stix").status.code < 500)
        }
    }

    @Test func theReportsCollectionServesEachReaderItsOwnView() async throws {
        try await withCeptoar(demo: true) { app in
            let (report, bank) = try await Self.forwardedReport(app)
            let collection = SharingTests.collection(TaxiiCollections.reportsCollectionID)

            let nisc = try await SharingTests.Taxii.demo(app, "nisc@demo.ceptoar.example")
            let listed = try await nisc.json("/taxii2/api/collections/")
            #expect(listed["collections"]?.array?.contains { $0["id"]?.string == TaxiiCollections.reportsCollectionID && $0["can_write"] == false } == true)
            let envelope = try await nisc.send(.GET, collection + "objects/")
            #expect(envelope.status == .ok)
            for leak in Self.leaks(bank) { #expect(!envelope.body.string.contains(leak), "\(leak) in the collection") }
            let objects = try JSONValue.decode(Data(buffer: envelope.body))["objects"]?.array ?? []
            let incidents = objects.filter { $0["type"]?.string == "incident" }
            #expect(incidents.count == 1)
            // The same incident one object at a time, its manifest, a type filter, paging.
            let id = try #require(incidents.first?["id"]?.string)
            #expect(try await nisc.json(collection + "objects/\(id)/")["objects"]?.array?.count == 1)
            #expect(try await nisc.json(collection + "manifest/")["objects"]?.array?.count == objects.count)
            #expect(try await nisc.json(collection + "objects/?match[type]=vulnerability")["objects"]?.array?.map { $0["type"]?.string } == ["vulnerability"])

            // The bank reads its own, named; another bank and a water member read nothing.
            let own = try await SharingTests.Taxii.demo(app, ReportTests.bankEmail)
            let ownObjects = try await own.json(collection + "objects/")["objects"]?.array ?? []
            #expect(ownObjects.contains { $0["type"]?.string == "identity" && $0["name"]?.string == bank.name })
            #expect(ownObjects.first { $0["type"]?.string == "incident" }?["id"]?.string != id)
            for email in ["pending@demo.ceptoar.example", "water@demo.ceptoar.example"] {
                let other = try await SharingTests.Taxii.demo(app, email)
                let seen = try await other.json(collection + "objects/")
                #expect(seen["objects"]?.array?.isEmpty ?? true, "\(email)")
                #expect(try await other.send(.GET, collection + "objects/\(id)/").status == .notFound)
            }
            // Nobody writes to it; a visitor does not see it.
            let posted = try await own.send(.POST, collection + "objects/", body: #"{"objects": []}"#)
            #expect(posted.status == .forbidden)
            #expect(try await SharingTests.Taxii(app: app, token: nil).send(.GET, collection + "objects/").status == .notFound)
            #expect(report.id == report.id)
        }
    }

    @Test func theCollectionPagesWholeReports() async throws {
        try await withCeptoar(demo: true) { app in
            let bank = try await ReportTests.bankContact(app)
            let member = try await APIClient.demo(app, ReportTests.bankEmail)
            for index in 0..<3 {
                let input = ReportInput.outage(detectedHoursAgo: Double(index + 1), bankName: bank.name, cve: "CVE-2024-000\(index + 1)")
                #expect(try await member.send(.POST, "/api/v1/reports", json: input).status == .created)
            }
            let taxii = try await SharingTests.Taxii.demo(app, ReportTests.bankEmail)
            let collection = SharingTests.collection(TaxiiCollections.reportsCollectionID)
            var incidents: [String] = []
            var next: String?
            var pages = 0
            repeat {
                let page = try await taxii.json(collection + "objects/?limit=9" + (next.map { "&next=" + $0 } ?? ""))
                let objects = page["objects"]?.array ?? []
                #expect(objects.count <= 9)
                incidents += objects.filter { $0["type"]?.string == "incident" }.compactMap { $0["id"]?.string }
                next = page["more"] == true ? page["next"]?.string : nil
                pages += 1
            } while next != nil && pages < 10
            #expect(incidents.count == 3 && Set(incidents).count == 3 && pages >= 2)
        }
    }
}
