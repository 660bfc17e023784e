import CeptoarKit
import Fluent
import Foundation
import Vapor

/// `ceptoar stix import FILE|-`: a STIX 2.1 bundle (from MISP's misp-stix, another platform or a
/// peer's export) into a CEPTOAR community or as received under an agreement. Checked object by
/// object like a TAXII POST; the file is stored whole or not at all.
struct StixCommand: AnyAsyncCommand {
    var help: String {
        "Import STIX 2.1: import FILE|- (--community CEPTOAR | --agreement KEY --from PARTY) [--author IDENTITY …] [--tlp LEVEL for unmarked objects, default AMBER]"
    }

    static let maxBytes = 256 * 1024 * 1024
    static let maxObjects = 200_000

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard arguments.positional() == "import", let path = arguments.positional() else {
            throw CLIError("usage: ceptoar stix import FILE|- (--community CEPTOAR | --agreement KEY --from PARTY) [--author IDENTITY …] [--tlp LEVEL]")
        }
        let community = try arguments.option("community")
        let agreementKey = try arguments.option("agreement")
        let from = try arguments.option("from")
        let authors = try arguments.repeated("author")
        let tlpText = try arguments.option("tlp") ?? "AMBER"
        try arguments.finish()
        guard let unmarked = TLP(label: tlpText), Agreement.markings.contains(unmarked) else {
            throw CLIError("--tlp must be CLEAR, GREEN or AMBER, not '\(tlpText)'")
        }
        guard (community == nil) != (agreementKey == nil) else { throw CLIError("give either --community CEPTOAR or --agreement KEY --from PARTY") }
        for author in authors where STIXIdentifier.parse(author)?.type != "identity" {
            throw CLIError("--author takes identity ids (identity--UUID), not '\(author)'")
        }
        let objects = try Self.read(path)
        let app = context.application
        try await app.autoMigrate()
        let parties = Parties(database: app.db)
        var target: StixIngest.Target
        if let community {
            guard try await Ceptoar.query(on: app.db).filter(\.$key == community).first() != nil else { throw CLIError("no CEPTOAR '\(community)'") }
            let party = Party.ceptoar(community)
            target = StixIngest.Target(source: party, authors: try await parties.authors(of: party, agreement: nil), community: community, agreement: nil,
                                       unmarked: unmarked, sector: try await parties.sector(of: party), peer: nil)
        } else {
            guard let key = agreementKey, let record = try await SharingContext.agreement(key, on: app.db) else { throw CLIError("no agreement '\(agreementKey ?? "")'") }
            guard let from, record.terms.givers.contains(from) else { throw CLIError("--from must be a giving party of \(record.key): \(record.terms.givers.sorted().joined(separator: ", "))") }
            guard record.terms.inForce(on: .today) else { throw CLIError("agreement \(record.key) is not in force (\(record.shownStatus(on: .today)))") }
            target = StixIngest.Target(source: from, authors: try await parties.authors(of: from, agreement: record.key), community: nil, agreement: record.terms,
                                       unmarked: Swift.min(unmarked, record.terms.maxTLP), sector: try await parties.sector(of: from), peer: nil)
        }
        target.authors.formUnion(authors)
        let outcome = try await StixIngest(database: app.db).ingest(objects, into: target, language: .en)
        guard outcome.failures.isEmpty else {
            let reasons = outcome.failures.filter { !($0.message ?? "").hasPrefix("not stored: another object") }.prefix(20)
                .map { "  \($0.id.isEmpty ? "(no id)" : $0.id): \($0.message ?? "")" }
            throw CLIError("nothing stored: \(outcome.failures.count) of \(outcome.total) object(s) refused or held back\n" + reasons.joined(separator: "\n"))
        }
        try await AuditLog.append(on: app.db, actor: "cli", action: "stix-import", subject: community.map { "community:\($0)" } ?? "agreement:\(agreementKey ?? "")",
                                  detail: ["file": path == "-" ? "stdin" : URL(fileURLWithPath: path).lastPathComponent, "total": String(outcome.total), "stored": String(outcome.stored)])
        context.say("imported \(outcome.total) object(s): \(outcome.stored) new version(s) stored, \(outcome.total - outcome.stored) already present or TLP definitions")
    }

    /// The objects of a bundle (`{"type":"bundle","objects":[…]}`) or a TAXII envelope.
    static func read(_ path: String) throws -> [JSONValue] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readData(ofLength: Self.maxBytes + 1)
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
            data = contents
        }
        guard data.count <= Self.maxBytes else { throw CLIError("\(path) is larger than \(Self.maxBytes / 1024 / 1024) MB") }
        let document: JSONValue
        do { document = try JSONValue.decode(data) } catch { throw CLIError("\(path) is not valid JSON") }
        guard let objects = document["objects"]?.array else { throw CLIError("\(path) is not a STIX bundle or TAXII envelope: no 'objects' list") }
        if let type = document["type"]?.string, type != "bundle" { throw CLIError("\(path) is a '\(type.prefix(40))', not a bundle") }
        guard objects.count <= Self.maxObjects else { throw CLIError("\(path) has more than \(Self.maxObjects) objects") }
        return objects
    }
}
