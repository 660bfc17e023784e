import CeptoarKit
import Foundation
import Vapor

/// `ceptoar registry apply FILE`: apply a file of dated registry changes in one transaction.
struct RegistryCommand: AnyAsyncCommand {
    var help: String { "Change the registry: apply FILE (JSON changes with effective dates: add, rename, split, retire)" }

    func run(using context: inout CommandContext) async throws {
        var arguments = CommandArguments(context)
        guard arguments.positional() == "apply", let path = arguments.positional() else {
            throw CLIError("usage: ceptoar registry apply FILE")
        }
        try arguments.finish()
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        let set: RegistryChangeSet
        do { set = try RegistryChangeSet.decode(data, name: path) } catch { throw CLIError("\(error)") }
        let app = context.application
        try await app.autoMigrate()
        do {
            let count = try await RegistryEditor(database: app.db).apply(set)
            context.say("applied \(count) change(s)")
        } catch let refusal as RegistryEditor.Refusal {
            throw CLIError("nothing changed: \(refusal.description)")
        }
    }
}
