/// Options Ceptoar reads from the command line before Vapor sees it, because they decide
/// how the application is built (which database) rather than what one command does.
public struct LaunchOptions: Sendable, Equatable {
    /// `--database PATH`: the SQLite file.
    public var databasePath: String?
    /// `--demo` (with `serve`): migrate, seed the 2009 map and create the demo nation if empty.
    public var demo: Bool = false
    /// `--history` / `--no-history`: whether the demo nation gets its generated past year.
    /// Unsaid, `serve --demo` generates it (a first start should have something to show) and
    /// `seed --demo` does not (scripts and tests want a nation without a past).
    public var history: Bool?

    public init(databasePath: String? = nil, demo: Bool = false, history: Bool? = nil) {
        self.databasePath = databasePath
        self.demo = demo
        self.history = history
    }

    /// Removes the launch options from `arguments` (argv, the executable first) and returns them.
    public static func extract(from arguments: inout [String]) throws -> LaunchOptions {
        var options = LaunchOptions()
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--database" {
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                    throw ConfigurationError.invalid("--database needs a file path")
                }
                options.databasePath = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix("--database=") {
                options.databasePath = String(argument.dropFirst("--database=".count))
                index += 1
                continue
            }
            if argument == "--demo" {
                options.demo = true
                index += 1
                continue
            }
            if argument == "--history" || argument == "--no-history" {
                options.history = argument == "--history"
                index += 1
                continue
            }
            rest.append(argument)
            index += 1
        }
        arguments = rest
        return options
    }
}
