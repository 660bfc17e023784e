import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// Cross-sector exercises (分野横断的演習): NISC plans timed injects — advisories and drills,
/// marked exercise (CAP status Exercise) — for participating CEPTOARs; the worker sends each
/// when its time comes; what participants do is recorded as in real life (hops forwarded,
/// deliveries acknowledged, drills answered, exercise reports filed) and read back as the
/// after-action report. Nothing marked exercise is counted in real statistics.
struct Exercises {
    let database: any Database

    struct InjectInput: Content {
        var at: Date
        var kind: String
        var title: LocalizedText
        var body: LocalizedText
        var severity: String?
    }

    struct Input: Content {
        var name: LocalizedText
        var participants: [String]
        var injects: [InjectInput]
    }

    static let maxInjects = 50
    static let maxParticipants = 40
    /// An exercise is planned up to a year ahead.
    static let horizon: TimeInterval = 366 * 86_400
    /// An inject marks itself in the title, so nobody takes it for the real thing.
    static let marker = LocalizedText(ja: "【演習】", en: "[EXERCISE] ")

    func create(_ input: Input, by user: User, now: Date = Date()) async throws -> Exercise {
        func bad(_ ja: String, _ en: String, _ field: String) -> UserError { UserError(status: .unprocessableEntity, ja: ja, en: en, fields: [field]) }
        let registry = try await SituationRegistry.load(on: self.database)
        let person = try await SituationBook(database: self.database).coordinator(for: user, registry: registry)
        guard person.isNISC else {
            throw UserError.forbidden(ja: "分野横断的演習を計画できるのは NISC コーディネータです", en: "only NISC coordinators plan cross-sector exercises")
        }
        let name = input.name.ja.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200, (input.name.en ?? "").count <= 200, !ProtocolText.hasControlCharacters(name) else {
            throw bad("演習名を1行200文字以内で入力してください", "give the exercise a one-line name of up to 200 characters", "name")
        }
        let participants = Array(Set(input.participants)).sorted()
        guard (1...Self.maxParticipants).contains(participants.count) else {
            throw bad("参加セプターを1〜\(Self.maxParticipants)指定してください", "name 1 to \(Self.maxParticipants) participating CEPTOARs", "participants")
        }
        let unknown = participants.filter { registry.ceptoar($0) == nil }
        guard unknown.isEmpty else {
            throw bad("登録されていないセプターです: \(unknown.joined(separator: ", ").prefix(200))", "no such CEPTOAR: \(unknown.joined(separator: ", ").prefix(200))", "participants")
        }
        guard (1...Self.maxInjects).contains(input.injects.count) else {
            throw bad("インジェクトを1〜\(Self.maxInjects)件指定してください", "give 1 to \(Self.maxInjects) injects", "injects")
        }
        for (index, inject) in input.injects.enumerated() {
            let field = "injects[\(index)]"
            guard inject.at >= now else {
                throw bad("インジェクト\(index + 1)の時刻が過去です", "\(field).at is in the past: an inject is planned ahead", "\(field).at")
            }
            guard inject.at <= now.addingTimeInterval(Self.horizon) else {
                throw bad("インジェクト\(index + 1)の時刻は1年以内にしてください", "\(field).at is more than a year ahead", "\(field).at")
            }
            guard ExerciseInject.Kind(rawValue: inject.kind) != nil else {
                throw bad("インジェクトの種類は advisory か drill です", "\(field).kind must be advisory or drill", "\(field).kind")
            }
            let title = inject.title.ja.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !title.isEmpty, title.count <= 180, (inject.title.en ?? "").count <= 180,
                  !ProtocolText.hasControlCharacters(title), !ProtocolText.hasControlCharacters(inject.title.en ?? "")
            else { throw bad("インジェクト\(index + 1)の件名を1行180文字以内で入力してください", "\(field).title: one line of up to 180 characters", "\(field).title") }
            guard !inject.body.ja.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, inject.body.ja.count <= 10_000, (inject.body.en ?? "").count <= 10_000 else {
                throw bad("インジェクト\(index + 1)の本文を10,000文字以内で入力してください", "\(field).body: 1 to 10,000 characters", "\(field).body")
            }
            guard Severity(rawValue: inject.severity ?? "medium") != nil else {
                throw bad("重要度は low・medium・high・critical です", "\(field).severity must be low, medium, high or critical", "\(field).severity")
            }
        }
        return try await self.database.atomically { db in
            let exercise = Exercise()
            exercise.id = UUID.timeOrdered(at: now)
            exercise.createdAt = now
            exercise.$createdBy.id = try user.requireID()
            exercise.nameJa = name
            exercise.nameEn = input.name.en.flatMap { $0.isEmpty ? nil : $0 }
            exercise.participants = participants.joined(separator: ",")
            try await exercise.create(on: db)
            for (index, each) in input.injects.sorted(by: { $0.at < $1.at }).enumerated() {
                let inject = ExerciseInject()
                inject.id = UUID()
                inject.$exercise.id = exercise.id!
                inject.position = index + 1
                inject.dueAt = each.at
                inject.kind = each.kind
                inject.titleJa = each.title.ja.trimmingCharacters(in: .whitespacesAndNewlines)
                inject.titleEn = each.title.en.flatMap { $0.isEmpty ? nil : $0 }
                inject.bodyJa = each.body.ja
                inject.bodyEn = each.body.en.flatMap { $0.isEmpty ? nil : $0 }
                inject.severity = each.severity ?? "medium"
                try await inject.create(on: db)
            }
            try await AuditLog.append(on: db, actor: user.email, action: "exercise_plan", subject: "exercise:\(exercise.id!)",
                                      detail: ["participants": exercise.participants, "injects": String(input.injects.count)])
            return exercise
        }
    }

