import CeptoarKit
import Fluent
import Foundation

/// The TAXII collection of incident reports (情報連絡): for each requester, the reports the
/// policy lets its organisation read — its own, those at a step it holds, an analysis body's —
/// as STIX, each in the requester's view (`ReportExchange`). Unlike the other collections it is
/// not read from the object store: one stored text cannot be named for the CEPTOAR and
/// anonymised for NISC at once, so the objects are written per requester as they are read.
///
/// A report is added to the collection for a requester when its version in force was
/// submitted or, if later, when it reached the requester's step; `next` tokens count reports
/// in that order. One version is served: the version in force.
struct ReportCollection {
    let database: any Database
    let context: SharingContext

    func page(_ query: CollectionReader.Query) async throws -> CollectionReader.Page {
        guard let user = self.context.user else { return CollectionReader.Page(objects: [], more: false, lastSeq: nil) }
        let organisation = user.$organisation.id
        let book = ReportBook(database: self.database)
        // What the requester may be shown, with when each reached it.
        let candidates = try await book.readable(by: organisation).field(\.$id).field(\.$updatedAt).all()
        let arrivals = try await ReportHop.query(on: self.database).filter(\.$organisation.$id == organisation).all()
        var reached: [UUID: Date] = [:]
        for hop in arrivals { reached[hop.$report.id] = Swift.min(reached[hop.$report.id] ?? hop.receivedAt, hop.receivedAt) }
        var order: [(id: UUID, added: STIXTime)] = candidates.compactMap { report in
            guard let id = report.id else { return nil }
            return (id, STIXTime(Swift.max(report.updatedAt, reached[id] ?? report.updatedAt)))
        }
        order.sort { ($0.added, $0.id.uuidString) < ($1.added, $1.id.uuidString) }

        var objects: [CollectionReader.Object] = []
        var seen: Set<String> = []
        var position = query.afterSeq ?? 0
        var lastSeq: Int?
        let start = position
        // Reports are read a batch at a time until the page is full: a page holds whole reports.
        while position < order.count, objects.count < query.limit {
            let batch = order[position..<Swift.min(order.count, position + 50)].enumerated().filter { _, entry in
                query.addedAfter.map { entry.added > $0 } ?? true
            }
            let wanted = batch.map(\.element.id)
            let reports = wanted.isEmpty ? [] : try await IncidentReport.query(on: self.database).filter(\.$id ~~ wanted).all()
            let byID = Dictionary(reports.compactMap { r in r.id.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
            let permitted = try await book.permitted(wanted.compactMap { byID[$0] }, for: organisation)
            let incidents = try await ReportExchange(database: self.database).incidents(permitted)
            let incidentsByReport = Dictionary(incidents.map { ($0.report, $0) }, uniquingKeysWith: { a, _ in a })
            var consumed = Swift.min(order.count, position + 50) - position
            for (offset, entry) in batch {
                guard let incident = incidentsByReport[entry.id] else { continue }
                let served = self.objects(incident, added: entry.added, seq: position + offset + 1, query: query).filter { !seen.contains($0.id + "|" + $0.versionKey) }
                if !objects.isEmpty, objects.count + served.count > query.limit {
                    consumed = offset
                    break
                }
                for object in served { seen.insert(object.id + "|" + object.versionKey) }
                objects += served
                lastSeq = position + offset + 1
            }
            position += consumed
            if objects.count >= query.limit { break }
        }
        // Sequence numbers: the report's place in the order, so `next` resumes after it.
        return CollectionReader.Page(objects: objects, more: position < order.count, lastSeq: lastSeq ?? (position > start ? position : nil))
    }

    /// The objects of one incident that match the query's filters.
    private func objects(_ incident: SharedIncident, added: STIXTime, seq: Int, query: CollectionReader.Query) -> [CollectionReader.Object] {
        IncidentMapping.objects(incident).compactMap { object in
            guard let id = object["id"]?.string, let type = object["type"]?.string else { return nil }
            let version = (object["modified"]?.string ?? object["created"]?.string).flatMap(STIXTime.init) ?? added
            if !query.ids.isEmpty, !query.ids.contains(id) { return nil }
            if !query.types.isEmpty, !query.types.contains(type) { return nil }
            if !query.specVersions.isEmpty, !query.specVersions.contains("2.1") { return nil }
            // One version is served, so first, last and all each match it; timestamps must name it.
            let named = query.versions.compactMap { match -> String? in if case .at(let key) = match { return key } else { return nil } }
            if named.count == query.versions.count, !named.contains(version.canonical) { return nil }
            return CollectionReader.Object(seq: seq, id: id, type: type, versionKey: version.canonical, version: version.canonical, dateAdded: added.canonical, body: object.encoded())
        }
    }
}
