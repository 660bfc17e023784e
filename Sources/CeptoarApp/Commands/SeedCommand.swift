import CeptoarKit
import Fluent
import Foundation
import Vapor

/// `ceptoar seed [--file PATH] [--demo [--history]]`: migrate, then load the characteristics
/// map (and with `--demo`, the synthetic nation and demo users; with `--history`, its generated
/// past year). Runs in one transaction each; idempotent.
struct SeedCommand: AnyAsyncCommand {
    var help: String { "Load the 2009 CEPTOAR characteristics map (--file PATH for another seed; --demo adds the demo nation)" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        let file = try arguments.option("file")
        try arguments.finish()
        let app = context.application
        let seed = try file.map { try SeedDocument.load(from: URL(fileURLWithPath: $0)) } ?? SeedDocument.bundled()
        try await app.autoMigrate()
        let report = try await Self.seed(app, seed: seed, demo: app.launchOptions.demo, history: app.launchOptions.history ?? false)
        context.say(report)
    }

    /// Shared with `serve --demo`.
    static func seed(_ app: Application, seed: SeedDocument, demo: Bool, history: Bool = false) async throws -> String {
        defer {
            WriteGeneration.sharing.advance()  // who may read what may have changed
            WriteGeneration.accounts.advance()  // and who the demo accounts are
        }
        var lines: [String] = []
        switch try await RegistrySeeder(database: app.db).load(seed) {
        case .loaded(let count):
            lines.append("seeded \(count) CEPTOARs in \(seed.sectors.count) sectors as of \(seed.source.asOf.date.iso) (\(seed.totalMembers) members declared)")
        case .alreadySeeded:
            lines.append("registry already seeded; nothing changed")
        }
        if demo {
            let created = try await DemoNation(database: app.db, passwords: app.password.async).create()
            if created > 0 {
                lines.append("demo nation: \(created) synthetic member organisations; demo users (password \(DemoNation.password)):")
                for user in DemoNation.users {
                    lines.append("  \(user.email)  \(user.roles.map(\.rawValue).joined(separator: ","))")
                }
            } else {
                lines.append("demo nation already present; nothing changed")
            }
            if history {
                let started = ContinuousClock.now
                let past = try await DemoHistory(database: app.db).generate()
                if past.advisories + past.drills + past.reports > 0 {
                    lines.append(
                        "demo history (synthetic, seed \(DemoHistory(database: app.db).seed)): \(past.advisories) advisories relayed (\(past.deliveries) deliveries), "
                            + "\(past.drills) drills, \(past.reports) reports, \(past.failureCases) failure cases, \(past.agreements) agreements, \(past.situationChanges) situation changes over the past year, in \(ContinuousClock.now - started)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}

private struct LaunchOptionsKey: StorageKey { typealias Value = LaunchOptions }

extension Application {
    var launchOptions: LaunchOptions {
        get { self.storage[LaunchOptionsKey.self] ?? LaunchOptions() }
        set { self.storage[LaunchOptionsKey.self] = newValue }
    }
}
