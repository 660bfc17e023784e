import CeptoarKit
import Foundation
import Vapor

/// What an analyst sends to write or revise a failure case (API JSON or the page's form).
struct FailureCaseInput: Content {
    var title: LocalizedText
    /// 業態: the kind of business the case is about (e.g. 銀行, 証券).
    var businessType: String
    var event: String
    var cause: String
    var countermeasure: String
    var lessons: String
    /// CLEAR, GREEN or AMBER (default): a case goes to the sector's members, not to named ones.
    var tlp: String?
    /// The reports it was written from (1 to 50).
    var reports: [UUID]

    static let maxTitle = 200
    static let maxText = 20_000
    static let maxReports = 50

    /// Every problem at once, each naming its field.
    func validated() throws -> TLP {
        var ja: [String] = []
        var en: [String] = []
        var fields: [String] = []
        func problem(_ field: String, _ j: String, _ e: String) {
            ja.append(j)
            en.append("\(field): \(e)")
            if !fields.contains(field) { fields.append(field) }
        }
        let title = self.title.ja.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { problem("title", "件名を入力してください", "required") }
        if title.count > Self.maxTitle || (self.title.en ?? "").count > Self.maxTitle { problem("title", "件名は\(Self.maxTitle)文字以内です", "at most \(Self.maxTitle) characters") }
        if ProtocolText.hasControlCharacters(self.title.ja) || ProtocolText.hasControlCharacters(self.title.en ?? "") {
            problem("title", "件名に改行や制御文字は使えません", "one line without control characters")
        }
        let parts: [(String, String, String)] = [
            ("businessType", "業態", self.businessType), ("event", "事象", self.event), ("cause", "原因", self.cause),
            ("countermeasure", "対策", self.countermeasure), ("lessons", "教訓", self.lessons),
        ]
        for (field, label, text) in parts {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problem(field, "\(label)を入力してください", "required") }
            if text.count > Self.maxText { problem(field, "\(label)は\(Self.maxText)文字以内です", "at most \(Self.maxText) characters") }
        }
        var tlp = TLP.amber
        if let raw = self.tlp, !raw.isEmpty {
            if let parsed = TLP(label: raw), parsed <= .amber {
                tlp = parsed
            } else {
                problem("tlp", "障害事例の TLP は CLEAR・GREEN・AMBER のいずれかです", "CLEAR, GREEN or AMBER (a case goes to the sector's members)")
            }
        }
        if self.reports.isEmpty { problem("reports", "元になった報告を1件以上指定してください", "give at least one report") }
        if self.reports.count > Self.maxReports { problem("reports", "報告は\(Self.maxReports)件までです", "at most \(Self.maxReports) reports") }
        if Set(self.reports).count != self.reports.count { problem("reports", "同じ報告が重複しています", "a report is listed twice") }
        guard fields.isEmpty else {
            throw UserError(status: .unprocessableEntity, ja: ja.joined(separator: "。"), en: en.joined(separator: "; "), fields: fields)
        }
        return tlp
    }
}

/// A failure case as its reader sees it. The source reports are listed by id for the
/// organisation writing it only; members receive the published text as an advisory.
struct FailureCaseDTO: Content {
    var id: UUID
    var status: String
    var sector: String
    var author: LocalizedText
    var title: LocalizedText
    var businessType: String
    var event: String
    var cause: String
    var countermeasure: String
    var lessons: String
    var tlp: String
    var reports: [UUID]?
    var advisory: UUID?
    var createdAt: Date
    var updatedAt: Date
    var publishedAt: Date?
}
