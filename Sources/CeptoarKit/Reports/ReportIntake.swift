import Foundation

/// Reports arriving by the reporting structures members already have (既存の事故情報等の情報共有
/// 体制): rows of a CSV file, or a mail whose body is the structured template — `key: value`
/// lines. Both name the same fields, by the English keys of `ReportIntake.fields` or their
/// Japanese labels, and become the same `ReportInput` the API takes, checked by the same rules.
/// A value that does not even read (a score that is no number) is a problem of its own field.
public enum ReportIntake {
    public static let maxRows = 500
    public static let maxBytes = 1_048_576

    /// One report as it arrived: where (a CSV line, or 1 for a mail), to which CEPTOAR, the
    /// input, and what did not read.
    public struct Row: Sendable {
        public var line: Int
        public var ceptoar: String?
        public var input: ReportInput
        public var problems: ReportInputProblems
    }

    /// The fields in template and column order, each with the names it is known by.
    public static let fields: [(key: String, names: [String], label: LocalizedText)] = [
        ("ceptoar", ["報告先セプター", "セプター"], LocalizedText(ja: "報告先セプター（省略可: 所属が一つのとき）", en: "CEPTOAR to report to (may be left out when you belong to one)")),
        ("summary_ja", ["summary", "概要", "事象の概要"], LocalizedText(ja: "事象の概要", en: "What happened (Japanese)")),
        ("summary_en", ["概要（英語）", "概要(英語)"], LocalizedText(ja: "事象の概要（英語、省略可）", en: "What happened (English, optional)")),
        ("affected_service", ["影響を受けたサービス"], LocalizedText(ja: "影響を受けたサービス", en: "Affected service")),
        ("detected_at", ["検知日時"], LocalizedText(ja: "検知日時（2026-12-06 09:15 は日本時間）", en: "Detected at (2026-12-06 09:15 is Japan time)")),
        ("occurred_at", ["発生日時"], LocalizedText(ja: "発生日時（省略可）", en: "Occurred at (optional)")),
        ("event_type", ["事象の種類"], LocalizedText(ja: "事象の種類: " + ReportEventType.allCases.map(\.rawValue).joined(separator: " / "), en: "Event type: " + ReportEventType.allCases.map(\.rawValue).joined(separator: " / "))),
        ("causes", ["要因"], LocalizedText(ja: "要因（; 区切り）例 intentional.malware; unintentional.software", en: "Causes (separated by ;) e.g. intentional.malware; unintentional.software")),
        ("sla_breached", ["サービスレベル未達"], LocalizedText(ja: "合意したサービス水準を下回ったか（はい / いいえ）", en: "Agreed service level breached (yes / no)")),
        ("service_continuity", ["サービスの継続性"], LocalizedText(ja: "サービスの継続性への影響（0〜4）", en: "Impact on service continuity (0–4)")),
        ("safety", ["安全性"], LocalizedText(ja: "安全性への影響（0〜4）", en: "Impact on safety (0–4)")),
        ("loss_of_trust", ["信頼の失墜"], LocalizedText(ja: "信頼の失墜（0〜4）", en: "Loss of trust (0–4)")),
        ("observables", ["観測情報"], LocalizedText(ja: "観測情報（種類:値 を ; 区切り）例 cve:CVE-2024-3400; ip:203.0.113.7", en: "Observables (kind:value separated by ;) e.g. cve:CVE-2024-3400; ip:203.0.113.7")),
        ("tlp", ["TLP"], LocalizedText(ja: "TLP（CLEAR / GREEN / AMBER / AMBER+STRICT / RED）", en: "TLP (CLEAR / GREEN / AMBER / AMBER+STRICT / RED)")),
        ("attribution", ["報告者名の扱い"], LocalizedText(ja: "報告者名の扱い（named / anonymised / ceptoar_only）", en: "Your name past the CEPTOAR (named / anonymised / ceptoar_only)")),
        ("red_consent", ["セプター外への提供に同意"], LocalizedText(ja: "RED・AMBER+STRICT をセプターの先へ送ることに同意（はい / いいえ、省略可）", en: "Consent to a RED or AMBER+STRICT report going past the CEPTOAR (yes / no, optional)")),
    ]

