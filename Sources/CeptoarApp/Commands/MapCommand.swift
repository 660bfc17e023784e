import CeptoarKit
import Foundation
import Vapor

/// `ceptoar map [--as-of DATE] [--format html|csv|json|md] [--lang ja|en] [--output FILE]`
/// `ceptoar map --diff FROM TO [--lang ja|en]`
/// `ceptoar map --as-of DATE --activity FY [--format …]`: the map with each CEPTOAR's activity
/// in fiscal year FY (2008, FY2008 or 平成20年度) beside it — NISC's yearly follow-up.
struct MapCommand: AnyAsyncCommand {
    var help: String { "Print the CEPTOAR characteristics map as of a date (--as-of, --format html|csv|json|md, --activity FY), or --diff FROM TO" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        let languageText = try arguments.option("lang") ?? "ja"
        guard let language = Language(rawValue: languageText) else {
            throw CLIError("unknown --lang '\(languageText)'; use ja or en")
        }
        let diff = try arguments.options("diff", count: 2)
        let asOfText = try arguments.option("as-of")
        let formatText = try arguments.option("format") ?? "html"
        let output = try arguments.option("output")
        let activityText = try arguments.option("activity")
        try arguments.finish()
        let activity = try activityText.map { text -> FiscalYear in
            guard let year = FiscalYear(text: text) else {
                throw CLIError("--activity: '\(text.prefix(40))' is not a fiscal year (2008, FY2008 or 平成20年度, \(FiscalYear.range.lowerBound)–\(FiscalYear.range.upperBound))")
            }
            return year
        }
        if activity != nil, diff != nil { throw CLIError("--activity goes with a map (--as-of), not with --diff") }
        let format: MapFormat
        do { format = try MapFormat.parse(formatText) } catch { throw CLIError("\(error)") }

        let app = context.application
        try await app.autoMigrate()
        let query = MapQuery(database: app.db)
        let data: Data
        if let diff {
            let from = try Self.day(diff[0], "--diff"), to = try Self.day(diff[1], "--diff")
            let result = MapDiff(from: try await query.map(asOf: from), to: try await query.map(asOf: to), language: language)
            data = format == .json ? try JSONEncoder.pretty.encode(result) : Data(result.text(language).utf8)
        } else {
            let day = try asOfText.map { try Self.day($0, "--as-of") } ?? Request.defaultMapDay
            let map = try await query.map(asOf: day)
            if let activity {
                data = try format.render(map, activity: try await ActivityQuery(database: app.db).report(activity, for: map.columns), language: language)
            } else {
                data = try format.render(map, language: language)
            }
        }
        if let output {
            try data.write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(data)
        }
    }

    static func day(_ text: String, _ option: String) throws -> Day {
        guard let day = Day(iso: text) else { throw CLIError("\(option): '\(text)' is not a valid date (YYYY-MM-DD)") }
        return day
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
