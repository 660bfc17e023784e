import Foundation

/// What must not travel with an anonymised report, and the scrubbing of it: the reporting
/// organisation's names and handle, its domains (from its contacts' and users' addresses)
/// and its addresses (mail, IP). Past the CEPTOAR an anonymised report's free text has these
/// replaced, and observables that point at the reporter itself (its own domain, a URL on it,
/// one of its addresses) are withheld. The same test refuses a failure case that names any
/// organisation it was built from.
public struct ReportRedaction: Sendable, Equatable {
    public private(set) var names: [String]
    public private(set) var domains: [String]
    public private(set) var addresses: [String]

    public init(names: [String], domains: [String], addresses: [String] = []) {
        // Longest first, so a name that contains another is replaced whole.
        func clean(_ values: [String]) -> [String] {
            Array(Set(values.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { $0.count >= 2 }))
                .sorted { ($0.count, $0) > ($1.count, $1) }
        }
        self.names = clean(names)
        self.domains = clean(domains.map { $0.hasPrefix("www.") ? String($0.dropFirst(4)) : $0 })
        self.addresses = clean(addresses)
    }

    /// Several organisations' identifiers at once (a failure case built from several reports).
    public static func merged(_ parts: [ReportRedaction]) -> ReportRedaction {
        ReportRedaction(names: parts.flatMap(\.names), domains: parts.flatMap(\.domains), addresses: parts.flatMap(\.addresses))
    }

    public static func placeholder(_ language: Language) -> String {
        language == .ja ? "［報告組織］" : "[reporting organisation]"
    }

    /// The text with every identifier replaced. A run of address-like characters (a URL, a
    /// mail address, a host) that contains a domain or an address is replaced whole.
    public func scrub(_ text: String, _ language: Language) -> String {
        let placeholder = Self.placeholder(language)
        var output = ""
        var run = ""
        func flushRun() {
            guard !run.isEmpty else { return }
            let lowered = run.lowercased()
            if self.domains.contains(where: { Self.mentions(lowered, domain: $0) }) || self.addresses.contains(where: lowered.contains) {
                output += placeholder
            } else {
                output += run
            }
            run = ""
        }
        for character in text {
            if character.isASCII, character.isLetter || character.isNumber || "._%+-@:/?=&#~[]".contains(character) {
                run.append(character)
            } else {
                flushRun()
                output.append(character)
            }
        }
        flushRun()
        for name in self.names {
            output = output.replacingOccurrences(of: name, with: placeholder, options: [.caseInsensitive])
        }
        return output
    }

    /// Whether the text names any identifier.
    public func isNamed(in text: String) -> Bool {
        self.scrub(text, .ja) != text
    }

    /// Whether an observable may travel with the anonymised report: not one that points at
    /// the reporter itself.
    public func keeps(_ observable: ReportObservable) -> Bool {
        switch observable.kind {
        case .domain, .url:
            let lowered = observable.value.lowercased()
            return !self.domains.contains { Self.mentions(lowered, domain: $0) } && !self.addresses.contains(where: lowered.contains)
        case .ip:
            return !self.addresses.contains(observable.value.lowercased())
        default:
            return true
        }
    }

    /// `bank.example.jp` is mentioned by `www.bank.example.jp/x`, `a@bank.example.jp`, and not
    /// by `notbank.example.jp`.
    static func mentions(_ text: String, domain: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: domain, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let boundaryBefore = before.map { !($0.isLetter || $0.isNumber || $0 == "-") } ?? true
            let boundaryAfter = after.map { !($0.isLetter || $0.isNumber || $0 == "-") } ?? true
            if boundaryBefore && boundaryAfter { return true }
            searchStart = range.upperBound
        }
        return false
    }
}
