import CeptoarKit
import Fluent
import Foundation

/// A member organisation's received advisories, read receipts and acknowledgements.
struct Inbox {
    let database: any Database

    func list(for user: User, query: String?, severity: String?, tlp: String?, page: Int, per: Int) async throws -> InboxDTO {
        guard page >= 1, (1...200).contains(per) else {
            throw UserError.badRequest(ja: "page は1以上、per は1から200です", en: "page must be 1 or more and per 1 to 200")
        }
        var builder = Delivery.query(on: self.database).filter(\.$organisation.$id == user.$organisation.id)
            .join(Advisory.self, on: \Delivery.$advisory.$id == \Advisory.$id)
        if let severity, !severity.isEmpty {
            guard Severity(rawValue: severity) != nil else { throw UserError.badRequest(ja: "不明な重要度です: \(severity)", en: "unknown severity '\(severity)'") }
            builder = builder.filter(Advisory.self, \.$severity == severity)
        }
        if let tlp, !tlp.isEmpty {
            guard let marking = TLP(label: tlp) else { throw UserError.badRequest(ja: "不明なTLPです: \(tlp)", en: "unknown TLP '\(tlp)'") }
            builder = builder.filter(Advisory.self, \.$tlp == marking.rawValue)
        }
        let access = Access(database: self.database)
        let viewer = try await access.viewer(user)
        let needle = (query ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if needle.isEmpty {
            // The usual case: count and page in SQL, decide access for the page only.
            let total = try await builder.count()
            let rows = try await builder.sort(\.$deliveredAt, .descending).sort(\.$id, .descending)
                .range(((page - 1) * per)..<(page * per)).all()
            let items = try await self.items(rows, viewer: viewer, access: access)
            return InboxDTO(items: items.map(\.dto), total: total, page: page, per: per)
        }
        // Searching reads titles and bodies, so it only ever matches items the viewer may open:
        // a search must not reveal what the list would redact.
        let rows = try await builder.sort(\.$deliveredAt, .descending).sort(\.$id, .descending).all()
        let matched = try await self.items(rows, viewer: viewer, access: access).filter { item in
            guard item.dto.redacted == false else { return false }
            let a = item.advisory
            return [a.titleJa, a.titleEn ?? "", a.bodyJa, a.bodyEn ?? ""].joined(separator: "\n").lowercased().contains(needle)
        }
        let pageItems = matched.dropFirst((page - 1) * per).prefix(per).map(\.dto)
        return InboxDTO(items: Array(pageItems), total: matched.count, page: page, per: per)
    }

    private func items(_ rows: [Delivery], viewer: AccessPolicy.Viewer, access: Access) async throws -> [(advisory: Advisory, dto: InboxItemDTO)] {
        let advisories = try rows.map { try $0.joined(Advisory.self) }
        let policyItems = try await access.items(advisories, deliveredTo: viewer)
        return zip(rows, advisories).map { delivery, advisory in
            let decision = policyItems[advisory.id!].map { AccessPolicy.read(viewer, $0) } ?? .deny(.notARecipient)
            var reason: String?
            if case .deny(let denial) = decision { reason = denial.rawValue }
            return (advisory, InboxItemDTO(
                advisoryID: advisory.id!, tlp: advisory.tlp, severity: decision.isAllowed ? advisory.severity : nil,
                title: decision.isAllowed ? advisory.title : nil, deliveredAt: delivery.deliveredAt, readAt: delivery.readAt,
                acknowledgedAt: delivery.acknowledgedAt, withdrawn: advisory.withdrawnAt != nil,
                expired: advisory.expiresAt.map { $0 < Date() } ?? false, redacted: !decision.isAllowed, reason: reason))
        }
    }

    /// Opens an advisory: the policy decides; the first open by the organisation is its read
    /// receipt; every open is audited.
    func open(_ id: UUID, by user: User?) async throws -> AdvisoryDTO {
        let advisory = try await Advisory.require(id, on: self.database)
        try await Access(database: self.database).requireRead(advisory, by: user)
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
        return AdvisoryDTO(advisory, originator: originator.nameJa, notes: notes)
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
        }
        return advisory
    }
}
