import CeptoarKit
import Testing

@testable import CeptoarApp

@Suite("Query strings")
struct QueryParametersTests {
    @Test func decodesPercentsPlusesAndKeepsTheFirstOfARepeatedName() throws {
        let query = QueryParameters("q=%E3%83%95%E3%82%A3+x%25&q=second&lang=en&empty=&flag&page=3")
        #expect(query["q"] == "フィ x%")
        #expect(query["lang"] == "en")
        #expect(query["empty"] == "")
        #expect(query["flag"] == "")
        #expect(query["missing"] == nil)
        #expect(try BoundedInput.integer(query["page"], field: "page", in: 1...10_000) == 3)
        #expect(try BoundedInput.integer(query["empty"], field: "empty", in: 1...10_000) == nil)
        #expect(QueryParameters(nil)["q"] == nil)
    }

    @Test func aNumberThatIsNotOneIsTheUsersMistake() {
        #expect(throws: InputError.self) { try BoundedInput.integer(QueryParameters("per=ten")["per"], field: "per", in: 1...200) }
        // Broken percent-encoding is skipped, not a crash.
        #expect(QueryParameters("q=%E3%8")["q"] == nil)
    }
}
