import Foundation
import Vapor

/// `ceptoar user create --email E --org KEY --role R [--role R2] [--name N]`; the password is
/// read from standard input (first line) so it never appears in the process list.
struct UserCommand: AnyAsyncCommand {
    var help: String { "Manage users: create --email E --org ORG_KEY --role ROLE [--name NAME] (password on stdin)" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard arguments.positional() == "create" else { throw CLIError("usage: ceptoar user create --email E --org ORG_KEY --role ROLE [--name NAME] < password") }
        guard let email = try arguments.option("email") else { throw CLIError("--email is required") }
        guard let organisation = try arguments.option("org") else { throw CLIError("--org is required (an organisation key such as nisc)") }
        let roles = try arguments.repeated("role")
        let name = try arguments.option("name") ?? email
        try arguments.finish()
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            throw CLIError("give the password on standard input")
        }
        let app = context.application
        try await app.autoMigrate()
        do {
            let user = try await app.accounts(on: app.db).createUser(
                email: email, displayName: name, organisationKey: organisation, roles: roles, password: password)
            context.say("created user \(user.email) (\(user.roles))")
        } catch let failure as Accounts.Failure {
            throw CLIError(failure.message(.en))
        }
    }
}

/// `ceptoar token create --email E [--name N] [--days D]`: prints the secret once.
struct TokenCommand: AnyAsyncCommand {
    var help: String { "Create an API token: create --email E [--name NAME] [--days DAYS]; the secret is printed once" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard arguments.positional() == "create" else { throw CLIError("usage: ceptoar token create --email E [--name NAME] [--days DAYS]") }
        guard let email = try arguments.option("email") else { throw CLIError("--email is required") }
        let name = try arguments.option("name") ?? "cli"
        let daysText = try arguments.option("days")
        try arguments.finish()
        var days: Int?
        if let daysText {
            guard let value = Int(daysText), value > 0 else { throw CLIError("--days must be a positive whole number") }
            days = value
        }
        let app = context.application
        try await app.autoMigrate()
        do {
            let (_, secret) = try await app.accounts(on: app.db).createToken(for: email, name: name, days: days)
            context.say(secret)
        } catch let failure as Accounts.Failure {
            throw CLIError(failure.message(.en))
        }
    }
}
