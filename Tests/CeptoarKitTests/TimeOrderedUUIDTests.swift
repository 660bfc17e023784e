import Foundation
import Testing

@testable import CeptoarKit

@Suite("Time-ordered UUIDs (version 7)")
struct TimeOrderedUUIDTests {
    @Test func theTimeLeadsAndTheVersionAndVariantAreSet() throws {
        let at = Date(timeIntervalSince1970: 1_765_000_000.5)
        let id = UUID.timeOrdered(at: at)
        let text = id.uuidString
        // 1,765,000,000,500 ms is 0x019A_F232_B3F4: the first twelve hex digits.
        #expect(text.hasPrefix("019AF232-B3F4-"))
        #expect(Array(text)[14] == "7")
        #expect(["8", "9", "A", "B"].contains(Array(text)[19]))
    }

    @Test func laterIdsSortAfterEarlierOnesAsTextAndTheyDoNotRepeat() {
        let start = Date(timeIntervalSince1970: 1_765_000_000)
        // Two milliseconds apart: a time is cut to whole milliseconds, so steps of one could
        // fall into the same one (and ids within one millisecond are in random order).
        var previous = ""
        var seen: Set<UUID> = []
        for step in 0..<2_000 {
            let id = UUID.timeOrdered(at: start.addingTimeInterval(Double(step) * 0.002))
            #expect(id.uuidString > previous)
            previous = id.uuidString
            seen.insert(id)
        }
        // Within one millisecond the random bits keep them apart.
        for _ in 0..<2_000 { seen.insert(UUID.timeOrdered(at: start)) }
        #expect(seen.count == 4_000)
    }

    @Test func clockValuesOutOfRangeDoNotTrap() {
        for seconds in [-1.0, 0, .infinity, -.infinity, .nan, 1e300] {
            let id = UUID.timeOrdered(at: Date(timeIntervalSince1970: seconds))
            #expect(id.uuidString.hasPrefix("00000000-0000-7"))
        }
    }
}
