import CeptoarKit
import Fluent
import Foundation
import Vapor

/// A CEPTOAR's emergency contact for outsiders: the methods its secretariat chose to publish,
/// and a queue where messages sent through the public page or endpoint wait for the
/// secretariat. Anyone may write to it; only the secretariat (and NISC) read it.
struct PublicContact {
    let database: any Database

    struct PublishedMethod: Content {
        var rank: String
        var title: String?
        var channel: String
        var address: String
        var note: String?
        var availableAlways: Bool
        var hours: String?
    }

    struct ContactSheet: Content {
        var ceptoar: String
        var name: LocalizedText
        var secretariat: LocalizedText
        var methods: [PublishedMethod]
    }

    struct MessageInput: Content {
        var name: String
        var organisation: String
        var email: String
        var phone: String?
        var subject: String
        var body: String
    }

    struct MessageDTO: Content {
        var id: UUID
        var receivedAt: Date
        var name: String
        var organisation: String
        var email: String
        var phone: String?
        var subject: String
        var body: String
        var status: String
        var handledAt: Date?
    }

    static let maxBody = 10_000

    /// The CEPTOAR in force today and its version, or a 404.
    func ceptoar(_ key: String) async throws -> (Ceptoar, CeptoarVersion) {
        guard let ceptoar = try await Ceptoar.query(on: self.database).filter(\.$key == key).first(),
            let version = try await MapQuery.validOn(CeptoarVersion.query(on: self.database), .today)
                .filter(\.$ceptoar.$id == ceptoar.requireID()).first()
        else { throw UserError.notFound(ja: "セプターが見つかりません: \(key)", en: "no CEPTOAR '\(key)'") }
        return (ceptoar, version)
    }

    /// What an outsider sees: the secretariat's published methods, primary contacts first.
    func sheet(_ key: String) async throws -> ContactSheet {
        let (ceptoar, version) = try await self.ceptoar(key)
        var methods: [PublishedMethod] = []
        if let secretariat = version.$secretariatOrganisation.id {
            let contacts = try await PocContact.query(on: self.database).filter(\.$organisation.$id == secretariat).with(\.$methods).all()
                .sorted(by: PocContact.rosterOrder)
            for contact in contacts {
                for method in contact.methods.sorted(by: { $0.position < $1.position }) where method.published {
                    methods.append(PublishedMethod(
                        rank: contact.rank, title: contact.title, channel: method.channel, address: method.address, note: method.note,
                        availableAlways: contact.availableAlways, hours: contact.hours))
                }
            }
        }
        return ContactSheet(
            ceptoar: ceptoar.key, name: LocalizedText(ja: version.nameJa, en: version.nameEn),
            secretariat: LocalizedText(ja: version.secretariatJa, en: version.secretariatEn), methods: methods)
    }

