import CeptoarKit
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import Prometheus
import SQLKit
import Vapor

/// Builds the application: database, migrations, sessions, middleware, routes, commands.
public func configure(_ app: Application, options: LaunchOptions = LaunchOptions()) async throws {
    let configuration = try AppConfiguration.load(options: options)
    try await configure(app, configuration: configuration, options: options)
}

public func configure(_ app: Application, configuration: AppConfiguration, options: LaunchOptions) async throws {
    app.ceptoar = configuration
    app.logger.logLevel = configuration.logLevel

    switch configuration.database {
    case .sqlite(let path):
        // Several connections per event loop: WAL lets readers run beside the one writer, and a
        // request of several short queries otherwise waits for a free connection.
        app.databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 4, sqlLogLevel: .debug), as: .sqlite)
    case .postgres(let url):
        // Four connections per event loop, as for SQLite: with Fluent's default of one, a
        // request waited whenever its loop's single connection was busy (a long transaction,
        // the alert worker), and under load the wait ran past the pool's timeout.
        // Opening a connection is bounded by the same time (PostgresNIO's default is 10 s).
        let wait = TimeAmount.seconds(Int64(configuration.databasePoolTimeoutSeconds))
        var postgres = try SQLPostgresConfiguration(url: url)
        postgres.coreConfiguration.options.connectTimeout = wait
        app.databases.use(
            .postgres(configuration: postgres, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: wait, encodingContext: .default, sqlLogLevel: .debug),
            as: .psql)
    }
    for migration in Migrations.all { app.migrations.add(migration) }
    if case .sqlite = configuration.database {
        // Write-ahead logging: readers never wait for the writer, and a commit fsyncs the log
        // only — still fully durable. The mode is stored in the database file.
        try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").run()
    }

    app.installMapCache()
    app.readCaches = ReadCaches(lifetime: .milliseconds(configuration.readCacheMilliseconds))
    app.homeCache = HomeCache(lifetime: .milliseconds(configuration.readCacheMilliseconds))
    app.situationCaches = SituationCaches(lifetime: .milliseconds(configuration.readCacheMilliseconds))
    app.ingestQueue = IngestQueue(database: app.db)
    app.reportFiling = ReportFilingQueue(database: app.db, lifetime: .milliseconds(configuration.readCacheMilliseconds))
    app.tokenUse = TokenUseRecorder(database: app.db, logger: app.logger)
    app.lifecycle.use(TokenUseLifecycle())
    app.inboundThrottle = InboundThrottle()
    app.taxiiPagingKey = NIOLockedValueBox(nil)
    FaultInjection.configure(
        killAfterFanOuts: configuration.faultKillAfterFanOuts, killAfterSent: configuration.notify.faultKillAfterSent,
        killAtPulledPage: configuration.faultKillAtPulledPage)
    app.broadcaster = Broadcaster()
    app.passwords.use(.bcrypt(cost: configuration.bcryptCost))
    app.sessions.use { app in WriteOnChangeSessions(base: app.fluent.sessions.driver(), cache: app.readCaches.sessions) }
    app.sessions.configuration.cookieName = "ceptoar_session"
    app.sessions.configuration.cookieFactory = { sessionID in
        HTTPCookies.Value(
            string: sessionID.string, maxAge: Int(SessionUserAuthenticator.lifetime), path: "/", isSecure: configuration.secureCookies,
            isHTTPOnly: true, sameSite: .lax)
    }
    // Request bodies stay small: forms and registry changes, not uploads.
    app.routes.defaultMaxBodySize = "1mb"

    app.middleware = Middlewares()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(SecurityHeadersMiddleware(strictTransportSecurity: configuration.secureCookies))
    app.middleware.use(ErrorRenderingMiddleware())
    app.middleware.use(HostileTextMiddleware())
    app.middleware.use(LanguageMiddleware())
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(SessionUserAuthenticator())

    try routes(app)

    app.asyncCommands.use(SeedCommand(), as: "seed")
    app.asyncCommands.use(MapCommand(), as: "map")
    app.asyncCommands.use(SheetCommand(), as: "sheet")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(TokenCommand(), as: "token")
    app.asyncCommands.use(RegistryCommand(), as: "registry")
    app.asyncCommands.use(AuditCommand(), as: "audit")
    app.asyncCommands.use(StixCommand(), as: "stix")
    app.asyncCommands.use(PeersCommand(), as: "peers")
    app.asyncCommands.use(BenchRelayCommand(), as: "bench-relay")
    app.asyncCommands.use(BenchReportsCommand(), as: "bench-reports")
    app.asyncCommands.use(MailTestCommand(), as: "mail-test")
    app.asyncCommands.use(IntakeCommand(), as: "intake")
}

/// Every migration in order. A migration that has shipped is never edited; add a new one.
enum Migrations {
    static let all: [any Migration] = [
        CreateOrganisation(),
        CreateSector(),
        CreateCeptoar(),
        CreateCeptoarStructure(),
        CreateAccounts(),
        CreateSearchIndexes(),
        CreateRegistryRevision(),
        CreateRelay(),
        CreateHandlingRules(),
        CreateProvisionRequest(),
        CreateAdvisoryAttachment(),
        SessionRecord.migration,
        NotifyPerHop(),
        AdvisoryIdempotency(),
        CreatePointsOfContact(),
        CreateNotifications(),
        CreatePocVerifications(),
        LoginThrottleQuietPeriod(),
        CreateSharing(),
        SharingIndexes(),
        CreateReports(),
        CreateFailureCases(),
        CreateReportNotices(),
        ReportIndexes(),
        TrendFlagMembers(),
        ReportFirstSubmissions(),
        CreateSituation(),
        ExerciseAndSyntheticMarks(),
        CreateExercises(),
    ]
}

private struct ConfigurationKey: StorageKey { typealias Value = AppConfiguration }

extension Application {
    /// The settings `configure` read, for commands and controllers.
    var ceptoar: AppConfiguration {
        get { self.storage[ConfigurationKey.self]! }
        set { self.storage[ConfigurationKey.self] = newValue }
    }

    func accounts(on database: any Database) -> Accounts {
        Accounts(
            database: database, passwords: self.password.async, failuresBeforeDelay: self.ceptoar.loginFailuresBeforeDelay,
            delaySeconds: self.ceptoar.loginDelaySeconds)
    }
}
