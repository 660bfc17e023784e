import CeptoarKit
import Fluent
import Foundation

/// A judgement may rest only on items that exist and that its author may read: a link to a
/// report of another CEPTOAR would tell the scope's members that it exists.
struct SituationLinkCheck {
    let database: any Database

    func check(_ links: [SituationLink], by user: User) async throws {
        let organisation = user.$organisation.id
        var sectorsWithTrends: Set<UUID>?? = .none
        for link in links {
            let name = "\(link.kind) \(link.id.uuidString.lowercased())"
            func refused(_ ja: String, _ en: String) -> UserError {
                UserError(status: .unprocessableEntity, ja: "根拠 \(name): \(ja)", en: "links: \(name): \(en)", fields: ["links"])
            }
            let unreadable = refused("存在しないか、閲覧できません", "does not exist or you may not read it")
            switch link.linkKind {
            case .report:
                let book = ReportBook(database: self.database)
                guard let report = try await book.readable(by: organisation).filter(\.$id == link.id).first(),
                      !(try await book.permitted([report], for: organisation)).isEmpty
                else { throw unreadable }
                if report.exercise { throw refused("演習の報告は実際の情勢の根拠になりません", "an exercise report cannot support a real judgement") }
            case .advisory:
                guard let advisory = try await Advisory.find(link.id, on: self.database),
                      case .allow = try await Access(database: self.database).reading(advisory, by: user).decision
                else { throw unreadable }
            case .failureCase:
                do {
                    _ = try await FailureCases(database: self.database).open(link.id, by: user)
                } catch is UserError {
                    throw unreadable
                }
            case .trendFlag:
                guard let flag = try await TrendFlag.find(link.id, on: self.database) else { throw unreadable }
                if case .none = sectorsWithTrends {
                    sectorsWithTrends = .some(try await ReportCorrelation(database: self.database).coordinatedSectors(of: organisation))
                }
                if case .some(.some(let sectors)) = sectorsWithTrends, !sectors.contains(flag.$sector.id) { throw unreadable }
            case nil:
                throw refused("種類は report, trend_flag, advisory, failure_case のいずれかです", "kind must be report, trend_flag, advisory or failure_case")
            }
        }
    }
}
