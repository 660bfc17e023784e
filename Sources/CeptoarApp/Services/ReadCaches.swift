import CeptoarKit
import Foundation
import Vapor

/// The application's caches of hot reads (see `FreshCache` for when an entry may be used).
final class ReadCaches: Sendable {
    /// Token hash → its owner, as the authenticator last read them.
    let tokens: FreshCache<String, AuthenticatedToken>
    /// An inbox page as one user asked for it, for the web page.
    let inboxPages: FreshCache<InboxPageKey, InboxDTO>
    /// The same, already encoded as the API's JSON: encoding cost more than the cached read.
    let inboxJSON: FreshCache<InboxPageKey, ByteBuffer>
    /// A user's sharing context (parties, agreements): read for every TAXII request.
    let sharingContexts: FreshCache<UUID, SharingContext>
    /// Where a user's POST to a collection goes (source party, authors, sector), by "user|collection".
    let ingestTargets: FreshCache<String, StixIngest.Target>
    /// A session cookie's data as last read (none: no such session). The session driver
    /// forgets an entry when it writes or ends that session; another node's sign-out is seen
    /// within the lifetime, as a token's revocation is.
    let sessions: FreshCache<String, SessionData?>
    /// A signed-in session's user as last read, by id: every page view needs it.
    let users: FreshCache<UUID, User?>
    /// The registry's revision, checked by every map read.
    let registryRevision: FreshCache<Int, Int>

    init(lifetime: Duration) {
        self.tokens = FreshCache(lifetime: lifetime, generations: .accounts)
        self.sharingContexts = FreshCache(lifetime: lifetime, generations: .sharing)
        self.ingestTargets = FreshCache(lifetime: lifetime, generations: .sharing)
        self.sessions = FreshCache(lifetime: lifetime, generations: .accounts)
        self.users = FreshCache(lifetime: lifetime, generations: .accounts)
        self.registryRevision = FreshCache(lifetime: lifetime)
        self.inboxPages = FreshCache(lifetime: lifetime)
        self.inboxJSON = FreshCache(lifetime: lifetime)
    }
}

/// What the token authenticator needs to decide, read together.
struct AuthenticatedToken: Sendable {
    var user: User?
    var expiresAt: Date?
}

/// An inbox request, as far as its answer depends on it.
struct InboxPageKey: Hashable, Sendable {
    var user: UUID
    var query: String?
    var severity: String?
    var tlp: String?
    var page: RequestedPage
}

private struct ReadCachesKey: StorageKey { typealias Value = ReadCaches }

extension Application {
    var readCaches: ReadCaches {
        get { self.storage[ReadCachesKey.self]! }
        set { self.storage[ReadCachesKey.self] = newValue }
    }
}
