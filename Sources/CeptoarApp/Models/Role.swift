import CeptoarKit

/// What a user may do. A user may hold several.
enum Role: String, Codable, CaseIterable, Sendable {
    case systemAdmin = "system_admin"
    case niscCoordinator = "nisc_coordinator"
    case ministryLiaison = "ministry_liaison"
    case ceptoarSecretariat = "ceptoar_secretariat"
    case analyst
    case member

    var label: LocalizedText {
        switch self {
        case .systemAdmin: return LocalizedText(ja: "システム管理者", en: "System administrator")
        case .niscCoordinator: return LocalizedText(ja: "NISCコーディネータ", en: "NISC coordinator")
        case .ministryLiaison: return LocalizedText(ja: "所管省庁連絡担当", en: "Ministry liaison")
        case .ceptoarSecretariat: return LocalizedText(ja: "セプター事務局", en: "CEPTOAR secretariat")
        case .analyst: return LocalizedText(ja: "分析担当", en: "Analyst")
        case .member: return LocalizedText(ja: "構成員", en: "Member")
        }
    }

    /// Roles that may change the registry (add, rename, split, retire sectors and CEPTOARs).
    var maintainsRegistry: Bool { self == .systemAdmin || self == .niscCoordinator }
}
