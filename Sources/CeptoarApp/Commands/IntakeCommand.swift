import CeptoarKit
import Foundation
import Vapor

/// `ceptoar intake mail [--recipient ADDR] [FILE|-]`: one mail from the MTA (standard input by
/// default) into the report flow — what Postfix's pipe transport runs for the CEPTOARs'
/// report addresses (`argv=ceptoar intake mail --recipient ${recipient}`). The reply (reports
/// filed, or the problems) goes to the sender through CEPTOAR_SMTP_URL, or is printed when no
/// relay is set. A mail the intake may not answer (an unauthenticated or unknown sender) exits
/// non-zero with the reason, so the MTA refuses it instead.
struct IntakeCommand: AnyAsyncCommand {
    var help: String { "Receive a report by mail: intake mail [--recipient ADDR] [FILE|-] (the MTA's pipe transport)" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard arguments.positional() == "mail" else { throw CLIError("usage: ceptoar intake mail [--recipient ADDR] [FILE|-]") }
        let recipient = try arguments.option("recipient")
        let path = arguments.positional() ?? "-"
        try arguments.finish()
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readData(ofLength: InboundMail.maxBytes + 1)
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
            data = contents
        }
        let app = context.application
        try await app.autoMigrate()
        let settings = app.ceptoar.notify
        let outcome = try await MailIntake(database: app.db, settings: settings).receive(data, recipient: recipient)
        let reply: MailMessage
        switch outcome {
        case .rejected(let reason):
            throw CLIError("rejected: \(reason)")
        case .refused(let message):
            reply = message
            context.say("refused: nothing filed; the reasons go back to \(message.to.map(\.address).joined())")
        case .filed(let filed, let message):
            reply = message
            context.say("filed \(filed.count) report(s): " + filed.map { $0.loaded.report.id!.uuidString.lowercased() }.joined(separator: " "))
        }
        guard let server = settings.smtp else {
            context.say("no CEPTOAR_SMTP_URL: the reply is printed instead\n" + reply.rendered)
            return
        }
        let outcomes = try await SMTPClient(server: server).send([reply])
        guard outcomes.allSatisfy(\.isAccepted) else { throw CLIError("the reply to \(reply.to.map(\.address).joined()) was not accepted: \(outcomes)") }
    }
}
