import Foundation

/// Text that will reach a protocol line — an SMTP command or header, an HTTP header, a
/// redirect, a `Content-Disposition`, a log line — is checked where it enters. A CR or LF
/// there is not a typo but a new command (`RCPT TO:` an outsider) or a new header
/// (`Set-Cookie:`), so such text is refused, never "cleaned up" later.
public enum ProtocolText {
    /// Any C0 control character (TAB, CR and LF included), DEL, or a C1 control, or a Unicode
    /// line or paragraph separator.
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: Self.isControl)
    }

    /// Text from a peer for a page or a log line (an error it answered): every control
    /// character becomes a space, so it can never start a new line. For display only — text
    /// that reaches a protocol line is refused instead.
    public static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { Self.isControl($0) ? " " : $0 }))
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }

    /// A same-site path to send a browser back to, or nil. Only a path that begins with one
    /// `/` is accepted: `//evil.example`, `/\evil.example` (browsers read `\` as `/`), a scheme,
    /// or any control character (a header split, or a tab that browsers strip) is refused.
    public static func sameSitePath(_ candidate: String?) -> String? {
        guard let candidate, candidate.count <= 2_000, candidate.hasPrefix("/"),
            !candidate.hasPrefix("//"), !candidate.contains("\\"), !Self.hasControlCharacters(candidate),
            !candidate.unicodeScalars.contains(where: { $0 == " " || !$0.isASCII })
        else { return nil }
        return candidate
    }

    /// A file name safe for a `Content-Disposition` header and any file system: no path,
    /// no control characters, no quotes or backslashes; at most 200 characters. Nil when
    /// nothing usable is left.
    public static func fileName(_ raw: String) -> String? {
        // The last path component only: a name is never a path.
        let base = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = String(String.UnicodeScalarView(base.unicodeScalars.filter { !Self.isControl($0) && $0 != "\"" && $0 != ";" }))
            .trimmingCharacters(in: .whitespaces)
        guard !kept.isEmpty, kept != ".", kept != ".." else { return nil }
        return String(kept.prefix(200))
    }
}
