import CeptoarKit
import Foundation
import Logging
import Vapor

/// What the `ceptoar` executable does, kept in the library so it can be tested.
public enum CeptoarMain {
    public static func run(arguments: [String]) async throws {
        var arguments = arguments
        let options = try LaunchOptions.extract(from: &arguments)
        let configuration = try AppConfiguration.load(options: options)
        Self.bootstrapLogging(configuration)
        _ = MetricsBootstrap.registry

        var environment = try Environment.detect(arguments: arguments)
        environment.arguments = arguments
        let app = try await Application.make(environment)
        do {
            try await configure(app, configuration: configuration, options: options)
            app.launchOptions = options
            let command = arguments.dropFirst().first ?? "serve"
            if command == "serve" || command.hasPrefix("--") {
                // Serving always runs pending migrations: a node never answers on an old schema.
                try await app.autoMigrate()
                // A database from before the registry's identities were stored gets them now;
                // an up-to-date one writes nothing.
                try await app.db.atomically { db in try await RegistryIdentities(database: db).refresh() }
                app.lifecycle.use(JobWorkerLifecycle())
                app.lifecycle.use(AlertWorkerLifecycle())
                app.lifecycle.use(ReportNoticeWorkerLifecycle())
                app.lifecycle.use(ExerciseWorkerLifecycle())
                app.lifecycle.use(WALCheckpointerLifecycle())
                app.lifecycle.use(PeerSyncLifecycle())
                if options.demo {
                    let report = try await SeedCommand.seed(app, seed: try SeedDocument.bundled(), demo: true, history: options.history ?? true)
                    app.logger.notice("\(report)")
                }
            }
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    static func bootstrapLogging(_ configuration: AppConfiguration) {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
