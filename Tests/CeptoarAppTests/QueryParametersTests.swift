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
        #expect(try query.integer("page") == 3)
        #expect(try query.integer("empty") == nil)
        #expect(QueryParameters(nil)["q"] == nil)
    }

    @Test func aNumberThatIsNotOneIsTheUsersMistake() {
        #expect(throws: UserError.self) { try QueryParameters("per=ten").integer("per") }
        // Broken percent-encoding is skipped, not a crash.
        #expect(QueryParameters("q=%E3%8")["q"] == nil)
    }
}
