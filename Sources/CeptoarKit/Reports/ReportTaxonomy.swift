/// What a member reports (情報連絡): NISC's lists of event types and causes, and the severity a
/// report is given. Codes are the API's and the database's; labels are the pages'.

/// The kind of event, from NISC's list.
public enum ReportEventType: String, CaseIterable, Sendable, Codable {
    /// 予兆・ヒヤリハット: a precursor or near-miss, nothing failed yet.
    case precursor
    /// 情報の漏えい (confidentiality).
    case leak
    /// 情報の破壊 (integrity).
    case destruction
    /// システム等の利用困難 (availability).
    case unavailability
    /// マルウェア等の感染.
    case malware
    /// 不正コード等の実行.
    case unauthorisedCode = "unauthorised_code"
    /// システム等への侵入.
    case intrusion
    /// その他.
    case other

    public var label: LocalizedText {
        switch self {
        case .precursor: LocalizedText(ja: "予兆・ヒヤリハット", en: "Precursor or near-miss")
        case .leak: LocalizedText(ja: "情報の漏えい", en: "Leak of information")
        case .destruction: LocalizedText(ja: "情報の破壊", en: "Destruction of information")
        case .unavailability: LocalizedText(ja: "システム等の利用困難", en: "Systems hard to use")
        case .malware: LocalizedText(ja: "マルウェア等の感染", en: "Malware infection")
        case .unauthorisedCode: LocalizedText(ja: "不正コード等の実行", en: "Unauthorised code executed")
        case .intrusion: LocalizedText(ja: "システム等への侵入", en: "Intrusion into systems")
        case .other: LocalizedText(ja: "その他", en: "Other")
        }
    }
}

/// One cause of a failure; a report names one or more. Spill-over names the sector it came from.
public enum ReportCause: Hashable, Sendable, Comparable {
    public enum Intentional: String, CaseIterable, Sendable, Comparable {
        /// 不正侵入・DoS 攻撃等.
        case unauthorisedAccess = "unauthorised_access"
        case malware
        case other
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public enum Unintentional: String, CaseIterable, Sendable, Comparable {
        case software
        case hardware
        /// 管理・人的要因: a management or human error.
        case managementOrHuman = "management_or_human"
        case other
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    case intentional(Intentional)
    case unintentional(Unintentional)
    /// 災害・疾病 (環境的要因).
    case disasterOrEpidemic
    /// 他分野からの波及, with the registry key of the sector it spilled over from.
    case spillOver(sector: String)
    case other

    /// `intentional.malware`, `unintentional.software`, `disaster`, `spillover.electricity`, `other`.
    public var code: String {
        switch self {
        case .intentional(let kind): "intentional.\(kind.rawValue)"
        case .unintentional(let kind): "unintentional.\(kind.rawValue)"
        case .disasterOrEpidemic: "disaster"
        case .spillOver(let sector): "spillover.\(sector)"
        case .other: "other"
        }
    }

    /// The cause a code names; nil for anything else. A sector key is lower-case letters,
    /// digits and hyphens (the registry's form); whether it exists is the registry's to say.
    public init?(code: String) {
        guard code.utf8.count <= 80 else { return nil }
        let parts = code.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        switch (parts[0], parts.count == 2 ? parts[1] : nil) {
        case ("intentional", let kind?): guard let kind = Intentional(rawValue: kind) else { return nil }; self = .intentional(kind)
        case ("unintentional", let kind?): guard let kind = Unintentional(rawValue: kind) else { return nil }; self = .unintentional(kind)
        case ("disaster", nil): self = .disasterOrEpidemic
        case ("spillover", let sector?):
            guard (1...40).contains(sector.utf8.count), sector.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else { return nil }
            self = .spillOver(sector: sector)
        case ("other", nil): self = .other
        default: return nil
        }
    }

    /// The cause's group, for statistics (event type × cause).
    public var group: String {
        switch self {
        case .intentional: "intentional"
        case .unintentional: "unintentional"
        case .disasterOrEpidemic: "disaster"
        case .spillOver: "spillover"
        case .other: "other"
        }
    }

    public static func groupLabel(_ group: String) -> LocalizedText {
        switch group {
        case "intentional": LocalizedText(ja: "意図的要因", en: "Intentional")
        case "unintentional": LocalizedText(ja: "非意図的要因", en: "Unintentional")
        case "disaster": LocalizedText(ja: "災害・疾病", en: "Disaster or epidemic")
        case "spillover": LocalizedText(ja: "他分野からの波及", en: "Spill-over from another sector")
        default: LocalizedText(ja: "その他", en: "Other")
        }
    }

    public var label: LocalizedText {
        switch self {
        case .intentional(let kind):
            switch kind {
            case .unauthorisedAccess: LocalizedText(ja: "意図的要因（不正侵入・DoS 攻撃等）", en: "Intentional (unauthorised access, DoS)")
            case .malware: LocalizedText(ja: "意図的要因（マルウェア等）", en: "Intentional (malware)")
            case .other: LocalizedText(ja: "意図的要因（その他）", en: "Intentional (other)")
            }
        case .unintentional(let kind):
            switch kind {
            case .software: LocalizedText(ja: "非意図的要因（ソフトウェア）", en: "Unintentional (software)")
            case .hardware: LocalizedText(ja: "非意図的要因（ハードウェア）", en: "Unintentional (hardware)")
            case .managementOrHuman: LocalizedText(ja: "非意図的要因（管理・人的要因）", en: "Unintentional (management or human)")
            case .other: LocalizedText(ja: "非意図的要因（その他）", en: "Unintentional (other)")
            }
        case .disasterOrEpidemic: LocalizedText(ja: "災害・疾病", en: "Disaster or epidemic")
        case .spillOver(let sector): LocalizedText(ja: "他分野からの波及（\(sector)）", en: "Spill-over from another sector (\(sector))")
        case .other: LocalizedText(ja: "その他", en: "Other")
        }
    }

    public static func < (a: ReportCause, b: ReportCause) -> Bool { a.code < b.code }
}

/// How bad it is: three axes scored 0–4, and the severity is the highest of them.
public struct ReportImpact: Hashable, Sendable, Codable {
    public static let scores = 0...4
    /// サービスの継続性.
    public var serviceContinuity: Int
    /// 安全性.
    public var safety: Int
    /// 信頼の失墜.
    public var lossOfTrust: Int

