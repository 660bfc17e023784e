import CeptoarKit
import Fluent
import Foundation
import SQLKit
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
        case badTokenDays
        case badTokenName
        case unknownToken(String)
    }

    func createUser(email: String, displayName: String, organisationKey: String, roles: [String], password: String) async throws -> User {
        defer { WriteGeneration.accounts.advance() }  // written outside `atomically`: who a token signs in may have changed
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

    /// A token lives this long unless its creator asks for less (or more, up to `maximumTokenDays`).
    static let defaultTokenDays = 90
    static let maximumTokenDays = 3_650

    /// Creates a token and returns its secret, which is never stored. Every token expires.
    func createToken(for email: String, name: String, days: Int?, actor: String? = nil) async throws -> (APIToken, String) {
        guard let user = try await User.query(on: self.database).filter(\.$email == email.lowercased()).first() else {
            throw Failure.unknownUser(email)
        }
        return try await self.createToken(for: user, name: name, days: days, actor: actor ?? "cli")
    }

    func createToken(for user: User, name: String, days: Int?, actor: String) async throws -> (APIToken, String) {
        let days = days ?? Self.defaultTokenDays
        guard (1...Self.maximumTokenDays).contains(days) else { throw Failure.badTokenDays }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100, !ProtocolText.hasControlCharacters(name) else { throw Failure.badTokenName }
        let secret = APIToken.newSecret()
        let expires = Date().addingTimeInterval(Double(days) * 86_400)
        let token = APIToken(userID: try user.requireID(), name: name, tokenHash: APIToken.hash(secret), expiresAt: expires)
        try await self.database.atomically { db in
            try await token.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "token_create", subject: "user:\(user.email)", detail: ["token": token.id!.uuidString, "name": name])
        }
        return (token, secret)
    }

    /// Tokens, newest first: one user's, or everyone's.
    func tokens(of user: User?) async throws -> [APIToken] {
        var query = APIToken.query(on: self.database).with(\.$user)
        if let user { query = query.filter(\.$user.$id == (try user.requireID())) }
        return try await query.sort(\.$createdAt, .descending).all()
    }

    /// Deletes a token at once (`owner`: only if it is theirs). Nodes that cached the token's
    /// owner stop accepting it within `CEPTOAR_READ_CACHE_MS`.
    func revokeToken(_ id: UUID, owner: User?, actor: String) async throws {
        try await self.database.atomically { db in
            guard let token = try await APIToken.query(on: db).filter(\.$id == id).with(\.$user).first(),
                owner == nil || token.$user.id == owner?.id
            else { throw Failure.unknownToken(id.uuidString) }
            try await token.delete(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "token_revoke", subject: "user:\(token.user.email)", detail: ["token": id.uuidString])
        }
    }

    /// Disables (or enables again) a user: sign-ins, sessions and tokens stop working at once.
    func setActive(_ active: Bool, email: String, actor: String) async throws -> User {
        return try await self.database.atomically { db in
            guard let user = try await User.query(on: db).filter(\.$email == email.lowercased()).first() else { throw Failure.unknownUser(email) }
            user.active = active
            try await user.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: active ? "user_enable" : "user_disable", subject: "user:\(user.email)")
            return user
        }
    }

    /// Checks a sign-in. After `failuresBeforeDelay` failures for an account name, each further
    /// attempt must wait 2, 4, 8 … seconds (at most 15 minutes), whether or not it is right.
    /// The client's address is throttled the same way after `addressFactor` times as many
    /// failures (one address trying many accounts), forgotten after a quiet quarter hour.
    ///
    /// Every attempt is counted by one atomic upsert *before* the password is checked, so
    /// parallel guesses can neither lose updates nor slip past the limit together: an attempt
    /// beyond the limit is refused unless the previous attempt's wait has passed.
    func authenticate(email: String, password: String, client: String? = nil, now: Date = Date()) async throws -> User {
        let identifier = email.trimmingCharacters(in: .whitespaces).lowercased()
        let keys = [(identifier, self.failuresBeforeDelay)] + (client.map { [("address:\($0)", self.failuresBeforeDelay * Self.addressFactor)] } ?? [])
        let throttles = try await LoginThrottle.query(on: self.database).filter(\.$identifier ~~ keys.map(\.0)).all()
        if let until = throttles.compactMap(\.blockedUntil).max(), until > now {
            throw Failure.throttled(retryAfter: Self.seconds(from: now, to: until))
        }
        var counted: [(key: String, limit: Int, attempts: Int)] = []
        for (key, limit) in keys {
            let attempts = try await self.countAttempt(key, now: now)
            counted.append((key, limit, attempts))
            if attempts > limit {
                let blocked = throttles.first { $0.identifier == key }?.blockedUntil
                // Over the limit with no wait recorded yet: a parallel attempt is setting it.
                if blocked.map({ $0 > now }) ?? true {
                    try await self.block(key, attempts: attempts, limit: limit, now: now)
                    throw Failure.throttled(retryAfter: max(1, self.delaySeconds))
                }
            }
        }
        let user = try await User.query(on: self.database).filter(\.$email == identifier).filter(\.$active == true).first()
        // Verify against a fixed hash when the user is unknown, so timing does not reveal accounts.
        let hash = user?.passwordHash ?? Self.unknownUserHash
        let ok = try await self.passwords.verify(password, created: hash)
        if let user, ok {
            // The account's count starts again; the address's stays until it goes quiet.
            try await LoginThrottle.query(on: self.database).filter(\.$identifier == identifier).delete()
            return user
        }
        for (key, limit, attempts) in counted where attempts >= limit {
            try await self.block(key, attempts: attempts, limit: limit, now: now)
        }
        throw Failure.badCredentials
    }

    /// An address may fail this many times the account limit before it waits too.
    static let addressFactor = 4
    /// A count not added to for this long starts again.
    static let quietPeriod: TimeInterval = 15 * 60

    /// Counts one attempt for `key` in one statement (both engines: `ON CONFLICT … RETURNING`)
    /// and returns the count including it.
    private func countAttempt(_ key: String, now: Date) async throws -> Int {
        let sql = self.database as! any SQLDatabase
        let quiet = now.addingTimeInterval(-Self.quietPeriod)
        let row = try await sql.raw("""
            INSERT INTO login_throttles (id, identifier, failures, last_failure_at) VALUES (\(bind: UUID()), \(bind: key), 1, \(bind: now))
            ON CONFLICT (identifier) DO UPDATE SET
            failures = CASE WHEN login_throttles.last_failure_at IS NULL OR login_throttles.last_failure_at < \(bind: quiet) THEN 1 ELSE login_throttles.failures + 1 END,
            blocked_until = CASE WHEN login_throttles.last_failure_at IS NULL OR login_throttles.last_failure_at < \(bind: quiet) THEN NULL ELSE login_throttles.blocked_until END,
            last_failure_at = \(bind: now)
            RETURNING failures
            """).first()
        return try row?.decode(column: "failures", as: Int.self) ?? 1
    }

    /// Sets the wait for `attempts` failures, only ever extending one already set.
    private func block(_ key: String, attempts: Int, limit: Int, now: Date) async throws {
        let doublings = min(max(attempts - limit, 0), 10)
        let until = now.addingTimeInterval(min(900, Double(self.delaySeconds) * pow(2, Double(doublings))))
        let sql = self.database as! any SQLDatabase
        try await sql.raw("""
            UPDATE login_throttles SET blocked_until = \(bind: until)
            WHERE identifier = \(bind: key) AND (blocked_until IS NULL OR blocked_until < \(bind: until))
            """).run()
    }

    /// Whole seconds to wait, at least one; bounded before converting (a stored date may be anything).
    static func seconds(from now: Date, to until: Date) -> Int {
        let interval = until.timeIntervalSince(now).rounded(.up)
        guard interval.isFinite, interval < 86_400 else { return 86_400 }
        return max(1, Int(interval))
    }

    /// bcrypt (cost 12) of a random string nobody knows; made once, on first use.
    static let unknownUserHash: String = (try? Bcrypt.hash(UUID().uuidString, cost: 12)) ?? ""
}

extension Accounts.Failure: AbortError {
    var status: HTTPResponseStatus {
        switch self {
        case .duplicateEmail: return .conflict
        case .unknownOrganisation, .invalidEmail, .weakPassword, .unknownRole, .noRoles: return .unprocessableEntity
        case .unknownUser, .unknownToken: return .notFound
        case .badTokenDays, .badTokenName: return .unprocessableEntity
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
        case (.badTokenDays, .ja): return "有効日数は1〜\(Accounts.maximumTokenDays)日で指定してください"
        case (.badTokenDays, .en): return "a token's lifetime is 1 to \(Accounts.maximumTokenDays) days"
        case (.badTokenName, .ja): return "トークン名は1〜100文字で、制御文字は使えません"
        case (.badTokenName, .en): return "a token's name is 1 to 100 characters without control characters"
        case (.unknownToken(let id), .ja): return "トークンが見つかりません: \(id)"
        case (.unknownToken(let id), .en): return "no such token: \(id)"
        }
    }
}
