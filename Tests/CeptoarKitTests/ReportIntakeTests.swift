import Foundation
import Testing

@testable import CeptoarKit

@Suite("Report intake: CSV, the mail template, inbound mail")
struct ReportIntakeTests {
    static let header = "ceptoar,summary_ja,affected_service,detected_at,event_type,causes,sla_breached,service_continuity,safety,loss_of_trust,observables,tlp,attribution"
    static let now = Date(timeIntervalSince1970: 1_765_000_000)

    @Test func csvRecordsFollowRFC4180() throws {
        let text = "a,\"b, with comma\",\"say \"\"hi\"\"\"\r\n\r\nx,\"two\nlines\",z\n"
        let records = try CSVReader.records(text, maxRecords: 10).get()
        #expect(records == [CSVReader.Record(line: 1, fields: ["a", "b, with comma", "say \"hi\""]), CSVReader.Record(line: 3, fields: ["x", "two\nlines", "z"])])
        #expect(CSVReader.records("a,\"open\n", maxRecords: 10) == .failure(.unterminatedQuote(line: 1)))
        #expect(CSVReader.records("\"a\"b", maxRecords: 10) == .failure(.textAfterQuote(line: 1)))
        #expect(CSVReader.records("a\nb\nc\n", maxRecords: 2) == .failure(.tooManyRecords(max: 1)))
        #expect(CSVReader.records(String(repeating: "x", count: 20), maxRecords: 2, maxField: 10) == .failure(.fieldTooLong(line: 1, max: 10)))
    }

