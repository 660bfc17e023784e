import CeptoarKit
import Foundation
import Vapor

/// An advisory as a reader allowed to see it receives it.
struct AdvisoryDTO: Content {
    var id: UUID
    var seriesID: UUID
    var version: Int
    var supersedes: UUID?
    var originator: String
    var title: LocalizedText
    var body: LocalizedText
    var severity: String
    var category: String
    var tlp: String
    var references: [String]
    var createdAt: Date?
    var expiresAt: Date?
    var withdrawnAt: Date?
    var withdrawnReason: String?
    /// Notes the relay added on the way (補足), in hop order.
    var notes: [String]

    /// `marking` is the one the reader holds it under (`Access.requireRead`); the originator's
    /// own when omitted, which only the originator's own answers may do.
    init(_ advisory: Advisory, originator: String, notes: [String], marking: TLP? = nil) {
        self.id = advisory.id!
        self.seriesID = advisory.seriesID
        self.version = advisory.version
        self.supersedes = advisory.$supersedes.id
        self.originator = originator
        self.title = advisory.title
        self.body = LocalizedText(ja: advisory.bodyJa, en: advisory.bodyEn)
        self.severity = advisory.severity
        self.category = advisory.category
        self.tlp = (marking ?? advisory.marking).rawValue
        self.references = advisory.references.split(separator: "\n").map(String.init)
        self.createdAt = advisory.createdAt
        self.expiresAt = advisory.expiresAt
        self.withdrawnAt = advisory.withdrawnAt
        self.withdrawnReason = advisory.withdrawnReason
        self.notes = notes
    }
}

/// One line of a member's inbox. Items the member may not open yet are redacted to their
/// marking and the reason, never their title.
struct InboxItemDTO: Content {
    var advisoryID: UUID
    var tlp: String
    var severity: String?
    var title: LocalizedText?
    var deliveredAt: Date
    var readAt: Date?
    var acknowledgedAt: Date?
    var withdrawn: Bool
    /// Past its expiry: kept for the record, shown as no longer current.
    var expired: Bool
    var redacted: Bool
    var reason: String?
}

struct InboxDTO: Content {
    var items: [InboxItemDTO]
    var total: Int
    var page: Int
    var per: Int
}

/// The originator's view of a relay: each hop's times and how many members received, read and
/// acknowledged.
struct TimelineDTO: Content {
    struct Hop: Content {
        var id: UUID
        var stage: String
        var organisation: LocalizedText
        var ceptoar: String?
        var status: String
        var tlp: String
        var automatic: Bool
        var receivedAt: Date
        var reviewedAt: Date?
        var forwardedAt: Date?
        var note: String?
        var withheldReason: String?
        var delivered: Int
        var read: Int
        var acknowledged: Int
    }
    var advisoryID: UUID
    var publishedAt: Date?
    var hops: [Hop]
    var delivered: Int
    var read: Int
    var acknowledged: Int
}

struct HopDTO: Content {
    var id: UUID
    var advisoryID: UUID
    var title: LocalizedText
    var severity: String
    var stage: String
    var status: String
    var tlp: String
    var receivedAt: Date

    init(_ hop: RelayHop, advisory: Advisory) {
        self.id = hop.id!
        self.advisoryID = advisory.id!
        self.title = advisory.title
        self.severity = advisory.severity
        self.stage = hop.stage
        self.status = hop.status
        self.tlp = hop.tlp
        self.receivedAt = hop.receivedAt
    }
}
