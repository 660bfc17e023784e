import CeptoarKit
import Foundation
import Vapor

/// `ceptoar mail-test --smtp HOST:PORT --from ADDR --to ADDR[,ADDR…] [--subject S] [--body B]`:
/// sends one message per recipient through the SMTP client, over one connection, and prints
/// each outcome — a connectivity check of the mail channel (疎通確認) from the command line.
struct MailTestCommand: AnyAsyncCommand {
    var help: String { "Send a test mail: --smtp HOST:PORT --from ADDR --to ADDR[,ADDR...] [--subject S] [--body B]" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard let smtp = try arguments.option("smtp") else { throw CLIError("--smtp HOST:PORT is required") }
        guard let from = try arguments.option("from") else { throw CLIError("--from is required") }
        guard let to = try arguments.option("to") else { throw CLIError("--to is required") }
        let subject = try arguments.option("subject") ?? "【疎通確認】Ceptoar メール経路の確認 / mail channel check"
        let body = try arguments.option("body") ?? "これは Ceptoar からの疎通確認メールです。\nThis is a connectivity check from Ceptoar."
        try arguments.finish()
        let parts = smtp.split(separator: ":")
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65_535).contains(port) else {
            throw CLIError("--smtp must be HOST:PORT, not '\(smtp)'")
        }
        func address(_ raw: String) throws -> MailAddress {
            switch ContactChannel.email.normalise(raw) {
            case .success(let normalised): return MailAddress(normalised)
            case .failure(let error): throw CLIError("'\(raw)': \(error.message.en ?? error.rawValue)")
            }
        }
        let sender = try address(from)
        let recipients = try to.split(separator: ",").map { try address(String($0)) }
        let messages = recipients.map {
            MailMessage(from: sender, to: [$0], subject: subject, body: body, messageID: "\(UUID().uuidString.lowercased())@ceptoar.localhost")
        }
        let outcomes: [SMTPOutcome]
        do {
            outcomes = try await SMTPClient(server: SMTPServer(host: String(parts[0]), port: port)).send(messages)
        } catch {
            throw CLIError("could not send through \(smtp): \(error)")
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
