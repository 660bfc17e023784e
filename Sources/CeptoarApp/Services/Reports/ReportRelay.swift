import CeptoarKit
import Fluent
import Foundation

/// A report's upward relay: member → CEPTOAR → competent ministry → NISC. Each hop is
/// forwarded at once or held for review as its holder's setting says (by default the CEPTOAR
/// reviews and the ministry passes reports on at once), and never further than the policy
/// allows: not past the CEPTOAR when the reporter chose so, and TLP:RED or AMBER+STRICT only
/// with the reporter's consent. A hop that can go no further is `final`.
struct ReportRelay {
    let database: any Database

    /// The roles that act at a hop; the page asks the same before offering the button.
    static func mayForward(_ user: User) -> Bool {
        user.has(.ceptoarSecretariat) || user.has(.ministryLiaison) || user.has(.niscCoordinator) || user.has(.analyst)
    }

    static func defaultForwardsAtOnce(_ step: AccessPolicy.ReportStep) -> Bool { step == .ministry }

    /// The reports arrive at `step`, each held by its `holders`: every hop created with one
    /// insert and the holders' settings read once; a hop whose holder forwards at once is
    /// then completed (and the next step arrived at) report by report.
    func arrive(_ loaded: inout [ReportBook.Loaded], at step: AccessPolicy.ReportStep, holders: [[UUID]], now: Date? = nil) async throws {
        let settings = try await self.settings(of: Set(holders.joined()))
        var created: [ReportHop] = []
        var atOnce: [(index: Int, hop: ReportHop, at: Date)] = []
        for index in loaded.indices {
            let at = now ?? loaded[index].report.createdAt
            for holder in holders[index] where !loaded[index].hops.contains(where: { $0.reportStep == step && $0.$organisation.id == holder }) {
                let hop = ReportHop()
                hop.id = UUID.timeOrdered()
                hop.$report.id = try loaded[index].report.requireID()
                hop.$organisation.id = holder
                hop.step = step.rawValue
                hop.receivedAt = at
                hop.automatic = false
                hop.status = ReportHop.Status.held.rawValue
                loaded[index].hops.append(hop)
                created.append(hop)
                if case .deny = AccessPolicy.forwardReport(loaded[index].item, from: step, by: holder.uuidString) {
                    hop.status = ReportHop.Status.final.rawValue
                } else if Self.forwardsAtOnce(settings[holder], step: step, severity: loaded[index].report.severity) {
                    atOnce.append((index, hop, at))
                }
            }
        }
        try await created.insertRows(on: self.database)
        // A hop completed with another holder's at the same step is no longer held.
        for (index, hop, at) in atOnce where hop.hopStatus == .held {
            try await self.complete(&loaded[index], hop, actor: nil, note: nil, now: at)
        }
    }

    /// One report arrives at `step`, held by `holders`.
    func arrive(_ loaded: inout ReportBook.Loaded, at step: AccessPolicy.ReportStep, holders: [UUID], now: Date) async throws {
        var one = [loaded]
        try await self.arrive(&one, at: step, holders: [holders], now: now)
        loaded = one[0]
    }

    /// A person at the hop forwards the report to the next step.
    func forward(_ id: UUID, by user: User, note raw: String?, now: Date = Date()) async throws -> ReportBook.Loaded {
        let note = raw?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, note.count > 2000 {
            throw UserError(status: .unprocessableEntity, ja: "補足は2000文字以内です", en: "note: up to 2000 characters", fields: ["note"])
        }
        guard Self.mayForward(user) else { throw ReportBook.denied(.notThisHop) }
        return try await self.database.atomically { db in
            var loaded = try await ReportBook.load(id, on: db)
            let organisation = user.$organisation.id
            guard let hop = loaded.hops.filter({ $0.$organisation.id == organisation }).max(by: { $0.reportStep < $1.reportStep }) else {
                throw ReportBook.denied(.notThisReport)
            }
            if case .deny(let denial) = AccessPolicy.forwardReport(loaded.item, from: hop.reportStep, by: organisation.uuidString) {
                throw ReportBook.denied(denial)
            }
            guard hop.hopStatus == .held else {
                throw UserError(status: .conflict, ja: "この報告は既に転送済みです", en: "this report was already \(hop.status == "final" ? "as far as it goes" : "forwarded") from here")
            }
            try await ReportRelay(database: db).complete(&loaded, hop, actor: user, note: note.flatMap { $0.isEmpty ? nil : $0 }, now: now)
            return loaded
        }
    }

    /// After a new stage version: a hop that stopped because of what the report said (no
    /// consent, not past the CEPTOAR) is held again for review once that no longer holds.
    func reconsider(_ loaded: inout ReportBook.Loaded, now: Date) async throws {
        for hop in loaded.hops where hop.hopStatus == .final && hop.reportStep != .nisc {
            if case .allow = AccessPolicy.forwardReport(loaded.item, from: hop.reportStep, by: hop.$organisation.id.uuidString) {
                hop.status = ReportHop.Status.held.rawValue
                try await hop.save(on: self.database)
            }
        }
    }

    /// Marks the hop (and any other holder's hop at the same step) forwarded and opens the next.
    private func complete(_ loaded: inout ReportBook.Loaded, _ hop: ReportHop, actor: User?, note: String?, now: Date) async throws {
        let step = hop.reportStep
        for other in loaded.hops where other.reportStep == step && other.hopStatus == .held {
            other.status = ReportHop.Status.forwarded.rawValue
            other.forwardedAt = now
            other.automatic = actor == nil
            if other.id == hop.id {
                other.$actor.id = try actor?.requireID()
                other.note = note
            }
            try await other.save(on: self.database)
        }
        let reportID = try loaded.report.requireID()
        try await AuditLog.append(on: self.database, actor: actor?.email ?? "system:auto-forward", action: "report_forward", subject: "report:\(reportID)",
                                  detail: ["from": step.rawValue, "hop": hop.id!.uuidString])
        guard let next = step.next else { return }
        let holders = try await ReportSteps(database: self.database).holders(next, ceptoar: loaded.report.$ceptoar.id, sector: loaded.report.$sector.id)
        try await self.arrive(&loaded, at: next, holders: holders, now: now)
    }

    /// The holders' relay settings (none for a holder that keeps the default).
    func settings(of holders: Set<UUID>) async throws -> [UUID: ReportRelaySetting] {
        guard !holders.isEmpty else { return [:] }
        let found = try await ReportRelaySetting.query(on: self.database).filter(\.$organisation.$id ~~ Array(holders)).all()
        return Dictionary(found.map { ($0.$organisation.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func forwardsAtOnce(_ setting: ReportRelaySetting?, step: AccessPolicy.ReportStep, severity: Int) -> Bool {
        guard let setting else { return Self.defaultForwardsAtOnce(step) }
        guard let from = setting.forwardFromSeverity else { return false }
        return severity >= from
    }
}
