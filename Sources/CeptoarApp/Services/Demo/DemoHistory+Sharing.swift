import CeptoarKit
import Fluent
import Foundation
import SQLKit

/// The demo year's failure cases and agreements: written as rows (marked synthetic, no audit
/// entries — nobody did this), dated inside the year so the year's activity counts them.
extension DemoHistory {
    // MARK: failure cases

    /// (CEPTOAR whose reports it rests on, the writer's demo account, share of the year when published, title, business type, event, cause, countermeasure, lessons)
    static let failureCases: [(ceptoar: String, writer: String, share: Double, ja: String, en: String, business: String, event: String, cause: String, countermeasure: String, lessons: String)] = [
        ("banks", "fisc@demo.ceptoar.example", 0.25, "インターネットバンキングへの不正ログイン", "Unauthorised log-ins to internet banking", "銀行",
         "利用者の認証情報を用いた不正ログインが複数行で発生した。", "フィッシングサイトで窃取された認証情報が使われた。",
         "ワンタイムパスワードの必須化と不審ログインの通知。", "利用者への注意喚起は早期に、分野内で足並みをそろえて行う。"),
        ("banks", "fisc@demo.ceptoar.example", 0.62, "勘定系システムの夜間バッチ遅延", "Overnight batch delay in a core banking system", "銀行",
         "夜間バッチ処理が遅延し、翌朝のオンライン開始が遅れた。", "ストレージ装置の性能劣化を監視が検知できなかった。",
         "性能監視の閾値見直しと、遅延時の開始判断手順の整備。", "開始遅延の判断基準と利用者への告知文を事前に用意しておく。"),
        ("electricity", "power-secretariat@demo.ceptoar.example", 0.52, "制御系ネットワークへの不審な通信", "Suspicious traffic towards a control network", "電力",
         "保守用回線経由で制御系ネットワークへの不審な通信が観測された。", "保守用リモート接続の認証設定が初期値のままだった。",
         "保守用接続の常時遮断と、利用時の申請・記録。", "保守用経路は平常時から棚卸しし、使うときだけ開ける。"),
        ("water", "water-secretariat@demo.ceptoar.example", 0.9, "遠隔監視装置の設定不備", "Misconfigured remote monitoring units", "水道",
         "浄水場の遠隔監視装置がインターネットから到達可能になっていた。", "設置業者が試験用設定のまま引き渡した。",
         "設定の受入検査項目への追加と、外部からの到達性の定期確認。", "委託先が設置した機器も受入時に設定を確認する。"),
    ]

    /// Published failure cases, each from two of a CEPTOAR's generated reports from before it.
    func failureCases(from start: Date, to end: Date) async throws -> Int {
        let span = end.timeIntervalSince(start)
        var written = 0
        for spec in Self.failureCases {
            let published = start.addingTimeInterval(span * spec.share)
            guard let ceptoar = try await Ceptoar.query(on: self.database).filter(\.$key == spec.ceptoar).first(),
                  let writer = try await User.query(on: self.database).filter(\.$email == spec.writer).first()
            else { continue }
            let reports = try await IncidentReport.query(on: self.database)
                .filter(\.$synthetic == true).filter(\.$ceptoar.$id == ceptoar.requireID()).filter(\.$detectedAt < published.addingTimeInterval(-7 * 86_400))
                .sort(\.$detectedAt, .descending).limit(2).all()
            guard let sector = reports.first?.$sector.id else { continue }
            let sources = reports.compactMap(\.id)
            let record = FailureCase()
            let id = UUID.timeOrdered(at: published)
            record.id = id
            record.$author.id = writer.$organisation.id
            record.$writtenBy.id = try writer.requireID()
            record.$sector.id = sector
            record.status = FailureCase.Status.published.rawValue
            record.titleJa = "（デモ）" + spec.ja
            record.titleEn = "(Demo) " + spec.en
            record.businessType = spec.business
            record.event = spec.event
            record.cause = spec.cause
            record.countermeasure = spec.countermeasure
            record.lessons = spec.lessons
            record.tlp = TLP.green.rawValue
            record.createdAt = published.addingTimeInterval(-5 * 86_400)
            record.updatedAt = published
            record.publishedAt = published
            try await self.database.atomically { db in
                try await record.create(on: db)
                try await sources.map { FailureCaseSource(caseID: id, reportID: $0) }.create(on: db)
                try await (db as! any SQLDatabase).raw("UPDATE failure_cases SET synthetic = \(bind: true) WHERE id = \(bind: id)").run()
            }
            written += 1
        }
        return written
    }

    // MARK: agreements