    // MARK: sending

    /// Sends every inject whose time has come, each in a transaction of its own that claims it
    /// first (a second worker, or a restart mid-way, never sends it twice). Returns how many.
    @discardableResult
    func sendDue(now: Date = Date(), routes: RouteTable) async throws -> Int {
        let due = try await ExerciseInject.query(on: self.database).filter(\.$sentAt == nil).filter(\.$dueAt <= now).sort(\.$dueAt).limit(20).all()
        var sent = 0
        for inject in due {
            let id = try inject.requireID()
            let done: Bool = try await self.database.atomically { db in
                let claimed = try await (db as! any SQLDatabase).raw("""
                    UPDATE exercise_injects SET sent_at = \(bind: now) WHERE id = \(bind: id) AND sent_at IS NULL RETURNING id
                    """).all()
                guard !claimed.isEmpty, let inject = try await ExerciseInject.find(id, on: db) else { return false }
                let exercise = try await inject.$exercise.get(on: db)
                let creator = try await exercise.$createdBy.get(on: db)
                do {
                    inject.result = try await Self.send(inject, of: exercise, by: creator, on: db, routes: routes, now: now)
                } catch let error as UserError {
                    // The plan no longer fits the registry (a CEPTOAR retired): recorded, not retried.
                    inject.error = String(error.en.prefix(500))
                }
                try await inject.save(on: db)
                try await AuditLog.append(on: db, actor: "system:exercise", action: "exercise_inject", subject: "exercise:\(exercise.id!)",
                                          detail: ["inject": String(inject.position), "kind": inject.kind, "due": ISO8601DateFormatter().string(from: inject.dueAt),
                                                   "result": inject.result ?? "", "error": inject.error ?? ""])
                return true
            }
            if done { sent += 1 }
        }
        return sent
    }

    private static func send(_ inject: ExerciseInject, of exercise: Exercise, by creator: User, on db: any Database, routes: RouteTable, now: Date) async throws -> String {
        let sql = db as! any SQLDatabase
        let title = LocalizedText(ja: Self.marker.ja + inject.titleJa, en: (Self.marker.en ?? "") + (inject.titleEn ?? inject.titleJa))
        let body = LocalizedText(
            ja: "これは演習「\(exercise.nameJa)」のインジェクトです。実際の事象ではありません。\n\n\(inject.bodyJa)",
            en: "This is an inject of the exercise \"\(exercise.nameEn ?? exercise.nameJa)\". It is not a real event.\n\n\(inject.bodyEn ?? inject.bodyJa)")
        switch ExerciseInject.Kind(rawValue: inject.kind) {
        case .advisory:
            let input = AdvisoryInput(
                title: title, body: body, severity: inject.severity, category: AdvisoryCategory.other.rawValue, tlp: TLP.green.rawValue,
                targets: exercise.participantKeys.map { AdvisoryInput.Target(kind: "ceptoar", key: $0) })
            let advisory = try await Relay(database: db).publishExercise(input, by: creator)
            return try advisory.requireID().uuidString
        case .drill:
            var ids: [String] = []
            for key in exercise.participantKeys {
                let started = try await Alerts(database: db).start(
                    Alerts.Input(kind: "drill", scope: "ceptoar", key: key, title: title, body: body,
                                 severity: inject.severity),
                    by: creator, idempotencyKey: nil, now: now, routes: routes)
                try await sql.raw("UPDATE alerts SET exercise = \(bind: true) WHERE id = \(bind: started.alert.requireID())").run()
                ids.append(try started.alert.requireID().uuidString)
            }
            return ids.joined(separator: ",")
        case nil:
            throw UserError(status: .unprocessableEntity, ja: "不明なインジェクトです", en: "unknown inject kind \(inject.kind)")
        }
    }
}
