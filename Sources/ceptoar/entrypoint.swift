import CeptoarApp
import Foundation
import NIOCore
import NIOPosix
import Vapor

@main
enum Entrypoint {
    static func main() async {
        // Run Swift concurrency on NIO's event loops: an async handler or middleware then
        // continues on the loop that owns its connection instead of hopping to another thread
        // pool and back (measured on the inbox endpoint; see BENCHMARKS.md).
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            try await CeptoarMain.run(arguments: CommandLine.arguments)
        } catch {
            FileHandle.standardError.write(Data("ceptoar: \(error)\n".utf8))
            exit(1)
        }
    }
}