    /// Queues an outsider's message for the CEPTOAR's secretariat, unless `throttle` says the
    /// sender has sent enough this minute; audited.
    func receive(_ input: MessageInput, for key: String, from address: String, throttle: InboundThrottle) async throws -> InboundMessage {
        guard throttle.allow(address) else {
            throw UserError(status: .tooManyRequests, ja: "送信が多すぎます。1分後に再度お試しください", en: "too many messages; try again in a minute")
        }
        let (ceptoar, _) = try await self.ceptoar(key)
        func bad(_ ja: String, _ en: String) -> UserError { UserError(status: .unprocessableEntity, ja: ja, en: en) }
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let organisation = input.organisation.trimmingCharacters(in: .whitespacesAndNewlines)
        let subject = input.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = input.body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw bad("お名前を200文字以内で入力してください", "give your name (up to 200 characters)") }
        guard !organisation.isEmpty, organisation.count <= 200 else {
            throw bad("ご所属を200文字以内で入力してください", "give your organisation (up to 200 characters)")
        }
        guard !subject.isEmpty, subject.count <= 200 else { throw bad("件名を200文字以内で入力してください", "give a subject (up to 200 characters)") }
        // One line each: they head the secretariat's queue and any mail about the message.
        guard ![name, organisation, subject].contains(where: ProtocolText.hasControlCharacters) else {
            throw bad("お名前・ご所属・件名に改行や制御文字は使えません", "name, organisation and subject must be one line without control characters")
        }
        guard !body.isEmpty, body.count <= Self.maxBody else {
            throw bad("本文を\(Self.maxBody)文字以内で入力してください", "write the message (up to \(Self.maxBody) characters)")
        }
        let email = try ContactChannel.email.storedAddress(input.email, at: ("メールアドレス", "email"))
        let phone = try input.phone.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            .map { try ContactChannel.phone.storedAddress($0, at: ("電話番号", "phone")) }
        let message = InboundMessage()
        message.id = UUID()
        message.$ceptoar.id = try ceptoar.requireID()
        message.receivedAt = Date()
        message.senderName = name
        message.senderOrganisation = organisation
        message.senderEmail = email
        message.senderPhone = phone
        message.subject = subject
        message.body = body
        message.status = InboundMessage.Status.new.rawValue
        try await self.database.atomically { db in
            try await message.create(on: db)
            try await AuditLog.append(
                on: db, actor: "public:\(email)", action: "inbound", subject: "ceptoar:\(ceptoar.key)",
                detail: ["message": message.id!.uuidString, "from": address])
        }
        return message
    }

    /// The secretariat of that CEPTOAR (today) or a NISC coordinator; anyone else is refused.
    func requireQueue(_ ceptoar: Ceptoar, by user: User) async throws {
        if user.has(.niscCoordinator) { return }
        let own = try await Relay(database: self.database).secretariatCeptoars(of: user.$organisation.id)
        guard user.has(.ceptoarSecretariat), own.contains(try ceptoar.requireID()) else {
            throw UserError.forbidden(ja: "この窓口の受付一覧を見られるのは事務局です", en: "only the CEPTOAR's secretariat sees its contact queue")
        }
    }

    func queue(_ key: String, by user: User) async throws -> [MessageDTO] {
        let (ceptoar, _) = try await self.ceptoar(key)
        try await self.requireQueue(ceptoar, by: user)
        return try await InboundMessage.query(on: self.database).filter(\.$ceptoar.$id == ceptoar.requireID())
            .sort(\.$receivedAt, .descending).limit(500).all().map(Self.dto)
    }

    func markHandled(_ id: UUID, by user: User) async throws -> MessageDTO {
        guard let message = try await InboundMessage.find(id, on: self.database) else {
            throw UserError.notFound(ja: "受付が見つかりません", en: "no such message")
        }
        try await self.requireQueue(try await message.$ceptoar.get(on: self.database), by: user)
        guard message.status == InboundMessage.Status.new.rawValue else {
            throw UserError(status: .conflict, ja: "既に対応済みです", en: "already marked handled")
        }
        try await self.database.atomically { db in
            message.status = InboundMessage.Status.handled.rawValue
            message.$handledBy.id = try user.requireID()
            message.handledAt = Date()
            try await message.save(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "inbound_handled", subject: "inbound:\(id)")
        }
        return Self.dto(message)
    }

    static func dto(_ message: InboundMessage) -> MessageDTO {
        MessageDTO(
            id: message.id!, receivedAt: message.receivedAt, name: message.senderName, organisation: message.senderOrganisation,
            email: message.senderEmail, phone: message.senderPhone, subject: message.subject, body: message.body, status: message.status,
            handledAt: message.handledAt)
    }
}

/// Messages accepted per sender address and minute, so a script cannot flood a secretariat's
/// queue through the public endpoint. One per application; counts reset each minute.
final class InboundThrottle: @unchecked Sendable {
    private let lock = NSLock()
    /// Each sender's messages in the last minute (a sliding window: a fixed clock minute let a
    /// flood that straddled the minute through twice over).
    private var recent: [String: [Date]] = [:]
    let perMinute: Int

    init(perMinute: Int = 10) { self.perMinute = perMinute }

    /// Whether one more message from `address` is allowed now.
    func allow(_ address: String, now: Date = Date()) -> Bool {
        let since = now.addingTimeInterval(-60)
        return self.lock.withLock {
            // Forget quiet senders now and then, so the table stays small.
            if self.recent.count > 10_000 { self.recent = self.recent.filter { $0.value.contains { $0 > since } } }
            var times = (self.recent[address] ?? []).filter { $0 > since }
            guard times.count < self.perMinute else {
                self.recent[address] = times
                return false
            }
            times.append(now)
            self.recent[address] = times
            return true
        }
    }
}
