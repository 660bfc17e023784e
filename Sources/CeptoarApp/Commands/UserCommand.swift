import Fluent
import Foundation
import Vapor

/// `ceptoar user create --email E --org KEY --role R [--role R2] [--name N]`; the password is
/// read from standard input (first line) so it never appears in the process list.
/// `ceptoar user disable|enable --email E`: a disabled user's sessions and tokens stop at once.
struct UserCommand: AnyAsyncCommand {
    var help: String { "Manage users: create --email E --org ORG_KEY --role ROLE [--name NAME] (password on stdin); disable|enable --email E" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        let usage = "usage: ceptoar user create --email E --org ORG_KEY --role ROLE [--name NAME] < password | ceptoar user disable|enable --email E"
        let verb = arguments.positional()
        guard let verb, ["create", "disable", "enable"].contains(verb) else { throw CLIError(usage) }
        guard let email = try arguments.option("email") else { throw CLIError("--email is required") }
        let app = context.application
        if verb != "create" {
            try arguments.finish()
            try await app.autoMigrate()
            do {
                let user = try await app.accounts(on: app.db).setActive(verb == "enable", email: email, actor: "cli")
                context.say("\(verb == "enable" ? "enabled" : "disabled") user \(user.email)")
            } catch let failure as Accounts.Failure {
                throw CLIError(failure.message(.en))
            }
            return
        }
        guard let organisation = try arguments.option("org") else { throw CLIError("--org is required (an organisation key such as nisc)") }
        let roles = try arguments.repeated("role")
        let name = try arguments.option("name") ?? email
        try arguments.finish()
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            throw CLIError("give the password on standard input")
        }
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

/// `ceptoar token create --email E [--name N] [--days D]` prints the secret once; every token
/// expires (90 days unless `--days` says otherwise, at most ten years).
/// `ceptoar token list [--email E]` and `ceptoar token revoke ID`.
struct TokenCommand: AnyAsyncCommand {
    var help: String { "API tokens: create --email E [--name NAME] [--days DAYS] (secret printed once); list [--email E]; revoke TOKEN_ID" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        let usage = "usage: ceptoar token create --email E [--name NAME] [--days DAYS] | ceptoar token list [--email E] | ceptoar token revoke TOKEN_ID"
        let app = context.application
        let accounts = app.accounts(on: app.db)
        do {
            switch arguments.positional() {
            case "create":
                guard let email = try arguments.option("email") else { throw CLIError("--email is required") }
                let name = try arguments.option("name") ?? "cli"
                let daysText = try arguments.option("days")
                try arguments.finish()
                var days: Int?
                if let daysText {
                    guard let value = Int(daysText), (1...Accounts.maximumTokenDays).contains(value) else {
                        throw CLIError("--days must be a whole number from 1 to \(Accounts.maximumTokenDays)")
                    }
                    days = value
                }
                try await app.autoMigrate()
                let (_, secret) = try await accounts.createToken(for: email, name: name, days: days)
                context.say(secret)
            case "list":
                let email = try arguments.option("email")
                try arguments.finish()
                try await app.autoMigrate()
                var owner: User?
                if let email {
                    guard let user = try await User.query(on: app.db).filter(\.$email == email.lowercased()).first() else {
                        throw CLIError("no user with email \(email)")
                    }
                    owner = user
                }
                context.say(["id", "user", "name", "created", "expires", "last used"].joined(separator: "\t"))
                for token in try await accounts.tokens(of: owner) {
                    let dates = [token.createdAt, token.expiresAt, token.lastUsedAt].map { $0.map(Self.iso) ?? "-" }
                    context.say(([token.id?.uuidString ?? "", token.user.email, token.name] + dates).joined(separator: "\t"))
                }
            case "revoke":
                guard let text = arguments.positional(), let id = UUID(uuidString: text) else { throw CLIError("give the token's id (see ceptoar token list)") }
                try arguments.finish()
                try await app.autoMigrate()
                try await accounts.revokeToken(id, owner: nil, actor: "cli")
                context.say("revoked token \(id.uuidString)")
            default:
                throw CLIError(usage)
            }
        } catch let failure as Accounts.Failure {
            throw CLIError(failure.message(.en))
        }
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
