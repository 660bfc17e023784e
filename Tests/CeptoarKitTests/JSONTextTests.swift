import Foundation
import Testing

@testable import CeptoarKit

/// The hand-written JSON parser and writer that STIX objects from outside go through.
@Suite("JSON text (STIX objects from outside)")
struct JSONTextTests {
    @Test func parsesWhatFoundationParsesAndWritesItBack() throws {
        let text = #"{"a":[1,-2,3.5,1e3,true,false,null],"b":"é/\"\\\n\u0041\ud83d\ude00","c":{}}"#
        let value = try JSONValue.decode(Data(text.utf8))
        #expect(value["a"] == [.integer(1), .integer(-2), .number(3.5), .number(1000), true, false, .null])
        #expect(value["b"] == .string("é/\"\\\nA😀"))
        // What it writes, Foundation reads as the same value.
        let written = value.encoded()
        let again = try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any]
        #expect((again?["b"] as? String) == "é/\"\\\nA😀")
        #expect(try JSONValue.decode(Data(written.utf8)) == value)
        // Keys are sorted, so the same object is the same text.
        #expect(JSONValue.object(["b": 1 == 1 ? .integer(1) : .null, "a": .integer(2)]).encoded() == #"{"a":2,"b":1}"#)
        // Control characters are escaped on the way out.
        #expect(JSONValue.string("a\u{0}b\u{1F}").encoded() == #""a\u0000b\u001f""#)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "tru", "nul", "{\"a\" 1}",
        "[1 2]", "\"raw\u{1}control\"", "1e99999", "{} []", "\"unterminated",
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(throws: (any Error).self) { try JSONValue.decode(Data(text.utf8)) }
    }

    @Test func refusesDeepNestingAndInvalidUTF8() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: (any Error).self) { try JSONValue.decode(Data(deep.utf8)) }
        let shallow = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect((try? JSONValue.decode(Data(shallow.utf8))) != nil)
        #expect(throws: (any Error).self) { try JSONValue.decode([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]",:\-0123456789.eE+truefalsn "\u"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xFF]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            if let value = try? JSONValue.decode(bytes) {
                // Whatever parses writes back to something that parses to the same value.
                #expect((try? JSONValue.decode(Data(value.encoded().utf8))) == value)
            }
        }
    }

    @Test func identifiersAreTypeAndRFC4122UUID() {
        let good = "indicator--41f5b8b5-188e-53ba-8d49-11cc305d5d18"
        #expect(STIXIdentifier.parse(good)?.type == "indicator")
        #expect(STIXIdentifier.parse(good)?.uuid == UUID(uuidString: "41f5b8b5-188e-53ba-8d49-11cc305d5d18"))
        #expect(STIXIdentifier.parse("x-acme-widget--41F5B8B5-188E-53BA-8D49-11CC305D5D18")?.type == "x-acme-widget")
        #expect(STIXIdentifier.parse(STIXIdentifier.make("report", name: "series")) != nil)
        for bad in [
            "", "indicator", "indicator--", "indicator-41f5b8b5-188e-53ba-8d49-11cc305d5d18", "in--41f5b8b5-188e-53ba-8d49-11cc305d5d18",
            "Indicator--41f5b8b5-188e-53ba-8d49-11cc305d5d18", "a--b--41f5b8b5-188e-53ba-8d49-11cc305d5d18",
            "indicator--41f5b8b5-188e-53ba-8d49-11cc305d5d1", "indicator--41f5b8b5-188e-53ba-8d49-11cc305d5d188",
            "indicator--41f5b8b5x188e-53ba-8d49-11cc305d5d18", "indicator--41f5b8b5-188e-53ba-8d49-11cc305d5d1g",
            // Not the RFC 4122 variant.
            "indicator--41f5b8b5-188e-53ba-cd49-11cc305d5d18",
            "indicator--41f5b8b5-188e-53ba-8d49-11cc305d5d1\u{e9}", "-indicator--41f5b8b5-188e-53ba-8d49-11cc305d5d18",
        ] {
            #expect(STIXIdentifier.parse(bad) == nil, "\(bad)")
            #expect(!STIXIdentifier.isValid(bad), "\(bad)")
        }
        // The check without building anything agrees with the parse, and matches the type.
        #expect(STIXIdentifier.isValid(good) && STIXIdentifier.isValid(good, ofType: "indicator"))
        #expect(!STIXIdentifier.isValid(good, ofType: "identity") && !STIXIdentifier.isValid(good, ofType: "indicato"))
        #expect(STIXIdentifier.isValid("x-acme-widget--41F5B8B5-188E-53BA-8D49-11CC305D5D18", ofType: "x-acme-widget"))
    }

    @Test func timestampsAreRFC3339UTCAndKeptToTheMicrosecond() {
        #expect(STIXTime("2026-12-01T00:00:00Z")?.canonical == "2026-12-01T00:00:00.000000Z")
        #expect(STIXTime("2026-12-01t23:59:59.1Z")?.canonical == "2026-12-01T23:59:59.100000Z")
        #expect(STIXTime("2024-02-29T12:34:56.123456789Z")?.canonical == "2024-02-29T12:34:56.123456Z")
        #expect(STIXTime("2026-12-01T00:00:00.000Z")! < STIXTime("2026-12-01T00:00:00.001Z")!)
        for bad in [
            "", "2026-12-01", "2026-12-01T00:00:00", "2026-12-01T00:00:00+09:00", "2026-12-01 00:00:00Z", "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T00:60:00Z", "2026-12-01T00:00:60Z", "2026-12-01T00:00:00.Z",
            "2026-12-01T00:00:00.1234567890Z", "2026-12-01T00:00:00.12a4Z", "0000-12-01T00:00:00Z", "２０２６-12-01T00:00:00Z", "yesterday",
        ] {
            #expect(STIXTime(bad) == nil, "\(bad)")
        }
    }

    @Test func aRepeatedMemberNameIsRefused() {
        // What the checks read and what is stored or passed on must be the same member.
        #expect(throws: (any Error).self) { try JSONValue.decode(Data(#"{"created_by_ref":"a","created_by_ref":"b"}"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONValue.decode(Data(#"{"objects":[{"id":"x","x":1,"id":"y"}]}"#.utf8)) }
        #expect((try? JSONValue.decode(Data(#"{"a":{"id":1},"b":{"id":2}}"#.utf8))) != nil)
    }

    @Test func anEnvelopeKeepsEachObjectAsItWasSent() throws {
        let text = #"{ "more": false, "objects" : [ {"b": 1, "a" : [ "x" ] } ,{"c":"\u00e9"}], "n": {"objects": [1]} }"#
        let (value, objects) = try JSONValue.decodeEnvelope(Data(text.utf8))
        #expect(objects == [#"{"b": 1, "a" : [ "x" ] }"#, #"{"c":"\u00e9"}"#])
        #expect(value["objects"]?.array?.count == 2)
        // Each kept text parses to the object the checks read.
        #expect(try objects.map { try JSONValue.decode(Data($0.utf8)) } == value["objects"]?.array)
        // Only the top-level list: a nested "objects" is not kept, nor one that is not a list.
        #expect(try JSONValue.decodeEnvelope(Data(#"{"objects":"no"}"#.utf8)).objects.isEmpty)
        #expect(try JSONValue.decodeEnvelope(Data(#"[{"objects":[1]}]"#.utf8)).objects.isEmpty)
    }

    @Test func stringsWithAndWithoutEscapesReadTheSame() throws {
        let value = try JSONValue.decode(Data(#"{"plain":"abc 日本","escaped":"a\"b\u00e9","empty":"","lit":[true,false,null]}"#.utf8))
        #expect(value["plain"]?.string == "abc 日本")
        #expect(value["escaped"]?.string == "a\"bé")
        #expect(value["empty"]?.string == "")
        #expect(value["lit"] == [true, false, .null])
        #expect(throws: (any Error).self) { try JSONValue.decode(Data(#"[trux]"#.utf8)) }
    }
}
