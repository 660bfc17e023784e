import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// `ceptoar bench-relay --members N [--users-per-org U] [--runs R]`: the relay benchmark, run on
/// demand against a scratch database (never CI's). Builds the demo nation, grows it to N member
/// organisations with U users each, then times NISC publishing an all-sector critical advisory
/// (auto-forwarded at every hop) until every delivery and outbox job is committed.
struct BenchRelayCommand: AnyAsyncCommand {
    var help: String { "Benchmark the relay fan-out on a scratch database: --members N --users-per-org U --runs R" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        let members = Int(try arguments.option("members") ?? "5692") ?? -1
        let usersPerOrganisation = Int(try arguments.option("users-per-org") ?? "3") ?? -1
        let runs = Int(try arguments.option("runs") ?? "11") ?? -1
        try arguments.finish()
        guard members >= 5_692, usersPerOrganisation >= 0, runs >= 1 else {
            throw CLIError("--members must be at least 5692 (the demo nation), --users-per-org 0 or more, --runs 1 or more")
        }
        let app = context.application
        try await app.autoMigrate()
        guard try await Advisory.query(on: app.db).count() == 0, try await !RegistrySeeder(database: app.db).isSeeded() else {
            throw CLIError("bench-relay needs an empty scratch database; it refuses to touch one with data")
        }
        let clock = ContinuousClock()
        let setupStart = clock.now
        _ = try await SeedCommand.seed(app, seed: try SeedDocument.bundled(), demo: true)
        try await Self.grow(app.db, to: members)
        try await Self.addUsers(app.db, perOrganisation: usersPerOrganisation, hash: try await app.password.async.hash("bench-password-unused"))
        let memberCount = try await Membership.query(on: app.db).filter(\.$role == "member").count()
        let userCount = try await User.query(on: app.db).count()
        context.say("setup: \(memberCount) member organisations, \(userCount) users in \(clock.now - setupStart)")

        guard let nisc = try await User.query(on: app.db).filter(\.$email == "nisc@demo.ceptoar.example").first() else {
            throw CLIError("the demo NISC coordinator is missing")
        }
        let sectors = try await Sector.query(on: app.db).all().map(\.key)
        // As `serve` runs: the log is checkpointed in the background, not in the commit.
        let checkpointer = WALCheckpointer(database: app.db)
        await checkpointer.start(logger: app.logger)
        var timings: [Double] = []
        for run in 1...runs {
            let input = AdvisoryInput(
                title: LocalizedText(ja: "ベンチマーク \(run)"), body: LocalizedText(ja: "全分野への注意喚起"), severity: "critical",
                category: "threat", tlp: "AMBER", targets: sectors.map { .init(kind: "sector", key: $0) }, references: nil, expiresAt: nil, supersedes: nil)
            let start = clock.now
            let advisory = try await Relay(database: app.db).publish(input, by: nisc)
            let elapsed = clock.now - start
            let delivered = try await Delivery.query(on: app.db).filter(\.$advisory.$id == advisory.requireID()).count()
            guard delivered == memberCount else { throw CLIError("run \(run): \(delivered) deliveries, expected \(memberCount)") }
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            timings.append(ms)
            context.say(String(format: "run %d: %.1f ms, %d deliveries", run, ms, delivered))
        }
        await checkpointer.stop()
        let sorted = timings.sorted()
        let median = sorted[sorted.count / 2]
        let p90 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.9))]
        context.say(String(format: "publish → all deliveries committed: median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms over %d runs (%d members)",
            median, p90, sorted.first!, sorted.last!, runs, memberCount))
    }

    /// Adds synthetic member organisations, spread over the CEPTOARs in proportion to the map.
    static func grow(_ db: any Database, to target: Int) async throws {
        let versions = try await CeptoarVersion.query(on: db).filter(\.$validTo == nil).with(\.$ceptoar).all()
        let base = versions.reduce(0) { $0 + $1.memberCount }
        var remaining = target - base
        guard remaining > 0 else { return }
        for (index, version) in versions.enumerated() {
            let share = index == versions.count - 1 ? remaining : Int((Double(target - base) * Double(version.memberCount) / Double(base)).rounded())
            let count = min(share, remaining)
            remaining -= count
            var organisations: [[any SQLExpression]] = []
            var memberships: [[any SQLExpression]] = []
            for n in 0..<count {
                let id = UUID()
                let key = "bench-\(version.ceptoar.key)-\(n)"
                organisations.append([SQLBind(id), SQLBind(key), SQLBind("operator"), SQLBind(key), SQLBind(key), SQLBind(version.validFrom), SQLBind(true)])
                memberships.append([SQLBind(UUID()), SQLBind(id), SQLBind(version.$ceptoar.id), SQLBind("member"), SQLBind(version.validFrom)])
            }
            let organisationRows = organisations, membershipRows = memberships
            try await db.atomically { db in
                let sql = db as! any SQLDatabase
                try await sql.insertRows(
                    into: Organisation.schema, columns: ["id", "key", "kind", "name_ja", "search_text", "valid_from", "synthetic"], organisationRows,
                    chunk: 2_000)
                try await sql.insertRows(
                    into: Membership.schema, columns: ["id", "organisation_id", "ceptoar_id", "role", "valid_from"], membershipRows, chunk: 2_000)
            }
        }
    }

    /// Gives every member organisation `perOrganisation` users sharing one hash (they never sign in).
    static func addUsers(_ db: any Database, perOrganisation: Int, hash: String) async throws {
        guard perOrganisation > 0 else { return }
        let organisations = try await (db as! any SQLDatabase).raw("SELECT organisation_id FROM memberships WHERE role = 'member'").all()
            .map { try $0.decode(column: "organisation_id", as: UUID.self) }
        var rows: [[any SQLExpression]] = []
        for (index, organisation) in organisations.enumerated() {
            for n in 0..<perOrganisation {
                rows.append([SQLBind(UUID()), SQLBind(organisation), SQLBind("bench-\(index)-\(n)@bench.ceptoar.example"), SQLBind("bench"), SQLBind(hash), SQLBind("member"), SQLBind(true)])
            }
        }
        let userRows = rows
        try await db.atomically { db in
            let sql = db as! any SQLDatabase
            try await sql.insertRows(
                into: User.schema, columns: ["id", "organisation_id", "email", "display_name", "password_hash", "roles", "active"], userRows,
                chunk: 2_000)
        }
    }
}
