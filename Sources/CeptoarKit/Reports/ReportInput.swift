import Foundation

/// A stage of an incident report as a member sends it (API JSON, the page's form, a mail's
/// template, a CSV row), every field optional so that a missing one is named rather than
/// failing the decoder, and `validated` the only way to a `ReportDraft`.
public struct ReportInput: Sendable, Codable, Equatable {
    public var summary: LocalizedText?
    public var affectedService: String?
    public var detectedAt: String?
    public var occurredAt: String?
    public var eventType: String?
    public var causes: [String]?
    public var slaBreached: Bool?
    public var impact: Impact?
    /// When given, it must be the highest axis score.
    public var severity: Int?
    public var observables: [Observable]?
    public var tlp: String?
    public var attribution: String?
    /// The reporter's consent to a TLP:RED report going past its CEPTOAR.
    public var redConsent: Bool?
    /// Filed in an exercise (演習): never counted in real statistics or the year's activity.
    public var exercise: Bool?

    public struct Impact: Sendable, Codable, Equatable {
        public var serviceContinuity: Int?
        public var safety: Int?
        public var lossOfTrust: Int?
        public init(serviceContinuity: Int?, safety: Int?, lossOfTrust: Int?) {
            (self.serviceContinuity, self.safety, self.lossOfTrust) = (serviceContinuity, safety, lossOfTrust)
        }
    }

    public struct Observable: Sendable, Codable, Equatable {
        public var kind: String?
        public var value: String?
        public init(kind: String?, value: String?) { (self.kind, self.value) = (kind, value) }
    }

    public init() {}

    public static let maxObservables = 100
    public static let maxCauses = 12
    /// A detection this far ahead of the server's clock is a mistake, not skew.
    public static let clockSkew: TimeInterval = 300

