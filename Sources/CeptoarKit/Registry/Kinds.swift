/// What an organisation is in the CEPTOAR structure.
public enum OrganisationKind: String, Codable, Sendable, CaseIterable {
    /// 内閣官房 (NISC, later NCO): the national coordinator.
    case cabinetSecretariat = "cabinet_secretariat"
    /// 重要インフラ所管省庁: relays between NISC and the CEPTOARs of its sectors.
    case ministry
    /// 事務局: runs a CEPTOAR.
    case secretariat
    /// 構成員 / 事業者: a member operator.
    case operator_ = "operator"
    /// 関係機関: JPCERT/CC, FISC, Telecom-ISAC Japan and the like.
    case related

    public var label: LocalizedText {
        switch self {
        case .cabinetSecretariat: return LocalizedText(ja: "内閣官房", en: "Cabinet Secretariat")
        case .ministry: return LocalizedText(ja: "重要インフラ所管省庁", en: "Competent ministry")
        case .secretariat: return LocalizedText(ja: "セプター事務局", en: "CEPTOAR secretariat")
        case .operator_: return LocalizedText(ja: "重要インフラ事業者", en: "Member operator")
        case .related: return LocalizedText(ja: "関係機関", en: "Related organisation")
        }
    }
}

/// Sub-groups (T-CEPTOAR's SG1–SG4) and committees (運営委員会) inside a CEPTOAR.
public enum GroupKind: String, Codable, Sendable, CaseIterable {
    case subgroup
    case committee
}

/// The means of contact the map lists (情報と連絡手段).
public enum ContactChannel: String, Codable, Sendable, CaseIterable {
    case email
    case phone
    case mobile
    case satellitePhone = "satellite_phone"
    case fax
    case web
    case meeting

    public var label: LocalizedText {
        switch self {
        case .email: return LocalizedText(ja: "メール", en: "email")
        case .phone: return LocalizedText(ja: "電話", en: "phone")
        case .mobile: return LocalizedText(ja: "携帯電話", en: "mobile phone")
        case .satellitePhone: return LocalizedText(ja: "衛星電話", en: "satellite phone")
        case .fax: return LocalizedText(ja: "FAX", en: "fax")
        case .web: return LocalizedText(ja: "WEB", en: "web")
        case .meeting: return LocalizedText(ja: "会議体", en: "meetings")
        }
    }
}
