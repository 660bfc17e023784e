import Vapor

/// `ceptoar audit verify`: checks the audit hash chain; exits non-zero naming the first entry
/// that was edited, deleted or reordered.
struct AuditCommand: AnyAsyncCommand {
    var help: String { "Check the audit log: verify (exits non-zero at the first edited, deleted or reordered entry)" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard arguments.positional() == "verify" else { throw CLIError("usage: ceptoar audit verify") }
        try arguments.finish()
        let app = context.application
        try await app.autoMigrate()
        let (count, broken) = try await AuditLog.verify(on: app.db)
        if let broken {
            throw CLIError("audit chain broken at sequence \(broken.sequence): \(broken) (\(count) entries checked)")
        }
        context.say("audit chain intact: \(count) entries")
    }
}
