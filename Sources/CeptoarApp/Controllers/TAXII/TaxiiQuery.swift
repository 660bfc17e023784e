import CeptoarKit
import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The query of a TAXII request, parsed into bounded values before anything reads it:
/// `limit`, `added_after`, `next` and the `match[…]` filters. A value that does not parse is a
/// 400 TAXII error, never a guess.
struct TaxiiQuery {
    static let defaultLimit = 100
    static let maxLimit = 1000
    static let maxMatches = 100

    var limit = Self.defaultLimit
    var addedAfter: STIXTime?
    var next: String?
    var ids: [String] = []
    var types: [String] = []
    var versions: [CollectionReader.VersionMatch] = [.last]
    var specVersions: [String] = []

    init(_ request: Request) throws {
        var seen: Set<String> = []
        for (name, value) in Self.pairs(request.url.query ?? "") {
            guard seen.insert(name).inserted else { throw Self.bad("「\(name)」が重複しています", "'\(name)' is given twice") }
            func list() throws -> [String] {
                let items = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard !items.isEmpty, items.count <= Self.maxMatches, items.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 300 }) else {
                    throw Self.bad("\(name) は1〜\(Self.maxMatches)個のカンマ区切りの値です", "\(name) takes 1 to \(Self.maxMatches) comma-separated values")
                }
                return items
            }
            switch name {
            case "limit":
                guard let number = Int(value), number >= 1 else { throw Self.bad("limit は1以上の整数です", "limit must be a whole number of at least 1") }
                self.limit = min(number, Self.maxLimit)
            case "added_after":
                guard let time = STIXTime(value) else { throw Self.bad("added_after は RFC 3339 の UTC 時刻（…Z）です", "added_after must be an RFC 3339 UTC timestamp such as 2026-12-03T00:00:00.000Z") }
                self.addedAfter = time
            case "next":
                guard !value.isEmpty, value.utf8.count <= 200 else { throw Self.bad("next が不正です", "next is not a paging token") }
                self.next = value
            case "match[id]":
                self.ids = try list()
                guard self.ids.allSatisfy({ STIXIdentifier.parse($0) != nil }) else { throw Self.bad("match[id] は STIX の id です", "match[id] takes STIX ids (type--UUID)") }
            case "match[type]":
                self.types = try list()
                guard self.types.allSatisfy(STIXObjectCheck.isTypeName) else { throw Self.bad("match[type] は STIX の型名です", "match[type] takes STIX type names") }
            case "match[version]":
                self.versions = try list().map { item in
                    switch item {
                    case "first": return .first
                    case "last": return .last
                    case "all": return .all
                    default:
                        guard let time = STIXTime(item) else { throw Self.bad("match[version] は first・last・all または時刻です", "match[version] takes first, last, all or a timestamp") }
                        return .at(time.canonical)
                    }
                }
            case "match[spec_version]":
                self.specVersions = try list()
                guard self.specVersions.allSatisfy({ $0.count <= 5 && $0.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } }) else {
                    throw Self.bad("match[spec_version] は 2.1 などの版です", "match[spec_version] takes versions such as 2.1")
                }
            default:
                // Unknown parameters (and other match[...] fields) are ignored, as TAXII asks.
                continue
            }
        }
    }

    static func bad(_ ja: String, _ en: String) -> TaxiiError { TaxiiError.badRequest(ja: ja, en: en) }

    /// `a=b&c=d`, percent-decoded (`+` stays a plus: STIX timestamps carry none, ids neither).
    static func pairs(_ query: String) -> [(String, String)] {
        query.split(separator: "&").compactMap { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = pieces.first.flatMap({ String($0).removingPercentEncoding }) else { return nil }
            let value = pieces.count > 1 ? (String(pieces[1]).removingPercentEncoding ?? String(pieces[1])) : ""
            return (name, value)
        }
    }
}

/// `next` tokens: the position to resume after, when issued, for which collection and whom,
/// signed with the node's key. Unknown, altered, someone else's or older than a day: refused.
struct TaxiiPaging {
    static let lifetime: TimeInterval = 24 * 3600
    let key: SymmetricKey

    /// The node's paging key, read once per application (it never changes once made).
    static func make(for request: Request) async throws -> TaxiiPaging {
        let box = request.application.taxiiPagingKey
        if let key = box.withLockedValue({ $0 }) { return TaxiiPaging(key: key) }
        let key = SymmetricKey(data: try await AlertSecrets.key(named: "taxii_next_key", on: request.db))
        box.withLockedValue { $0 = key }
        return TaxiiPaging(key: key)
    }

    func token(after seq: Int, collection: String, requester: String, now: Date = Date()) -> String {
        let payload = "\(seq).\(Int64(now.timeIntervalSince1970))"
        return payload + "." + self.mac(payload, collection, requester)
    }

    func resume(_ token: String, collection: String, requester: String, now: Date = Date()) throws -> Int {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let unknown = TaxiiQuery.bad("next の値が不明です。最初から取得し直してください", "unknown paging token: start again from the first page")
        guard parts.count == 3, let seq = Int(parts[0]), seq >= 0, let issued = Int64(parts[1]),
            self.mac(parts[0] + "." + parts[1], collection, requester) == parts[2]
        else { throw unknown }
        guard now.timeIntervalSince1970 - Double(issued) <= Self.lifetime, Double(issued) <= now.timeIntervalSince1970 + 60 else {
            throw TaxiiQuery.bad("next の有効期限が切れています。added_after で続きから取得してください", "the paging token has expired: resume with added_after")
        }
        return seq
    }

    private func mac(_ payload: String, _ collection: String, _ requester: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(payload)|\(collection)|\(requester)".utf8), using: self.key)
        return Data(code).prefix(12).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}

private struct TaxiiPagingKeyStorage: StorageKey { typealias Value = NIOLockedValueBox<SymmetricKey?> }

extension Application {
    /// Set by `configure`, so every request shares the one box.
    var taxiiPagingKey: NIOLockedValueBox<SymmetricKey?> {
        get { self.storage[TaxiiPagingKeyStorage.self] ?? NIOLockedValueBox(nil) }
        set { self.storage[TaxiiPagingKeyStorage.self] = newValue }
    }
}
