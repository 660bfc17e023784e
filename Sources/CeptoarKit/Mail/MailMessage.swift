import Foundation

/// A plain-text mail as it goes on the wire: headers in RFC 5322 form, Japanese subject and
/// names as RFC 2047 encoded words, the body UTF-8 in base64, every line ending CRLF. Base64
/// lines never start with a dot, so no dot-stuffing is needed for the body.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var body: String
    public var date: Date
    public var messageID: String
    /// Extra headers (e.g. `X-Ceptoar-Drill: yes`), names as given.
    public var headers: [(String, String)]

    public init(from: MailAddress, to: [MailAddress], subject: String, body: String, date: Date = Date(), messageID: String, headers: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        self.messageID = messageID
        self.headers = headers
    }

    public static func == (a: MailMessage, b: MailMessage) -> Bool {
        a.from == b.from && a.to == b.to && a.subject == b.subject && a.body == b.body && a.date == b.date && a.messageID == b.messageID
            && a.headers.map { $0.0 + ":" + $0.1 } == b.headers.map { $0.0 + ":" + $0.1 }
    }

    /// Why the message cannot go on the wire as it is — an address or header that would break
    /// out of its protocol line — or nil. Addresses are checked where they are entered; this is
    /// the last check before a byte is written, for rows stored before that check existed.
    public var wireProblem: String? {
        for mailbox in [self.from] + self.to where !mailbox.isWireSafe {
            return "the address \(mailbox.address.debugDescription) cannot be sent to"
        }
        for (name, value) in self.headers {
            if name.isEmpty || name.contains(":") || ProtocolText.hasControlCharacters(name) || ProtocolText.hasControlCharacters(value) || !name.allSatisfy(\.isASCII) {
                return "the header \(name.debugDescription) cannot be sent"
            }
        }
        if ProtocolText.hasControlCharacters(self.messageID) || self.messageID.contains(">") { return "the Message-ID cannot be sent" }
        return nil
    }

    /// The message in its wire form, CRLF line endings, without the final "." line.
    public var rendered: String {
        var lines: [String] = [
            "From: " + self.from.header,
            "To: " + self.to.map(\.header).joined(separator: ", "),
            "Subject: " + MailMessage.encodedWords(self.subject),
            "Date: " + MailMessage.rfc5322Date(self.date),
            "Message-ID: <\(self.messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        for (name, value) in self.headers { lines.append("\(name): \(value)") }
        lines.append("")
        let body = Data(self.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
        lines.append(contentsOf: body.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            .components(separatedBy: "\r\n"))
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// ASCII text as is; anything else as base64 encoded words of at most 75 characters each,
    /// split between characters (never inside one), folded onto continuation lines.
    public static func encodedWords(_ text: String) -> String {
        if text.allSatisfy({ $0.isASCII && !$0.isNewline }) { return text }
        var words: [String] = []
        var chunk = ""
        // "=?UTF-8?B?" + base64 + "?=" ≤ 75 → base64 ≤ 63 characters → at most 45 bytes.
        for character in text where !character.isNewline {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    /// `Thu, 26 Nov 2026 18:00:00 +0900`, in Japan's time.
    public static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Tokyo")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}

/// A mailbox: an address and, optionally, a display name (which may be Japanese).
public struct MailAddress: Sendable, Equatable {
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// Fit for `MAIL FROM:<…>` / `RCPT TO:<…>`: no control characters, spaces or angle
    /// brackets, one `@`, at most 320 characters.
    public var isWireSafe: Bool {
        !self.address.isEmpty && self.address.count <= 320 && !ProtocolText.hasControlCharacters(self.address)
            && !self.address.contains(where: { $0 == " " || $0 == "<" || $0 == ">" }) && self.address.filter { $0 == "@" }.count == 1
            && !ProtocolText.hasControlCharacters(self.name ?? "")
    }

    /// `"名前" <address>` with the name as encoded words when it is not plain ASCII.
    public var header: String {
        guard let name, !name.isEmpty else { return "<\(self.address)>" }
        let display = name.allSatisfy { $0.isASCII && $0.isLetter || $0 == " " } ? name : MailMessage.encodedWords(name)
        return "\(display) <\(self.address)>"
    }
}