    /// The draft, or every field that is wrong, each in both languages.
    public func validated(now: Date) -> Result<ReportDraft, ReportInputProblems> {
        var problems = ReportInputProblems()
        let summaryJa = self.summary?.ja.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if summaryJa.isEmpty || summaryJa.count > 4000 { problems.add("summary.ja", ja: "事象の概要（日本語）を1〜4000文字で入力してください", en: "what happened (Japanese): 1 to 4000 characters") }
        let summaryEn = self.summary?.en?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let summaryEn, summaryEn.count > 4000 { problems.add("summary.en", ja: "事象の概要（英語）は4000文字以内です", en: "what happened (English): up to 4000 characters") }
        let service = self.affectedService?.trimmingCharacters(in: .whitespaces) ?? ""
        if service.isEmpty || service.count > 200 || service.contains(where: \.isNewline) {
            problems.add("affectedService", ja: "影響を受けたサービスを1行・200文字以内で入力してください", en: "affected service: one line of 1 to 200 characters")
        }
        let detected = self.detectedAt.flatMap(Instant.date)
        if self.detectedAt == nil {
            problems.add("detectedAt", ja: "検知日時が必要です", en: "detectedAt is required")
        } else if let detected {
            if detected.timeIntervalSince(now) > Self.clockSkew { problems.add("detectedAt", ja: "検知日時が未来です", en: "detectedAt is in the future") }
        } else {
            problems.add("detectedAt", ja: "検知日時は RFC 3339 の日時です（例 2026-12-03T09:15:00+09:00）", en: "detectedAt: an RFC 3339 timestamp, e.g. 2026-12-03T09:15:00+09:00")
        }
        var occurred: Date?
        if let text = self.occurredAt, !text.isEmpty {
            occurred = Instant.date(text)
            if occurred == nil {
                problems.add("occurredAt", ja: "発生日時は RFC 3339 の日時です", en: "occurredAt: an RFC 3339 timestamp")
            } else if let occurred, let detected, occurred > detected {
                problems.add("occurredAt", ja: "発生日時が検知日時より後です", en: "occurredAt is after detectedAt")
            }
        }
        let eventType = self.eventType.flatMap(ReportEventType.init(rawValue:))
        if eventType == nil {
            problems.add("eventType", ja: "事象の種類は次のいずれかです: \(ReportEventType.allCases.map(\.rawValue).joined(separator: ", "))",
                         en: "eventType: one of \(ReportEventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let codes = self.causes ?? []
        var causes: [ReportCause] = []
        if codes.isEmpty || codes.count > Self.maxCauses {
            problems.add("causes", ja: "要因を1〜\(Self.maxCauses)個選んでください", en: "causes: choose 1 to \(Self.maxCauses)")
        }
        for code in codes.prefix(Self.maxCauses) {
            if let cause = ReportCause(code: code) {
                if !causes.contains(cause) { causes.append(cause) }
            } else {
                problems.add("causes", ja: "不明な要因です: \(code.prefix(40))", en: "causes: unknown cause '\(code.prefix(40))'")
            }
        }
        if self.slaBreached == nil { problems.add("slaBreached", ja: "合意したサービス水準を下回ったかどうか（true / false）が必要です", en: "slaBreached (true or false) is required") }
        var impact: ReportImpact?
        if let given = self.impact, let c = given.serviceContinuity, let s = given.safety, let t = given.lossOfTrust {
            impact = ReportImpact(serviceContinuity: c, safety: s, lossOfTrust: t)
            if impact == nil { problems.add("impact", ja: "影響度の各軸は0〜4です", en: "impact: each axis is scored 0 to 4") }
        } else {
            problems.add("impact", ja: "影響度（serviceContinuity・safety・lossOfTrust、各0〜4）が必要です", en: "impact: serviceContinuity, safety and lossOfTrust, each 0 to 4")
        }
        if let severity = self.severity, let impact, severity != impact.severity {
            problems.add("severity", ja: "深刻度は影響度の最も高い軸（\(impact.severity)）です", en: "severity is the highest axis score (\(impact.severity))")
        }
        var observables: [ReportObservable] = []
        let givenObservables = self.observables ?? []
        if givenObservables.count > Self.maxObservables {
            problems.add("observables", ja: "観測情報は\(Self.maxObservables)件までです", en: "observables: up to \(Self.maxObservables)")
        }
        for (index, given) in givenObservables.prefix(Self.maxObservables).enumerated() {
            guard let kind = given.kind.flatMap(ReportObservable.Kind.init(rawValue:)) else {
                problems.add("observables[\(index)].kind", ja: "観測情報の種類は次のいずれかです: \(ReportObservable.Kind.allCases.map(\.rawValue).joined(separator: ", "))",
                             en: "observables[\(index)].kind: one of \(ReportObservable.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard let value = given.value, let observable = ReportObservable(kind: kind, value: value) else {
                problems.add("observables[\(index)].value", ja: "\(kind.label.ja)として読めません", en: "observables[\(index)].value: not a valid \(kind.rawValue)")
                continue
            }
            if !observables.contains(observable) { observables.append(observable) }
        }
        let tlp = self.tlp.flatMap(TLP.init(label:))
        if tlp == nil { problems.add("tlp", ja: "TLP は CLEAR・GREEN・AMBER・AMBER+STRICT・RED のいずれかです", en: "tlp: CLEAR, GREEN, AMBER, AMBER+STRICT or RED") }
        let attribution = self.attribution.flatMap(ReportAttribution.init(rawValue:))
        if attribution == nil { problems.add("attribution", ja: "名前の扱いは named・anonymised・ceptoar_only のいずれかです", en: "attribution: named, anonymised or ceptoar_only") }
        guard problems.isEmpty, let detected, let eventType, let impact, let tlp, let attribution, let slaBreached = self.slaBreached else {
            return .failure(problems)
        }
        return .success(ReportDraft(
            summary: LocalizedText(ja: summaryJa, en: summaryEn.flatMap { $0.isEmpty ? nil : $0 }), affectedService: service, detectedAt: detected,
            occurredAt: occurred, eventType: eventType, causes: causes.sorted(), slaBreached: slaBreached, impact: impact, observables: observables,
            tlp: tlp, attribution: attribution, redConsent: self.redConsent ?? false))
    }
}

/// A stage's content, checked: what the store keeps.
public struct ReportDraft: Sendable, Equatable {
    public var summary: LocalizedText
    public var affectedService: String
    public var detectedAt: Date
    public var occurredAt: Date?
    public var eventType: ReportEventType
    public var causes: [ReportCause]
    public var slaBreached: Bool
    public var impact: ReportImpact
    public var observables: [ReportObservable]
    public var tlp: TLP
    public var attribution: ReportAttribution
    public var redConsent: Bool

    public var severity: Int { self.impact.severity }

    /// Sectors a spill-over cause names (the registry must know them).
    public var spillOverSectors: [String] {
        self.causes.compactMap { if case .spillOver(let sector) = $0 { sector } else { nil } }
    }
}

/// Every wrong field of a report, in both languages.
public struct ReportInputProblems: Error, Sendable, Equatable {
    public private(set) var fields: [String] = []
    public private(set) var ja: [String] = []
    public private(set) var en: [String] = []

    public init() {}

    public var isEmpty: Bool { self.fields.isEmpty }

    public mutating func add(_ field: String, ja: String, en: String) {
        self.fields.append(field)
        self.ja.append(ja)
        self.en.append(en)
    }
}
