import Crypto
import Foundation

/// One entry of the append-only audit log. Each entry's hash covers its own fields and the
/// previous entry's hash, so editing, deleting or reordering any entry breaks the chain from
/// that point on.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var sequence: Int
    /// ISO 8601 with milliseconds, UTC: part of what is hashed, so stored as text.
    public var at: String
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String
    public var previousHash: String
    public var hash: String

    public init(sequence: Int, at: String, actor: String, action: String, subject: String, detail: String, previousHash: String, hash: String) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }
}

public enum AuditChain {
    /// The previous hash of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The entry that follows `previous` (nil for the first), hashed.
    public static func next(after previous: (sequence: Int, hash: String)?, at: Date, actor: String, action: String, subject: String, detail: String) -> AuditEntry {
        let sequence = (previous?.sequence ?? 0) + 1
        let previousHash = previous?.hash ?? self.genesis
        let time = self.timestamp(at)
        let hash = self.hash(sequence: sequence, at: time, actor: actor, action: action, subject: subject, detail: detail, previousHash: previousHash)
        return AuditEntry(sequence: sequence, at: time, actor: actor, action: action, subject: subject, detail: detail, previousHash: previousHash, hash: hash)
    }

    /// SHA-256 over the fields, each length-prefixed so no two field lists hash alike.
    public static func hash(sequence: Int, at: String, actor: String, action: String, subject: String, detail: String, previousHash: String) -> String {
        var data = Data()
        for field in [String(sequence), at, actor, action, subject, detail, previousHash] {
            let bytes = Data(field.utf8)
            data.append(contentsOf: String(bytes.count).utf8)
            data.append(0x3A)
            data.append(bytes)
        }
        // Hex by hand: `String(format:)` per byte cost more than the hash itself.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: data) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// `2026-11-26T15:55:01.123Z`. Written by hand: a formatter object costs more than the
    /// rest of an append, and the relay appends one entry per hop.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let fraction = Int(milliseconds - seconds * 1000)
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let civil = Day.civil(daysSince1970: Int64(days))
        let (year, month, day) = (Int(civil.year), Int(civil.month), Int(civil.day))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 3))Z"
    }

    public enum Break: Equatable, Sendable, CustomStringConvertible {
        /// The entry's fields no longer match its hash: it was edited.
        case edited(sequence: Int)
        /// A sequence number is missing before this one: entries were deleted.
        case missing(before: Int)
        /// The entry does not follow the one before it: deleted, inserted or reordered.
        case unlinked(sequence: Int)
        /// The entry stands later than its place: entries were reordered.
        case reordered(sequence: Int)

        public var sequence: Int {
            switch self {
            case .edited(let s), .missing(let s), .unlinked(let s), .reordered(let s): return s
            }
        }

        public var description: String {
            switch self {
            case .edited(let s): return "entry \(s) was edited (its hash does not match its contents)"
            case .missing(let s): return "entries before \(s) are missing (deleted)"
            case .unlinked(let s): return "entry \(s) does not follow the entry before it (deleted, inserted or reordered)"
            case .reordered(let s): return "entry \(s) is out of its place (reordered)"
            }
        }
    }

    /// Checks entries in stored order (ascending sequence expected); the first break, or nil.
    public static func verify(_ entries: [AuditEntry]) -> Break? {
        var previous: AuditEntry?
        for (index, entry) in entries.enumerated() {
            let expected = self.hash(
                sequence: entry.sequence, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject,
                detail: entry.detail, previousHash: entry.previousHash)
            if expected != entry.hash { return .edited(sequence: entry.sequence) }
            let expectedSequence = (previous?.sequence ?? 0) + 1
            if entry.sequence > expectedSequence {
                let later = entries[(index + 1)...].contains { $0.sequence == expectedSequence }
                return later ? .reordered(sequence: expectedSequence) : .missing(before: entry.sequence)
            }
            if entry.sequence != expectedSequence || entry.previousHash != (previous?.hash ?? self.genesis) {
                return .unlinked(sequence: entry.sequence)
            }
            previous = entry
        }
        return nil
    }
}
