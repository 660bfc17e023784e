@testable import CeptoarKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import CeptoarApp

/// Alerts and drills to points of contact: who may start them, escalation on time,
/// acknowledgement from every channel, restart safety, reports and exports. Mail against a
/// real SMTP server and the gateway against a real HTTP receiver are in tests/e2e.
/// One at a time: each builds the demo nation, and a dozen at once on two cores starved the
/// rest of the suite (a PostgreSQL connection request timed out in another suite).
@Suite("Alerts and drills", .serialized)
struct AlertTests {
    typealias Step = EscalationPolicy.Step

    /// Primary by portal and mail, a minute later the secondary by mail, a minute to answer.
    static let twoSteps = EscalationPolicy(steps: [
        Step(ranks: [.primary], channels: ["portal", "email"], waitSeconds: 60),
        Step(ranks: [.secondary], channels: ["email"], waitSeconds: 60),
    ])

    static func drill(_ key: String = "t-ceptoar", policy: EscalationPolicy? = twoSteps, kind: String = "drill") -> Alerts.Input {
        Alerts.Input(kind: kind, scope: "ceptoar", key: key, policy: policy)
    }

    struct Started: Decodable {
        struct Summary: Decodable { var id: UUID; var kind: String; var capStatus: String }
        var alert: Summary
        var targets: Int
        var messagesQueued: Int
    }

    static func attempts(_ app: Application, _ alert: UUID) async throws -> [NotificationAttempt] {
        try await NotificationAttempt.query(on: app.db).filter(\.$alertID == alert).sort(\.$id).all()
    }

