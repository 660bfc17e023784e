import CeptoarKit
import Crypto
import Foundation
import Vapor

/// What an originator sends to publish an advisory (API JSON or the page's form).
struct AdvisoryInput: Content {
    struct Target: Content {
        /// sector, ceptoar, group (`ceptoar-key/SG1`) or organisation.
        var kind: String
        var key: String
    }

    /// `{ "ja": …, "en": … }`, as every bilingual text in the API (English optional).
    var title: LocalizedText
    var body: LocalizedText
    var severity: String
    var category: String
    var tlp: String
    var targets: [Target]
    var references: [String]?
    var expiresAt: Date?
    /// The advisory this one corrects or updates.
    var supersedes: UUID?

    static let maxTitle = 200
    static let maxBody = 100_000

    /// What `validated` found.
    typealias Checked = (severity: Severity, category: AdvisoryCategory, tlp: TLP, targets: [(AdvisoryTarget.Kind, String)])

    /// Everything that can be checked without the database, in the reader's language.
    func validated() throws -> Checked {
        func bad(_ ja: String, _ en: String) -> UserError { UserError(status: .unprocessableEntity, ja: ja, en: en) }
        let title = self.title.ja.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw bad("件名を入力してください", "the title is empty") }
        guard title.count <= Self.maxTitle, (self.title.en ?? "").count <= Self.maxTitle else {
            throw bad("件名は\(Self.maxTitle)文字以内にしてください", "the title is longer than \(Self.maxTitle) characters")
        }
        // A title is one line: it becomes a mail subject and a page heading.
        for text in [self.title.ja, self.title.en ?? ""] where ProtocolText.hasControlCharacters(text) {
            throw bad("件名に改行や制御文字は使えません", "the title must be one line without control characters")
        }
        guard !self.body.ja.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw bad("本文を入力してください", "the body is empty") }
        guard self.body.ja.utf8.count <= Self.maxBody, (self.body.en ?? "").utf8.count <= Self.maxBody else {
            throw UserError(status: .payloadTooLarge, ja: "本文が大きすぎます（\(Self.maxBody)バイトまで）", en: "the body is larger than \(Self.maxBody) bytes")
        }
        guard let severity = Severity(rawValue: self.severity) else {
            throw bad("不明な重要度です: \(self.severity)", "unknown severity '\(self.severity)'; use \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let category = AdvisoryCategory(rawValue: self.category) else {
            throw bad("不明な分類です: \(self.category)", "unknown category '\(self.category)'; use \(AdvisoryCategory.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let tlp = TLP(label: self.tlp) else {
            throw bad("不明なTLPです: \(self.tlp)", "unknown TLP '\(self.tlp)'; use CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
        }
        guard !self.targets.isEmpty else { throw bad("提供先を1つ以上指定してください", "give at least one target") }
        let targets = try self.targets.map { target -> (AdvisoryTarget.Kind, String) in
            guard let kind = AdvisoryTarget.Kind(rawValue: target.kind) else {
                throw bad("不明な提供先の種類です: \(target.kind)", "unknown target kind '\(target.kind)'; use sector, ceptoar, group or organisation")
            }
            return (kind, target.key)
        }
        if tlp == .red, targets.contains(where: { $0.0 != .organisation }) {
            throw bad("TLP:RED は組織を個別に指名して提供してください", "TLP:RED goes to named organisations only; give organisation targets")
        }
        for reference in self.references ?? [] {
            let isCVE = reference.range(of: #"^CVE-[0-9]{4}-[0-9]{4,}$"#, options: .regularExpression) != nil
            let isURL = URL(string: reference).map { ["http", "https"].contains($0.scheme ?? "") && $0.host != nil } ?? false
            // Observables (an IPv4 address, a domain, a file hash) become STIX indicators.
            let isObservable = [.ipv4, .domain, .hash].contains(AdvisoryMapping.kind(of: reference))
            guard isCVE || isURL || isObservable else {
                throw bad("参照はCVE番号・URL・IPv4アドレス・ドメイン名・ハッシュ値で指定してください: \(reference)", "a reference must be a CVE id, an http(s) URL, an IPv4 address, a domain name or a file hash: \(reference)")
            }
        }
        if let expires = self.expiresAt, expires < Date() {
            throw bad("有効期限が過去の日時です", "the expiry is in the past")
        }
        return (severity, category, tlp, targets)
    }
}

extension AdvisoryInput {
    /// A fingerprint of the request (its JSON with sorted keys), so a reused Idempotency-Key
    /// with a different advisory is refused rather than answered with the first one.
    static func requestHash(_ input: AdvisoryInput) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return SHA256.hash(data: try encoder.encode(input)).map { String(format: "%02x", $0) }.joined()
    }
}
