extension String {
    /// The text made safe for HTML element content and quoted attribute values.
    public var htmlEscaped: String {
        var out = ""
        out.reserveCapacity(self.utf8.count)
        for character in self {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
