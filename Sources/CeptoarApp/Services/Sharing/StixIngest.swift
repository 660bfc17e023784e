import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// Takes STIX objects in from outside — a TAXII POST, `ceptoar stix import`, a peer's page —
/// checks each (form, marking, author, scope), and stores the envelope whole or not at all:
/// when any object is refused, none is stored and the status says why for each.
struct StixIngest {
    let database: any Database

    /// Where the objects go and on whose behalf.
    struct Target: Sendable {
        /// The party they come from.
        var source: String
        /// Identities that may author them (the party's own, or its agreement pseudonym).
        var authors: Set<String>
        /// The CEPTOAR community they are posted into, or the agreement they come under.
        var community: String?
        var agreement: Agreement?
        /// The marking given to an object that carries none.
        var unmarked: TLP
        /// The sector the source party belongs to (what an agreement's origin sectors look at).
        var sector: String?
        var peer: UUID?
    }

    struct Outcome: Sendable {
        struct Detail: Codable, Sendable, Error {
            var id: String
            var version: String
            var message: String?
        }

        var total: Int
        var successes: [Detail] = []
        var failures: [Detail] = []
        /// Versions actually written (not already there).
        var stored = 0
    }

    /// The most objects one envelope may carry.
    static let maxObjects = 5000

    /// Checks and stores `objects`; `alongside` runs in the same transaction as the store (a
    /// peer's checkpoint, a TAXII status), and only when the envelope was accepted.
    func ingest(_ objects: [JSONValue], into target: Target, language: Language,
                alongside: (@Sendable (any Database, Outcome) async throws -> Void)? = nil) async throws -> Outcome {
        let (whole, rows) = self.prepare(objects, into: target, language: language)
        guard whole.failures.isEmpty else { return whole }
        return try await self.database.atomically { db in
            var done = whole
            done.stored = try await StixStore(database: db).insert(rows).count
            try await alongside?(db, done)
            return done
        }
    }

    /// Checks `objects` and makes the rows to store, touching no database: an outcome with
    /// failures (and no rows) when any object is refused. `texts`, when given, are the objects
    /// as received (one per object): stored as they came, rather than written out again.
    func prepare(_ objects: [JSONValue], texts: [String]? = nil, into target: Target, language: Language) -> (Outcome, [StixStore.Row]) {
        var outcome = Outcome(total: objects.count)
        var rows: [StixStore.Row] = []
        var accepted: [Outcome.Detail] = []
        let texts = texts?.count == objects.count ? texts : nil
        for (position, object) in objects.enumerated() {
            switch self.check(object, text: texts?[position], target, language) {
            case .failure(let failure):
                outcome.failures.append(failure)
            case .success(let row):
                if let row {
                    rows.append(row)
                    accepted.append(Outcome.Detail(id: row.objectID, version: row.versionKey, message: nil))
                } else if let id = object["id"]?.string {
                    // A TLP marking definition: known to every node, nothing to store.
                    accepted.append(Outcome.Detail(id: id, version: object["created"]?.string ?? "", message: nil))
                }
            }
        }
        guard outcome.failures.isEmpty else {
            let message = language == .ja ? "同じエンベロープの他のオブジェクトが拒否されたため保存していません（エンベロープは全体で保存されます）"
                : "not stored: another object in this envelope was refused (an envelope is stored whole or not at all)"
            outcome.failures += accepted.map { Outcome.Detail(id: $0.id, version: $0.version, message: message) }
            return (outcome, [])
        }
        outcome.successes = accepted
        return (outcome, rows)
    }

    /// One object as a row to store; `.success(nil)` for a TLP marking definition.
    private func check(_ object: JSONValue, text: String?, _ target: Target, _ language: Language) -> Result<StixStore.Row?, Outcome.Detail> {
        func refuse(_ id: String?, _ version: String?, _ ja: String, _ en: String) -> Result<StixStore.Row?, Outcome.Detail> {
            .failure(Outcome.Detail(id: id ?? "", version: version ?? "", message: language == .ja ? ja : en))
        }
        let checked: STIXObjectCheck.Checked
        switch STIXObjectCheck.check(object) {
        case .failure(let failure):
            return .failure(Outcome.Detail(id: failure.id ?? "", version: failure.version ?? "", message: failure.message.text(language)))
        case .success(let value):
            checked = value
        }
        let version = checked.version?.canonical ?? "0001-01-01T00:00:00.000000Z"
        if checked.type == "marking-definition" {
            if TLPMarking.level(of: checked.id) != nil { return .success(nil) }
            return refuse(checked.id, version, "TLP 以外のマーキング定義は受け付けません", "only TLP marking definitions are accepted")
        }
        let tlp = TLPMarking.effective(checked.markingRefs, unmarked: target.unmarked)
        switch tlp {
        case .red:
            return refuse(checked.id, version, "TLP:RED または不明なマーキングのオブジェクトは外部から受け付けません", "a TLP:RED or unknown-marked object is not accepted from outside")
        case .amberStrict:
            return refuse(checked.id, version, "TLP:AMBER+STRICT のオブジェクトは組織の外に出せません", "a TLP:AMBER+STRICT object never leaves its organisation")
        default:
            break
        }
        let labels = object["labels"]?.array?.compactMap(\.string) ?? []
        // Only a category Ceptoar knows: a label is text from outside.
        let category = labels.first(where: { $0.hasPrefix("category:") }).map { String($0.dropFirst(9)) }.flatMap { AdvisoryCategory(rawValue: $0)?.rawValue }
        if let agreement = target.agreement {
            if tlp > agreement.maxTLP {
                return refuse(checked.id, version, "相互合意の TLP 上限（\(agreement.maxTLP.marking)）を超えています", "above the agreement's highest marking (\(agreement.maxTLP.marking))")
            }
            if !agreement.scope.covers(category: category, objectType: checked.type, originSector: target.sector) {
                return refuse(checked.id, version, "相互合意の対象範囲外です", "outside the agreement's scope")
            }
        }
        let isOwnIdentity = checked.type == "identity" && target.authors.contains(checked.id)
        let isObservable = STIXObjectCheck.observableTypes.contains(checked.type)
        if !isOwnIdentity && !(isObservable && checked.createdByRef == nil) {
            guard let author = checked.createdByRef, target.authors.contains(author) else {
                return refuse(checked.id, version, "created_by_ref が送信元の当事者ではありません", "created_by_ref is not the sending party (nor its agreement identity)")
            }
        }
        return .success(StixStore.Row(
            objectID: checked.id, type: checked.type, specVersion: checked.specVersion, versionKey: version, revoked: checked.revoked, tlp: tlp,
            createdByRef: checked.createdByRef, body: text ?? object.encoded(), category: category, originSector: target.sector, sourceParty: target.source,
            community: target.community, receivedUnder: target.agreement?.id, peerID: target.peer))
    }
}
