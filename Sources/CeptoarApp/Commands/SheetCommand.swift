import CeptoarKit
import Fluent
import Foundation
import Vapor

/// `ceptoar sheet KEY --as EMAIL [--lang ja|en] (--pdf FILE | --output FILE.html)`: a
/// CEPTOAR's emergency sheet as a file to print and keep, for the day the network is down —
/// the same page `/ceptoars/KEY/emergency-sheet` shows, read as the named account (so only
/// someone the policy lets read the roster gets it, and the printing is audited under their
/// name). `--pdf` has headless Chromium print it (A4, the page's print style); `--output`
/// writes a standalone HTML file with its style inside.
struct SheetCommand: AnyAsyncCommand {
    var help: String { "Write a CEPTOAR's emergency sheet as PDF (--pdf FILE, via Chromium) or HTML (--output FILE), read as --as EMAIL" }

    /// Where Debian puts Chromium; `CEPTOAR_CHROMIUM` names another.
    static let chromiumCandidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard let key = arguments.positional() else { throw CLIError("usage: ceptoar sheet KEY --as EMAIL (--pdf FILE | --output FILE.html) [--lang ja|en]") }
        guard let email = try arguments.option("as") else { throw CLIError("--as EMAIL: the account the sheet is read as (the CEPTOAR's secretariat, its ministry or NISC)") }
        let languageText = try arguments.option("lang") ?? "ja"
        guard let language = Language(rawValue: languageText) else { throw CLIError("unknown --lang '\(languageText.prefix(20))'; use ja or en") }
        let pdf = try arguments.option("pdf")
        let output = try arguments.option("output")
        try arguments.finish()
        guard (pdf == nil) != (output == nil) else { throw CLIError("give one of --pdf FILE or --output FILE.html") }
        let chromium = pdf == nil ? nil : try Self.chromium()

        let app = context.application
        try await app.autoMigrate()
        guard let user = try await User.query(on: app.db).filter(\.$email == email.lowercased()).first(), user.active else {
            throw CLIError("no active account \(email.prefix(200))")
        }
        let sheet: EmergencySheet
        do {
            sheet = try await EmergencySheet.load(key: key, by: user, on: app.db)
        } catch let error as UserError {
            throw CLIError(error.en)
        }
        let request = Request(application: app, method: .GET, url: URI(path: "/ceptoars/\(key)/emergency-sheet"), on: app.eventLoopGroup.next())
        request.language = language
        let html = Self.standalone(EmergencySheetPage(sheet: sheet).render(request))

        if let output {
            try Data(html.utf8).write(to: URL(fileURLWithPath: output))
            context.say("wrote \(output)")
            return
        }
        guard let pdf, let chromium else { return }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ceptoar-sheet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let page = work.appendingPathComponent("sheet.html")
        try Data(html.utf8).write(to: page)
        let target = URL(fileURLWithPath: pdf)
        try? FileManager.default.removeItem(at: target)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-pdf-header-footer",
            "--user-data-dir=\(work.appendingPathComponent("profile").path)", "--print-to-pdf=\(target.path)", page.absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let size = try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int, size > 0 else {
            throw CLIError("Chromium could not print the sheet (exit \(process.terminationStatus)); --output FILE.html writes it for a browser to print")
        }
        context.say("wrote \(pdf) (\(size) bytes)")
    }

    /// The page with its style inside, so the file stands alone (no server to fetch it from).
    static func standalone(_ page: String) -> String {
        page.replacingOccurrences(
            of: #"<link rel="stylesheet" href="\#(StaticAssets.stylesheetPath)">"#, with: "<style>\(StaticAssets.stylesheet)</style>")
    }

    static func chromium() throws -> String {
        let candidates = (ProcessInfo.processInfo.environment["CEPTOAR_CHROMIUM"].map { [$0] } ?? []) + Self.chromiumCandidates
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CLIError("--pdf needs Chromium (Debian: apt-get install chromium) or CEPTOAR_CHROMIUM; --output FILE.html writes the sheet for a browser to print")
        }
        return found
    }
}
