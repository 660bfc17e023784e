import ConsoleKit
import Vapor

/// A small reader over a command's raw arguments, so every command reports a mistake the same
/// way: one clear line and a non-zero exit.
struct CommandArguments {
    private var rest: [String]

    init(_ context: CommandContext) {
        self.rest = context.input.arguments
    }

    /// `--name value` or `--name=value`.
    mutating func option(_ name: String) throws -> String? {
        try self.options(name, count: 1)?.first
    }

    /// `--name v1 v2 …` taking exactly `count` values.
    mutating func options(_ name: String, count: Int) throws -> [String]? {
        let flag = "--\(name)"
        if let index = self.rest.firstIndex(where: { $0.hasPrefix(flag + "=") }) {
            let value = String(self.rest[index].dropFirst(flag.count + 1))
            self.rest.remove(at: index)
            guard count == 1 else { throw CLIError("\(flag) takes \(count) values") }
            return [value]
        }
        guard let index = self.rest.firstIndex(of: flag) else { return nil }
        let values = Array(self.rest.dropFirst(index + 1).prefix(count))
        guard values.count == count, !values.contains(where: { $0.hasPrefix("--") }) else {
            throw CLIError(count == 1 ? "\(flag) needs a value" : "\(flag) needs \(count) values")
        }
        self.rest.removeSubrange(index...(index + count))
        return values
    }

    /// Every value of a repeatable option (`--role a --role b`).
    mutating func repeated(_ name: String) throws -> [String] {
        var values: [String] = []
        while let value = try self.option(name) { values.append(value) }
        return values
    }

    mutating func flag(_ name: String) -> Bool {
        guard let index = self.rest.firstIndex(of: "--\(name)") else { return false }
        self.rest.remove(at: index)
        return true
    }

    mutating func positional() -> String? {
        guard let index = self.rest.firstIndex(where: { !$0.hasPrefix("--") }) else { return nil }
        return self.rest.remove(at: index)
    }

    /// Anything left over is a mistake the user should hear about.
    func finish() throws {
        if !self.rest.isEmpty {
            throw CLIError("unexpected argument(s): \(self.rest.joined(separator: " "))")
        }
    }
}

/// A command-line mistake; `entrypoint` prints it and exits non-zero.
public struct CLIError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) {
        self.description = description
    }
}

extension CommandContext {
    func say(_ text: String) {
        self.console.output(text.consoleText())
    }
}