    @Test func aSpreadsheetsShiftJISWithJapaneseHeadingsReads() throws {
        let csv = "報告先セプター,概要,影響を受けたサービス,検知日時,事象の種類,要因,サービスレベル未達,サービスの継続性,安全性,信頼の失墜,TLP,報告者名の扱い\n"
            + "banks,勘定系システム停止,勘定系,2025/12/6 9:05,システム等の利用困難,unintentional.hardware,はい,3,0,1,AMBER,anonymised\n"
        let rows = try ReportIntake.csv(try #require(csv.data(using: .shiftJIS))).get()
        #expect(rows.count == 1 && rows[0].line == 2 && rows[0].ceptoar == "banks")
        #expect(rows[0].input.detectedAt == "2025-12-06T09:05:00+09:00")
        let draft = try ReportIntake.check(rows[0], now: Self.now).get()
        #expect(draft.eventType == .unavailability && draft.severity == 3 && draft.slaBreached && draft.tlp == .amber)
        // UTF-8 with Excel's byte-order mark reads the same.
        let bom = Data([0xEF, 0xBB, 0xBF]) + Data(csv.utf8)
        #expect(try ReportIntake.csv(bom).get()[0].input.summary?.ja == "勘定系システム停止")
    }

    @Test func everyWrongRowAndFieldIsNamed() throws {
        let csv = Self.header + "\n"
            + "banks,停止,IB,2025-12-06T00:00:00Z,unavailability,intentional.malware,yes,2,0,0,cve:CVE-2024-3400; ip:203.0.113.7,AMBER,named\n"
            + "banks,停止,IB,yesterday,outage,intentional.malware,perhaps,x,0,0,ip:999.1.1.1,AMBER,named\n"
        let rows = try ReportIntake.csv(Data(csv.utf8)).get()
        #expect(try ReportIntake.check(rows[0], now: Self.now).get().observables.count == 2)
        guard case .failure(let problems) = ReportIntake.check(rows[1], now: Self.now) else {
            Issue.record("the second row should be refused")
            return
        }
        #expect(Set(problems.fields) == ["slaBreached", "impact", "detectedAt", "eventType", "observables[0].value"])
        // A score that is no number is named once, not again as a missing impact.
        #expect(problems.fields.filter { $0 == "impact" }.count == 1)
    }

    @Test func aFileThatIsNoReportListIsRefusedWhole() {
        func refusal(_ text: String) -> [String] {
            if case .failure(let problems) = ReportIntake.csv(Data(text.utf8)) { return problems.en }
            return []
        }
        #expect(refusal("").first?.contains("empty") == true)
        #expect(refusal("ceptoar,colour\nbanks,red\n").first?.contains("unknown column 'colour'") == true)
        #expect(refusal("tlp,TLP\nAMBER,RED\n").first?.contains("twice") == true)
        #expect(refusal(Self.header + "\n").first?.contains("no reports") == true)
        #expect(ReportIntake.csv(Data([0xFF, 0xFE, 0x00, 0x41])).isFailure)
    }

    @Test func theMailTemplateReadsKeysAndLabelsAndContinuationLines() throws {
        let body = """
            # 情報連絡
            報告先セプター: banks
            概要：インターネットバンキングが
              午前9時から停止
            affected_service: IB
            detected_at: 2025-12-06 09:00
            event_type: unavailability
            causes: intentional.unauthorised_access；spillover.electricity
            sla_breached: no
            service_continuity: 2
            safety: 0
            loss_of_trust: 1
            tlp: GREEN
            attribution: named
            > quoted: ignored
            """
        let row = try #require(ReportIntake.template(body))
        #expect(row.ceptoar == "banks" && row.input.summary?.ja == "インターネットバンキングが\n午前9時から停止")
        let draft = try ReportIntake.check(row, now: Self.now).get()
        #expect(draft.causes.map(\.code) == ["intentional.unauthorised_access", "spillover.electricity"] && draft.tlp == .green && !draft.slaBreached)
        #expect(ReportIntake.template("Hello,\nplease see attached.\n") == nil)
        // The blank template names every field.
        let blank = ReportIntake.blankTemplate(.en)
        #expect(ReportIntake.fields.allSatisfy { blank.contains("\n\($0.key): ") || blank.hasPrefix("# ") })
    }

    static func mail(_ headers: String, _ body: String) -> Data { Data((headers + "\n\n" + body).replacingOccurrences(of: "\n", with: "\r\n").utf8) }

    @Test func inboundMailDecodesMIMEAndJapaneseCharsets() throws {
        let csv = Data("ceptoar,tlp\nbanks,AMBER\n".utf8).base64EncodedString()
        let iso2022 = try #require("概要: 停止".data(using: .iso2022JP))
        let data = Self.mail("""
            From: =?UTF-8?B?5bGx55Sw?= <Yamada@Bank.Example.JP>
            To: banks@reports.ceptoar.example
            Message-ID: <1@bank.example.jp>
            Authentication-Results: mx.ceptoar.example; spf=pass smtp.mailfrom=bank.example.jp; dkim=pass header.d=bank.example.jp; dmarc=pass header.from=bank.example.jp
            Authentication-Results: mx.ceptoar.example; dmarc=pass header.from=evil.example
            MIME-Version: 1.0
            Content-Type: multipart/mixed;
             boundary="XYZ"
            """, """
            preamble
            --XYZ
            Content-Type: text/plain; charset=ISO-2022-JP
            Content-Transfer-Encoding: 7bit

            \(String(decoding: iso2022, as: UTF8.self))
            --XYZ
            Content-Type: text/csv; name="r.csv"
            Content-Disposition: attachment; filename="r.csv"
            Content-Transfer-Encoding: base64

            \(csv)
            --XYZ--
            """)
        let mail = try InboundMail.parse(data).get()
        #expect(mail.fromAddress == "yamada@bank.example.jp")
        #expect(mail.text?.trimmingCharacters(in: .whitespacesAndNewlines) == "概要: 停止")
        #expect(mail.attachments.count == 1 && mail.attachments[0].filename == "r.csv" && String(decoding: mail.attachments[0].data, as: UTF8.self) == "ceptoar,tlp\nbanks,AMBER\n")
        // Only the topmost stamp of our own MTA counts; another MTA's or a later forged one do not.
        #expect(mail.authenticatedDomains(authservID: "mx.ceptoar.example") == ["bank.example.jp"])
        #expect(mail.authenticatedDomains(authservID: "other.example").isEmpty)
    }

    @Test func aFailedOrMissingStampVouchesForNobody() throws {
        let failed = try InboundMail.parse(Self.mail("From: a@bank.example.jp\nAuthentication-Results: mx.ceptoar.example; dkim=fail header.d=bank.example.jp; dmarc=fail header.from=bank.example.jp", "x")).get()
        #expect(failed.authenticatedDomains(authservID: "mx.ceptoar.example").isEmpty)
        let none = try InboundMail.parse(Self.mail("From: a@bank.example.jp", "x")).get()
        #expect(none.authenticatedDomains(authservID: "mx.ceptoar.example").isEmpty)
        #expect(InboundMail.address(in: "a@b.example, c@d.example") == nil && InboundMail.address(in: "undisclosed-recipients:;") == nil)
        #expect(InboundMail.parse(Data()).isFailure)
        #expect(InboundMail.parse(Data(count: InboundMail.maxBytes + 1)).isFailure)
        let qp = InboundMail.quotedPrintable(Array("a=3D=E6=A6=82=\r\nb".utf8))
        #expect(String(decoding: qp, as: UTF8.self) == "a=概b")
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}