    /// The key a column heading or template line names, if any.
    public static func key(named raw: String) -> String? {
        let name = raw.trimmingCharacters(in: .whitespaces)
        let lowered = name.lowercased()
        return self.fields.first { $0.key == lowered || $0.names.contains(name) || $0.names.contains(lowered) }?.key
    }

    // MARK: CSV

    /// The rows of a CSV file whose first record names its columns; a problem with the file
    /// itself (no header, an unknown or repeated column, a malformed record) refuses it whole.
    public static func csv(_ data: Data) -> Result<[Row], ReportInputProblems> {
        var problems = ReportInputProblems()
        func refuse(_ message: LocalizedText) -> Result<[Row], ReportInputProblems> {
            problems.add("file", ja: message.ja, en: message.text(.en))
            return .failure(problems)
        }
        let text: String
        switch CSVReader.text(of: data, maxBytes: Self.maxBytes) {
        case .success(let read): text = read
        case .failure(let problem): return refuse(problem.message)
        }
        let records: [CSVReader.Record]
        switch CSVReader.records(text, maxRecords: Self.maxRows + 1) {
        case .success(let read): records = read
        case .failure(let problem): return refuse(problem.message)
        }
        guard let header = records.first else { return refuse(LocalizedText(ja: "CSV が空です", en: "the CSV is empty")) }
        var columns: [String] = []
        for heading in header.fields {
            guard let key = Self.key(named: heading) else {
                return refuse(LocalizedText(ja: "不明な列です: \(heading.prefix(40))", en: "unknown column '\(heading.prefix(40))' (the columns are: \(self.fields.map(\.key).joined(separator: ", ")))"))
            }
            guard !columns.contains(key) else { return refuse(LocalizedText(ja: "列が重複しています: \(key)", en: "column '\(key)' is given twice")) }
            columns.append(key)
        }
        guard records.count > 1 else { return refuse(LocalizedText(ja: "見出しの後に報告の行がありません", en: "the CSV has a header and no reports")) }
        return .success(records.dropFirst().map { record in
            var values: [String: String] = [:]
            var row = Row(line: record.line, ceptoar: nil, input: ReportInput(), problems: ReportInputProblems())
            if record.fields.count != columns.count {
                row.problems.add("row", ja: "列の数が見出しと違います（\(record.fields.count) / \(columns.count)）", en: "the row has \(record.fields.count) fields, the header \(columns.count)")
            }
            for (key, value) in zip(columns, record.fields) { values[key] = value }
            Self.fill(&row, values)
            return row
        })
    }

    // MARK: template

