import Foundation

/// A mail as it arrives from the MTA (RFC 5322 with MIME), read within bounds: its unfolded
/// headers, its first text/plain part as text, and its attachments. Bodies in base64 or
/// quoted-printable are decoded, and text in UTF-8, ISO-2022-JP, Shift_JIS or EUC-JP (what
/// Japanese mail software sends) becomes a string. Everything in it is the sender's to forge
/// but for what the receiving MTA stamped (`authenticatedDomains`).
public struct InboundMail: Sendable {
    public struct Attachment: Sendable {
        public var filename: String?
        public var contentType: String
        public var data: Data
    }

    public enum Problem: Error, Equatable, Sendable {
        case tooLarge(max: Int)
        case noHeaders
        case tooManyParts

        public var message: LocalizedText {
            switch self {
            case .tooLarge(let max): LocalizedText(ja: "メールが大きすぎます（\(max / 1_048_576) MiB まで）", en: "the mail is larger than \(max / 1_048_576) MiB")
            case .noHeaders: LocalizedText(ja: "メールのヘッダーが読めません", en: "the mail has no readable headers")
            case .tooManyParts: LocalizedText(ja: "メールの部分が多すぎます", en: "the mail has too many MIME parts")
            }
        }
    }

    public static let maxBytes = 5 * 1_048_576
    static let maxParts = 50

    public var headers: [(name: String, value: String)]
    public var text: String?
    public var attachments: [Attachment]

    public func header(_ name: String) -> String? { self.headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
    public func all(_ name: String) -> [String] { self.headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value) }

    /// The address in From (lower-cased), if it holds exactly one plain address.
    public var fromAddress: String? { self.header("From").flatMap(Self.address(in:)) }

    public static func parse(_ data: Data) -> Result<InboundMail, Problem> {
        guard data.count <= Self.maxBytes else { return .failure(.tooLarge(max: Self.maxBytes)) }
        var parts = 0
        guard let entity = Self.entity(Array(data), depth: 0, parts: &parts) else { return .failure(parts > Self.maxParts ? .tooManyParts : .noHeaders) }
        var mail = InboundMail(headers: entity.headers, text: nil, attachments: [])
        mail.collect(entity, depth: 0)
        return .success(mail)
    }

    // MARK: MIME

    struct Entity {
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var children: [Entity]
    }

    private mutating func collect(_ entity: Entity, depth: Int) {
        if !entity.children.isEmpty {
            for child in entity.children { self.collect(child, depth: depth + 1) }
            return
        }
        let type = Self.contentType(entity.headers)
        let disposition = Self.headerValue(entity.headers, "Content-Disposition") ?? ""
        let filename = Self.parameter(disposition, "filename") ?? Self.parameter(Self.headerValue(entity.headers, "Content-Type") ?? "", "name")
        let data = Self.decoded(entity.body, encoding: Self.headerValue(entity.headers, "Content-Transfer-Encoding"))
        if type.media == "text/plain", filename == nil, !disposition.lowercased().hasPrefix("attachment"), self.text == nil {
            self.text = Self.string(data, charset: type.charset)
        } else if self.attachments.count < Self.maxParts {
            self.attachments.append(Attachment(filename: filename, contentType: type.media, data: data))
        }
    }

