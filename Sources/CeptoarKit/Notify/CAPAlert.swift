import Foundation

/// An advisory or an alert as an OASIS Common Alerting Protocol 1.2 message
/// (urn:oasis:names:tc:emergency:cap:1.2), one `<info>` per language. Elements come in the
/// order the schema requires; times carry the +09:00 offset (CAP forbids "Z").
public struct CAPAlert: Sendable {
    public enum Status: String, Sendable, CaseIterable { case actual = "Actual", exercise = "Exercise", test = "Test" }
    public enum MessageType: String, Sendable { case alert = "Alert", update = "Update", cancel = "Cancel" }

    public struct Info: Sendable {
        public var language: String
        public var event: String
        public var headline: String
        public var description: String
        public var instruction: String?
        public var senderName: String
        public var web: String?

        public init(language: String, event: String, headline: String, description: String, instruction: String? = nil, senderName: String, web: String? = nil) {
            self.language = language
            self.event = event
            self.headline = headline
            self.description = description
            self.instruction = instruction
            self.senderName = senderName
            self.web = web
        }
    }

    public var identifier: String
    public var sender: String
    public var sent: Date
    public var status: Status
    public var messageType: MessageType = .alert
    /// Who may see it, as TLP says: CLEAR is Public, anything else Restricted to its marking.
    public var marking: TLP
    /// For Update/Cancel: the earlier message as `sender,identifier,sent`.
    public var references: [String] = []
    public var severity: Severity
    public var infos: [Info]

    public init(identifier: String, sender: String, sent: Date, status: Status, messageType: MessageType = .alert, marking: TLP,
                references: [String] = [], severity: Severity, infos: [Info]) {
        self.identifier = identifier
        self.sender = sender
        self.sent = sent
        self.status = status
        self.messageType = messageType
        self.marking = marking
        self.references = references
        self.severity = severity
        self.infos = infos
    }

    /// CAP's time form: 2026-11-26T21:00:00+09:00.
    public static func capTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Tokyo")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return formatter.string(from: date)
    }

    var capSeverity: String {
        switch self.severity {
        case .critical: return "Extreme"
        case .high: return "Severe"
        case .medium: return "Moderate"
        case .low: return "Minor"
        }
    }

    public func xml() -> String {
        func element(_ name: String, _ value: String, indent: String) -> String { "\(indent)<\(name)>\(value.htmlEscaped)</\(name)>\n" }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
        out += element("identifier", self.identifier, indent: "  ")
        out += element("sender", self.sender, indent: "  ")
        out += element("sent", Self.capTime(self.sent), indent: "  ")
        out += element("status", self.status.rawValue, indent: "  ")
        out += element("msgType", self.messageType.rawValue, indent: "  ")
        if self.marking == .clear {
            out += element("scope", "Public", indent: "  ")
        } else {
            out += element("scope", "Restricted", indent: "  ")
            out += element("restriction", "TLP:\(self.marking.rawValue)", indent: "  ")
        }
        if !self.references.isEmpty { out += element("references", self.references.joined(separator: " "), indent: "  ") }
        for info in self.infos {
            out += "  <info>\n"
            out += element("language", info.language, indent: "    ")
            out += element("category", "Infra", indent: "    ")
            out += element("category", "Security", indent: "    ")
            out += element("event", info.event, indent: "    ")
            out += element("urgency", self.status == .actual ? "Immediate" : "Unknown", indent: "    ")
            out += element("severity", self.capSeverity, indent: "    ")
            out += element("certainty", self.status == .actual ? "Observed" : "Unknown", indent: "    ")
            out += element("senderName", info.senderName, indent: "    ")
            out += element("headline", info.headline, indent: "    ")
            out += element("description", info.description, indent: "    ")
            if let instruction = info.instruction { out += element("instruction", instruction, indent: "    ") }
            if let web = info.web { out += element("web", web, indent: "    ") }
            out += "    <parameter>\n" + element("valueName", "TLP", indent: "      ") + element("value", self.marking.rawValue, indent: "      ") + "    </parameter>\n"
            out += "  </info>\n"
        }
        out += "</alert>\n"
        return out
    }
}