    @Test func aSecretariatDrillsItsOwnMembersAndNobodyElsesAndMistakesAre4xx() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let response = try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill())
            #expect(response.status == .created)
            let started = try secretariat.decode(Started.self, response)
            // T-CEPTOAR's 29 members; each primary gets a portal message and a mail.
            #expect(started.targets == 29)
            #expect(started.messagesQueued == 58)
            #expect(started.alert.capStatus == "Exercise")
            let attempts = try await Self.attempts(app, started.alert.id)
            #expect(Set(attempts.map(\.route)) == ["portal", "smtp"])
            #expect(attempts.allSatisfy { $0.state == "queued" && $0.step == 0 })
            #expect(try await AuditRecord.query(on: app.db).filter(\.$action == "alert_start").count() == 1)

            // Denials: another CEPTOAR's secretariat, a member, a secretariat for the nation.
            let banks = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            #expect(try await banks.send(.POST, "/api/v1/alerts", json: Self.drill()).status == .forbidden)
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            #expect(try await member.send(.POST, "/api/v1/alerts", json: Self.drill()).status == .forbidden)
            let nation = Alerts.Input(kind: "drill", scope: "nation", policy: Self.twoSteps)
            #expect(try await secretariat.send(.POST, "/api/v1/alerts", json: nation).status == .forbidden)
            // Mistakes: each a 4xx with a problem body, and nothing written.
            var bad = Self.drill()
            bad.kind = "party"
            #expect(try await secretariat.send(.POST, "/api/v1/alerts", json: bad).status == .unprocessableEntity)
            let zeroWait = Self.drill(policy: EscalationPolicy(steps: [Step(ranks: [.primary], channels: ["email"], waitSeconds: 0)]))
            let refused = try await secretariat.send(.POST, "/api/v1/alerts", json: zeroWait)
            #expect(refused.status == .unprocessableEntity)
            #expect(try secretariat.decode(Problem.self, refused).detail.contains("wait"))
            let unsendable = Self.drill(policy: EscalationPolicy(steps: [Step(ranks: [.primary], channels: ["meeting"], waitSeconds: 60)]))
            #expect(try await secretariat.send(.POST, "/api/v1/alerts", json: unsendable).status == .unprocessableEntity)
            #expect(try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill("no-such-ceptoar")).status == .notFound)
            #expect(try await Alert.query(on: app.db).count() == 1)

            // NISC reaches the nation: ministries, every secretariat and every member, once each.
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let national = try nisc.decode(Started.self, try await nisc.send(.POST, "/api/v1/alerts", json: nation))
            let stages = try await AlertTarget.query(on: app.db).filter(\.$alert.$id == national.alert.id).all().map(\.stage)
            #expect(Set(stages) == ["ministry", "secretariat", "member"])
            #expect(stages.filter { $0 == "member" }.count >= 5_692 - 10)
            let organisations = try await AlertTarget.query(on: app.db).filter(\.$alert.$id == national.alert.id).all().map(\.$organisation.id)
            #expect(Set(organisations).count == organisations.count)
        }
    }

    @Test func escalationMovesOnOnTimeStopsAtAcknowledgementAndSurvivesARestart() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let started = try secretariat.decode(Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill()))
            let alert = try #require(try await Alert.find(started.alert.id, on: app.db))
            let t0 = alert.createdAt
            // The member acknowledges in the API before anything escalates.
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            let ack = try await member.send(.POST, "/api/v1/alerts/\(started.alert.id)/ack")
            #expect(ack.status == .ok)
            #expect(try member.decode(Acknowledgements.Result.self, ack).first)
            #expect(try member.decode(Acknowledgements.Result.self, try await member.send(.POST, "/api/v1/alerts/\(started.alert.id)/ack")).first == false)

            // A second before the wait ends nothing happens; just after it, step 2 goes to every
            // secondary contact except the acknowledged organisation's.
            let escalator = Escalator(database: app.db, routes: RouteTable())
            #expect(try await escalator.fireDue(now: t0.addingTimeInterval(59)) == 0)
            #expect(try await escalator.fireDue(now: t0.addingTimeInterval(61)) == 28)
            let second = try await Self.attempts(app, started.alert.id).filter { $0.step == 1 }
            #expect(second.count == 28 && second.allSatisfy { $0.rank == "secondary" })
            // The acknowledged organisation's unsent messages were cancelled.
            let memberOrganisation = try await APIClient.organisationID(app, "member@demo.ceptoar.example")
            let memberTarget = try #require(try await AlertTarget.query(on: app.db).filter(\.$alert.$id == started.alert.id).filter(\.$organisation.$id == memberOrganisation).first())
            #expect(try await Self.attempts(app, started.alert.id).filter { $0.targetID == memberTarget.id }.allSatisfy { $0.state == "cancelled" })

            // "Restart": a new escalator over the same database, fired again for times already
            // done, adds nothing; then the policy runs out on time.
            let restarted = Escalator(database: app.db, routes: RouteTable())
            let before = try await Self.attempts(app, started.alert.id).count
            #expect(try await restarted.fireDue(now: t0.addingTimeInterval(62)) == 0)
            #expect(try await Self.attempts(app, started.alert.id).count == before)
            #expect(try await restarted.fireDue(now: t0.addingTimeInterval(122)) == 0)
            let report = try secretariat.decode(AlertReport.self, try await secretariat.send(.GET, "/api/v1/alerts/\(started.alert.id)"))
            #expect(report.acknowledged == 1 && report.exhausted == 28 && report.targets == 29)
            #expect(abs(report.reachRate - 1.0 / 29.0) < 0.0001)
            #expect(report.stages.map(\.key) == ["member"])
            #expect(report.ceptoars.map(\.key) == ["t-ceptoar"] && report.ceptoars[0].acknowledged == 1)
            #expect(report.histogram.reduce(0) { $0 + $1.count } == 1)
            #expect(report.unreached.count == 28)
        }
    }

    @Test func theDispatcherMarksStatesAndWithoutAMailRelayMailWaitsToBeRetried() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let started = try secretariat.decode(Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill()))
            let worker = try await app.alertWorker()
            let now = Date()
            #expect(try await worker.dispatcher.dispatchOnce(now: now) == 58)
            let attempts = try await Self.attempts(app, started.alert.id)
            #expect(attempts.filter { $0.route == "portal" }.allSatisfy { $0.state == "delivered" && $0.deliveredAt != nil })
            let mail = attempts.filter { $0.route == "smtp" }
            #expect(mail.allSatisfy { $0.state == "failed_temporary" && $0.tries == 1 && $0.lastError?.contains("CEPTOAR_SMTP_URL") == true })
            // Retried after the backoff, not before.
            #expect(try await worker.dispatcher.dispatchOnce(now: now.addingTimeInterval(1)) == 0)
            #expect(try await worker.dispatcher.dispatchOnce(now: now.addingTimeInterval(6)) == 29)
            #expect(try await Self.attempts(app, started.alert.id).filter { $0.route == "smtp" }.allSatisfy { $0.tries == 2 })
        }
    }

    @Test func theSignedLinkAcknowledgesOnceAndCannotBeForgedOrReused() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let started = try secretariat.decode(Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill()))
            let mail = try #require(try await Self.attempts(app, started.alert.id).first { $0.route == "smtp" })
            let key = try await AlertSecrets.ackKey(on: app.db)
            let token = AckToken.make(attempt: mail.id!, secret: key)
            // Opening the link shows the button and changes nothing (mail scanners open links).
            let page = try await app.testing().sendRequest(.GET, "/a/\(token)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("data-testid=\"link-ack\""))
            #expect(try await AlertTarget.find(mail.targetID, on: app.db)?.acknowledgedAt == nil)
            // A token for another message, or altered, is refused.
            let forged = "\(mail.id! + 1).\(token.split(separator: ".")[1])"
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/ack/\(forged)", headers: english).status == .notFound)
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/ack/\(token)x", headers: english).status == .notFound)
            // The press acknowledges for the organisation, once.
            let first = try await app.testing().sendRequest(.POST, "/api/v1/ack/\(token)", headers: english)
            #expect(first.status == .ok)
            #expect(try secretariat.decode(Acknowledgements.Result.self, first).first)
            #expect(try secretariat.decode(Acknowledgements.Result.self, try await app.testing().sendRequest(.POST, "/api/v1/ack/\(token)", headers: english)).first == false)
            let target = try #require(try await AlertTarget.find(mail.targetID, on: app.db))
            #expect(target.acknowledgedVia == "link" && target.nextStepAt == nil)
            let states = try await Self.attempts(app, started.alert.id).filter { $0.targetID == mail.targetID }.map(\.state)
            #expect(states.sorted() == ["acknowledged", "cancelled"])
            // A key kept in the database: the same token still verifies after a "restart".
            #expect(try await AlertSecrets.ackKey(on: app.db) == key)
        }
    }

    @Test func callTasksAreRecordedByTheSecretariatOnly() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let phones = EscalationPolicy(steps: [Step(ranks: [.primary], channels: ["phone"], waitSeconds: 600)])
            let started = try secretariat.decode(Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill(policy: phones)))
            let tasks = try await Self.attempts(app, started.alert.id)
            #expect(tasks.count == 29 && tasks.allSatisfy { $0.route == "manual" })
            // The dispatcher never sends call tasks.
            #expect(try await app.alertWorker().dispatcher.dispatchOnce() == 0)
            struct Call: Encodable { var outcome: String; var note: String? }
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            #expect(try await member.send(.POST, "/api/v1/messages/\(tasks[0].id!)/call", json: Call(outcome: "reached")).status == .forbidden)
            #expect(try await secretariat.send(.POST, "/api/v1/messages/\(tasks[0].id!)/call", json: Call(outcome: "maybe")).status == .unprocessableEntity)
            let noAnswer = try await secretariat.send(.POST, "/api/v1/messages/\(tasks[0].id!)/call", json: Call(outcome: "no_answer", note: "留守電"))
            #expect(noAnswer.status == .ok)
            #expect(try secretariat.decode(AlertAPIController.MessageDTO.self, noAnswer).state == "failed_temporary")
            let wrong = try await secretariat.send(.POST, "/api/v1/messages/\(tasks[1].id!)/call", json: Call(outcome: "wrong_number"))
            #expect(try secretariat.decode(AlertAPIController.MessageDTO.self, wrong).state == "failed_permanent")
            #expect(try await secretariat.send(.POST, "/api/v1/messages/\(tasks[1].id!)/call", json: Call(outcome: "no_answer")).status == .conflict)
            let reached = try await secretariat.send(.POST, "/api/v1/messages/\(tasks[0].id!)/call", json: Call(outcome: "reached"))
            #expect(try secretariat.decode(AlertAPIController.MessageDTO.self, reached).state == "acknowledged")
            #expect(try await AlertTarget.find(tasks[0].targetID, on: app.db)?.acknowledgedVia == "call")
            let report = try secretariat.decode(AlertReport.self, try await secretariat.send(.GET, "/api/v1/alerts/\(started.alert.id)"))
            #expect(report.openCallTasks == 27)
            #expect(report.unreached.contains { $0.problems.contains { $0.contains("wrong or dead number") } })
        }
    }

    @Test func gatewayCallbacksMustBeSignedFreshAndNotReplayed() async throws {
        let secret = "a-shared-gateway-secret"
        try await withCeptoar(demo: true, environment: ["CEPTOAR_GATEWAY_SMS_URL": "http://127.0.0.1:9/sms", "CEPTOAR_GATEWAY_SECRET": secret]) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let sms = EscalationPolicy(steps: [Step(ranks: [.secondary], channels: ["mobile"], waitSeconds: 600)])
            let started = try secretariat.decode(Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill(policy: sms)))
            let attempt = try #require(try await Self.attempts(app, started.alert.id).first)
            #expect(attempt.route == "gateway")
            func post(_ body: String, timestamp: Int, signature: String?) async throws -> TestingHTTPResponse {
                var headers = english
                headers.contentType = .json
                headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
                if let signature { headers.add(name: WebhookSignature.signatureHeader, value: signature) }
                return try await app.testing().sendRequest(.POST, "/api/v1/gateway/events", headers: headers, body: ByteBuffer(string: body))
            }
            let body = #"{"attempt":\#(attempt.id!),"event":"acknowledged"}"#
            let now = Int(Date().timeIntervalSince1970)
            #expect(try await post(body, timestamp: now, signature: nil).status == .unauthorized)
            #expect(try await post(body, timestamp: now, signature: WebhookSignature.sign(body: Array(body.utf8), timestamp: now, secret: "wrong")).status == .unauthorized)
            let old = now - 600
            #expect(try await post(body, timestamp: old, signature: WebhookSignature.sign(body: Array(body.utf8), timestamp: old, secret: secret)).status == .unauthorized)
            #expect(try await AlertTarget.find(attempt.targetID, on: app.db)?.acknowledgedAt == nil)
            let signature = WebhookSignature.sign(body: Array(body.utf8), timestamp: now, secret: secret)
            #expect(try await post(body, timestamp: now, signature: signature).status == .ok)
            #expect(try await AlertTarget.find(attempt.targetID, on: app.db)?.acknowledgedVia == "gateway")
            #expect(try await post(body, timestamp: now, signature: signature).status == .conflict)
        }
    }

    @Test func retriesWithOneIdempotencyKeyStartOneAlert() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let key: HTTPHeaders = ["Idempotency-Key": "drill-2026-11"]
            let first = try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill(), headers: key)
            let again = try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill(), headers: key)
            #expect(first.status == .created && again.status == .ok)
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try secretariat.decode(Started.self, first).alert.id == secretariat.decode(Started.self, again).alert.id)
            #expect(try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill(kind: "test"), headers: key).status == .conflict)
            #expect(try await Alert.query(on: app.db).count() == 1)
            #expect(try await NotificationAttempt.query(on: app.db).count() == 58)
        }
    }

    @Test func reportsExportAsCSVAndCAPAndComparedWithThePreviousDrill() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            let first = try secretariat.decode(Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill()))
            let member = try await APIClient.demo(app, "member@demo.ceptoar.example")
            _ = try await member.send(.POST, "/api/v1/alerts/\(first.alert.id)/ack")
            let second = try secretariat.decode(Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill()))
            let report = try secretariat.decode(AlertReport.self, try await secretariat.send(.GET, "/api/v1/alerts/\(second.alert.id)"))
            #expect(report.previous?.alert == first.alert.id)
            #expect(abs((report.previous?.reachRate ?? 0) - 1.0 / 29.0) < 0.0001)
            #expect(report.reachRate == 0)
            // The first one has none before it (not itself).
            #expect(try secretariat.decode(AlertReport.self, try await secretariat.send(.GET, "/api/v1/alerts/\(first.alert.id)")).previous == nil)

            let csv = try await secretariat.send(.GET, "/api/v1/alerts/\(first.alert.id)/report.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            let text = String(decoding: Data(buffer: csv.body).dropFirst(3), as: UTF8.self)
            let lines = text.split(separator: "\r\n")
            #expect(lines.count == 30)
            #expect(lines[0].hasPrefix("organisation_key,organisation_ja"))
            #expect(lines.filter { $0.contains(",portal,") || $0.contains(",api,") }.count == 1)

            let cap = try await secretariat.send(.GET, "/api/v1/alerts/\(first.alert.id)/cap")
            #expect(cap.headers.contentType?.subType == "cap+xml")
            for fragment in ["<status>Exercise</status>", "<msgType>Alert</msgType>", "<language>ja-JP</language>", "<headline>疎通確認訓練</headline>", "<scope>Public</scope>"] {
                #expect(cap.body.string.contains(fragment), "\(fragment)")
            }
            // A recipient may fetch it; an outsider may not see the report.
            #expect(try await member.send(.GET, "/api/v1/alerts/\(first.alert.id)/cap").status == .ok)
            #expect(try await member.send(.GET, "/api/v1/alerts/\(first.alert.id)").status == .forbidden)
            let banks = try await APIClient.demo(app, "banks-secretariat@demo.ceptoar.example")
            #expect(try await banks.send(.GET, "/api/v1/alerts/\(first.alert.id)/cap").status == .forbidden)
            #expect(try await banks.send(.GET, "/api/v1/alerts/\(first.alert.id)/report.csv").status == .forbidden)
        }
    }

    @Test func anAdvisoryAsCAPGoesThroughTheAccessPolicy() async throws {
        try await withCeptoar(demo: true) { app in
            let nisc = try await APIClient.demo(app, "nisc@demo.ceptoar.example")
            let published = try await nisc.send(.POST, "/api/v1/advisories", json: AdvisoryInput.sample(tlp: "AMBER", targets: [("ceptoar", "banks")]))
            #expect(published.status == .created)
            let id = try nisc.decode(AdvisoryDTO.self, published).id
            let bank = try await APIClient.demo(app, "bank@demo.ceptoar.example")
            let cap = try await bank.send(.GET, "/api/v1/advisories/\(id)/cap")
            #expect(cap.status == .ok)
            #expect(cap.body.string.contains("<scope>Restricted</scope>") && cap.body.string.contains("<restriction>TLP:AMBER</restriction>"))
            #expect(cap.body.string.contains("<status>Actual</status>") && cap.body.string.contains("<severity>Severe</severity>"))
            // A member of another CEPTOAR, without an agreement, is refused as for the advisory.
            let water = try await APIClient.demo(app, "water@demo.ceptoar.example")
            #expect(try await water.send(.GET, "/api/v1/advisories/\(id)/cap").status == .forbidden)
            // An AMBER advisory sent as an alert is announced, never copied into mail.
            let alert = Alerts.Input(kind: "alert", scope: "ceptoar", key: "banks", advisory: id, policy: Self.twoSteps)
            let started = try nisc.decode(Started.self, try await nisc.send(.POST, "/api/v1/alerts", json: alert))
            let stored = try #require(try await Alert.find(started.alert.id, on: app.db))
            let advisory = try #require(try await Advisory.find(id, on: app.db))
            #expect(!stored.bodyJa.contains(advisory.bodyJa) && stored.titleJa.contains("TLP:AMBER"))
        }
    }

    @Test func aCeptoarsEscalationPolicyIsKeptByItsSecretariat() async throws {
        try await withCeptoar(demo: true) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            #expect(try secretariat.decode(EscalationPolicy.self, try await secretariat.send(.GET, "/api/v1/ceptoars/t-ceptoar/escalation-policy")) == .standard)
            #expect(try await secretariat.send(.PUT, "/api/v1/ceptoars/t-ceptoar/escalation-policy", json: Self.twoSteps).status == .ok)
            #expect(try await secretariat.send(.PUT, "/api/v1/ceptoars/banks/escalation-policy", json: Self.twoSteps).status == .forbidden)
            #expect(try await secretariat.send(.PUT, "/api/v1/ceptoars/t-ceptoar/escalation-policy", json: EscalationPolicy(steps: [])).status == .unprocessableEntity)
            // A drill without a policy of its own takes the CEPTOAR's.
            let started = try secretariat.decode(Started.self, try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill(policy: nil)))
            #expect(try await Alert.find(started.alert.id, on: app.db)?.policy == Self.twoSteps)
        }
    }

    @Test func aRateLimitHoldsOneRouteBackAndNotTheOthers() async throws {
        try await withCeptoar(demo: true, environment: ["CEPTOAR_RATE_SMTP_PER_MINUTE": "10"]) { app in
            let secretariat = try await APIClient.demo(app, "secretariat@demo.ceptoar.example")
            _ = try await secretariat.send(.POST, "/api/v1/alerts", json: Self.drill())
            let dispatcher = try await app.alertWorker().dispatcher
            let now = Date()
            // Every portal message, but only ten mails in the first minute.
            #expect(try await dispatcher.dispatchOnce(now: now) == 29 + 10)
            #expect(try await dispatcher.dispatchOnce(now: now) == 0)
            // Six seconds later the bucket holds one more.
            #expect(try await dispatcher.dispatchOnce(now: now.addingTimeInterval(6)) == 1)
        }
    }

    @Test func aMinistryDrillsTheCeptoarsOfItsOwnSectorOnly() async throws {
        try await withCeptoar(demo: true) { app in
            let fsa = try await APIClient.demo(app, "fsa@demo.ceptoar.example")
            let sector = Alerts.Input(kind: "drill", scope: "sector", key: "finance", policy: Self.twoSteps)
            let response = try await fsa.send(.POST, "/api/v1/alerts", json: sector)
            #expect(response.status == .created)
            let started = try fsa.decode(Started.self, response)
            let targets = try await AlertTarget.query(on: app.db).filter(\.$alert.$id == started.alert.id).with(\.$ceptoar).all()
            // The four finance CEPTOARs' secretariats and members, nobody else.
            #expect(Set(targets.compactMap { $0.ceptoar?.key }).count == 4)
            #expect(targets.contains { $0.stage == "secretariat" } && targets.contains { $0.stage == "member" })
            #expect(!targets.contains { $0.ceptoar?.key == "t-ceptoar" })
            let mic = try await APIClient.demo(app, "mic@demo.ceptoar.example")
            #expect(try await mic.send(.POST, "/api/v1/alerts", json: sector).status == .forbidden)
            #expect(try await fsa.send(.POST, "/api/v1/alerts", json: Alerts.Input(kind: "drill", scope: "sector", key: "no-such-sector")).status == .notFound)
        }
    }
}
