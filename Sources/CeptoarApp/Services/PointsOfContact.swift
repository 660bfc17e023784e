import CeptoarKit
import Fluent
import Foundation
import Vapor

/// Each organisation's emergency point-of-contact roster: read by those who must reach it,
/// replaced as a whole by the organisation itself, every change audited. Verification survives
/// an edit for an address that did not change, and is lost for one that did.
struct PointsOfContact {
    let database: any Database

    struct MethodInput: Content {
        var channel: String
        var address: String
        var note: String?
        /// For a secretariat: show this method on its CEPTOAR's public contact page.
        var published: Bool?
    }

    struct ContactInput: Content {
        var rank: String
        var name: String
        var title: String?
        var availableAlways: Bool
        var hours: String?
        var methods: [MethodInput]
    }

    struct RosterInput: Content {
        var contacts: [ContactInput]
    }

    struct MethodDTO: Content {
        var channel: String
        var address: String
        var note: String?
        var published: Bool
        var verified: Bool
        var verifiedAt: Date?
    }

    struct ContactDTO: Content {
        var rank: String
        var name: String
        var title: String?
        var availableAlways: Bool
        var hours: String?
        var methods: [MethodDTO]
    }

    struct RosterDTO: Content {
        var organisationID: UUID
        var organisation: LocalizedText
        var contacts: [ContactDTO]
    }

    static let maxContacts = 20
    static let maxMethodsPerContact = 20

    /// The organisation by id or key.
    func organisation(_ handle: String) async throws -> Organisation {
        let found: Organisation?
        if let id = UUID(uuidString: handle) {
            found = try await Organisation.find(id, on: self.database)
        } else {
            found = try await Organisation.query(on: self.database).filter(\.$key == handle).first()
        }
        guard let found else { throw UserError.notFound(ja: "組織が見つかりません: \(handle)", en: "no organisation '\(handle)'") }
        return found
    }

    /// Who may see a roster: the organisation itself, the secretariat of a CEPTOAR it belongs
    /// to today, NISC coordinators and system administrators. Contact details are personal
    /// data; nobody else sees them.
    func requireRead(_ organisation: Organisation, by user: User) async throws {
        let id = try organisation.requireID()
        if user.$organisation.id == id || user.has(.niscCoordinator) || user.has(.systemAdmin) { return }
        if user.has(.ceptoarSecretariat) {
            let theirs = try await MapQuery.validOn(Membership.query(on: self.database), .today)
                .filter(\.$organisation.$id == id).filter(\.$role == Membership.Role.member.rawValue).all().map { $0.$ceptoar.id }
            let mine = try await Relay(database: self.database).secretariatCeptoars(of: user.$organisation.id)
            if theirs.contains(where: mine.contains) { return }
        }
        throw UserError.forbidden(ja: "この組織の緊急連絡先は見られません", en: "you may not see this organisation's emergency contacts")
    }

    func roster(of organisation: Organisation) async throws -> RosterDTO {
        let contacts = try await PocContact.query(on: self.database).filter(\.$organisation.$id == organisation.requireID()).with(\.$methods).all()
        let ordered = contacts.sorted(by: PocContact.rosterOrder)
        return RosterDTO(
            organisationID: try organisation.requireID(), organisation: organisation.name,
            contacts: ordered.map { contact in
                ContactDTO(
                    rank: contact.rank, name: contact.name, title: contact.title, availableAlways: contact.availableAlways, hours: contact.hours,
                    methods: contact.methods.sorted { $0.position < $1.position }.map {
                        MethodDTO(channel: $0.channel, address: $0.address, note: $0.note, published: $0.published, verified: $0.verifiedAt != nil, verifiedAt: $0.verifiedAt)
                    })
            })
    }

    /// Replaces the user's own organisation's roster in one transaction.
    func replace(_ input: RosterInput, by user: User) async throws -> RosterDTO {
        let checked = try Self.validate(input)
        let organisation = try await user.$organisation.get(on: self.database)
        let organisationID = try organisation.requireID()
        try await self.database.atomically { db in
            let old = try await PocContact.query(on: db).filter(\.$organisation.$id == organisationID).with(\.$methods).all()
            // An address verified before stays verified if it is still on the roster.
            var verified: [String: Date] = [:]
            for method in old.flatMap(\.methods) { if let at = method.verifiedAt { verified[method.channel + " " + method.address] = at } }
            try await PocMethod.query(on: db).filter(\.$contact.$id ~~ old.compactMap(\.id)).delete()
            try await PocContact.query(on: db).filter(\.$organisation.$id == organisationID).delete()
            var positions: [ContactRank: Int] = [:]
            for contact in checked {
                let row = PocContact()
                row.id = UUID()
                row.$organisation.id = organisationID
                row.rank = contact.rank.rawValue
                row.position = positions[contact.rank, default: 0]
                positions[contact.rank, default: 0] += 1
                row.name = contact.name
                row.title = contact.title
                row.availableAlways = contact.availableAlways
                row.hours = contact.hours
                try await row.create(on: db)
                for (index, method) in contact.methods.enumerated() {
                    let methodRow = PocMethod()
                    methodRow.$contact.id = row.id!
                    methodRow.channel = method.channel.rawValue
                    methodRow.address = method.address
                    methodRow.position = index
                    methodRow.note = method.note
                    methodRow.published = method.published
                    methodRow.verifiedAt = verified[method.channel.rawValue + " " + method.address]
                    try await methodRow.create(on: db)
                }
            }
            try await AuditLog.append(
                on: db, actor: user.email, action: "poc_change", subject: "organisation:\(organisationID)",
                detail: ["contacts": String(checked.count), "methods": String(checked.reduce(0) { $0 + $1.methods.count })])
        }
        return try await self.roster(of: organisation)
    }

