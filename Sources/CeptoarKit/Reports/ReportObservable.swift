import Foundation

/// Something a report names that other reports may name too — what correlation matches on.
/// Every value is parsed into its canonical form (lower-case domain and hash, upper-case CVE,
/// an IP address as `inet_pton` reads it), so two reports of the same thing match.
public struct ReportObservable: Hashable, Sendable, Codable {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case ip, domain, url, hash, cve, cpe, product

        public var label: LocalizedText {
            switch self {
            case .ip: LocalizedText(ja: "IP アドレス", en: "IP address")
            case .domain: LocalizedText(ja: "ドメイン", en: "Domain")
            case .url: LocalizedText(ja: "URL", en: "URL")
            case .hash: LocalizedText(ja: "ハッシュ値", en: "Hash")
            case .cve: LocalizedText(ja: "CVE", en: "CVE")
            case .cpe: LocalizedText(ja: "製品（CPE）", en: "Product (CPE)")
            case .product: LocalizedText(ja: "製品名", en: "Product name")
            }
        }
    }

    public let kind: Kind
    public let value: String

    public static let maxLength = 2048

    /// The observable, canonical; nil when `value` is not a `kind`.
    public init?(kind: Kind, value raw: String) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= Self.maxLength, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        let canonical: String?
        switch kind {
        case .ip: canonical = Self.ip(text)
        case .domain: canonical = Self.domain(text)
        case .url: canonical = Self.url(text)
        case .hash: canonical = Self.hash(text)
        case .cve: canonical = Self.cve(text)
        case .cpe: canonical = Self.cpe(text)
        case .product: canonical = text.utf8.count <= 200 ? text : nil
        }
        guard let canonical else { return nil }
        self.kind = kind
        self.value = canonical
    }

    /// `kind:value`, the key correlation indexes.
    public var key: String { "\(self.kind.rawValue):\(self.value)" }

    /// The observable a `key` names (the index's own text, parsed again like any input).
    public init?(key: String) {
        guard let colon = key.firstIndex(of: ":"), let kind = Kind(rawValue: String(key[..<colon])) else { return nil }
        self.init(kind: kind, value: String(key[key.index(after: colon)...]))
    }

    static func ip(_ text: String) -> String? {
        guard text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            var out = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            guard inet_ntop(AF_INET, &v4, &out, socklen_t(INET_ADDRSTRLEN)) != nil else { return nil }
            return String(decoding: out.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &v6, &out, socklen_t(INET6_ADDRSTRLEN)) != nil else { return nil }
            return String(decoding: out.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }

    /// A host name of two or more labels (letters, digits, hyphens; IDNs as `xn--`), ≤ 253.
    static func domain(_ text: String) -> String? {
        var name = text.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard (3...253).contains(name.utf8.count) else { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.utf8.first != 0x2D, label.utf8.last != 0x2D,
                  label.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
            else { return nil }
        }
        // The top-level label is not all digits (that is an IPv4 address).
        guard let top = labels.last, !top.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return name
    }

    /// An http, https or ftp URL with a host; printable ASCII only (IDNs and paths encoded).
    static func url(_ text: String) -> String? {
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), ["http", "https", "ftp"].contains(scheme), let host = components.host, !host.isEmpty,
              Self.domain(host) != nil || Self.ip(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) != nil
        else { return nil }
        return text
    }

    /// MD5, SHA-1, SHA-256 or SHA-512 in hex.
    static func hash(_ text: String) -> String? {
        let lower = text.lowercased()
        guard [32, 40, 64, 128].contains(lower.utf8.count), lower.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return lower
    }

    /// `CVE-YYYY-NNNN` (four to seven digits after the year).
    static func cve(_ text: String) -> String? {
        let upper = text.uppercased()
        let parts = upper.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "CVE", parts[1].utf8.count == 4, (4...7).contains(parts[2].utf8.count),
              (parts[1] + parts[2]).utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let year = Int(parts[1]), (1999...2999).contains(year)
        else { return nil }
        return upper
    }

    /// A CPE 2.3 formatted string (`cpe:2.3:` and eleven more fields) or a CPE 2.2 URI (`cpe:/`).
    static func cpe(_ text: String) -> String? {
        guard text.utf8.count <= 400, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        let lower = text.lowercased()
        if lower.hasPrefix("cpe:2.3:") {
            // Escaped colons (`\:`) belong to their field.
            var fields = 1
            var escaped = false
            for byte in lower.utf8 {
                if escaped { escaped = false; continue }
                if byte == 0x5C { escaped = true } else if byte == 0x3A { fields += 1 }
            }
            guard fields == 13, let part = lower.split(separator: ":").dropFirst(2).first, ["a", "o", "h", "*", "-"].contains(part) else { return nil }
            return lower
        }
        if lower.hasPrefix("cpe:/"), let part = lower.dropFirst(5).first, "aoh".contains(part) { return lower }
        return nil
    }
}
