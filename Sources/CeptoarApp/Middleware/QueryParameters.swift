import Vapor

/// The request's query string as name → value (the first value of a repeated name), parsed once
/// per request. Vapor's `req.query` runs a full form decoder for every single lookup; on the
/// hottest endpoints that cost more than the answer, so the few plain parameters those read
/// come from here.
struct QueryParameters: Sendable {
    private let values: [String: String]

    init(_ query: String?) {
        var values: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // A pair whose percent-encoding is broken is dropped, as if it had not been sent.
            guard let name = Self.decode(parts[0]), !name.isEmpty, values[name] == nil,
                let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            else { continue }
            values[name] = value
        }
        self.values = values
    }

    subscript(_ name: String) -> String? { self.values[name] }

    // Numbers are read from these values by `BoundedInput` (CeptoarKit), with their range.

    private static func decode(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

private struct QueryParametersKey: StorageKey { typealias Value = QueryParameters }

extension Request {
    /// The query string, parsed once (see `QueryParameters`).
    var queryItems: QueryParameters {
        if let parsed = self.storage[QueryParametersKey.self] { return parsed }
        let parsed = QueryParameters(self.url.query)
        self.storage[QueryParametersKey.self] = parsed
        return parsed
    }
}
