import CeptoarKit
import Foundation
import Vapor

/// `ceptoar mail-test --smtp HOST:PORT|URL --from ADDR --to ADDR[,ADDR…] [--subject S] [--body B]
/// [--copies N] [--connections C]`: sends one message per recipient through the SMTP client and
/// prints each outcome — a connectivity check of the mail channel (疎通確認) from the command
/// line; with `--copies` it sends that many rounds and prints the throughput instead.
struct MailTestCommand: AnyAsyncCommand {
    var help: String { "Send a test mail: --smtp HOST:PORT --from ADDR --to ADDR[,ADDR...] [--subject S] [--body B] [--copies N] [--connections C]" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard let smtp = try arguments.option("smtp") else { throw CLIError("--smtp HOST:PORT is required") }
        guard let from = try arguments.option("from") else { throw CLIError("--from is required") }
        guard let to = try arguments.option("to") else { throw CLIError("--to is required") }
        let subject = try arguments.option("subject") ?? "【疎通確認】Ceptoar メール経路の確認 / mail channel check"
        let body = try arguments.option("body") ?? "これは Ceptoar からの疎通確認メールです。\nThis is a connectivity check from Ceptoar."
        let copies = Int(try arguments.option("copies") ?? "1") ?? -1
        let connections = Int(try arguments.option("connections") ?? "1") ?? -1
        try arguments.finish()
        guard (1...1_000_000).contains(copies), (1...256).contains(connections) else {
            throw CLIError("--copies must be 1 to 1000000 and --connections 1 to 256")
        }
        // HOST:PORT, or the URL form of CEPTOAR_SMTP_URL (STARTTLS, user and password).
        let server: SMTPServer
        if smtp.contains("://") {
            do { server = try SMTPServer(url: smtp) } catch { throw CLIError("--smtp: \(error)") }
        } else {
            let parts = smtp.split(separator: ":")
            guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65_535).contains(port) else {
                throw CLIError("--smtp must be HOST:PORT or smtp://[user:password@]host:port, not '\(smtp)'")
            }
            server = SMTPServer(host: String(parts[0]), port: port)
        }
        func address(_ raw: String) throws -> MailAddress {
            do {
                return MailAddress(try ContactChannel.email.storedAddress(raw, at: ("'\(raw)'", "'\(raw)'")))
            } catch let error as UserError {
                throw CLIError(error.en)
            }
        }
        let sender = try address(from)
        let recipients = Array(repeating: try to.split(separator: ",").map { try address(String($0)) }, count: copies).flatMap { $0 }
        let messages = recipients.map {
            MailMessage(from: sender, to: [$0], subject: subject, body: body, messageID: "\(UUID().uuidString.lowercased())@ceptoar.localhost")
        }
        let client = SMTPClient(server: server)
        let outcomes: [SMTPOutcome]
        let clock = ContinuousClock()
        let start = clock.now
        if connections == 1 {
            do {
                outcomes = try await client.send(messages)
            } catch {
                throw CLIError("could not send through \(server.host):\(server.port): \(error)")
            }
        } else {
            outcomes = await client.send(messages, connections: connections)
        }
        let elapsed = clock.now - start
        if copies > 1 {
            // A throughput run: the summary only.
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let accepted = outcomes.filter(\.isAccepted).count
            context.say(String(format: "%d of %d messages accepted in %.2f s over %d connection(s): %.0f messages/s",
                accepted, messages.count, seconds, connections, Double(accepted) / seconds))
            guard accepted == messages.count else { throw CLIError("not every message was accepted") }
            return
        }
        for (recipient, outcome) in zip(recipients, outcomes) {
            switch outcome {
            case .accepted(let reply): context.say("\(recipient.address): accepted (\(reply))")
            case .temporaryFailure(let reply): context.say("\(recipient.address): failed, temporary (\(reply))")
            case .permanentFailure(let reply): context.say("\(recipient.address): failed, permanent (\(reply))")
            }
        }
        guard outcomes.allSatisfy(\.isAccepted) else { throw CLIError("not every message was accepted") }
    }
}
