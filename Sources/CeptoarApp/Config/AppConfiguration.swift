import Foundation
import Logging

/// Every setting Ceptoar reads from its environment, read in this one place with its default.
public struct AppConfiguration: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public enum LogFormat: String, Sendable { case text, json }

    public var database: DatabaseChoice
    public var logFormat: LogFormat
    public var logLevel: Logger.Level
    /// bcrypt work factor; 12 in production, lowered only by tests that create many users.
    public var bcryptCost: Int
    /// Mark cookies `Secure` (set when served over HTTPS).
    public var secureCookies: Bool
    /// Failed logins allowed before each further attempt must wait.
    public var loginFailuresBeforeDelay: Int
    /// The first delay in seconds; each further failure doubles it (at most 15 minutes).
    public var loginDelaySeconds: Int
    /// How long, in milliseconds, a token's owner or an inbox page read from the database may
    /// be answered again without reading (only while this process has written nothing since);
    /// 0 turns the cache off. Bounds how late other nodes' writes are seen.
    public var readCacheMilliseconds: Int
    /// Crash tests only: kill the process after this many hops' deliveries are inserted.
    public var faultKillAfterFanOuts: Int?
    /// How long a request may wait for a free PostgreSQL connection before it fails.
    public var databasePoolTimeoutSeconds = 10
    /// Alerts: where links in messages point, how mail is sent, which gateways carry the
    /// phone-type channels, and how fast each route may go.
    public var notify = NotifySettings()
    /// Federation: how often the sync worker looks for peers due, and how long a peer may take
    /// to answer one request.
    /// Crash tests only: kill the process while storing the Nth page pulled from a peer.
    public var faultKillAtPulledPage: Int?
    public var syncPollSeconds = 5
    public var peerTimeoutSeconds = 10

    /// The environment variables and their meaning, for the README and `--help`.
    public static let variables: [(name: String, meaning: String, fallback: String)] = [
        ("DATABASE_URL", "PostgreSQL URL (postgres://user:pass@host:port/db); when set, PostgreSQL is used", "unset: SQLite"),
        ("CEPTOAR_DATABASE", "SQLite file path (the --database option wins)", "./ceptoar.sqlite"),
        ("CEPTOAR_DB_POOL_TIMEOUT_SECONDS", "PostgreSQL: how long opening a connection, or waiting for a free one (4 per event loop), may take", "10"),
        ("CEPTOAR_LOG_FORMAT", "text or json (one JSON object per line)", "text"),
        ("LOG_LEVEL", "trace, debug, info, notice, warning, error, critical", "info"),
        ("CEPTOAR_BCRYPT_COST", "bcrypt cost for new passwords (4-31)", "12"),
        ("CEPTOAR_SECURE_COOKIES", "1 to mark session cookies Secure (behind HTTPS)", "0"),
        ("CEPTOAR_LOGIN_FAILURES_BEFORE_DELAY", "failed logins before each attempt is delayed", "5"),
        ("CEPTOAR_LOGIN_DELAY_SECONDS", "the first delay after those failures; it doubles with each further one (max 900)", "2"),
        ("CEPTOAR_FAULT_KILL_AFTER_FANOUTS", "crash tests only: the process kills itself after this many relay hops have inserted their deliveries, before the commit", "unset"),
        ("CEPTOAR_PUBLIC_URL", "the address users reach this server at, for links in messages", "http://127.0.0.1:8080"),
        ("CEPTOAR_SMTP_URL", "mail relay: smtp://[user:password@]host:port (STARTTLS when offered), smtp+starttls://… to require it", "unset: mail waits as failed"),
        ("CEPTOAR_MAIL_FROM", "the sender address of alert mail", "ceptoar@localhost"),
        ("CEPTOAR_SMTP_CONNECTIONS", "SMTP connections used at once for a large send", "32"),
        ("CEPTOAR_SMTP_BATCH", "mails claimed and sent as one batch (a crash mid-batch may send its unrecorded mails twice, same Message-ID)", "2000"),
        ("CEPTOAR_GATEWAY_SMS_URL", "webhook of the SMS gateway (mobile phones); unset: calls become manual call tasks", "unset"),
        ("CEPTOAR_GATEWAY_VOICE_URL", "webhook of the voice gateway (phones, satellite phones)", "unset"),
        ("CEPTOAR_GATEWAY_FAX_URL", "webhook of the FAX gateway", "unset"),
        ("CEPTOAR_GATEWAY_SECRET", "shared secret for HMAC-SHA256 signatures to and from gateways", "unset"),
        ("CEPTOAR_RATE_SMTP_PER_MINUTE", "at most this many mails per minute (0 = no limit)", "0"),
        ("CEPTOAR_RATE_GATEWAY_PER_MINUTE", "at most this many gateway requests per minute (0 = no limit)", "600"),
        ("CEPTOAR_NOTIFY_POLL_MS", "how often the alert worker looks for due steps and messages", "250"),
        ("CEPTOAR_FAULT_KILL_AFTER_SENT", "crash tests only: the process kills itself once this many alert messages have been sent and recorded", "unset"),
        ("CEPTOAR_FAULT_KILL_AT_PULLED_PAGE", "crash tests only: the process kills itself while storing the Nth page pulled from a peer, before it commits", "unset"),
        ("CEPTOAR_SYNC_POLL_SECONDS", "how often the federation worker looks for peer nodes due to sync (each peer has its own interval)", "5"),
        ("CEPTOAR_PEER_TIMEOUT_SECONDS", "how long a peer node may take to answer one TAXII request before the sync counts as failed", "10"),
        ("CEPTOAR_READ_CACHE_MS", "how long a token's owner or an inbox page may be reused before it is read again (0 = never; a write in this process always ends it)", "1000"),
    ]

    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        options: LaunchOptions = LaunchOptions()
    ) throws -> AppConfiguration {
        let database: DatabaseChoice
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            try Self.validatePostgresURL(url)
            database = .postgres(url: url)
        } else {
            let path = options.databasePath ?? environment["CEPTOAR_DATABASE"] ?? "./ceptoar.sqlite"
            guard !path.isEmpty else { throw ConfigurationError.invalid("the SQLite database path is empty") }
            database = .sqlite(path: path)
        }
        let formatText = environment["CEPTOAR_LOG_FORMAT"] ?? "text"
        guard let logFormat = LogFormat(rawValue: formatText) else {
            throw ConfigurationError.invalid("CEPTOAR_LOG_FORMAT must be text or json, not '\(formatText)'")
        }
        let levelText = environment["LOG_LEVEL"] ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelText) else {
            throw ConfigurationError.invalid("LOG_LEVEL '\(levelText)' is not a log level")
        }
        let cost = try Self.integer(environment, "CEPTOAR_BCRYPT_COST", default: 12, range: 4...31)
        let failures = try Self.integer(environment, "CEPTOAR_LOGIN_FAILURES_BEFORE_DELAY", default: 5, range: 1...1000)
        let delay = try Self.integer(environment, "CEPTOAR_LOGIN_DELAY_SECONDS", default: 2, range: 1...900)
        let readCache = try Self.integer(environment, "CEPTOAR_READ_CACHE_MS", default: 1_000, range: 0...60_000)
        let killAfter = environment["CEPTOAR_FAULT_KILL_AFTER_FANOUTS"] == nil
            ? nil : try Self.integer(environment, "CEPTOAR_FAULT_KILL_AFTER_FANOUTS", default: 0, range: 1...1_000)
        return AppConfiguration(
            database: database, logFormat: logFormat, logLevel: logLevel, bcryptCost: cost,
            secureCookies: environment["CEPTOAR_SECURE_COOKIES"] == "1", loginFailuresBeforeDelay: failures, loginDelaySeconds: delay,
            readCacheMilliseconds: readCache, faultKillAfterFanOuts: killAfter,
            databasePoolTimeoutSeconds: try Self.integer(environment, "CEPTOAR_DB_POOL_TIMEOUT_SECONDS", default: 10, range: 1...600),
            notify: try NotifySettings.load(environment),
            faultKillAtPulledPage: environment["CEPTOAR_FAULT_KILL_AT_PULLED_PAGE"] == nil ? nil : try Self.integer(environment, "CEPTOAR_FAULT_KILL_AT_PULLED_PAGE", default: 0, range: 1...100_000),
            syncPollSeconds: try Self.integer(environment, "CEPTOAR_SYNC_POLL_SECONDS", default: 5, range: 1...3600),
            peerTimeoutSeconds: try Self.integer(environment, "CEPTOAR_PEER_TIMEOUT_SECONDS", default: 10, range: 1...600))
    }

    static func integer(_ environment: [String: String], _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = environment[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError.invalid("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// A malformed URL is refused here with a message saying what is wrong, before any driver sees it.
    static func validatePostgresURL(_ text: String) throws {
        guard let components = URLComponents(string: text) else {
            throw ConfigurationError.invalid("DATABASE_URL is not a URL: expected postgres://user:password@host:port/database")
        }
        guard let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw ConfigurationError.invalid("DATABASE_URL must start with postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ConfigurationError.invalid("DATABASE_URL has no host")
        }
        guard components.user?.isEmpty == false else {
            throw ConfigurationError.invalid("DATABASE_URL has no user name")
        }
        if components.port == nil, text.range(of: #"//[^/]*:[^/@]*@[^/:]+:"#, options: .regularExpression) != nil {
            throw ConfigurationError.invalid("DATABASE_URL has a port that is not a number")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !database.isEmpty else {
            throw ConfigurationError.invalid("DATABASE_URL names no database (…/database at the end)")
        }
    }
}

/// A setting that cannot be used; the message says which and why.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): return "configuration error: \(message)"
        }
    }
}
