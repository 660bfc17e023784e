import CeptoarKit
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where mail goes: an SMTP relay (the organisation's own, or one on loopback).
struct SMTPServer: Sendable {
    enum Security: String, Sendable {
        /// STARTTLS when the server offers it, plain otherwise (a loopback relay).
        case opportunistic
        /// STARTTLS or nothing: a server that does not offer it is an error.
        case starttls
    }

    var host: String
    var port: Int
    /// The name this client gives in EHLO.
    var heloName: String = "ceptoar.localhost"
    var timeout: Duration = .seconds(30)
    var security: Security = .opportunistic
    /// AUTH PLAIN (or LOGIN) after TLS when both are given.
    var username: String?
    var password: String?
    /// Tests only: trust a self-signed certificate.
    var verifyCertificates = true

    init(host: String, port: Int, heloName: String = "ceptoar.localhost", timeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.heloName = heloName
        self.timeout = timeout
    }

    /// `smtp://[user:password@]host[:port]` or `smtp+starttls://…`; a query of
    /// `?verify=false` trusts any certificate (tests against a self-signed relay only).
    init(url text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["smtp", "smtp+starttls"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw ConfigurationError.invalid("CEPTOAR_SMTP_URL must look like smtp://[user:password@]host:port, not '\(text)'")
        }
        self.init(host: host, port: url.port ?? 25)
        self.security = scheme == "smtp+starttls" ? .starttls : .opportunistic
        self.username = url.user?.removingPercentEncoding
        self.password = url.password?.removingPercentEncoding
        if url.queryItems?.contains(where: { $0.name == "verify" && $0.value == "false" }) == true { self.verifyCertificates = false }
    }
}

/// What the server said about one message.
enum SMTPOutcome: Sendable, Equatable {
    case accepted(String)
    /// 4xx: try again later (the delivery state `failed-temporary`).
    case temporaryFailure(String)
    /// 5xx: the address or message is refused (`failed-permanent`).
    case permanentFailure(String)

    var isAccepted: Bool { if case .accepted = self { return true } else { return false } }
}

enum SMTPError: Error, CustomStringConvertible {
    case unexpected(String)
    case closed

    var description: String {
        switch self {
        case .unexpected(let reply): return "SMTP: unexpected reply: \(reply)"
        case .closed: return "SMTP: the connection closed (by the server, or after no reply in time)"
        }
    }
}

/// A small SMTP client on SwiftNIO: per connection, EHLO, then one mail transaction per message
/// (connection reuse), each message's outcome reported on its own, QUIT; a bounded number of
/// connections at once for large sends; STARTTLS when offered (or required), AUTH PLAIN or
/// LOGIN, and PIPELINING when the server offers it.
struct SMTPClient {
    let server: SMTPServer

    /// Sends over up to `connections` connections at once, each carrying a share of the
    /// messages in turn; outcomes come back in the order of `messages`. A connection that fails
    /// outright marks its share as temporary failures (to be retried), not the whole batch.
    func send(_ messages: [MailMessage], connections: Int) async -> [SMTPOutcome] {
        let lanes = max(1, min(connections, messages.count))
        var outcomes = [SMTPOutcome](repeating: .temporaryFailure("not sent"), count: messages.count)
        await withTaskGroup(of: (Int, [SMTPOutcome]).self) { group in
            for lane in 0..<lanes {
                let share = Array(stride(from: lane, to: messages.count, by: lanes))
                group.addTask {
                    do {
                        return (lane, try await self.send(share.map { messages[$0] }))
                    } catch {
                        return (lane, Array(repeating: .temporaryFailure("\(error)"), count: share.count))
                    }
                }
            }
            for await (lane, results) in group {
                for (offset, index) in stride(from: lane, to: messages.count, by: lanes).enumerated() { outcomes[index] = results[offset] }
            }
        }
        return outcomes
    }

    func send(_ messages: [MailMessage]) async throws -> [SMTPOutcome] {
        let timeout = TimeAmount.nanoseconds(Int64(self.server.timeout.components.seconds) * 1_000_000_000)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: self.server.host, port: self.server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // A server that stops answering closes the connection after `timeout`, so
                    // a read ends with `SMTPError.closed` instead of waiting for ever.
                    try channel.pipeline.syncOperations.addHandlers([IdleStateHandler(readTimeout: timeout), CloseWhenIdle()])
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let server = self.server
        let underlying = channel.channel
        return try await channel.executeThenClose { inbound, outbound in
            var session = Session(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect(220, after: nil)
            var capabilities = try await session.hello(server.heloName)
            if capabilities.contains("STARTTLS"), server.security == .opportunistic || server.security == .starttls {
                try await session.expect(220, after: "STARTTLS")
                try await Self.startTLS(on: underlying, server: server)
                session.encrypted = true
                capabilities = try await session.hello(server.heloName)
            } else if server.security == .starttls {
                throw SMTPError.unexpected("the server does not offer STARTTLS, and CEPTOAR_SMTP_URL requires it")
            }
            if let username = server.username, let password = server.password {
                try await session.authenticate(username: username, password: password, capabilities: capabilities, host: server.host)
            }
            session.pipelining = capabilities.contains("PIPELINING")
            var outcomes: [SMTPOutcome] = []
            for message in messages {
                outcomes.append(try await session.transaction(message))
            }
            _ = try? await session.command("QUIT")
            return outcomes
        }
    }

    /// TLS goes in front of everything else in the pipeline, so the session's reads and
    /// writes are encrypted from the next byte on.
    private static func startTLS(on channel: any Channel, server: SMTPServer) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !server.verifyCertificates { configuration.certificateVerification = .none }
        let context = try NIOSSLContext(configuration: configuration)
        let isAddress = server.host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
        let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : server.host)
        try await channel.pipeline.addHandler(handler, position: .first).get()
    }

    /// One conversation: lines in, commands out.
    private struct Session {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        var pending = ""
        var encrypted = false
        /// The server offered PIPELINING (RFC 2920): a message's MAIL, RCPT and DATA go out
        /// in one write and their replies are read after.
        var pipelining = false

        struct Reply {
            var code: Int
            var lines: [String]
            var text: String { self.lines.joined(separator: " ") }
        }

        mutating func line() async throws -> String {
            while true {
                if let end = self.pending.range(of: "\r\n") {
                    let line = String(self.pending[..<end.lowerBound])
                    self.pending.removeSubrange(..<end.upperBound)
                    return line
                }
                guard var buffer = try await self.inbound.next() else { throw SMTPError.closed }
                self.pending += buffer.readString(length: buffer.readableBytes) ?? ""
            }
        }

        /// A whole reply: `250-…` lines, then `250 …`.
        mutating func reply() async throws -> Reply {
            var lines: [String] = []
            while true {
                let line = try await self.line()
                guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError.unexpected(line) }
                lines.append(String(line.dropFirst(4)))
                if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
                    return Reply(code: code, lines: lines)
                }
            }
        }

        mutating func command(_ text: String) async throws -> Reply {
            try await self.outbound.write(ByteBuffer(string: text + "\r\n"))
            return try await self.reply()
        }

        mutating func expect(_ code: Int, after command: String?) async throws {
            let reply: Reply
            if let command { reply = try await self.command(command) } else { reply = try await self.reply() }
            guard reply.code == code else { throw SMTPError.unexpected("\(reply.code) \(reply.text)") }
        }

        /// EHLO; the extensions the server offers, upper-cased keywords with their arguments
        /// ("AUTH PLAIN LOGIN" gives "AUTH", "AUTH PLAIN", "AUTH LOGIN").
        mutating func hello(_ name: String) async throws -> Set<String> {
            let reply = try await self.command("EHLO \(name)")
            guard reply.code == 250 else { throw SMTPError.unexpected("\(reply.code) \(reply.text)") }
            var capabilities: Set<String> = []
            for line in reply.lines.dropFirst() {
                let words = line.uppercased().split(separator: " ").map(String.init)
                guard let keyword = words.first else { continue }
                capabilities.insert(keyword)
                for argument in words.dropFirst() { capabilities.insert("\(keyword) \(argument)") }
            }
            return capabilities
        }

        /// AUTH PLAIN, else LOGIN. Never in clear text except to a relay on this machine.
        mutating func authenticate(username: String, password: String, capabilities: Set<String>, host: String) async throws {
            guard self.encrypted || ["127.0.0.1", "::1", "localhost"].contains(host) else {
                throw SMTPError.unexpected("refusing to send the SMTP password unencrypted: the server offered no STARTTLS")
            }
            func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
            if capabilities.contains("AUTH PLAIN") {
                let reply = try await self.command("AUTH PLAIN " + base64("\u{0}\(username)\u{0}\(password)"))
                guard reply.code == 235 else { throw SMTPError.unexpected("authentication failed: \(reply.code) \(reply.text)") }
            } else if capabilities.contains("AUTH LOGIN") {
                try await self.expect(334, after: "AUTH LOGIN")
                try await self.expect(334, after: base64(username))
                let reply = try await self.command(base64(password))
                guard reply.code == 235 else { throw SMTPError.unexpected("authentication failed: \(reply.code) \(reply.text)") }
            } else {
                throw SMTPError.unexpected("the server offers neither AUTH PLAIN nor AUTH LOGIN")
            }
        }

        /// MAIL, RCPT for each recipient, DATA; a refusal ends this message (RSET) and the
        /// connection carries on with the next.
        mutating func transaction(_ message: MailMessage) async throws -> SMTPOutcome {
            func outcome(_ reply: Reply) -> SMTPOutcome {
                let text = "\(reply.code) \(reply.text)"
                return (400..<500).contains(reply.code) ? .temporaryFailure(text) : .permanentFailure(text)
            }
            // Nothing that would break out of its command line is ever written: the message fails
            // on its own and the connection (and every other message in the batch) carries on.
            if let problem = message.wireProblem { return .permanentFailure("not sent: \(problem)") }
            let commands = ["MAIL FROM:<\(message.from.address)>"] + message.to.map { "RCPT TO:<\($0.address)>" } + ["DATA"]
            var replies: [Reply] = []
            if self.pipelining {
                try await self.outbound.write(ByteBuffer(string: commands.map { $0 + "\r\n" }.joined()))
                for _ in commands { replies.append(try await self.reply()) }
            } else {
                // One at a time: stop at the first refusal of MAIL or at DATA.
                for command in commands {
                    let reply = try await self.command(command)
                    replies.append(reply)
                    if command.hasPrefix("MAIL"), reply.code != 250 { break }
                }
                if replies.count < commands.count {
                    _ = try await self.command("RSET")
                    return outcome(replies[0])
                }
            }
            let mail = replies[0]
            let recipients = replies[1..<(replies.count - 1)]
            let data = replies[replies.count - 1]
            let refused = ([mail] + recipients).first { $0.code != 250 && $0.code != 251 }
            if data.code == 354 {
                // With every recipient refused, a pipelining server may still say 354: the
                // message is then ended at once, empty (RFC 2920, 3.1).
                if let refused {
                    try await self.outbound.write(ByteBuffer(string: ".\r\n"))
                    _ = try await self.reply()
                    _ = try await self.command("RSET")
                    return outcome(refused)
                }
                try await self.outbound.write(ByteBuffer(string: message.rendered + ".\r\n"))
                let done = try await self.reply()
                return done.code == 250 ? .accepted("\(done.code) \(done.text)") : outcome(done)
            }
            _ = try await self.command("RSET")
            return outcome(refused ?? data)
        }
    }
}

/// Closes the channel when `IdleStateHandler` reports that nothing was read for too long.
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
