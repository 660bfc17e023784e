import CeptoarKit
import Fluent
import Foundation

/// Reports that arrive in bulk or by mail (`ReportIntake`): every row is checked first, and
/// then all are filed in one transaction through the same `ReportBook.prepare` and `write` as the API — or,
/// if any row is wrong, none is, and the refusal names each wrong row and field.
struct ReportImport {
    let database: any Database

    struct Filed: Sendable {
        var line: Int
        var loaded: ReportBook.Loaded
    }

    /// A CSV file of reports (an upload on the page or the API): the file read, then `file`.
    func fileCSV(_ data: Data, by user: User) async throws -> [Filed] {
        switch ReportIntake.csv(data) {
        case .success(let rows): return try await self.file(rows, by: user, channel: "csv")
        case .failure(let problems): throw UserError(problems)
        }
    }

    /// `channel` (`csv`, `mail`) goes to the audit log. `ceptoar`, when given (a mail to a
    /// CEPTOAR's address), is where every row goes; a row naming another is refused.
    func file(_ rows: [ReportIntake.Row], ceptoar: String? = nil, by user: User, channel: String, now: Date = Date()) async throws -> [Filed] {
        var fields: [String] = []
        var ja: [String] = []
        var en: [String] = []
        let many = rows.count > 1 || channel == "csv"
        for row in rows {
            var problems: ReportInputProblems
            switch ReportIntake.check(row, now: now) {
            case .success: problems = ReportInputProblems()
            case .failure(let found): problems = found
            }
            if let ceptoar, let named = row.ceptoar, named != ceptoar {
                problems.add("ceptoar", ja: "宛先のセプター（\(ceptoar)）と本文のセプター（\(named.prefix(40))）が違います", en: "ceptoar: the mail is addressed to '\(ceptoar)' but names '\(named.prefix(40))'")
            }
            for (index, field) in problems.fields.enumerated() {
                fields.append(many ? "rows[\(row.line)].\(field)" : field)
                ja.append(many ? "\(row.line)行目: \(problems.ja[index])" : problems.ja[index])
                en.append(many ? "line \(row.line): \(problems.en[index])" : problems.en[index])
            }
        }
        guard fields.isEmpty else {
            throw UserError(status: .unprocessableEntity, ja: ja.joined(separator: "。"), en: en.joined(separator: "; "), fields: fields)
        }
        var filings: [ReportBook.Filing] = []
        for row in rows {
            do {
                filings.append(try await ReportBook(database: self.database).prepare(row.input, ceptoar: ceptoar ?? row.ceptoar, by: user, now: now))
            } catch let error as UserError where many {
                var refused = error
                refused.ja = "\(row.line)行目: " + error.ja
                refused.en = "line \(row.line): " + error.en
                refused.fields = (error.fields ?? []).map { "rows[\(row.line)].\($0)" }
                throw refused
            }
        }
        return try await self.database.atomically { [filings] db in
            let written = try await ReportBook.write(filings, on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "report_import", subject: "organisation:\(user.$organisation.id)",
                                      detail: ["channel": channel, "reports": String(written.count)])
            return zip(rows, written).map { Filed(line: $0.line, loaded: $1) }
        }
    }
}