    struct CheckedMethod {
        var channel: ContactChannel
        var address: String
        var note: String?
        var published: Bool
    }

    struct CheckedContact {
        var rank: ContactRank
        var name: String
        var title: String?
        var availableAlways: Bool
        var hours: String?
        var methods: [CheckedMethod]
    }

    /// Every mistake is a 422 naming the contact and method it is in; nothing is written.
    static func validate(_ input: RosterInput) throws -> [CheckedContact] {
        func bad(_ ja: String, _ en: String) -> UserError { UserError(status: .unprocessableEntity, ja: ja, en: en) }
        guard (1...Self.maxContacts).contains(input.contacts.count) else {
            throw bad("連絡先は1〜\(Self.maxContacts)名で登録してください", "give 1 to \(Self.maxContacts) contacts")
        }
        var result: [CheckedContact] = []
        for (index, contact) in input.contacts.enumerated() {
            let n = index + 1
            guard let rank = ContactRank(rawValue: contact.rank) else {
                throw bad("\(n)人目: 区分は primary・secondary・deputy のいずれかです", "contact \(n): rank must be primary, secondary or deputy")
            }
            let name = contact.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= 200 else { throw bad("\(n)人目: 氏名を200文字以内で入力してください", "contact \(n): give a name of up to 200 characters") }
            // Names, titles and hours are one line: they head call tasks, mail and printed sheets.
            guard ![name, contact.title ?? "", contact.hours ?? ""].contains(where: ProtocolText.hasControlCharacters) else {
                throw bad("\(n)人目: 氏名・役職・対応時間に改行や制御文字は使えません", "contact \(n): name, title and hours must be one line without control characters")
            }
            let hours = contact.hours?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            guard contact.availableAlways || hours != nil else {
                throw bad("\(n)人目: 24時間対応でない場合は対応時間を入力してください", "contact \(n): give the hours, or mark the contact available around the clock")
            }
            guard (1...Self.maxMethodsPerContact).contains(contact.methods.count) else {
                throw bad("\(n)人目: 連絡手段を1〜\(Self.maxMethodsPerContact)件登録してください", "contact \(n): give 1 to \(Self.maxMethodsPerContact) ways to reach them")
            }
            var methods: [CheckedMethod] = []
            for (m, method) in contact.methods.enumerated() {
                guard let channel = ContactChannel(rawValue: method.channel) else {
                    throw bad("\(n)人目の連絡手段\(m + 1): 不明な種別です: \(method.channel)", "contact \(n), method \(m + 1): unknown channel '\(method.channel)'")
                }
                let address = try channel.storedAddress(method.address, at: ("\(n)人目の連絡手段\(m + 1)", "contact \(n), method \(m + 1)"))
                methods.append(CheckedMethod(
                    channel: channel, address: address, note: method.note?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty,
                    published: method.published ?? false))
            }
            result.append(CheckedContact(
                rank: rank, name: name, title: contact.title?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty,
                availableAlways: contact.availableAlways, hours: hours, methods: methods))
        }
        guard result.contains(where: { $0.rank == .primary }) else {
            throw bad("正の連絡先（primary）を1名以上登録してください", "name at least one primary contact")
        }
        return result
    }
}

extension String {
    var nilIfEmpty: String? { self.isEmpty ? nil : self }
}

extension ContactChannel {
    /// The address in its stored form, or a 422 that says where it was (`place`, prefixed to the
    /// reason in each language) — the one translation of `ContactAddressError` for requests.
    func storedAddress(_ raw: String, at place: (ja: String, en: String)) throws -> String {
        switch self.normalise(raw) {
        case .success(let address): return address
        case .failure(let error):
            throw UserError(status: .unprocessableEntity, ja: "\(place.ja): \(error.message.ja)", en: "\(place.en): \(error.message.en ?? error.rawValue)")
        }
    }
}
