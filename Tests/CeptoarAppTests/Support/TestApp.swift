@testable import CeptoarKit
import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

/// Runs `body` against a freshly migrated application on its own database: a new SQLite file,
/// or, when `DATABASE_URL` is set (as the test script does), a new PostgreSQL database made
/// for this test and dropped after it. The same tests therefore run on both engines.
func withCeptoar(
    seeded: Bool = true, demo: Bool = false, environment extra: [String: String] = [:],
    _ body: (Application) async throws -> Void
) async throws {
    let isolated = try await IsolatedDatabase.make()
    // The whole suite runs at once on two cores: a connection may take long to come.
    var environment = ["CEPTOAR_BCRYPT_COST": "4", "LOG_LEVEL": "warning", "CEPTOAR_DB_POOL_TIMEOUT_SECONDS": "120"].merging(extra) { _, new in new }
    switch isolated.choice {
    case .sqlite(let path): environment["CEPTOAR_DATABASE"] = path
    case .postgres(let url): environment["DATABASE_URL"] = url
    }
    let configuration = try AppConfiguration.load(environment: environment)
    let app = try await Application.make(.testing)
    do {
        try await configure(app, configuration: configuration, options: LaunchOptions())
        try await app.autoMigrate()
        if seeded {
            _ = try await SeedCommand.seed(app, seed: try SeedDocument.bundled(), demo: demo)
        }
        try await body(app)
    } catch {
        // PostgresNIO hides the detail in its description; the log should not.
        print("withCeptoar: \(String(reflecting: error))")
        try? await app.asyncShutdown()
        try? await isolated.drop()
        throw error
    }
    try await app.asyncShutdown()
    try await isolated.drop()
}

struct IsolatedDatabase {
    let choice: AppConfiguration.DatabaseChoice
    let drop: @Sendable () async throws -> Void

    static func make() async throws -> IsolatedDatabase {
        if let base = ProcessInfo.processInfo.environment["DATABASE_URL"], !base.isEmpty {
            let name = "ceptoar_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await Self.admin(base) { sql in try await sql.raw("CREATE DATABASE \(unsafeRaw: String(name))").run() }
            var components = URLComponents(string: base)!
            components.path = "/" + name
            return IsolatedDatabase(choice: .postgres(url: components.string!)) {
                try await Self.admin(base) { sql in try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: String(name)) WITH (FORCE)").run() }
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ceptoar-test-\(UUID().uuidString).sqlite").path
        return IsolatedDatabase(choice: .sqlite(path: path)) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// Runs one statement on the server's base database.
    static func admin(_ url: String, _ statement: (any SQLDatabase) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        do {
            var configuration = try SQLPostgresConfiguration(url: url)
            configuration.coreConfiguration.options.connectTimeout = .seconds(120)
            app.databases.use(.postgres(configuration: configuration, connectionPoolTimeout: .seconds(120), encodingContext: .default), as: .psql)
            try await statement(app.db as! any SQLDatabase)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// The language of problem-JSON bodies in tests: English, so messages read in the log.
let english: HTTPHeaders = ["Accept-Language": "en", "Accept": "application/json"]

struct Problem: Decodable {
    var type: String
    var title: String
    var status: Int
    var detail: String
}
