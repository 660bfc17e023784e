import Foundation
import CeptoarKit

/// How alerts leave this server (read from the environment by `AppConfiguration.load`).
public struct NotifySettings: Sendable {
    /// Where links in messages point (no trailing slash).
    public var publicURL = "http://127.0.0.1:8080"
    /// The mail relay; without one, mail attempts fail (temporarily) and escalation moves on.
    var smtp: SMTPServer?
    public var mailFrom = "ceptoar@localhost"
    public var smtpConnections = 32
    /// Mails claimed and sent as one batch; a process killed mid-batch sends that batch's
    /// unrecorded mails again after the lease (same Message-ID), so this bounds duplicates.
    public var smtpBatch = 2_000
    /// Gateway webhooks per contact channel (mobile → SMS, phone and satellite phone → voice,
    /// fax → FAX). A channel without one becomes a manual call task.
    public var gateways: [String: String] = [:]
    public var gatewaySecret: String?
    /// Messages per minute per route; 0 = no limit.
    public var ratePerMinute: [String: Int] = ["smtp": 0, "gateway": 600, "portal": 0]
    public var pollMilliseconds = 250
    /// Crash tests only.
    public var faultKillAfterSent: Int?
    /// Reports by mail: the domain of the per-CEPTOAR addresses (`banks@<domain>`), and the
    /// authserv-id of the receiving MTA whose Authentication-Results vouch for a sender.
    /// Without both, `ceptoar intake mail` refuses every mail.
    public var intakeDomain: String?
    public var intakeAuthservID: String?

    public init() {}

    static func load(_ environment: [String: String]) throws -> NotifySettings {
        var settings = NotifySettings()
        if let url = environment["CEPTOAR_PUBLIC_URL"], !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ConfigurationError.invalid("CEPTOAR_PUBLIC_URL must be an http(s) address, not '\(url)'")
            }
            settings.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        if let url = environment["CEPTOAR_SMTP_URL"], !url.isEmpty { settings.smtp = try SMTPServer(url: url) }
        if let from = environment["CEPTOAR_MAIL_FROM"], !from.isEmpty {
            guard case .success = ContactChannel.email.normalise(from) else {
                throw ConfigurationError.invalid("CEPTOAR_MAIL_FROM must be a mail address, not '\(from)'")
            }
            settings.mailFrom = from
        }
        if let domain = environment["CEPTOAR_INTAKE_DOMAIN"], !domain.isEmpty {
            guard case .success = ContactChannel.email.normalise("reports@" + domain) else {
                throw ConfigurationError.invalid("CEPTOAR_INTAKE_DOMAIN must be a mail domain, not '\(domain)'")
            }
            settings.intakeDomain = domain.lowercased()
        }
        if let id = environment["CEPTOAR_INTAKE_AUTHSERV_ID"], !id.isEmpty {
            guard id.utf8.count <= 253, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                throw ConfigurationError.invalid("CEPTOAR_INTAKE_AUTHSERV_ID must be a host name, not '\(id)'")
            }
            settings.intakeAuthservID = id.lowercased()
        }
        settings.smtpConnections = try AppConfiguration.integer(environment, "CEPTOAR_SMTP_CONNECTIONS", default: 32, range: 1...256)
        settings.smtpBatch = try AppConfiguration.integer(environment, "CEPTOAR_SMTP_BATCH", default: 2_000, range: 1...50_000)
        for (name, channels) in [("SMS", ["mobile"]), ("VOICE", ["phone", "satellite_phone"]), ("FAX", ["fax"])] {
            guard let url = environment["CEPTOAR_GATEWAY_\(name)_URL"], !url.isEmpty else { continue }
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ConfigurationError.invalid("CEPTOAR_GATEWAY_\(name)_URL must be an http(s) address, not '\(url)'")
            }
            for channel in channels { settings.gateways[channel] = url }
        }
        settings.gatewaySecret = environment["CEPTOAR_GATEWAY_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if !settings.gateways.isEmpty, (settings.gatewaySecret?.utf8.count ?? 0) < 16 {
            throw ConfigurationError.invalid("CEPTOAR_GATEWAY_SECRET must be set (16 characters or more) when a gateway is configured")
        }
        settings.ratePerMinute["smtp"] = try AppConfiguration.integer(environment, "CEPTOAR_RATE_SMTP_PER_MINUTE", default: 0, range: 0...10_000_000)
        settings.ratePerMinute["gateway"] = try AppConfiguration.integer(environment, "CEPTOAR_RATE_GATEWAY_PER_MINUTE", default: 600, range: 0...10_000_000)
        settings.pollMilliseconds = try AppConfiguration.integer(environment, "CEPTOAR_NOTIFY_POLL_MS", default: 250, range: 10...60_000)
        if environment["CEPTOAR_FAULT_KILL_AFTER_SENT"] != nil {
            settings.faultKillAfterSent = try AppConfiguration.integer(environment, "CEPTOAR_FAULT_KILL_AFTER_SENT", default: 0, range: 1...10_000_000)
        }
        return settings
    }
}
