import CeptoarKit
import Foundation
import Vapor

/// The report form (情報連絡): the same fields as the API, filled in by a person. What the
/// form sends is turned into a `ReportInput` and checked by the same `validated`, so the page
/// refuses exactly what the API refuses and names the same fields.
enum ReportForm {
    /// The fields, pre-filled from `input` (a new version starts from the one in force).
    static func fields(_ input: ReportInput?, sectors: [(key: String, name: LocalizedText)], language: Language) -> String {
        let ja = language == .ja
        let given = input ?? ReportInput()
        // The closures say they make Strings: left to inference, `[…].joined()` picked SQLKit's
        // SQLQueryString (its interpolation and `joined` fit too) and printed its debug form.
        let events: String = ReportEventType.allCases.map { event -> String in
            let selected = given.eventType == event.rawValue ? " selected" : ""
            return #"<option value="\#(event.rawValue)"\#(selected)>\#(event.label.text(language).htmlEscaped)</option>"#
        }.joined()
        let chosen = Set(given.causes ?? [])
        var causes = ""
        for cause in Self.causeChoices {
            let checked = chosen.contains(cause.code) ? " checked" : ""
            causes += #"<label class="inline"><input type="checkbox" name="cause_\#(cause.code)" value="1"\#(checked)> \#(cause.label.text(language).htmlEscaped)</label> "#
        }
        let spilled = chosen.first { $0.hasPrefix("spillover.") }.map { String($0.dropFirst("spillover.".count)) }
        let sectorOptions: String = #"<option value="">—</option>"# + sectors.map { sector -> String in
            #"<option value="\#(sector.key.htmlEscaped)"\#(spilled == sector.key ? " selected" : "")>\#(sector.name.text(language).htmlEscaped)</option>"#
        }.joined()
        func score(_ name: String, _ value: Int?, _ label: String) -> String {
            let options: String = ReportImpact.scores.map { score -> String in #"<option\#(value == score ? " selected" : "")>\#(score)</option>"# }.joined()
            return #"<label class="inline">\#(label) <select name="\#(name)">\#(options)</select></label> "#
        }
        let tlps: String = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"].map { tlp -> String in
            #"<option\#((given.tlp ?? "AMBER") == tlp ? " selected" : "")>\#(tlp)</option>"#
        }.joined()
        let attributions: String = ReportAttribution.allCases.map { a -> String in
            #"<option value="\#(a.rawValue)"\#((given.attribution ?? "anonymised") == a.rawValue ? " selected" : "")>\#(a.label.text(language).htmlEscaped)</option>"#
        }.joined()
        let observables = (given.observables ?? []).map { "\($0.kind ?? "") \($0.value ?? "")" }.joined(separator: "\n")
        let sla = given.slaBreached
        return """
            <label>\(ja ? "事象の概要（日本語）" : "What happened (Japanese)") <textarea name="summary_ja" required maxlength="4000" rows="4">\((given.summary?.ja ?? "").htmlEscaped)</textarea></label>
            <label>\(ja ? "事象の概要（英語・任意）" : "What happened (English, optional)") <textarea name="summary_en" maxlength="4000" rows="3">\((given.summary?.en ?? "").htmlEscaped)</textarea></label>
            <label>\(ja ? "影響を受けたサービス" : "Affected service") <input name="affected_service" required maxlength="200" value="\((given.affectedService ?? "").htmlEscaped)"></label>
            <label>\(ja ? "検知日時（日本時間）" : "Detected at (JST)") <input type="datetime-local" name="detected_at" required value="\(Self.local(given.detectedAt))"></label>
            <label>\(ja ? "発生日時（日本時間・任意）" : "Occurred at (JST, optional)") <input type="datetime-local" name="occurred_at" value="\(Self.local(given.occurredAt))"></label>
            <label>\(ja ? "事象の種類" : "Event type") <select name="event_type">\(events)</select></label>
            <fieldset><legend>\(ja ? "要因（複数選択可）" : "Causes (any number)")</legend>\(causes)
            <label class="inline">\(ja ? "波及元の分野" : "Sector it spilled over from") <select name="spillover_sector">\(sectorOptions)</select></label></fieldset>
            <fieldset><legend>\(ja ? "合意したサービス水準を下回ったか" : "Was the agreed service level breached?")</legend>
            <label class="inline"><input type="radio" name="sla_breached" value="yes"\(sla == true ? " checked" : "")> \(ja ? "はい" : "Yes")</label>
            <label class="inline"><input type="radio" name="sla_breached" value="no"\(sla == false ? " checked" : "")> \(ja ? "いいえ" : "No")</label></fieldset>
            <fieldset><legend>\(ja ? "影響度（0〜4、深刻度は最も高い軸）" : "Impact (0–4; severity is the highest axis)")</legend>
            \(score("impact_service", given.impact?.serviceContinuity, ja ? "サービス継続" : "Service continuity"))\
            \(score("impact_safety", given.impact?.safety, ja ? "安全" : "Safety"))\
            \(score("impact_trust", given.impact?.lossOfTrust, ja ? "信頼の失墜" : "Loss of trust"))</fieldset>
            <label>\(ja ? "観測情報（1行に「種類 値」: ip, domain, url, hash, cve, cpe, product）" : "Observables (one per line, \"kind value\": ip, domain, url, hash, cve, cpe, product)") <textarea name="observables" rows="4" maxlength="20000">\(observables.htmlEscaped)</textarea></label>
            <label>TLP <select name="tlp">\(tlps)</select></label>
            <label>\(ja ? "組織名の扱い" : "How far your name travels") <select name="attribution">\(attributions)</select></label>
            <label class="inline"><input type="checkbox" name="red_consent" value="1"\(given.redConsent == true ? " checked" : "")> \(ja ? "TLP:RED・AMBER+STRICT の報告をセプターより先へ上げることに同意する" : "I consent to a TLP:RED or AMBER+STRICT report going past our CEPTOAR")</label>
            """
    }

    struct CauseChoice {
        var code: String
        var label: LocalizedText
    }

    /// Every cause but the spill-over, which takes its sector from the select beside it.
    static let causeChoices: [CauseChoice] = {
        var causes: [ReportCause] = ReportCause.Intentional.allCases.map { .intentional($0) } + ReportCause.Unintentional.allCases.map { .unintentional($0) }
        causes += [.disasterOrEpidemic, .other]
        return causes.map { CauseChoice(code: $0.code, label: $0.label) }
    }()

    /// The form's fields as a `ReportInput`: nothing is judged here, only reshaped.
    static func input(from form: [String: String]) -> ReportInput {
        var input = ReportInput()
        func text(_ name: String) -> String? { form[name].flatMap { $0.isEmpty ? nil : $0 } }
        input.summary = LocalizedText(ja: form["summary_ja"] ?? "", en: text("summary_en"))
        input.affectedService = form["affected_service"]
        input.detectedAt = text("detected_at").map(Self.instant)
        input.occurredAt = text("occurred_at").map(Self.instant)
        input.eventType = form["event_type"]
        var causes = Self.causeChoices.map(\.code).filter { form["cause_\($0)"] != nil }
        if let sector = text("spillover_sector") { causes.append("spillover.\(sector)") }
        input.causes = causes
        input.slaBreached = form["sla_breached"].flatMap { $0 == "yes" ? true : $0 == "no" ? false : nil }
        func score(_ name: String) -> Int? { text(name).flatMap { Int($0) } }
        input.impact = ReportInput.Impact(serviceContinuity: score("impact_service"), safety: score("impact_safety"), lossOfTrust: score("impact_trust"))
        // One observable a line, "kind value"; the limit is the validator's, not the form's.
        let lines = (form["observables"] ?? "").split(whereSeparator: \.isNewline).prefix(ReportInput.maxObservables + 1)
        input.observables = lines.compactMap { line in
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            guard let kind = parts.first else { return nil }
            return ReportInput.Observable(kind: String(kind).lowercased(), value: parts.count > 1 ? String(parts[1]) : nil)
        }
        input.tlp = form["tlp"]
        input.attribution = form["attribution"]
        input.redConsent = form["red_consent"] != nil
        return input
    }

    /// `2026-12-06T10:15` from a datetime-local input, in Japan's time, as RFC 3339.
    /// Anything else is passed on as typed, for the validator to name.
    static func instant(_ text: String) -> String {
        let isLocal = text.count == 16 && text.utf8.allSatisfy { $0 < 0x80 } && Array(text)[10] == "T"
        return isLocal ? text + ":00+09:00" : text
    }

    /// An RFC 3339 time as the datetime-local input's value, in Japan's time.
    static func local(_ text: String?) -> String {
        guard let text, let date = Instant.date(text) else { return "" }
        let c = Day.japaneseCalendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard let year = c.year, let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute else { return "" }
        return String(format: "%04d-%02d-%02dT%02d:%02d", year, month, day, hour, minute)
    }
}
