import CeptoarKit
import Foundation

/// Every path the site serves, in one place, so pages, API and links agree.
enum SiteURL {
    static let home = "/"
    static let login = "/login"
    static let logout = "/logout"
    static let map = "/map"
    static let mapExport = "/map/export"
    static let organisations = "/organisations"
    static let inbox = "/inbox"
    static let poc = "/poc"
    static let alerts = "/alerts"
    static let newAlert = "/alerts/new"
    static func alert(_ id: UUID) -> String { "/alerts/\(id.uuidString.lowercased())" }
    static func ackLink(_ token: String) -> String { "/a/\(token)" }
    static func escalationPolicy(_ key: String) -> String { "/ceptoars/\(key)/escalation" }
    static func ceptoar(_ key: String) -> String { "/ceptoars/\(key)" }
    static func ceptoarContact(_ key: String) -> String { "/ceptoars/\(key)/contact" }
    static let situation = "/situation"
    static func situation(_ scope: SituationScope) -> String { "/situation?scope=\(scope.text)" }
    static let language = "/lang"
    static let health = "/health"
    static let ready = "/ready"
    static let metrics = "/metrics"
    static let apiMap = "/api/v1/map"
    static let apiMapDiff = "/api/v1/map/diff"
    static let apiOrganisations = "/api/v1/organisations"
    static let apiMe = "/api/v1/me"
    static let apiRegistryChanges = "/api/v1/registry/changes"
}