    public init?(serviceContinuity: Int, safety: Int, lossOfTrust: Int) {
        guard Self.scores.contains(serviceContinuity), Self.scores.contains(safety), Self.scores.contains(lossOfTrust) else { return nil }
        (self.serviceContinuity, self.safety, self.lossOfTrust) = (serviceContinuity, safety, lossOfTrust)
    }

    /// The severity: the highest axis wins.
    public var severity: Int { Swift.max(self.serviceContinuity, self.safety, self.lossOfTrust) }

    public static func severityLabel(_ severity: Int) -> LocalizedText {
        switch severity {
        case 0: LocalizedText(ja: "0（影響なし）", en: "0 (no effect)")
        case 1: LocalizedText(ja: "1（軽微）", en: "1 (minor)")
        case 2: LocalizedText(ja: "2（中程度）", en: "2 (moderate)")
        case 3: LocalizedText(ja: "3（重大）", en: "3 (severe)")
        default: LocalizedText(ja: "4（甚大）", en: "4 (critical)")
        }
    }
}

/// How far the reporter's name travels up the relay.
public enum ReportAttribution: String, CaseIterable, Sendable, Codable {
    /// Named all the way to NISC.
    case named
    /// Named to its CEPTOAR only; the ministry and NISC receive it with no organisation's name,
    /// id, domain or address.
    case anonymised
    /// Not forwarded past the CEPTOAR at all.
    case ceptoarOnly = "ceptoar_only"

    public var label: LocalizedText {
        switch self {
        case .named: LocalizedText(ja: "実名で上げる", en: "Named")
        case .anonymised: LocalizedText(ja: "セプターより先は匿名", en: "Anonymised past the CEPTOAR")
        case .ceptoarOnly: LocalizedText(ja: "セプターまで", en: "Not past the CEPTOAR")
        }
    }
}