    private static func entity(_ bytes: [UInt8], depth: Int, parts: inout Int) -> Entity? {
        parts += 1
        guard parts <= Self.maxParts, depth <= 4 else { return nil }
        // Headers end at the first empty line (CRLF CRLF or LF LF).
        var index = 0
        var lines: [String] = []
        var lineStart = 0
        var bodyStart: Int?
        while index < bytes.count {
            if bytes[index] == 0x0A {
                var end = index
                if end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
                if end == lineStart {
                    bodyStart = index + 1
                    break
                }
                lines.append(String(decoding: bytes[lineStart..<end], as: UTF8.self))
                lineStart = index + 1
            }
            index += 1
        }
        if bodyStart == nil {
            if lineStart < bytes.count { lines.append(String(decoding: bytes[lineStart...], as: UTF8.self)) }
            bodyStart = bytes.count
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.prefix(500) {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespacesAndNewlines)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines)))
            }
        }
        guard depth > 0 || !headers.isEmpty else { return nil }
        let body = Array(bytes[(bodyStart ?? bytes.count)...])
        var entity = Entity(headers: headers, body: body, children: [])
        let type = Self.contentType(headers)
        if type.media.hasPrefix("multipart/"), let boundary = Self.parameter(Self.headerValue(headers, "Content-Type") ?? "", "boundary"), !boundary.isEmpty, boundary.utf8.count <= 200 {
            for part in Self.split(body, boundary: Array(("--" + boundary).utf8)) {
                guard let child = Self.entity(part, depth: depth + 1, parts: &parts) else {
                    if parts > Self.maxParts { return nil }
                    continue
                }
                entity.children.append(child)
            }
        }
        return entity
    }

    /// The parts between boundary lines.
    static func split(_ body: [UInt8], boundary: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var current: Int?
        var lineStart = 0
        var index = 0
        while index <= body.count {
            if index == body.count || body[index] == 0x0A {
                var end = index
                if end > lineStart, body[end - 1] == 0x0D { end -= 1 }
                let line = body[lineStart..<end]
                if line.starts(with: boundary) {
                    if let start = current {
                        // The part ends before the line break that precedes the boundary.
                        var partEnd = lineStart
                        if partEnd > start, body[partEnd - 1] == 0x0A { partEnd -= 1 }
                        if partEnd > start, body[partEnd - 1] == 0x0D { partEnd -= 1 }
                        parts.append(Array(body[start..<Swift.max(start, partEnd)]))
                    }
                    let closing = line.dropFirst(boundary.count).starts(with: [0x2D, 0x2D])
                    if closing { return parts }
                    current = Swift.min(index + 1, body.count)
                }
                lineStart = index + 1
            }
            index += 1
        }
        return parts
    }

    static func headerValue(_ headers: [(name: String, value: String)], _ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// `text/plain; charset="iso-2022-jp"` → ("text/plain", "iso-2022-jp").
    static func contentType(_ headers: [(name: String, value: String)]) -> (media: String, charset: String?) {
        let value = Self.headerValue(headers, "Content-Type") ?? "text/plain"
        let media = value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "text/plain"
        return (media, Self.parameter(value, "charset")?.lowercased())
    }

    /// A parameter of a structured header (`name="value"` or `name=value`).
    static func parameter(_ header: String, _ name: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    static func decoded(_ body: [UInt8], encoding: String?) -> Data {
        switch encoding?.lowercased().trimmingCharacters(in: .whitespaces) {
        case "base64":
            return Data(base64Encoded: Data(body), options: .ignoreUnknownCharacters) ?? Data()
        case "quoted-printable":
            return Self.quotedPrintable(body)
        default:
            return Data(body)
        }
    }

    static func quotedPrintable(_ body: [UInt8]) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        while index < body.count {
            let byte = body[index]
            if byte == 0x3D {
                // Soft line break: `=` at the end of a line.
                if index + 1 < body.count, body[index + 1] == 0x0A { index += 2; continue }
                if index + 2 < body.count, body[index + 1] == 0x0D, body[index + 2] == 0x0A { index += 3; continue }
                if index + 2 < body.count, let high = hex(body[index + 1]), let low = hex(body[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            out.append(byte)
            index += 1
        }
        return Data(out)
    }

    /// Text in the charsets Japanese mail uses; undecodable text is nil, not guessed.
    public static func string(_ data: Data, charset: String?) -> String? {
        switch charset ?? "us-ascii" {
        case "utf-8", "utf8", "us-ascii", "ascii": return String(data: data, encoding: .utf8)
        case "iso-2022-jp", "iso-2022-jp-2": return String(data: data, encoding: .iso2022JP)
        case "shift_jis", "shift-jis", "sjis", "cp932", "windows-31j": return String(data: data, encoding: .shiftJIS)
        case "euc-jp": return String(data: data, encoding: .japaneseEUC)
        default: return nil
        }
    }

    // MARK: addresses and authentication

    /// The one address in an address header: `Name <a@b>` or `a@b`, lower-cased; nil for a
    /// group, several addresses, or anything that is no plain address.
    public static func address(in header: String) -> String? {
        var text = header.trimmingCharacters(in: .whitespaces)
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            text = String(text[text.index(after: open)..<close])
        }
        text = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, text.utf8.count <= 254,
            text.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "," && $0 != "<" && $0 != ">" && $0 != ";" && $0 != "\"" })
        else { return nil }
        return text
    }

    /// The domains the receiving MTA (`authservID`, RFC 8601) vouches for as the author's: a
    /// DMARC pass for `header.from`, or a DKIM pass for `header.d`. Only the MTA's own
    /// Authentication-Results count — the topmost one with its id, which it writes last.
    public func authenticatedDomains(authservID: String) -> Set<String> {
        guard let stamp = self.all("Authentication-Results").first(where: { value in
            value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init)?.lowercased() == authservID.lowercased() } ?? false
        }) else { return [] }
        var domains: Set<String> = []
        for clause in stamp.split(separator: ";").dropFirst() {
            let words = clause.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
            guard let result = words.first else { continue }
            let key = result == "dmarc=pass" ? "header.from=" : result == "dkim=pass" ? "header.d=" : nil
            guard let key else { continue }
            for word in words.dropFirst() where word.hasPrefix(key) {
                domains.insert(String(word.dropFirst(key.count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"()")))
            }
        }
        return domains
    }
}
