import CeptoarKit
import Foundation
import SQLKit
import Vapor

/// A TAXII status resource (TAXII 2.1 §4.3.1): what a POST's objects came to. Ceptoar stores
/// an envelope whole or not at all before it answers, so every status is "complete" at once.
/// Made once per POST: the same values are written to `taxii_statuses` and sent as the answer.
struct TaxiiStatus: Sendable {
    var id: UUID
    var owner: UUID
    var status = "complete"
    var requestTimestamp: String
    var total: Int
    var successCount: Int
    var failureCount: Int
    var pendingCount = 0
    /// JSON arrays of status details (`id`, `version`, `message`), as written.
    var successes: String
    var failures: String

    init(_ outcome: StixIngest.Outcome, id: UUID, owner: UUID, started: STIXTime) {
        self.id = id
        self.owner = owner
        self.requestTimestamp = started.canonical
        self.total = outcome.total
        self.successCount = outcome.successes.count
        self.failureCount = outcome.failures.count
        self.successes = Self.details(outcome.successes)
        self.failures = Self.details(outcome.failures)
    }

    init(_ record: TaxiiStatusRecord) {
        self.id = record.id ?? UUID()
        self.owner = record.ownerID
        self.status = record.status
        self.requestTimestamp = record.requestTimestamp
        self.total = record.totalCount
        self.successCount = record.successCount
        self.failureCount = record.failureCount
        self.pendingCount = record.pendingCount
        self.successes = record.successes
        self.failures = record.failures
    }

    /// Written in the transaction given (their envelopes' own).
    static func save(_ statuses: [TaxiiStatus], on db: any SQLDatabase) async throws {
        let now = Date()
        try await db.insertValues(into: TaxiiStatusRecord.schema, columns: [
            "id", "owner_id", "status", "request_timestamp", "total_count", "success_count", "failure_count", "pending_count",
            "successes", "failures", "created_at",
        ], statuses.map { status in [
            .uuid(status.id), .uuid(status.owner), .text(status.status), .text(status.requestTimestamp), .integer(status.total),
            .integer(status.successCount), .integer(status.failureCount), .integer(status.pendingCount), .text(status.successes),
            .text(status.failures), .date(now),
        ] })
    }

    /// The resource's JSON text. The detail lists are Ceptoar's own JSON (written by
    /// `details`), so they are set in as they are rather than parsed and written again.
    var resource: String {
        var out: [UInt8] = []
        out.reserveCapacity(self.successes.utf8.count + self.failures.utf8.count + 256)
        func member(_ name: StaticString, _ write: (inout [UInt8]) -> Void) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
            write(&out)
        }
        member("id") { JSONText.write(string: self.id.uuidString.lowercased(), into: &$0) }
        member("status") { JSONText.write(string: self.status, into: &$0) }
        member("request_timestamp") { JSONText.write(string: self.requestTimestamp, into: &$0) }
        member("total_count") { $0.append(contentsOf: String(self.total).utf8) }
        member("success_count") { $0.append(contentsOf: String(self.successCount).utf8) }
        member("failure_count") { $0.append(contentsOf: String(self.failureCount).utf8) }
        member("pending_count") { $0.append(contentsOf: String(self.pendingCount).utf8) }
        member("successes") { $0.append(contentsOf: self.successes.utf8) }
        member("failures") { $0.append(contentsOf: self.failures.utf8) }
        member("pendings") { $0.append(contentsOf: "[]".utf8) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The resource as a TAXII response.
    func response(_ status: HTTPResponseStatus) -> Response {
        let response = Response(status: status, body: .init(string: self.resource))
        response.headers.contentType = TaxiiMedia.taxii
        return response
    }

    static func details(_ list: [StixIngest.Outcome.Detail]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(list.count * 96 + 2)
        for (position, detail) in list.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"id\":".utf8)
            JSONText.write(string: detail.id, into: &out)
            if let message = detail.message {
                out.append(contentsOf: ",\"message\":".utf8)
                JSONText.write(string: message, into: &out)
            }
            out.append(contentsOf: ",\"version\":".utf8)
            JSONText.write(string: detail.version, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
