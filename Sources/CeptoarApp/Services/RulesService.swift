import CeptoarKit
import Fluent
import Foundation
import Vapor

/// Publishing versions of a CEPTOAR's handling rules and recording members' acceptance.
struct RulesService {
    let database: any Database

    struct NewVersion: Content {
        var text: LocalizedText
        var effectiveFrom: String?
        var defaultTLP: String
        var greenToContractors: Bool
        var externalPolicy: String
    }

    func ceptoar(_ key: String) async throws -> Ceptoar {
        guard let ceptoar = try await Ceptoar.query(on: self.database).filter(\.$key == key).first() else {
            throw UserError.notFound(ja: "セプターが見つかりません: \(key)", en: "no CEPTOAR with key '\(key)'")
        }
        return ceptoar
    }

    /// A new version, by the CEPTOAR's own secretariat. Members must accept it again.
    func publish(_ input: NewVersion, for key: String, by user: User) async throws -> HandlingRules {
        defer { WriteGeneration.sharing.advance() }  // who may read what may have changed
        let ceptoar = try await self.ceptoar(key)
        let own = try await Relay(database: self.database).secretariatCeptoars(of: user.$organisation.id)
        guard user.has(.ceptoarSecretariat), own.contains(try ceptoar.requireID()) else {
            throw UserError.forbidden(ja: "ルールを改定できるのはそのセプターの事務局です", en: "only the CEPTOAR's secretariat may change its rules")
        }
        guard !input.text.ja.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw UserError(status: .unprocessableEntity, ja: "ルール本文を入力してください", en: "the rules text is empty")
        }
        guard let tlp = TLP(label: input.defaultTLP) else {
            throw UserError(status: .unprocessableEntity, ja: "不明なTLPです: \(input.defaultTLP)", en: "unknown TLP '\(input.defaultTLP)'")
        }
        let effective = input.effectiveFrom ?? Day.today.iso
        guard Day(iso: effective) != nil else {
            throw UserError(status: .unprocessableEntity, ja: "適用開始日が正しくありません: \(effective)", en: "effectiveFrom is not a valid date: \(effective)")
        }
        return try await self.database.atomically { db in
            let latest = try await HandlingRules.query(on: db).filter(\.$ceptoar.$id == ceptoar.requireID()).max(\.$version) ?? 0
            let rules = HandlingRules()
            rules.$ceptoar.id = try ceptoar.requireID()
            rules.version = latest + 1
            rules.effectiveFrom = effective
            rules.textJa = input.text.ja
            rules.textEn = input.text.en
            rules.defaultTLP = tlp.rawValue
            rules.greenToContractors = input.greenToContractors
            rules.externalPolicy = input.externalPolicy
            try await rules.create(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "rules_change", subject: "ceptoar:\(key)", detail: ["version": String(rules.version)])
            return rules
        }
    }

    /// The user's organisation accepts the version in force; accepting twice changes nothing.
    func accept(for key: String, by user: User) async throws -> HandlingRules {
        defer { WriteGeneration.sharing.advance() }  // who may read what may have changed
        let ceptoar = try await self.ceptoar(key)
        let member = try await MapQuery.validOn(Membership.query(on: self.database), .today)
            .filter(\.$organisation.$id == user.$organisation.id).filter(\.$ceptoar.$id == ceptoar.requireID())
            .filter(\.$role == Membership.Role.member.rawValue).first()
        guard member != nil else {
            throw UserError.forbidden(ja: "このセプターの構成員ではありません", en: "your organisation is not a member of this CEPTOAR")
        }
        guard let rules = try await HandlingRulesBook(database: self.database).current(for: ceptoar.requireID()) else {
            throw UserError.notFound(ja: "このセプターには情報取扱いルールが登録されていません", en: "this CEPTOAR has no handling rules yet")
        }
        try await self.database.atomically { db in
            let existing = try await RulesAcceptance.query(on: db).filter(\.$organisation.$id == user.$organisation.id).filter(\.$rules.$id == rules.requireID()).first()
            guard existing == nil else { return }
            let acceptance = RulesAcceptance()
            acceptance.$organisation.id = user.$organisation.id
            acceptance.$rules.id = try rules.requireID()
            acceptance.$acceptedBy.id = try user.requireID()
            acceptance.acceptedAt = Date()
            try await acceptance.create(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "rules_accept", subject: "ceptoar:\(key)", detail: ["version": String(rules.version)])
        }
        return rules
    }
}

/// A version of a CEPTOAR's handling rules, as the API shows it.
struct HandlingRulesDTO: Content {
    var id: UUID
    var version: Int
    var effectiveFrom: String
    var text: LocalizedText
    var defaultTLP: String
    var greenToContractors: Bool
    var externalPolicy: String
    var createdAt: Date?

    init(_ rules: HandlingRules) {
        self.id = rules.id ?? UUID()
        self.version = rules.version
        self.effectiveFrom = rules.effectiveFrom
        self.text = LocalizedText(ja: rules.textJa, en: rules.textEn)
        self.defaultTLP = rules.defaultTLP
        self.greenToContractors = rules.greenToContractors
        self.externalPolicy = rules.externalPolicy
        self.createdAt = rules.createdAt
    }
}
