import CeptoarKit
import Vapor

/// The organisation directory and the caller's own account, for signed-in users and tokens.
struct OrganisationAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.get("organisations", use: self.search)
        v1.get("me", use: self.me)
    }

    @Sendable func search(req: Request) async throws -> DirectoryPageResult {
        _ = try req.requireUser()
        let query = req.queryItems
        let page = try RequestedPage(page: query["page"], per: query["per"], defaultPer: 50, maximumPer: Directory.maximumPer)
        let kind = query["kind"].flatMap { $0.isEmpty ? nil : $0 }
        return try await Directory(database: req.db).search(query: query["q"] ?? "", kind: kind, page: page, on: .today)
    }

    struct Me: Content {
        var email: String
        var displayName: String
        var roles: [String]
        var organisation: String
        var organisationKey: String?
    }

    @Sendable func me(req: Request) async throws -> Me {
        let user = try req.requireUser()
        let organisation = try await user.$organisation.get(on: req.db)
        return Me(
            email: user.email, displayName: user.displayName, roles: user.roleList.map(\.rawValue),
            organisation: organisation.name.text(req.language), organisationKey: organisation.key)
    }
}

extension DirectoryPageResult: Content {}

extension Day {
    /// Japan's calendar, made once: building a time zone reads the zone database.
    static let japaneseCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        return calendar
    }()

    /// Today in Japan, the day the registry's "current" means.
    static var today: Day { self.inJapan(Date()) }

    /// The day in Japan at `date`.
    static func inJapan(_ date: Date) -> Day {
        let parts = self.japaneseCalendar.dateComponents([.year, .month, .day], from: date)
        return Day(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}
