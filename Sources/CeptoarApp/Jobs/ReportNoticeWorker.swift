import CeptoarKit
import Fluent
import Foundation
import Vapor

/// Sends the notices reports' reporters are owed (`ReportNotice`): the open pages of the
/// reporting organisation hear it at once (SSE `report`), the person who filed it gets a mail
/// with the CEPTOAR's comment and a link. A mail the relay refuses for now is tried again
/// later (1, 5, 15, 60 minutes…), up to `maxTries`; without a relay it is marked failed — the
/// return stays on the report's page and in the API either way.
struct ReportNoticeWorker {
    let database: any Database
    let broadcaster: Broadcaster
    let settings: NotifySettings

    static let maxTries = 8
    static let backoff: [TimeInterval] = [60, 300, 900, 3600]

    /// Sends what is due; returns how many notices were handled.
    @discardableResult
    func drainOnce(now: Date = Date(), limit: Int = 100) async throws -> Int {
        let due = try await ReportNotice.query(on: self.database).filter(\.$state == ReportNotice.State.queued.rawValue)
            .filter(\.$nextTryAt <= now).sort(\.$createdAt).limit(limit).all()
        guard !due.isEmpty else { return 0 }
        let client = self.settings.smtp.map { SMTPClient(server: $0) }
        for notice in due {
            let reportID = notice.$report.id
            if notice.tries == 0 {
                await self.broadcaster.publish(#"{"report":"\#(reportID.uuidString.lowercased())","returned":"\#(notice.stage)"}"#, to: notice.$organisation.id)
            }
            notice.tries += 1
            guard let client else {
                notice.state = ReportNotice.State.failed.rawValue
                notice.lastError = "no mail relay is configured (CEPTOAR_SMTP_URL)"
                try await notice.save(on: self.database)
                continue
            }
            let outcome = (try? await client.send([self.message(notice)]).first) ?? .temporaryFailure("the mail relay could not be reached")
            switch outcome {
            case .accepted:
                notice.state = ReportNotice.State.sent.rawValue
                notice.sentAt = now
                notice.lastError = nil
            case .temporaryFailure(let reply) where notice.tries < Self.maxTries:
                notice.lastError = String(reply.prefix(500))
                notice.nextTryAt = now.addingTimeInterval(Self.backoff[Swift.min(notice.tries - 1, Self.backoff.count - 1)])
            case .temporaryFailure(let reply), .permanentFailure(let reply):
                notice.state = ReportNotice.State.failed.rawValue
                notice.lastError = String(reply.prefix(500))
            }
            try await notice.save(on: self.database)
        }
        return due.count
    }

    /// The mail: which stage came back, the CEPTOAR's comment, where to answer it.
    func message(_ notice: ReportNotice) -> MailMessage {
        let stage = ReportStage(rawValue: notice.stage)?.label ?? LocalizedText(ja: notice.stage)
        let link = "\(self.settings.publicURL)/reports/\(notice.$report.id.uuidString.lowercased())"
        let body = """
            提出された\(stage.ja)がセプターから差し戻されました。内容を確認し、修正した版を提出してください。

            差戻しの理由:
            \(notice.comment)

            \(link)

            ----

            Your \(stage.text(.en).lowercased()) was returned for revision by the CEPTOAR. Please submit a corrected version.

            What to revise:
            \(notice.comment)

            \(link)
            """
        return MailMessage(
            from: MailAddress(self.settings.mailFrom, name: "Ceptoar"), to: [MailAddress(notice.email)],
            subject: "【Ceptoar】\(stage.ja)の差戻し / \(stage.text(.en)) returned for revision", body: body,
            messageID: "notice-\(notice.id?.uuidString.lowercased() ?? UUID().uuidString.lowercased())@ceptoar")
    }

    func run(logger: Logger) async {
        while !Task.isCancelled {
            do {
                if try await self.drainOnce() == 0 { try await Task.sleep(for: .milliseconds(500)) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("report notice worker: \(String(reflecting: error))")
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }
}

/// Starts the notice worker with the server and stops it on shutdown.
struct ReportNoticeWorkerLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: Task<Void, Never>? }
    let box = Box()

    func didBootAsync(_ application: Application) async throws {
        let worker = ReportNoticeWorker(database: application.db, broadcaster: application.broadcaster, settings: application.ceptoar.notify)
        let logger = application.logger
        self.box.task = Task { await worker.run(logger: logger) }
    }

    func shutdownAsync(_ application: Application) async {
        self.box.task?.cancel()
        await self.box.task?.value
    }
}