    /// The report in a mail body: `key: value` lines (`：` too); a line starting with
    /// whitespace continues the previous value; `#` lines and unknown keys are skipped. Nil
    /// when no line names a field — the mail is no report.
    public static func template(_ body: String) -> Row? {
        var values: [String: String] = [:]
        var last: String?
        for rawLine in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).prefix(2_000) {
            let line = String(rawLine)
            if line.hasPrefix("#") || line.hasPrefix(">") { continue }
            if let first = line.first, first == " " || first == "\t" || first == "\u{3000}", let key = last {
                let more = line.trimmingCharacters(in: .whitespaces)
                if !more.isEmpty, (values[key]?.count ?? 0) < 8_000 { values[key] = (values[key].map { $0 + "\n" } ?? "") + more }
                continue
            }
            guard let colon = line.firstIndex(where: { $0 == ":" || $0 == "：" }) else {
                last = nil
                continue
            }
            let name = String(line[..<colon])
            guard let key = Self.key(named: name) else {
                last = nil
                continue
            }
            values[key] = String(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).prefix(8_000))
            last = key
        }
        guard !values.isEmpty else { return nil }
        var row = Row(line: 1, ceptoar: nil, input: ReportInput(), problems: ReportInputProblems())
        Self.fill(&row, values)
        return row
    }

    /// The template itself, for a reply that asks for a report again.
    public static func blankTemplate(_ language: Language) -> String {
        self.fields.map { "# \($0.label.text(language))\n\($0.key): " }.joined(separator: "\n")
    }

    // MARK: values

    static func fill(_ row: inout Row, _ values: [String: String]) {
        func value(_ key: String) -> String? {
            guard let text = values[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        var input = ReportInput()
        row.ceptoar = value("ceptoar")
        if let ja = value("summary_ja") { input.summary = LocalizedText(ja: ja, en: value("summary_en")) }
        input.affectedService = value("affected_service")
        input.detectedAt = value("detected_at").map(Self.timestamp)
        input.occurredAt = value("occurred_at").map(Self.timestamp)
        input.eventType = value("event_type").map { text in ReportEventType.allCases.first { $0.label.ja == text }?.rawValue ?? text.lowercased() }
        input.causes = value("causes").map(Self.list)
        if let text = value("sla_breached") {
            input.slaBreached = Self.yesNo(text)
            if input.slaBreached == nil { row.problems.add("slaBreached", ja: "サービスレベル未達は「はい」か「いいえ」です", en: "sla_breached: yes or no") }
        }
        if let text = value("red_consent") {
            input.redConsent = Self.yesNo(text)
            if input.redConsent == nil { row.problems.add("redConsent", ja: "同意は「はい」か「いいえ」です", en: "red_consent: yes or no") }
        }
        var scores: [Int?] = []
        for key in ["service_continuity", "safety", "loss_of_trust"] {
            guard let text = value(key) else {
                scores.append(nil)
                continue
            }
            // Int(text) is nil for anything but a plain number in range: never a trap.
            let score = text.count <= 2 ? Int(text) : nil
            if score == nil { row.problems.add("impact", ja: "\(key) は0〜4の数字です", en: "\(key): a number 0 to 4") }
            scores.append(score)
        }
        if scores.contains(where: { $0 != nil }) || row.problems.fields.contains("impact") {
            input.impact = ReportInput.Impact(serviceContinuity: scores[0], safety: scores[1], lossOfTrust: scores[2])
        }
        if let text = value("observables") {
            input.observables = Self.list(text).map { item in
                guard let colon = item.firstIndex(of: ":") else { return ReportInput.Observable(kind: item, value: nil) }
                return ReportInput.Observable(kind: item[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                                              value: item[item.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
        }
        input.tlp = value("tlp")
        input.attribution = value("attribution").map { $0.lowercased() }
        row.input = input
    }

    /// Items separated by `;`, `；` or new lines.
    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == ";" || $0 == "；" || $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func yesNo(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "true", "1", "y", "はい", "有", "あり": true
        case "no", "false", "0", "n", "いいえ", "無", "なし": false
        default: nil
        }
    }

    /// RFC 3339 as given; `2026-12-06 09:15[:00]` or `2026/12/06 9:15` (what a spreadsheet
    /// writes) as Japan time. Anything else is passed on for the rules to refuse.
    static func timestamp(_ text: String) -> String {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, !text.contains("T") else { return text }
        let date = parts[0].split(whereSeparator: { $0 == "-" || $0 == "/" }).map(String.init)
        let time = parts[1].split(separator: ":").map(String.init)
        guard date.count == 3, (2...3).contains(time.count), date[0].count == 4,
            date.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            time.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return text }
        func two(_ s: String) -> String { s.count == 1 ? "0" + s : s }
        return "\(date[0])-\(two(date[1]))-\(two(date[2]))T\(two(time[0])):\(two(time[1])):\(time.count == 3 ? two(time[2]) : "00")+09:00"
    }

    /// The row's draft, or every problem: what did not read, then what the rules refuse (a field
    /// already named for not reading is not named again).
    public static func check(_ row: Row, now: Date) -> Result<ReportDraft, ReportInputProblems> {
        var problems = row.problems
        switch row.input.validated(now: now) {
        case .success(let draft):
            return problems.isEmpty ? .success(draft) : .failure(problems)
        case .failure(let refused):
            let named = Set(problems.fields)
            for (index, field) in refused.fields.enumerated() where !named.contains(field) {
                problems.add(field, ja: refused.ja[index], en: refused.en[index])
            }
            return .failure(problems)
        }
    }
}
