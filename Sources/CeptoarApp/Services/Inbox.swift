import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// A member organisation's received advisories, read receipts and acknowledgements.
struct Inbox {
    let database: any Database

    /// `list`, answered from `cache` while that is fresh (the same user asking the same).
    func cachedList(
        for user: User, query: String?, severity: String?, tlp: String?, page: RequestedPage, cache: FreshCache<InboxPageKey, InboxDTO>
    ) async throws -> InboxDTO {
        let key = InboxPageKey(user: try user.requireID(), query: query, severity: severity, tlp: tlp, page: page)
        return try await cache.value(for: key) {
            try await self.list(for: user, query: query, severity: severity, tlp: tlp, page: page)
        }
    }

    /// The most a page may hold.
    static let maximumPer = 200

    func list(for user: User, query: String?, severity: String?, tlp: String?, page: RequestedPage) async throws -> InboxDTO {
        let per = page.per
        // Read as plain rows, not Fluent models: an inbox page is the hottest read there is, and
        // decoding models (reflection over every property, per row) cost more than SQLite did.
        var conditions: SQLQueryString = "d.organisation_id = \(bind: user.$organisation.id)"
        if let severity, !severity.isEmpty {
            guard Severity(rawValue: severity) != nil else { throw UserError.badRequest(ja: "不明な重要度です: \(severity)", en: "unknown severity '\(severity)'") }
            conditions += " AND a.severity = \(bind: severity)"
        }
        if let tlp, !tlp.isEmpty {
            guard let marking = TLP(label: tlp) else { throw UserError.badRequest(ja: "不明なTLPです: \(tlp)", en: "unknown TLP '\(tlp)'") }
            // The marking the organisation received, which a hop may have tightened.
            conditions += " AND h.tlp = \(bind: marking.rawValue)"
        }
        let sql = self.database as! any SQLDatabase
        let access = Access(database: self.database)
        let viewer = try await access.viewer(user)
        let needle = (query ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        // Deliveries have no index by organisation: a relay to every member would write thousands
        // of entries into it on as many random pages, which was most of a fan-out's cost. An
        // inbox is read instead by walking the advisories and probing the (advisory,
        // organisation) key — `CROSS JOIN` fixes that order on SQLite; PostgreSQL plans the same
        // nested loop on its own. The cost grows with the number of advisories, not deliveries.
        // Each delivery's hop gives the marking this organisation holds it under.
        let from: SQLQueryString = "FROM advisories a CROSS JOIN deliveries d CROSS JOIN relay_hops h WHERE d.advisory_id = a.id AND h.id = d.hop_id AND "
        let select: SQLQueryString = """
            SELECT a.id AS advisory_id, a.originator_id, a.tlp, h.tlp AS received_tlp, a.severity, a.title_ja, a.title_en, a.expires_at, a.withdrawn_at,
            d.delivered_at, d.read_at, d.acknowledged_at
            """
        // Newest delivery first: delivery ids grow in commit order.
        let order: SQLQueryString = " ORDER BY d.id DESC"
        if needle.isEmpty {
            // The usual case: count and page in SQL, decide access for the page only.
            let total = try await sql.raw("SELECT COUNT(*) AS n " + from + conditions)
                .first().map { try $0.decode(column: "n", as: Int.self) } ?? 0
            let rows = try await sql.raw(select + " " + from + conditions + order + " LIMIT \(literal: per) OFFSET \(literal: page.offset)")
                .all().map(InboxRow.init)
            let items = try await self.items(rows, viewer: viewer, access: access)
            return InboxDTO(items: items, total: total, page: page.page, per: per)
        }
        // Searching matches titles and bodies in SQL, then keeps only what the viewer may open:
        // a search must not reveal what the list would redact.
        let escaped = needle.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let pattern = "%\(escaped)%"
        let text: SQLQueryString = "lower(a.title_ja || ' ' || coalesce(a.title_en, '') || ' ' || a.body_ja || ' ' || coalesce(a.body_en, ''))"
        let rows = try await sql.raw(select + " " + from + conditions + " AND " + text + " LIKE \(bind: pattern) ESCAPE '\\'" + order)
            .all().map(InboxRow.init)
        let matched = try await self.items(rows, viewer: viewer, access: access).filter { !$0.redacted }
        return InboxDTO(items: Array(matched.dropFirst(page.offset).prefix(per)), total: matched.count, page: page.page, per: per)
    }

    /// One delivery with the parts of its advisory that a list shows, read column by column
    /// (a `Decodable` row decoder spent more time converting key names than SQLite did).
    private struct InboxRow {
        var advisoryID: UUID
        var originatorID: UUID
        var tlp: String
        var receivedTLP: String
        var severity: String
        var titleJa: String
        var titleEn: String?
        var expiresAt: Date?
        var withdrawnAt: Date?
        var deliveredAt: Date
        var readAt: Date?
        var acknowledgedAt: Date?

        init(_ row: any SQLRow) throws {
            self.advisoryID = try row.decode(column: "advisory_id", as: UUID.self)
            self.originatorID = try row.decode(column: "originator_id", as: UUID.self)
            self.tlp = try row.decode(column: "tlp", as: String.self)
            self.receivedTLP = try row.decode(column: "received_tlp", as: String.self)
            self.severity = try row.decode(column: "severity", as: String.self)
            self.titleJa = try row.decode(column: "title_ja", as: String.self)
            self.titleEn = try row.decode(column: "title_en", as: String?.self)
            self.expiresAt = try row.decode(column: "expires_at", as: Date?.self)
            self.withdrawnAt = try row.decode(column: "withdrawn_at", as: Date?.self)
            self.deliveredAt = try row.decode(column: "delivered_at", as: Date.self)
            self.readAt = try row.decode(column: "read_at", as: Date?.self)
            self.acknowledgedAt = try row.decode(column: "acknowledged_at", as: Date?.self)
        }
    }

    private func items(_ rows: [InboxRow], viewer: AccessPolicy.Viewer, access: Access) async throws -> [InboxItemDTO] {
        let listed = rows.map {
            Access.Listed(id: $0.advisoryID, marking: TLP(rawValue: $0.tlp) ?? .red, originator: $0.originatorID, received: TLP(rawValue: $0.receivedTLP) ?? .red)
        }
        let policyItems = try await access.items(listed, deliveredTo: viewer)
        let now = Date()
        return rows.map { row in
            let item = policyItems[row.advisoryID]
            let decision = item.map { AccessPolicy.read(viewer, $0) } ?? .deny(.notARecipient)
            let marking = item.map { AccessPolicy.marking(for: viewer, of: $0) } ?? .red
            var reason: String?
            if case .deny(let denial) = decision { reason = denial.rawValue }
            return InboxItemDTO(
                advisoryID: row.advisoryID, tlp: marking.rawValue, severity: decision.isAllowed ? row.severity : nil,
                title: decision.isAllowed ? LocalizedText(ja: row.titleJa, en: row.titleEn) : nil, deliveredAt: row.deliveredAt,
                readAt: row.readAt, acknowledgedAt: row.acknowledgedAt, withdrawn: row.withdrawnAt != nil,
                expired: row.expiresAt.map { $0 < now } ?? false, redacted: !decision.isAllowed, reason: reason)
        }
    }

    /// Opens an advisory: the policy decides; the first open by the organisation is its read
    /// receipt; every open is audited.
    func open(_ id: UUID, by user: User?) async throws -> AdvisoryDTO {
        let advisory = try await Advisory.require(id, on: self.database)
        let marking = try await Access(database: self.database).requireRead(advisory, by: user)
        try await self.database.atomically { db in
            if let user,
                let delivery = try await Delivery.query(on: db).filter(\.$advisory.$id == id).filter(\.$organisation.$id == user.$organisation.id).first(),
                delivery.readAt == nil
            {
                delivery.readAt = Date()
                delivery.$readBy.id = try user.requireID()
                try await delivery.save(on: db)
            }
            try await AuditLog.append(on: db, actor: user?.email ?? "anonymous", action: "read", subject: "advisory:\(id)")
        }
        let originator = try await advisory.$originator.get(on: self.database)
        let notes = try await RelayHop.query(on: self.database).filter(\.$advisory.$id == id).filter(\.$note != nil).sort(\.$receivedAt).all().compactMap(\.note)
        return AdvisoryDTO(advisory, originator: originator.nameJa, notes: notes, marking: marking)
    }

    /// 受領確認: once per organisation; a second time is a conflict and changes nothing.
    func acknowledge(_ id: UUID, by user: User, comment: String?) async throws -> Delivery {
        let advisory = try await Advisory.require(id, on: self.database)
        try await Access(database: self.database).requireRead(advisory, by: user)
        if let comment, comment.count > 2_000 {
            throw UserError(status: .unprocessableEntity, ja: "コメントは2000文字以内にしてください", en: "the comment is longer than 2,000 characters")
        }
        return try await self.database.atomically { db in
            guard let delivery = try await Delivery.query(on: db).filter(\.$advisory.$id == id).filter(\.$organisation.$id == user.$organisation.id).first() else {
                throw UserError(status: .conflict, ja: "この注意喚起はあなたの組織に配信されていません", en: "this advisory was not delivered to your organisation")
            }
            guard delivery.acknowledgedAt == nil else {
                throw UserError(status: .conflict, ja: "既に受領確認済みです", en: "already acknowledged")
            }
            let now = Date()
            if delivery.readAt == nil {
                delivery.readAt = now
                delivery.$readBy.id = try user.requireID()
            }
            delivery.acknowledgedAt = now
            delivery.$acknowledgedBy.id = try user.requireID()
            delivery.acknowledgementComment = comment?.isEmpty == true ? nil : comment
            try await delivery.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "acknowledge", subject: "advisory:\(id)")
            return delivery
        }
    }

