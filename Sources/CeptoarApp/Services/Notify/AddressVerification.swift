import CeptoarKit
import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Proving an address on the roster reaches someone: a six-digit code goes out over that
/// channel (mail by SMTP, mobile/phone/fax through their gateway) and must be entered back
/// within 30 minutes, in at most five tries. Only a hash of the code is stored. An address
/// verified once stays verified while it stays on the roster (see `PointsOfContact`).
struct AddressVerification {
    let database: any Database
    let settings: NotifySettings
    let client: any Client

    static let lifetime: TimeInterval = 30 * 60
    static let maxAttempts = 5
    /// At most this many codes per address per hour (each one is a message to a person).
    static let maxCodesPerHour = 5

    struct Request: Content {
        var channel: String
        var address: String
    }

    struct Confirmation: Content {
        var channel: String
        var address: String
        var code: String
    }

    struct Sent: Content {
        var channel: String
        var address: String
        var expiresAt: Date
    }

    static func hash(_ code: String, _ verification: UUID) -> String {
        SHA256.hash(data: Data("\(verification.uuidString):\(code)".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The roster method this request names, in its stored form; 404 if not on the roster.
    private func method(_ channelText: String, _ raw: String, organisation: UUID) async throws -> (ContactChannel, String) {
        guard let channel = ContactChannel(rawValue: channelText), channel.isVerifiable else {
            throw UserError(status: .unprocessableEntity, ja: "確認コードを送れない連絡手段です: \(channelText)", en: "no code can be sent over '\(channelText)'")
        }
        let address = try channel.storedAddress(raw, at: ("連絡先", "address"))
        let found = try await (self.database as! any SQLDatabase).raw("""
            SELECT m.id FROM poc_methods m JOIN poc_contacts c ON c.id = m.contact_id
            WHERE c.organisation_id = \(bind: organisation) AND m.channel = \(bind: channel.rawValue) AND m.address = \(bind: address) LIMIT 1
            """).first()
        guard found != nil else {
            throw UserError.notFound(ja: "この連絡先は自組織の名簿にありません", en: "this address is not on your organisation's roster")
        }
        return (channel, address)
    }

    func send(_ request: Request, by user: User, now: Date = Date()) async throws -> Sent {
        let organisation = user.$organisation.id
        let (channel, address) = try await self.method(request.channel, request.address, organisation: organisation)
        let recent = try await PocVerification.query(on: self.database).filter(\.$organisation.$id == organisation)
            .filter(\.$channel == channel.rawValue).filter(\.$address == address).filter(\.$createdAt > now.addingTimeInterval(-3_600)).count()
        guard recent < Self.maxCodesPerHour else {
            throw UserError(status: .tooManyRequests, ja: "確認コードの送信は1時間に\(Self.maxCodesPerHour)回までです", en: "at most \(Self.maxCodesPerHour) codes per hour to one address")
        }
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        let verification = PocVerification()
        verification.id = UUID()
        verification.$organisation.id = organisation
        verification.channel = channel.rawValue
        verification.address = address
        verification.codeHash = Self.hash(code, verification.id!)
        verification.createdAt = now
        verification.expiresAt = now.addingTimeInterval(Self.lifetime)
        verification.attempts = 0
        // The message first: a code nobody received is not worth storing.
        try await self.deliver(code, channel: channel, address: address)
        try await self.database.atomically { db in
            try await verification.create(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "poc_verify_sent", subject: "organisation:\(organisation)",
                detail: ["channel": channel.rawValue, "address": address])
        }
        return Sent(channel: channel.rawValue, address: address, expiresAt: verification.expiresAt)
    }

    private func deliver(_ code: String, channel: ContactChannel, address: String) async throws {
        let ja = "Ceptoar 緊急連絡先の確認コード: \(code)（30分間有効）"
        let en = "Ceptoar emergency contact verification code: \(code) (valid for 30 minutes)"
        switch channel {
        case .email:
            guard let server = self.settings.smtp else {
                throw UserError(status: .serviceUnavailable, ja: "メールの送信経路が設定されていません（CEPTOAR_SMTP_URL）", en: "no mail relay is configured (CEPTOAR_SMTP_URL)")
            }
            let message = MailMessage(
                from: MailAddress(self.settings.mailFrom, name: "Ceptoar"), to: [MailAddress(address)],
                subject: "【Ceptoar】緊急連絡先の確認コード / verification code", body: "\(ja)\n\n\(en)\n\n心当たりがなければ、このメールは破棄してください。\nIf you did not expect this, ignore it.",
                messageID: "verify-\(UUID().uuidString.lowercased())@ceptoar")
            let outcome = (try? await SMTPClient(server: server).send([message]).first) ?? .temporaryFailure("the mail relay could not be reached")
            guard outcome.isAccepted else {
                throw UserError(status: .badGateway, ja: "確認コードを送れませんでした: \(outcome)", en: "the code could not be sent: \(outcome)")
            }
        default:
            guard let url = self.settings.gateways[channel.rawValue], let secret = self.settings.gatewaySecret else {
                throw UserError(status: .unprocessableEntity,
                    ja: "この手段（\(channel.label.ja)）にはゲートウェイがなく、確認コードを自動では送れません。事務局による電話確認を依頼してください。",
                    en: "there is no gateway for \(channel.label.en ?? channel.rawValue): a code cannot be sent automatically; ask the secretariat to confirm it by phone")
            }
            struct Payload: Content { var verification: Bool; var channel: String; var to: String; var text: LocalizedText }
            let payload = Payload(verification: true, channel: channel.rawValue, to: address, text: LocalizedText(ja: ja, en: en))
            let status = try? await SignedWebhook(client: self.client, secret: secret).post(payload, to: url)
            guard let status, (200..<300).contains(status.code) else {
                throw UserError(status: .badGateway, ja: "ゲートウェイが確認コードを受け付けませんでした", en: "the gateway did not take the code")
            }
        }
    }

    /// The code entered back: on a match, every roster entry with this address is verified.
    func confirm(_ confirmation: Confirmation, by user: User, now: Date = Date()) async throws -> Date {
        let organisation = user.$organisation.id
        let (channel, address) = try await self.method(confirmation.channel, confirmation.address, organisation: organisation)
        let code = confirmation.code.trimmingCharacters(in: .whitespaces).applyingTransform(.fullwidthToHalfwidth, reverse: false) ?? confirmation.code
        let remaining: Int? = try await self.database.atomically { db in
            guard let pending = try await PocVerification.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$channel == channel.rawValue)
                .filter(\.$address == address).filter(\.$usedAt == nil).sort(\.$createdAt, .descending).first(), pending.expiresAt > now
            else {
                throw UserError(status: .unprocessableEntity, ja: "有効な確認コードがありません。もう一度送信してください。", en: "there is no valid code for this address; send a new one")
            }
            guard pending.attempts < Self.maxAttempts else {
                throw UserError(status: .tooManyRequests, ja: "入力が\(Self.maxAttempts)回を超えました。新しいコードを送信してください。", en: "more than \(Self.maxAttempts) tries; send a new code")
            }
            guard Self.hash(code, pending.id!) == pending.codeHash else {
                // The failed try must count, so it is committed and the refusal thrown after.
                pending.attempts += 1
                try await pending.save(on: db)
                return Self.maxAttempts - pending.attempts
            }
            pending.usedAt = now
            try await pending.save(on: db)
            try await (db as! any SQLDatabase).raw("""
                UPDATE poc_methods SET verified_at = \(bind: now) WHERE channel = \(bind: channel.rawValue) AND address = \(bind: address)
                AND contact_id IN (SELECT id FROM poc_contacts WHERE organisation_id = \(bind: organisation))
                """).run()
            try await AuditLog.append(on: db, actor: user.email, action: "poc_verified", subject: "organisation:\(organisation)",
                detail: ["channel": channel.rawValue, "address": address])
            return nil
        }
        if let remaining {
            throw UserError(status: .unprocessableEntity, ja: "確認コードが違います（あと\(remaining)回）", en: "the code does not match (\(remaining) tries left)")
        }
        return now
    }
}
