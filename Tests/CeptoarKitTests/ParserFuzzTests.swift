import Foundation
import Testing

@testable import CeptoarKit

/// A corpus fuzzer for the parsers that take files, mail addresses and request text: each
/// starts from real inputs and mutates them (bytes flipped, cut, repeated, digits swapped for
/// huge numbers, control characters and odd Unicode inserted), and every parser must answer —
/// a value or an error — for every one. A trap here would end the test process, so reaching
/// the end is the proof. Deterministic (fixed seed); `CEPTOAR_FUZZ_ITERATIONS` runs longer.
@Suite("Parser fuzzing")
struct ParserFuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["CEPTOAR_FUZZ_ITERATIONS"] ?? "") ?? 2_000

    /// SplitMix64: small, fast, and the same sequence on every machine.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let splices: [String] = [
        "9223372036854775807", "-9223372036854775808", "99999999999999999999999", "1e308", "NaN", "\u{0}", "\r\n", "\t", "\u{85}",
        "\u{2028}", "\u{FEFF}", "\\u0000", "\"", "\\", "{", "}", "[", "]", ":", ",", "null", "true", "平成", "令和元年", "末", "０９",
        "@", "<", ">", "%0d%0a", "../", "\u{1F5FE}", "ｶﾞ", String(repeating: "あ", count: 300),
    ]

    static func mutate(_ input: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...64, using: &random)))
            case 2: bytes.insert(contentsOf: Array(Self.splices.randomElement(using: &random)!.utf8), at: position)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 4:
                // A number somewhere becomes a huge one.
                if let digit = bytes.indices.dropFirst(position).first(where: { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }) {
                    bytes.insert(contentsOf: Array("9223372036854775807".utf8), at: digit)
                }
            default: bytes = Array(bytes.prefix(position))
            }
        }
        return bytes
    }

    static func corpus(_ name: String) throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return Array(try Data(contentsOf: root.appendingPathComponent(name)))
    }

    /// Runs `parse` on `iterations` mutations of `seed`; counts how many it accepted.
    static func fuzz(_ seed: [UInt8], salt: UInt64, iterations: Int = Self.iterations, _ parse: ([UInt8]) -> Bool) -> Int {
        var random = Random(state: 2009 &+ salt)
        var accepted = 0
        for _ in 0..<iterations where parse(Self.mutate(seed, &random)) { accepted += 1 }
        return accepted
    }

    @Test func theSeedDocumentParserNeverTraps() throws {
        let seed = try Self.corpus("Sources/CeptoarKit/Resources/seed/map-2009.json")
        // The seed is large: fewer rounds, each still a whole document.
        let accepted = Self.fuzz(seed, salt: 1, iterations: max(50, Self.iterations / 20)) { bytes in
            guard let document = try? SeedDocument.decode(Data(bytes)) else { return false }
            _ = CharacteristicsMap(seed: document).csv(.ja)
            return true
        }
        // Some mutants are still documents (an edited cell, a changed count), so the map is
        // built from them too, not only the decoder's error path exercised.
        #expect(accepted > 0, "no mutant of the seed parsed; the fuzzer only reached the JSON decoder")
    }

    @Test func registryChangesNeverTrap() throws {
        let seed = try Self.corpus("examples/registry-2015.json")
        _ = Self.fuzz(seed, salt: 2) { bytes in (try? RegistryChangeSet.decode(Data(bytes))) != nil }
    }

    @Test func addressesDatesAndMarkingsNeverTrap() {
        let seeds = ["suzuki@bank.example.jp", "03-1234-5678", "+81 90 1234 5678", "https://www.nisc.go.jp/", "平成19年3月末", "令和元年5月1日", "2009-03-31", "TLP:AMBER+STRICT"]
        for (index, seed) in seeds.enumerated() {
            _ = Self.fuzz(Array(seed.utf8), salt: 10 + UInt64(index)) { bytes in
                let text = String(decoding: bytes, as: UTF8.self)
                for channel in ContactChannel.allCases {
                    if case .success(let address) = channel.normalise(text) {
                        // Whatever is accepted is fit for a protocol line.
                        if ProtocolText.hasControlCharacters(address) { Issue.record("accepted \(address.debugDescription) for \(channel)") }
                    }
                }
                _ = EraDate(japanese: text)
                _ = EraDate(iso: text)
                _ = Day(iso: text)
                _ = TLP(label: text)
                _ = MailAddress(text).isWireSafe
                return true
            }
        }
    }

    @Test func requestTextAndBoundsNeverTrap() {
        let seeds = [#"{"title":{"ja":"件名\n","en":"t"},"page":1,"s":"\u0041"}"#, "page=2&per=50&q=%E3%81%82", "1.5", "/inbox?page=2"]
        for (index, seed) in seeds.enumerated() {
            _ = Self.fuzz(Array(seed.utf8), salt: 30 + UInt64(index)) { bytes in
                let text = String(decoding: bytes, as: UTF8.self)
                _ = RequestText.jsonIsForbidden(bytes)
                _ = RequestText.formValues(text).map { RequestText.isForbidden($0, multiline: true) }
                _ = try? RequestedPage(page: text, per: text, defaultPer: 50, maximumPer: 200)
                _ = try? BoundedInput.scaled(text, field: "w", scale: 60, in: 1...86_400)
                if let path = ProtocolText.sameSitePath(text), path.hasPrefix("//") || ProtocolText.hasControlCharacters(path) {
                    Issue.record("accepted \(path.debugDescription) as a same-site path")
                }
                _ = ProtocolText.fileName(text)
                return true
            }
        }
    }

    @Test func anEraYearThatWouldOverflowIsRefused() {
        // Found by reading, not by the fuzzer: Int.max as an era year overflowed the addition.
        #expect(EraDate(japanese: "平成9223372036854775807年3月") == nil)
        #expect(EraDate(japanese: "令和100年1月") == nil)
        #expect(EraDate(japanese: "平成19年3月末")?.day == Day(year: 2007, month: 3, day: 31))
    }

    @Test func theFuzzerReachesTheCodeItClaimsTo() throws {
        // Not a fuzzer that only ever makes garbage: some mutations of the registry file still
        // parse, and the unmutated seed is accepted.
        let seed = try Self.corpus("examples/registry-2015.json")
        #expect((try? RegistryChangeSet.decode(Data(seed))) != nil)
        var random = Random(state: 7)
        let mutated = (0..<200).map { _ in Self.mutate(seed, &random) }
        #expect(Set(mutated).count > 150)
        #expect(mutated.contains { (try? RegistryChangeSet.decode(Data($0))) != nil })
    }
}
