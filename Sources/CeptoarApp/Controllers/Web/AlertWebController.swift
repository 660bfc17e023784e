import CeptoarKit
import Fluent
import SQLKit
import Vapor

/// Pages for alerts and drills, the call checklist, the acknowledgement link (no sign-in: the
/// signed token is the credential) and each CEPTOAR's escalation policy.
struct AlertWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("alerts", use: self.list)
        routes.get("alerts", "new", use: self.newForm)
        routes.post("alerts", use: self.start)
        routes.get("alerts", ":id", use: self.show)
        routes.post("alerts", ":id", "ack", use: self.acknowledge)
        routes.get("alerts", ":id", "calls", use: self.calls)
        routes.post("alerts", ":id", "calls", ":attempt", use: self.recordCall)
        routes.get("a", ":token", use: self.link)
        routes.post("a", ":token", use: self.linkAcknowledge)
        routes.get("ceptoars", ":key", "escalation", use: self.policy)
        routes.post("ceptoars", ":key", "escalation", use: self.savePolicy)
    }

    private func message(_ req: Request, _ error: UserError) -> String { req.language == .ja ? error.ja : error.en }

    @Sendable func list(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let entries = try await AlertListing(database: req.db).list(for: user)
        return WebController.html(AlertsPage(entries: entries, canStart: !(try await self.scopes(req, user)).isEmpty).render(req))
    }

    /// The scopes this user may start an alert for, as (value, label).
    private func scopes(_ req: Request, _ user: User) async throws -> [(String, String)] {
        try await Alerts(database: req.db).scopes(for: user).map { ("\($0.kind.rawValue):\($0.key)", $0.label.text(req.language)) }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let scopes = try await self.scopes(req, user)
        guard !scopes.isEmpty else { throw UserError.forbidden(ja: "訓練・連絡を開始する権限がありません", en: "you may not start drills or alerts") }
        return WebController.html(NewAlertPage(scopes: scopes).render(req))
    }

    @Sendable func start(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let form = try req.content.decode([String: String].self)
        func text(_ ja: String, _ en: String) -> Alerts.TextInput? {
            let jaText = (form[ja] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let enText = (form[en] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return jaText.isEmpty && enText.isEmpty ? nil : Alerts.TextInput(ja: jaText.isEmpty ? enText : jaText, en: enText.isEmpty ? nil : enText)
        }
        let scope = (form["scope"] ?? "").split(separator: ":", maxSplits: 1).map(String.init)
        let input = Alerts.Input(
            kind: form["kind"] ?? "", scope: scope.first ?? "", key: scope.count > 1 ? scope[1] : nil, title: text("title_ja", "title_en"),
            body: text("body_ja", "body_en"))
        do {
            let started = try await Alerts(database: req.db).start(input, by: user, idempotencyKey: nil, routes: RouteTable(settings: req.application.ceptoar.notify))
            return req.redirect(to: SiteURL.alert(started.alert.id!))
        } catch let error as UserError {
            let response = WebController.html(NewAlertPage(scopes: try await self.scopes(req, user), error: self.message(req, error), form: form).render(req))
            response.status = error.status
            return response
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let id = try AlertAPIController.id(req)
        let listing = AlertListing(database: req.db)
        // A recipient sees the message and its button; the sender, NISC and admins the report.
        if !(user.has(.niscCoordinator) || user.has(.systemAdmin)), let target = try await listing.target(id, of: user.$organisation.id) {
            let alert = try await target.$alert.get(on: req.db)
            return WebController.html(ReceivedAlertPage(alert: alert, target: target).render(req))
        }
        let alert = try await Alerts(database: req.db).requireReport(id, by: user)
        let report = try await AlertReporting(database: req.db).report(alert)
        return WebController.html(AlertReportPage(report: report, body: alert.body, notice: nil).render(req))
    }

    @Sendable func acknowledge(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let id = try AlertAPIController.id(req)
        let acks = Acknowledgements(database: req.db)
        guard let target = try await acks.target(alert: id, organisation: user.$organisation.id) else {
            throw UserError.notFound(ja: "この連絡は自組織宛てではありません", en: "this alert was not sent to your organisation")
        }
        _ = try await acks.acknowledge(target: target, attempt: nil, via: .portal, by: user.email)
        return req.redirect(to: SiteURL.alert(id))
    }

    @Sendable func calls(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let alert = try await Alerts(database: req.db).requireReport(try AlertAPIController.id(req), by: user)
        let tasks = try await AlertListing(database: req.db).messages(of: alert, route: NotificationAttempt.Route.manual.rawValue, state: nil)
        // Open tasks first, in the order they were queued.
        let ordered = tasks.filter { DeliveryState(rawValue: $0.state)?.isDue == true } + tasks.filter { DeliveryState(rawValue: $0.state)?.isDue != true }
        return WebController.html(CallTasksPage(alert: alert, tasks: ordered, notice: req.queryItems["notice"]).render(req))
    }

    @Sendable func recordCall(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let id = try AlertAPIController.id(req)
        guard let attempt = req.parameters.get("attempt").flatMap(Int.init) else {
            throw UserError.badRequest(ja: "タスク番号が正しくありません", en: "the task number is not a number")
        }
        let form = try req.content.decode([String: String].self)
        guard let outcome = Acknowledgements.CallOutcome(rawValue: form["outcome"] ?? "") else {
            throw UserError(status: .unprocessableEntity, ja: "結果を選んでください", en: "choose an outcome")
        }
        let row = try await Acknowledgements(database: req.db).recordCall(attempt: attempt, outcome: outcome, note: form["note"], by: user)
        guard row.alertID == id else { throw UserError.notFound(ja: "タスクが見つかりません", en: "no such task") }
        let notice = req.language == .ja ? "記録しました: \(outcome.label.ja)" : "Recorded: \(outcome.label.en ?? outcome.rawValue)"
        return req.redirect(to: "\(SiteURL.alert(id))/calls?notice=\(notice.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")")
    }

    private func linkContext(_ req: Request) async throws -> (token: String, attempt: Int, target: AlertTarget, alert: Alert, organisation: Organisation) {
        let token = req.parameters.get("token") ?? ""
        let key = try await AlertSecrets.ackKey(on: req.db)
        guard let attempt = AckToken.attempt(in: token, secret: key), let row = try await NotificationAttempt.find(attempt, on: req.db),
            let target = try await AlertTarget.find(row.targetID, on: req.db), let alert = try await Alert.find(row.alertID, on: req.db)
        else { throw UserError.notFound(ja: "このリンクは無効です。メールのリンクをそのまま開いてください。", en: "this link is not valid; open the link from the message as it is") }
        let organisation = try await target.$organisation.get(on: req.db)
        return (token, attempt, target, alert, organisation)
    }

    @Sendable func link(req: Request) async throws -> Response {
        let context = try await self.linkContext(req)
        return WebController.html(AckLinkPage(
            alert: context.alert, organisation: context.organisation.name, token: context.token, result: nil,
            acknowledgedBefore: context.target.acknowledgedAt).render(req))
    }

    @Sendable func linkAcknowledge(req: Request) async throws -> Response {
        let context = try await self.linkContext(req)
        let result = try await Acknowledgements(database: req.db).acknowledge(
            target: context.target.id!, attempt: context.attempt, via: .link, by: "link:\(context.attempt)")
        return WebController.html(AckLinkPage(
            alert: context.alert, organisation: context.organisation.name, token: context.token, result: result, acknowledgedBefore: nil).render(req))
    }

    private func canEditPolicy(_ req: Request, _ user: User, _ ceptoar: Ceptoar) async throws -> Bool {
        if user.has(.niscCoordinator) || user.has(.systemAdmin) { return true }
        guard user.has(.ceptoarSecretariat) else { return false }
        return try await Relay(database: req.db).secretariatCeptoars(of: user.$organisation.id).contains(ceptoar.requireID())
    }

    @Sendable func policy(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let ceptoar = try await AlertAPIController.ceptoar(req)
        let policy = try await EscalationPolicies(database: req.db).policy(of: ceptoar)
        return WebController.html(EscalationPolicyPage(ceptoarKey: ceptoar.key, policy: policy, canEdit: try await self.canEditPolicy(req, user, ceptoar)).render(req))
    }

    @Sendable func savePolicy(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login) }
        let ceptoar = try await AlertAPIController.ceptoar(req)
        let canEdit = try await self.canEditPolicy(req, user, ceptoar)
        // Refused before the form is read: nothing a non-editor sends is parsed at all.
        guard canEdit else { throw UserError.forbidden() }
        let form = try req.content.decode([String: String].self)
        do {
            let policy = try await EscalationPolicies(database: req.db).replace(try EscalationPolicyPage.policy(from: form), of: ceptoar, by: user)
            return WebController.html(EscalationPolicyPage(ceptoarKey: ceptoar.key, policy: policy, canEdit: canEdit, saved: true).render(req))
        } catch let error as UserError {
            let current = try await EscalationPolicies(database: req.db).policy(of: ceptoar)
            let response = WebController.html(EscalationPolicyPage(ceptoarKey: ceptoar.key, policy: current, canEdit: canEdit, error: self.message(req, error)).render(req))
            response.status = error.status
            return response
        }
    }
}
