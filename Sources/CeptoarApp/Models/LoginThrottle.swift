import Fluent
import Foundation

/// Failed sign-ins per account name (and per client address, as `address:<ip>`): after a few, each further attempt must wait, doubling.
/// Kept in the database so the delay holds across nodes and restarts.
final class LoginThrottle: Model, @unchecked Sendable {
    static let schema = "login_throttles"

    @ID(key: .id) var id: UUID?
    @Field(key: "identifier") var identifier: String
    @Field(key: "failures") var failures: Int
    @OptionalField(key: "blocked_until") var blockedUntil: Date?
    /// The latest failure counted (a count left quiet for a while starts again).
    @OptionalField(key: "last_failure_at") var lastFailureAt: Date?

    init() {}

    init(identifier: String) {
        self.identifier = identifier
        self.failures = 0
    }
}
