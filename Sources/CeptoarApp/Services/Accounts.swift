import CeptoarKit
import Fluent
import Foundation
import Vapor

/// Creating users and tokens, and checking passwords with a growing delay after failures.
struct Accounts {
    let database: any Database
    let passwords: AsyncPasswordHasher
    let failuresBeforeDelay: Int
    var delaySeconds: Int = 2

    enum Failure: Error, Equatable {
        case duplicateEmail(String)
        case unknownOrganisation(String)
        case invalidEmail(String)
        case weakPassword
        case unknownRole(String)
        case noRoles
        case unknownUser(String)
        case badCredentials
        case throttled(retryAfter: Int)
    }

    func createUser(email: String, displayName: String, organisationKey: String, roles: [String], password: String) async throws -> User {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) != nil else {
            throw Failure.invalidEmail(email)
        }
        guard password.count >= 12 else { throw Failure.weakPassword }
        guard !roles.isEmpty else { throw Failure.noRoles }
        let parsedRoles = try roles.map { text -> Role in
            guard let role = Role(rawValue: text) else { throw Failure.unknownRole(text) }
            return role
        }
        guard let organisation = try await Organisation.query(on: self.database).filter(\.$key == organisationKey).first() else {
            throw Failure.unknownOrganisation(organisationKey)
        }
        if try await User.query(on: self.database).filter(\.$email == email).first() != nil {
            throw Failure.duplicateEmail(email)
        }
        let hash = try await self.passwords.hash(password)
        let user = User(organisationID: try organisation.requireID(), email: email, displayName: displayName, passwordHash: hash, roles: parsedRoles)
        do {
            try await user.create(on: self.database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two creations raced: the unique index decided.
            throw Failure.duplicateEmail(email)
        }
        return user
    }

    /// Creates a token and returns its secret, which is never stored.
    func createToken(for email: String, name: String, days: Int?) async throws -> (APIToken, String) {
        guard let user = try await User.query(on: self.database).filter(\.$email == email.lowercased()).first() else {
            throw Failure.unknownUser(email)
        }
        let secret = APIToken.newSecret()
        let expires = days.map { Date().addingTimeInterval(Double($0) * 86_400) }
        let token = APIToken(userID: try user.requireID(), name: name, tokenHash: APIToken.hash(secret), expiresAt: expires)
        try await token.create(on: self.database)
        return (token, secret)
    }

    /// Checks a sign-in. After `failuresBeforeDelay` failures for an account name, each further
    /// attempt must wait 2, 4, 8 … seconds (at most 15 minutes), whether or not it is right.
    func authenticate(email: String, password: String, now: Date = Date()) async throws -> User {
        let identifier = email.trimmingCharacters(in: .whitespaces).lowercased()
        let throttle = try await LoginThrottle.query(on: self.database).filter(\.$identifier == identifier).first()
        if let until = throttle?.blockedUntil, until > now {
            throw Failure.throttled(retryAfter: max(1, Int(until.timeIntervalSince(now).rounded(.up))))
        }
        let user = try await User.query(on: self.database).filter(\.$email == identifier).filter(\.$active == true).first()
        // Verify against a fixed hash when the user is unknown, so timing does not reveal accounts.
        let hash = user?.passwordHash ?? Self.unknownUserHash
        let ok = try await self.passwords.verify(password, created: hash)
        if let user, ok {
            if let throttle { try await throttle.delete(on: self.database) }
            return user
        }
        let record = throttle ?? LoginThrottle(identifier: identifier)
        record.failures += 1
        if record.failures >= self.failuresBeforeDelay {
            let doublings = min(record.failures - self.failuresBeforeDelay, 10)
            record.blockedUntil = now.addingTimeInterval(min(900, Double(self.delaySeconds) * pow(2, Double(doublings))))
        }
        try await record.save(on: self.database)
        throw Failure.badCredentials
    }

    /// bcrypt (cost 12) of a random string nobody knows; made once, on first use.
    static let unknownUserHash: String = (try? Bcrypt.hash(UUID().uuidString, cost: 12)) ?? ""
}

extension Accounts.Failure: AbortError {
    var status: HTTPResponseStatus {
        switch self {
        case .duplicateEmail: return .conflict
        case .unknownOrganisation, .invalidEmail, .weakPassword, .unknownRole, .noRoles: return .unprocessableEntity
        case .unknownUser: return .notFound
        case .badCredentials: return .unauthorized
        case .throttled: return .tooManyRequests
        }
    }

    var reason: String { self.message(.en) }

    var headers: HTTPHeaders {
        if case .throttled(let seconds) = self { return ["Retry-After": String(seconds)] }
        return [:]
    }

    func message(_ language: Language) -> String {
        switch (self, language) {
        case (.duplicateEmail(let e), .ja): return "このメールアドレスのユーザーは既に存在します: \(e)"
        case (.duplicateEmail(let e), .en): return "a user with this email already exists: \(e)"
        case (.unknownOrganisation(let k), .ja): return "組織が見つかりません: \(k)"
        case (.unknownOrganisation(let k), .en): return "no organisation with key '\(k)'"
        case (.invalidEmail(let e), .ja): return "メールアドレスの形式が正しくありません: \(e)"
        case (.invalidEmail(let e), .en): return "not an email address: \(e)"
        case (.weakPassword, .ja): return "パスワードは12文字以上にしてください"
        case (.weakPassword, .en): return "the password must be at least 12 characters"
        case (.unknownRole(let r), .ja): return "不明なロールです: \(r)（\(Role.allCases.map(\.rawValue).joined(separator: ", "))）"
        case (.unknownRole(let r), .en): return "unknown role '\(r)'; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))"
        case (.noRoles, .ja): return "ロールを1つ以上指定してください"
        case (.noRoles, .en): return "give at least one role"
        case (.unknownUser(let e), .ja): return "ユーザーが見つかりません: \(e)"
        case (.unknownUser(let e), .en): return "no user with email \(e)"
        case (.badCredentials, .ja): return "メールアドレスまたはパスワードが正しくありません"
        case (.badCredentials, .en): return "wrong email or password"
        case (.throttled(let s), .ja): return "ログインの失敗が続いたため、\(s)秒後に再試行してください"
        case (.throttled(let s), .en): return "too many failed sign-ins; try again in \(s) seconds"
        }
    }
}
