import CeptoarKit
import Fluent
import Foundation
import Vapor

/// External provision (外部提供): a recipient asks, the originator approves with a scope or
/// refuses with a reason. Nothing leaves the community without that recorded decision.
struct Provision {
    let database: any Database

    struct RequestInput: Content {
        var recipient: String
        var purpose: String
        /// The recipient is the requesting member's own contractor (委託先). For TLP:GREEN, the
        /// handling rules of the CEPTOAR it came through may allow that without asking.
        var contractor: Bool?
    }

    struct Decision: Content {
        var approve: Bool
        var scope: String?
        var reason: String?
    }

    struct DTO: Content {
        var id: UUID
        var advisoryID: UUID
        var requester: String
        var recipient: String
        var purpose: String
        var status: String
        var scope: String?
        var reason: String?
        var createdAt: Date?
        var decidedAt: Date?
    }

    func request(_ input: RequestInput, advisory id: UUID, by user: User) async throws -> ProvisionRequest {
        let advisory = try await Advisory.require(id, on: self.database)
        // Only those who may read it may ask to pass it on.
        try await Access(database: self.database).requireRead(advisory, by: user)
        let recipient = input.recipient.trimmingCharacters(in: .whitespacesAndNewlines)
        let purpose = input.purpose.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !recipient.isEmpty, !purpose.isEmpty, recipient.count <= 500, purpose.count <= 2_000 else {
            throw UserError(status: .unprocessableEntity, ja: "提供先と目的を入力してください（提供先500文字・目的2000文字以内）", en: "give the recipient (up to 500 characters) and the purpose (up to 2,000)")
        }
        guard advisory.marking != .clear else {
            throw UserError(status: .unprocessableEntity, ja: "TLP:CLEAR の情報は申請なしで提供できます", en: "TLP:CLEAR information needs no request; it may be shared freely")
        }
        let permittingRules = input.contractor == true && advisory.marking == .green
            ? try await self.rulesAllowingGreenToContractors(advisory: id, organisation: user.$organisation.id) : nil
        return try await self.database.atomically { db in
            let request = ProvisionRequest()
            request.$advisory.id = id
            request.$requesterOrganisation.id = user.$organisation.id
            request.$requestedBy.id = try user.requireID()
            request.recipient = recipient
            request.purpose = purpose
            request.status = ProvisionRequest.Status.pending.rawValue
            if let (ceptoar, rules) = permittingRules {
                // Decided by the rules the member accepted, not by a person: recorded as such.
                request.status = ProvisionRequest.Status.approved.rawValue
                request.scope = "委託先への提供（\(ceptoar.key) 情報取扱いルール第\(rules.version)版により許可） / to the member's contractor, as \(ceptoar.key)'s handling rules v\(rules.version) allow for TLP:GREEN"
                request.decidedAt = Date()
            }
            try await request.create(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "export_request", subject: "advisory:\(id)", detail: ["request": request.id!.uuidString, "recipient": recipient])
            if let (ceptoar, rules) = permittingRules {
                try await AuditLog.append(
                    on: db, actor: "rules:\(ceptoar.key) v\(rules.version)", action: "export_approve", subject: "advisory:\(id)",
                    detail: ["request": request.id!.uuidString, "scope": request.scope ?? "", "basis": "green_to_contractors"])
            }
            return request
        }
    }

    /// The rules in force of a CEPTOAR that relayed this advisory to the organisation, whose
    /// member the organisation is and which let members pass TLP:GREEN to their contractors.
    private func rulesAllowingGreenToContractors(advisory: UUID, organisation: UUID) async throws -> (Ceptoar, HandlingRules)? {
        let memberships = try await MapQuery.validOn(Membership.query(on: self.database), .today)
            .filter(\.$organisation.$id == organisation).filter(\.$role == Membership.Role.member.rawValue).all()
        let relayed = try await RelayHop.query(on: self.database).filter(\.$advisory.$id == advisory)
            .filter(\.$stage == RelayHop.Stage.ceptoar.rawValue).filter(\.$status == RelayHop.Status.forwarded.rawValue).all()
        let through = Set(relayed.compactMap { $0.$ceptoar.id }).intersection(memberships.map { $0.$ceptoar.id })
        guard !through.isEmpty else { return nil }
        let current = try await HandlingRulesBook(database: self.database).current(for: Array(through))
        guard let (ceptoarID, rules) = current.first(where: { $0.value.greenToContractors }),
            let ceptoar = try await Ceptoar.find(ceptoarID, on: self.database)
        else { return nil }
        return (ceptoar, rules)
    }

    func decide(_ requestID: UUID, _ decision: Decision, by user: User) async throws -> ProvisionRequest {
        guard let request = try await ProvisionRequest.find(requestID, on: self.database) else {
            throw UserError.notFound(ja: "申請が見つかりません", en: "no such request")
        }
        let advisory = try await request.$advisory.get(on: self.database)
        guard advisory.$originator.id == user.$organisation.id, user.has(.niscCoordinator) || user.has(.ceptoarSecretariat) else {
            throw UserError.forbidden(ja: "外部提供を判断できるのは発信元です", en: "only the originator decides on external provision")
        }
        guard request.status == ProvisionRequest.Status.pending.rawValue else {
            throw UserError(status: .conflict, ja: "この申請は判断済みです", en: "this request was already decided")
        }
        let scope = decision.scope?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let reason = decision.reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if decision.approve, scope.isEmpty {
            throw UserError(status: .unprocessableEntity, ja: "承認する範囲（提供先・範囲・期限）を入力してください", en: "an approval needs its scope (to whom, what, until when)")
        }
        if !decision.approve, reason.isEmpty {
            throw UserError(status: .unprocessableEntity, ja: "不承認の理由を入力してください", en: "a refusal needs a reason")
        }
        return try await self.database.atomically { db in
            request.status = (decision.approve ? ProvisionRequest.Status.approved : .refused).rawValue
            request.scope = decision.approve ? scope : nil
            request.reason = reason.isEmpty ? nil : reason
            request.$decidedBy.id = try user.requireID()
            request.decidedAt = Date()
            try await request.save(on: db)
            try await AuditLog.append(
                on: db, actor: user.email, action: decision.approve ? "export_approve" : "export_refuse", subject: "advisory:\(advisory.id!)",
                detail: ["request": requestID.uuidString, "scope": scope, "reason": reason])
            return request
        }
    }

    /// Requests about the user's own advisories (to decide) and the user's organisation's own (to follow).
    func list(for user: User) async throws -> [DTO] {
        let mine = try await Advisory.query(on: self.database).filter(\.$originator.$id == user.$organisation.id).all().compactMap(\.id)
        let requests = try await ProvisionRequest.query(on: self.database).group(.or) {
            $0.filter(\.$requesterOrganisation.$id == user.$organisation.id)
            if !mine.isEmpty { $0.filter(\.$advisory.$id ~~ mine) }
        }.with(\.$requesterOrganisation).sort(\.$createdAt, .descending).all()
        return requests.map(Self.dto)
    }

    static func dto(_ request: ProvisionRequest) -> DTO {
        DTO(
            id: request.id!, advisoryID: request.$advisory.id, requester: request.$requesterOrganisation.value?.nameJa ?? request.$requesterOrganisation.id.uuidString,
            recipient: request.recipient, purpose: request.purpose, status: request.status, scope: request.scope, reason: request.reason,
            createdAt: request.createdAt, decidedAt: request.decidedAt)
    }
}
