import CeptoarApp
import Foundation
import Vapor

@main
enum Entrypoint {
    static func main() async {
        do {
            try await CeptoarMain.run(arguments: CommandLine.arguments)
        } catch {
            FileHandle.standardError.write(Data("ceptoar: \(error)\n".utf8))
            exit(1)
        }
    }
}
