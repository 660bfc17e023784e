import Fluent
import Foundation
import Vapor

/// A person who signs in. Belongs to one organisation and holds one or more roles.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // reference fields
    @Parent(key: "organisation_id") var organisation: Organisation

    // data fields
    /// Lower-cased; unique.
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    /// Comma-separated `Role` raw values.
    @Field(key: "roles") var roles: String
    @Field(key: "active") var active: Bool

    init() {}

    init(id: UUID? = nil, organisationID: UUID, email: String, displayName: String, passwordHash: String, roles: [Role]) {
        self.id = id
        self.$organisation.id = organisationID
        self.email = email.lowercased()
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.roles = roles.map(\.rawValue).joined(separator: ",")
        self.active = true
    }

    var roleList: [Role] { self.roles.split(separator: ",").compactMap { Role(rawValue: String($0)) } }
    func has(_ role: Role) -> Bool { self.roleList.contains(role) }
}

extension User: ModelSessionAuthenticatable {}
extension User: Authenticatable {}