    /// The originator's timeline (NISC coordinators see every timeline).
    func timeline(_ id: UUID, for user: User) async throws -> TimelineDTO {
        let advisory = try await Advisory.require(id, on: self.database)
        guard advisory.$originator.id == user.$organisation.id || user.has(.niscCoordinator) else {
            throw UserError.forbidden(ja: "中継状況を見られるのは発信元です", en: "only the originator sees the relay timeline")
        }
        let hops = try await RelayHop.query(on: self.database).filter(\.$advisory.$id == id).with(\.$organisation).with(\.$ceptoar).sort(\.$receivedAt).all()
        let deliveries = try await Delivery.query(on: self.database).filter(\.$advisory.$id == id).all()
        var result: [TimelineDTO.Hop] = []
        for hop in hops {
            let mine = deliveries.filter { $0.$hop.id == hop.id }
            result.append(TimelineDTO.Hop(
                id: hop.id!, stage: hop.stage, organisation: hop.organisation.name, ceptoar: hop.ceptoar?.key, status: hop.status, tlp: hop.tlp,
                automatic: hop.automatic, receivedAt: hop.receivedAt, reviewedAt: hop.reviewedAt, forwardedAt: hop.forwardedAt,
                note: hop.note, withheldReason: hop.withheldReason, delivered: mine.count, read: mine.filter { $0.readAt != nil }.count,
                acknowledged: mine.filter { $0.acknowledgedAt != nil }.count))
        }
        return TimelineDTO(
            advisoryID: id, publishedAt: advisory.createdAt, hops: result, delivered: deliveries.count,
            read: deliveries.filter { $0.readAt != nil }.count, acknowledged: deliveries.filter { $0.acknowledgedAt != nil }.count)
    }

    /// Withdrawal by the originator: recipients see it marked withdrawn, with the reason.
    func withdraw(_ id: UUID, by user: User, reason: String) async throws -> Advisory {
        let advisory = try await Advisory.require(id, on: self.database)
        guard advisory.$originator.id == user.$organisation.id, user.has(.niscCoordinator) || user.has(.ceptoarSecretariat) else {
            throw UserError.forbidden(ja: "取り下げできるのは発信元です", en: "only the originator may withdraw an advisory")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw UserError(status: .unprocessableEntity, ja: "取り下げ理由を入力してください", en: "give a reason for the withdrawal") }
        guard advisory.withdrawnAt == nil else { throw UserError(status: .conflict, ja: "既に取り下げ済みです", en: "already withdrawn") }
        try await self.database.atomically { db in
            advisory.withdrawnAt = Date()
            advisory.withdrawnReason = reason
            try await advisory.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "withdraw", subject: "advisory:\(id)", detail: ["reason": reason])
            // The withdrawal is a new, revoked version of the advisory's STIX objects.
            try await StixStore(database: db).record(advisory)
        }
        return advisory
    }
}