    /// Two agreements: the banks' CEPTOAR and FISC, in force all year; and T-CEPTOAR's
    /// proposal to the electricity CEPTOAR last week, still waiting for its approval.
    func agreements(from start: Date, now: Date) async throws -> Int {
        let inForce = Agreements.Proposal(
            key: "demo-banks-fisc", title: LocalizedText(ja: "（デモ）銀行等セプターとFISCの障害情報共有", en: "(Demo) Banks' CEPTOAR and FISC: failure information"),
            parties: ["ceptoar:banks", "organisation:fisc"], direction: Agreement.Direction.oneWay.rawValue,
            categories: [AdvisoryCategory.incident.rawValue, AdvisoryCategory.analysis.rawValue], objectTypes: nil, originSectors: ["finance"],
            maxTLP: "TLP:AMBER", anonymised: true, mayPassOn: false, validFrom: Day.inJapan(start).iso, validTo: nil, retentionDays: 730,
            contacts: ["ceptoar:banks": "セプター事務局 03-0000-0001", "organisation:fisc": "FISC 調査部（デモ）"])
        let proposed = Agreements.Proposal(
            key: "demo-t-ceptoar-electricity", title: LocalizedText(ja: "（デモ）T-CEPTOARと電力セプターの脅威情報共有", en: "(Demo) T-CEPTOAR and electricity: threat indicators"),
            parties: ["ceptoar:t-ceptoar", "ceptoar:electricity"], direction: Agreement.Direction.both.rawValue,
            categories: [AdvisoryCategory.threat.rawValue, AdvisoryCategory.vulnerability.rawValue], objectTypes: ["indicator", "vulnerability"], originSectors: nil,
            maxTLP: "TLP:GREEN", anonymised: false, mayPassOn: false, validFrom: Day.inJapan(now).iso, validTo: nil, retentionDays: 365,
            contacts: ["ceptoar:t-ceptoar": "T-CEPTOAR 事務局 03-0000-0002", "ceptoar:electricity": "電力セプター事務局（デモ）"])
        var written = 0
        for (proposal, proposer, approver, at) in [
            (inForce, "banks-secretariat@demo.ceptoar.example", Optional("fisc@demo.ceptoar.example"), start.addingTimeInterval(-14 * 86_400)),
            (proposed, "secretariat@demo.ceptoar.example", nil, now.addingTimeInterval(-4 * 86_400)),
        ] {
            guard try await AgreementRecord.query(on: self.database).filter(\.$key == proposal.key).first() == nil else { continue }
            // The terms checked and turned into a row as a proposal through the API would be
            // (a registry without one of the parties gets no agreement).
            let record: AgreementRecord
            do {
                record = try await Agreements(database: self.database).validated(proposal)
            } catch is UserError {
                continue
            }
            record.status = (approver == nil ? Agreement.Status.proposed : .active).rawValue
            record.version = 1
            record.proposedBy = proposer
            var steps: [(party: String, actor: String, change: String, status: String, at: Date)] = [
                (proposal.parties[0], proposer, "proposed", Agreement.Status.proposed.rawValue, at),
            ]
            if let approver {
                steps.append((proposal.parties[1], approver, "approved", Agreement.Status.proposed.rawValue, at.addingTimeInterval(3 * 86_400)))
                steps.append((proposal.parties[1], approver, "activated", Agreement.Status.active.rawValue, at.addingTimeInterval(3 * 86_400)))
            }
            let history = steps
            try await self.database.atomically { db in
                try await record.create(on: db)
                let id = try record.requireID()
                for step in history {
                    if step.change != "activated" {
                        let approval = AgreementApproval()
                        approval.$agreement.id = id
                        approval.version = 1
                        approval.party = step.party
                        approval.approvedBy = step.actor
                        approval.approvedAt = step.at
                        try await approval.create(on: db)
                    }
                    let version = AgreementVersion()
                    version.$agreement.id = id
                    version.version = 1
                    version.change = step.change
                    version.status = step.status
                    version.actor = step.actor
                    version.reason = step.change == "approved" ? step.party : nil
                    version.terms = String(decoding: try JSONEncoder.sorted.encode(Agreements.termsSnapshot(record)), as: UTF8.self)
                    version.at = step.at
                    try await version.create(on: db)
                }
                let last = history.last?.at ?? at
                try await (db as! any SQLDatabase).raw("""
                    UPDATE agreements SET synthetic = \(bind: true), created_at = \(bind: at), updated_at = \(bind: last) WHERE id = \(bind: id)
                    """).run()
            }
            written += 1
        }
        _ = AgreementRecord().sharingChanged()
        return written
    }
}
