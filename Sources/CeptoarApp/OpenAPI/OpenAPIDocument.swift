import Foundation

/// The OpenAPI 3.1 document of Ceptoar's whole REST API, served at `/api/v1/openapi.json`.
/// A test compares its operations with the routes the application registers, so an endpoint
/// cannot be added or removed without the document saying so; the fuzzer (schemathesis) then
/// checks every answer against it.
///
/// Conventions it documents: JSON in and out (`application/json`), names in lowerCamelCase,
/// every text that exists in two languages as `{ "ja": …, "en": … }` (English optional),
/// times as ISO 8601 date-times, days as `YYYY-MM-DD`, and every refusal as RFC 9457 problem
/// JSON with a message in the language of `Accept-Language` (Japanese unless English is asked).
enum OpenAPIDocument {
    typealias Object = Schema.Object

    enum Access {
        /// An API token (`Authorization: Bearer …`), or a session cookie with `X-CSRF-Token`.
        case signedIn
        /// Anyone; a signed-in caller may see more.
        case open
        /// The gateway's HMAC signature headers.
        case gateway
    }

    struct Operation {
        var method: String
        var path: String
        var id: String
        var summary: String
        var tag: String
        var access: Access = .signedIn
        var query: [(String, Object, String)] = []
        var headers: [(String, Object, String)] = []
        var body: (type: String, schema: Object)? = nil
        var success: (status: Int, type: String?, schema: Object?) = (200, "application/json", nil)
    }

    static func json(_ name: String) -> (type: String, schema: Object) { ("application/json", Schema.ref(name)) }

    nonisolated(unsafe) static let page = ("page", Schema.integer(1...10_000), "page number, from 1")
    nonisolated(unsafe) static let statisticsQuery: [(String, Object, String)] = [
        ("scope", ["type": "string", "pattern": "^[a-z0-9-]{1,40}$"], "nation (default) or a sector key"),
        ("period", ["type": "string", "pattern": "^(20[0-9]{2}|2100)([Qq][1-4])?$"], "a fiscal year (2024) or a quarter (2024Q1); default this fiscal year"),
    ]
    nonisolated(unsafe) static let idempotencyKey = ("Idempotency-Key", Schema.string(maxLength: 200, minLength: 1), "a retry with the same key returns the first answer instead of acting twice")

    nonisolated(unsafe) static let operations: [Operation] = [
        // operations
        Operation(method: "get", path: "/health", id: "health", summary: "The process is up", tag: "operations", access: .open, success: (200, "application/json", Schema.ref("Status"))),
        Operation(method: "get", path: "/ready", id: "ready", summary: "The database answers", tag: "operations", access: .open, success: (200, "application/json", Schema.ref("Status"))),
        Operation(method: "get", path: "/metrics", id: "metrics", summary: "Prometheus metrics", tag: "operations", access: .open, success: (200, "text/plain", Schema.string)),
        Operation(method: "get", path: "/api/v1/openapi.json", id: "openapi", summary: "This document", tag: "operations", access: .open, success: (200, "application/json", Schema.anyObject)),
        // registry and map
        Operation(
            method: "get", path: "/api/v1/map", id: "map", summary: "The CEPTOAR characteristics map as of a day", tag: "registry", access: .open,
            query: [("as_of", Schema.day, "the day (default: the map's own date, 2009-03-31)")], success: (200, "application/json", Schema.anyObject)),
        Operation(
            method: "get", path: "/api/v1/map/diff", id: "mapDiff", summary: "What changed in the map between two days", tag: "registry", access: .open,
            query: [("from", Schema.day, "the earlier day (required)"), ("to", Schema.day, "the later day (required)")], success: (200, "application/json", Schema.anyObject)),
        Operation(
            method: "get", path: "/api/v1/ceptoars/{key}", id: "ceptoar", summary: "One CEPTOAR: map column, groups, overview, history", tag: "registry", access: .open,
            query: [("as_of", Schema.day, "the day (default today)")], success: (200, "application/json", Schema.anyObject)),
        Operation(
            method: "post", path: "/api/v1/registry/changes", id: "applyRegistryChanges", summary: "Dated registry changes (administrators, NISC)", tag: "registry",
            body: ("application/json", Schema.object(["changes": Schema.array(Schema.anyObject, maxItems: 1_000)], required: ["changes"])),
            success: (200, "application/json", Schema.object(["applied": Schema.integer], required: ["applied"]))),
        Operation(
            method: "get", path: "/api/v1/organisations", id: "organisations", summary: "The organisation directory", tag: "registry",
            query: [("q", Schema.string(maxLength: 200), "name or key contains"), ("kind", Schema.string(maxLength: 50), "organisation kind"), page, ("per", Schema.integer(1...500), "rows per page (default 50)")],
            success: (200, "application/json", Schema.ref("DirectoryPage"))),
        Operation(method: "get", path: "/api/v1/me", id: "me", summary: "The caller's account", tag: "accounts", success: (200, "application/json", Schema.ref("Me"))),
        // tokens
        Operation(method: "get", path: "/api/v1/tokens", id: "listTokens", summary: "One's own API tokens (never their secrets)", tag: "accounts", success: (200, "application/json", Schema.array(Schema.ref("Token")))),
        Operation(
            method: "post", path: "/api/v1/tokens", id: "createToken", summary: "A new API token; its secret is in this answer only", tag: "accounts",
            body: ("application/json", Schema.object(["name": Schema.string(maxLength: 100, minLength: 1), "days": Schema.integer(1...3_650)], required: ["name"])),
            success: (201, "application/json", Schema.ref("TokenCreated"))),
        Operation(method: "delete", path: "/api/v1/tokens/{id}", id: "revokeToken", summary: "Revokes one of one's own tokens", tag: "accounts", success: (204, nil, nil)),
        // incident reports (情報連絡)
        Operation(
            method: "post", path: "/api/v1/reports", id: "fileReport", summary: "File a first report (a member, to its own CEPTOAR)", tag: "reports",
            body: json("ReportFiling"), success: (201, "application/json", Schema.ref("Report"))),
        Operation(
            method: "get", path: "/api/v1/reports", id: "listReports", summary: "Reports filed by the organisation, or that reached its step", tag: "reports",
            query: [page, ("per", Schema.integer(1...200), "rows per page (default 50)")], success: (200, "application/json", Schema.ref("ReportList"))),
        Operation(method: "get", path: "/api/v1/reports/{id}", id: "readReport", summary: "A report, named or anonymised as the reader's step allows", tag: "reports", success: (200, "application/json", Schema.ref("Report"))),
        Operation(
            method: "post", path: "/api/v1/reports/{id}/stages/{stage}", id: "submitReportStage", summary: "Submit a stage (first, follow_up, final); a submitted stage is never edited, a correction is a new version", tag: "reports",
            body: json("ReportInput"), success: (201, "application/json", Schema.ref("Report"))),
        Operation(
            method: "post", path: "/api/v1/reports/{id}/stages/{stage}/return", id: "returnReportStage", summary: "Return a stage for revision, with a comment (the CEPTOAR)", tag: "reports",
            body: ("application/json", Schema.object(["comment": Schema.string(maxLength: 2_000, minLength: 1)], required: ["comment"])), success: (200, "application/json", Schema.ref("Report"))),
        Operation(
            method: "post", path: "/api/v1/reports/{id}/forward", id: "forwardReport", summary: "Forward the report from one's own step to the next", tag: "reports",
            body: ("application/json", Schema.object(["note": Schema.string(maxLength: 2_000)])), success: (200, "application/json", Schema.ref("Report"))),
        Operation(
            method: "get", path: "/api/v1/reports/{id}/readers", id: "reportReaders", summary: "Who has read the report (the reporter)", tag: "reports",
            success: (200, "application/json", Schema.array(Schema.object(["organisation": Schema.ref("Text"), "step": Schema.string, "firstReadAt": Schema.dateTime], required: ["organisation", "step", "firstReadAt"])))),
        Operation(
            method: "get", path: "/api/v1/reports/{id}/related", id: "relatedReports",
            summary: "Reports sharing an observable within the window, advisories naming its CVEs, its trend flags (holders of a step only)", tag: "reports",
            success: (200, "application/json", Schema.ref("ReportRelated"))),
        Operation(
            method: "post", path: "/api/v1/reports/import", id: "importReports",
            summary: "File reports from a CSV (UTF-8 or Shift_JIS; columns as in the mail template): all of them, or none and a 422 naming each wrong row", tag: "reports",
            body: ("text/csv", Schema.string),
            success: (201, "application/json", Schema.object(["filed": Schema.array(Schema.object(["line": Schema.integer(1...1_000_000), "id": Schema.string], required: ["line", "id"]))], required: ["filed"]))),
        Operation(
            method: "get", path: "/api/v1/reports/{id}/stix", id: "reportSTIX",
            summary: "The report as a STIX 2.1 bundle: incident (Incident Core extension), observables, TLP marking — in the reader's view", tag: "reports",
            success: (200, "application/stix+json;version=2.1", Schema.object(["type": Schema.string, "id": Schema.string, "objects": Schema.array(Schema.object([:]))], required: ["type", "id", "objects"]))),
        Operation(
            method: "get", path: "/api/v1/reports/{id}/veris", id: "reportVERIS", summary: "The report as a VERIS 1.4 incident, in the reader's view", tag: "reports",
            success: (200, "application/json", Schema.object(["schema_version": Schema.string, "incident_id": Schema.string], required: ["schema_version", "incident_id"]))),
        Operation(
            method: "get", path: "/api/v1/report-trends", id: "reportTrends", summary: "Trend flags in the sectors the caller coordinates", tag: "reports",
            query: [("days", Schema.integer(1...366), "flags whose window ended within this many days (default 30)")],
            success: (200, "application/json", Schema.array(Schema.ref("ReportTrend")))),
        Operation(method: "get", path: "/api/v1/sectors/{key}/report-deadlines", id: "reportDeadlines", summary: "A sector's report deadlines", tag: "reports", success: (200, "application/json", Schema.ref("ReportDeadlines"))),
        Operation(
            method: "put", path: "/api/v1/sectors/{key}/report-deadlines", id: "setReportDeadlines", summary: "Set a sector's report deadlines (its ministry, NISC)", tag: "reports",
            body: json("ReportDeadlines"), success: (200, "application/json", Schema.ref("ReportDeadlines"))),
        Operation(
            method: "put", path: "/api/v1/report-relay-policy", id: "setReportRelayPolicy", summary: "Which severities of report this organisation's step forwards at once", tag: "reports",
            body: ("application/json", Schema.object(["forwardFromSeverity": ["type": ["integer", "null"], "minimum": 0, "maximum": 4]])),
            success: (200, "application/json", Schema.object(["forwardFromSeverity": ["type": ["integer", "null"]]]))),
        // situation assessment (情勢判断)
        Operation(
            method: "get", path: "/api/v1/situation", id: "situation", summary: "Each scope the caller may read with its level (平常/注意/警戒/緊急); with scope, that one with its timeline and, for its coordinator, the proposed level and why", tag: "situation",
            query: [("scope", Schema.string(maxLength: 80), "nation, sector:KEY or ceptoar:KEY")],
            success: (200, "application/json", Schema.ref("SituationList"))),
        Operation(
            method: "get", path: "/api/v1/situation.txt", id: "situationText", summary: "The same levels as tab-separated plain text, for scripts", tag: "situation",
            success: (200, "text/plain", Schema.string)),
        Operation(
            method: "post", path: "/api/v1/situation", id: "changeSituation",
            summary: "Set a scope's level (its coordinator): a rationale and 1–20 linked items the caller may read are required; 緊急 (or NISC's large_incident switch) starts large-incident mode; members are told through the relay", tag: "situation",
            body: json("SituationChangeInput"), success: (201, "application/json", Schema.ref("Situation"))),
        Operation(
            method: "get", path: "/api/v1/home", id: "home", summary: "What needs the caller now (the home page's counts with their links' subjects), their scopes' situation and the last seven days", tag: "situation",
            success: (200, "application/json", Schema.ref("Home"))),
        Operation(
            method: "post", path: "/api/v1/exercises", id: "planExercise",
            summary: "Plan a cross-sector exercise (NISC): participating CEPTOARs and timed injects (advisories, drills; never in the past), sent when due and marked exercise", tag: "situation",
            body: json("ExerciseInput"), success: (201, "application/json", Schema.ref("AfterAction"))),
        Operation(
            method: "get", path: "/api/v1/exercises/{id}", id: "exerciseReport",
            summary: "An exercise's injects and after-action report: per CEPTOAR and stage, times to relay, acknowledge, answer and report (NISC, the participants' secretariats and ministries)", tag: "situation",
            success: (200, "application/json", Schema.ref("AfterAction"))),
        // failure cases (障害事例)
        Operation(
            method: "post", path: "/api/v1/failure-cases", id: "writeFailureCase", summary: "Write a failure case from reports (their CEPTOAR's secretariat or an analysis body of their sector)", tag: "reports",
            body: json("FailureCaseInput"), success: (201, "application/json", Schema.ref("FailureCase"))),
        Operation(method: "get", path: "/api/v1/failure-cases", id: "listFailureCases", summary: "The organisation's failure cases, drafts and published", tag: "reports", success: (200, "application/json", Schema.array(Schema.ref("FailureCase")))),
        Operation(method: "get", path: "/api/v1/failure-cases/{id}", id: "readFailureCase", summary: "A draft (its author) or a published case (whoever may read its advisory)", tag: "reports", success: (200, "application/json", Schema.ref("FailureCase"))),
        Operation(method: "put", path: "/api/v1/failure-cases/{id}", id: "reviseFailureCase", summary: "Revise a draft", tag: "reports", body: json("FailureCaseInput"), success: (200, "application/json", Schema.ref("FailureCase"))),
        Operation(
            method: "post", path: "/api/v1/failure-cases/{id}/publish", id: "publishFailureCase",
            summary: "Publish: refused (422, the fields named) while the text names an organisation of its reports; then relayed to the sector's members as an analysis result", tag: "reports",
            success: (200, "application/json", Schema.ref("FailureCase"))),
        Operation(method: "get", path: "/api/v1/sectors/{key}/analysis-bodies", id: "analysisBodies", summary: "The organisations analysing the sector's reports", tag: "reports", success: (200, "application/json", Schema.ref("AnalysisBodies"))),
        Operation(
            method: "put", path: "/api/v1/sectors/{key}/analysis-bodies", id: "designateAnalysisBodies", summary: "Name the sector's analysis bodies (NISC, the sector's ministry)", tag: "reports",
            body: json("AnalysisBodies"), success: (200, "application/json", Schema.ref("AnalysisBodies"))),
        // statistics shared back
        Operation(
            method: "get", path: "/api/v1/report-statistics", id: "reportStatistics",
            summary: "Reports by event type and cause, per quarter, median time to the first report, stages on time — small cells suppressed", tag: "reports",
            query: statisticsQuery, success: (200, "application/json", Schema.ref("ReportStatistics"))),
        Operation(
            method: "get", path: "/api/v1/report-statistics.csv", id: "reportStatisticsCSV", summary: "The same statistics as CSV (table,row,column,value)", tag: "reports",
            query: statisticsQuery, success: (200, "text/csv", Schema.string)),
        // agreements (相互合意)
        Operation(method: "get", path: "/api/v1/agreements", id: "listAgreements", summary: "Agreements the caller's organisation is party to (NISC: all)", tag: "sharing", success: (200, "application/json", Schema.array(Schema.ref("Agreement")))),
        Operation(method: "post", path: "/api/v1/agreements", id: "proposeAgreement", summary: "Propose an agreement (a party's secretariat); the other parties approve", tag: "sharing", body: json("AgreementProposal"), success: (201, "application/json", Schema.ref("Agreement"))),
        Operation(method: "get", path: "/api/v1/agreements/{key}", id: "readAgreement", summary: "An agreement with its history (parties only)", tag: "sharing", success: (200, "application/json", Schema.ref("Agreement"))),
        Operation(method: "post", path: "/api/v1/agreements/{key}/approve", id: "approveAgreement", summary: "Approve for one's party; active once every party approved", tag: "sharing", success: (200, "application/json", Schema.ref("Agreement"))),
        Operation(method: "post", path: "/api/v1/agreements/{key}/suspend", id: "suspendAgreement", summary: "Suspend (any party's secretariat, with a reason)", tag: "sharing", body: json("AgreementChange"), success: (200, "application/json", Schema.ref("Agreement"))),
        Operation(method: "post", path: "/api/v1/agreements/{key}/resume", id: "resumeAgreement", summary: "Resume a suspended agreement", tag: "sharing", body: json("AgreementChange"), success: (200, "application/json", Schema.ref("Agreement"))),
        Operation(method: "post", path: "/api/v1/agreements/{key}/terminate", id: "terminateAgreement", summary: "Terminate for good", tag: "sharing", body: json("AgreementChange"), success: (200, "application/json", Schema.ref("Agreement"))),
        // advisories and the relay
        Operation(
            method: "post", path: "/api/v1/advisories", id: "publishAdvisory", summary: "Publish an advisory (NISC, CEPTOAR secretariats)", tag: "relay",
            headers: [idempotencyKey], body: json("AdvisoryInput"), success: (201, "application/json", Schema.ref("Advisory"))),
        Operation(method: "get", path: "/api/v1/advisories/{id}", id: "readAdvisory", summary: "Read an advisory (its first read is the organisation's receipt)", tag: "relay", access: .open, success: (200, "application/json", Schema.ref("Advisory"))),
        Operation(
            method: "post", path: "/api/v1/advisories/{id}/acknowledge", id: "acknowledgeAdvisory", summary: "受領確認: acknowledge once", tag: "relay",
            body: ("application/json", Schema.object(["comment": Schema.string(maxLength: 2_000)])), success: (200, "application/json", Schema.ref("Acknowledged"))),
        Operation(
            method: "post", path: "/api/v1/advisories/{id}/withdraw", id: "withdrawAdvisory", summary: "Withdraw (the originator)", tag: "relay",
            body: ("application/json", Schema.object(["reason": Schema.string(maxLength: 2_000, minLength: 1)], required: ["reason"])), success: (200, "application/json", Schema.ref("Advisory"))),
        Operation(method: "get", path: "/api/v1/advisories/{id}/timeline", id: "advisoryTimeline", summary: "The relay's progress (originator, NISC)", tag: "relay", success: (200, "application/json", Schema.ref("Timeline"))),
        Operation(method: "get", path: "/api/v1/advisories/{id}/cap", id: "advisoryCAP", summary: "The advisory as CAP 1.2, with the reader's marking", tag: "relay", access: .open, success: (200, "application/cap+xml", Schema.string)),
        Operation(
            method: "get", path: "/api/v1/inbox", id: "inbox", summary: "The organisation's received advisories", tag: "relay",
            query: [
                ("q", Schema.string(maxLength: 200), "search titles and bodies"), ("severity", Schema.oneOf(["low", "medium", "high", "critical"]), "only this severity"),
                ("tlp", Schema.oneOf(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]), "only this marking (as received)"), page, ("per", Schema.integer(1...200), "rows per page (default 50)"),
            ], success: (200, "application/json", Schema.ref("Inbox"))),
        Operation(method: "get", path: "/api/v1/hops", id: "heldHops", summary: "Relay hops waiting for this organisation's review", tag: "relay", success: (200, "application/json", Schema.array(Schema.ref("Hop")))),
        Operation(
            method: "post", path: "/api/v1/hops/{id}/forward", id: "forwardHop", summary: "Forward a held hop, with a note and a marking never wider", tag: "relay",
            body: ("application/json", Schema.object(["note": Schema.string(maxLength: 2_000), "tlp": Schema.oneOf(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"])])), success: (200, "application/json", Schema.ref("Hop"))),
        Operation(
            method: "post", path: "/api/v1/hops/{id}/withhold", id: "withholdHop", summary: "Withhold a held hop, with the reason", tag: "relay",
            body: ("application/json", Schema.object(["reason": Schema.string(maxLength: 2_000, minLength: 1)], required: ["reason"])), success: (200, "application/json", Schema.ref("Hop"))),
        Operation(
            method: "put", path: "/api/v1/relay-policy", id: "setRelayPolicy", summary: "Which severities this organisation's hops forward at once", tag: "relay",
            body: ("application/json", Schema.object(["autoForwardFrom": Schema.oneOf(["low", "medium", "high", "critical"])], required: ["autoForwardFrom"])),
            success: (200, "application/json", Schema.object(["autoForwardFrom": Schema.string], required: ["autoForwardFrom"]))),
        Operation(method: "get", path: "/api/v1/ceptoars/{key}/rules", id: "rules", summary: "The handling rules in force", tag: "rules", success: (200, "application/json", Schema.ref("Rules"))),
        Operation(method: "post", path: "/api/v1/ceptoars/{key}/rules", id: "publishRules", summary: "A new version of the rules (the CEPTOAR's secretariat)", tag: "rules", body: json("RulesInput"), success: (200, "application/json", Schema.ref("Rules"))),
        Operation(method: "post", path: "/api/v1/ceptoars/{key}/rules/accept", id: "acceptRules", summary: "The member organisation accepts the rules in force", tag: "rules", success: (200, "application/json", Schema.ref("Rules"))),
        Operation(
            method: "post", path: "/api/v1/advisories/{id}/provision-requests", id: "requestProvision", summary: "Ask to provide an item outside the community (外部提供)", tag: "rules",
            body: ("application/json", Schema.object(["recipient": Schema.string(maxLength: 500, minLength: 1), "purpose": Schema.string(maxLength: 2_000, minLength: 1), "contractor": Schema.boolean], required: ["recipient", "purpose"])),
            success: (201, "application/json", Schema.ref("ProvisionRequest"))),
        Operation(method: "get", path: "/api/v1/provision-requests", id: "provisionRequests", summary: "Requests made by, or waiting for, this organisation", tag: "rules", success: (200, "application/json", Schema.array(Schema.ref("ProvisionRequest")))),
        Operation(
            method: "post", path: "/api/v1/provision-requests/{id}/decision", id: "decideProvision", summary: "The originator decides", tag: "rules",
            body: ("application/json", Schema.object(["approve": Schema.boolean, "scope": Schema.string(maxLength: 2_000), "reason": Schema.string(maxLength: 2_000)], required: ["approve"])),
            success: (200, "application/json", Schema.ref("ProvisionRequest"))),
        // attachments
        Operation(
            method: "post", path: "/api/v1/advisories/{id}/attachments", id: "uploadAttachment", summary: "Attach a file (raw body, up to 10 MiB)", tag: "relay",
            query: [("filename", Schema.string(maxLength: 200, minLength: 1), "the file's name (required)")], body: ("application/octet-stream", ["type": "string", "format": "binary"]),
            success: (201, "application/json", Schema.ref("Attachment"))),
        Operation(method: "get", path: "/api/v1/advisories/{id}/attachments", id: "attachments", summary: "An advisory's attachments", tag: "relay", access: .open, success: (200, "application/json", Schema.array(Schema.ref("Attachment")))),
        Operation(method: "get", path: "/api/v1/attachments/{id}", id: "downloadAttachment", summary: "Download (as an attachment, never rendered)", tag: "relay", access: .open, success: (200, "*/*", ["type": "string", "format": "binary"])),
        // points of contact
        Operation(method: "get", path: "/api/v1/poc", id: "ownRoster", summary: "The organisation's emergency roster", tag: "contacts", success: (200, "application/json", Schema.ref("Roster"))),
        Operation(method: "put", path: "/api/v1/poc", id: "replaceRoster", summary: "Replace the roster as a whole", tag: "contacts", body: json("RosterInput"), success: (200, "application/json", Schema.ref("Roster"))),
        Operation(method: "get", path: "/api/v1/organisations/{handle}/poc", id: "roster", summary: "Another organisation's roster (its CEPTOAR's secretariat, NISC)", tag: "contacts", success: (200, "application/json", Schema.ref("Roster"))),
        Operation(
            method: "post", path: "/api/v1/poc/verification", id: "sendVerification", summary: "Send a code to an address on the roster", tag: "contacts",
            body: ("application/json", Schema.object(["channel": Schema.string(maxLength: 50), "address": Schema.string(maxLength: 320, minLength: 1)], required: ["channel", "address"])),
            success: (202, "application/json", Schema.ref("VerificationSent"))),
        Operation(
            method: "post", path: "/api/v1/poc/verification/confirm", id: "confirmVerification", summary: "Confirm the code", tag: "contacts",
            body: ("application/json", Schema.object(["channel": Schema.string(maxLength: 50), "address": Schema.string(maxLength: 320, minLength: 1), "code": Schema.string(maxLength: 20, minLength: 1)], required: ["channel", "address", "code"])),
            success: (200, "application/json", Schema.ref("Verified"))),
        Operation(method: "get", path: "/api/v1/ceptoars/{key}/contact", id: "publicContact", summary: "A CEPTOAR's published emergency contact", tag: "contacts", access: .open, success: (200, "application/json", Schema.ref("ContactSheet"))),
        Operation(method: "post", path: "/api/v1/ceptoars/{key}/inbound", id: "sendInbound", summary: "A message to a CEPTOAR's secretariat (anyone; throttled)", tag: "contacts", access: .open, body: json("InboundMessageInput"), success: (201, "application/json", Schema.ref("InboundMessage"))),
        Operation(method: "get", path: "/api/v1/ceptoars/{key}/inbound", id: "inboundQueue", summary: "The secretariat's queue of inbound messages", tag: "contacts", success: (200, "application/json", Schema.array(Schema.ref("InboundMessage")))),
        Operation(method: "post", path: "/api/v1/inbound/{id}/handled", id: "markInboundHandled", summary: "Mark an inbound message handled", tag: "contacts", success: (200, "application/json", Schema.ref("InboundMessage"))),
        // alerts and drills
        Operation(method: "post", path: "/api/v1/alerts", id: "startAlert", summary: "Start an alert, drill or test", tag: "alerts", headers: [idempotencyKey], body: json("AlertInput"), success: (201, "application/json", Schema.ref("AlertStarted"))),
        Operation(method: "get", path: "/api/v1/alerts", id: "alerts", summary: "Alerts this organisation started or received", tag: "alerts", success: (200, "application/json", Schema.array(Schema.ref("AlertListed")))),
        Operation(method: "get", path: "/api/v1/alerts/{id}", id: "alertReport", summary: "An alert's report: reach, response times, who was not reached", tag: "alerts", success: (200, "application/json", Schema.ref("AlertReport"))),
        Operation(method: "get", path: "/api/v1/alerts/{id}/report.csv", id: "alertReportCSV", summary: "The report's recipients as CSV", tag: "alerts", success: (200, "text/csv", Schema.string)),
        Operation(method: "get", path: "/api/v1/alerts/{id}/cap", id: "alertCAP", summary: "The alert as CAP 1.2", tag: "alerts", success: (200, "application/cap+xml", Schema.string)),
        Operation(method: "get", path: "/api/v1/alerts/{id}/messages", id: "alertMessages", summary: "Every message of an alert, with its delivery state", tag: "alerts", success: (200, "application/json", Schema.array(Schema.ref("AlertMessage")))),
        Operation(method: "post", path: "/api/v1/alerts/{id}/ack", id: "acknowledgeAlert", summary: "The organisation acknowledges", tag: "alerts", success: (200, "application/json", Schema.ref("AcknowledgementResult"))),
        Operation(
            method: "post", path: "/api/v1/messages/{attempt}/call", id: "recordCall", summary: "Record a manual call's outcome", tag: "alerts",
            body: ("application/json", Schema.object(["outcome": Schema.oneOf(["reached", "no_answer", "wrong_number"]), "note": Schema.string(maxLength: 2_000)], required: ["outcome"])),
            success: (200, "application/json", Schema.ref("AlertMessage"))),
        Operation(method: "post", path: "/api/v1/ack/{token}", id: "acknowledgeByLink", summary: "Acknowledge by the signed link's token", tag: "alerts", access: .open, success: (200, "application/json", Schema.ref("AcknowledgementResult"))),
        Operation(method: "get", path: "/api/v1/ceptoars/{key}/escalation-policy", id: "escalationPolicy", summary: "A CEPTOAR's escalation policy", tag: "alerts", success: (200, "application/json", Schema.ref("EscalationPolicy"))),
        Operation(method: "put", path: "/api/v1/ceptoars/{key}/escalation-policy", id: "replaceEscalationPolicy", summary: "Replace the escalation policy", tag: "alerts", body: json("EscalationPolicy"), success: (200, "application/json", Schema.ref("EscalationPolicy"))),
        Operation(
            method: "post", path: "/api/v1/gateway/events", id: "gatewayEvent", summary: "A gateway's signed callback (delivered, failed, acknowledged)", tag: "alerts", access: .gateway,
            headers: [("X-Ceptoar-Timestamp", Schema.string(maxLength: 20), "seconds since 1970"), ("X-Ceptoar-Signature", Schema.string(maxLength: 200), "v1=<hex HMAC-SHA256 of timestamp.body>")],
            body: ("application/json", Schema.object(["attempt": Schema.integer, "event": Schema.oneOf(["delivered", "failed", "acknowledged"]), "detail": Schema.string(maxLength: 2_000), "permanent": Schema.boolean], required: ["attempt", "event"])),
            success: (200, "application/json", Schema.object(["attempt": Schema.integer, "state": Schema.string], required: ["attempt", "state"]))),
    ]

    /// The document as JSON, built once.
    static let data: Data = {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method] = OpenAPIDocument.render(operation)
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "Ceptoar API",
                "version": "1",
                "description": """
                    The REST API of Ceptoar, a CEPTOAR's information-sharing server. JSON in and out; bilingual texts as \
                    {"ja": …, "en": …}; every refusal is RFC 9457 problem JSON in the language of Accept-Language. \
                    Sign in with an API token (Authorization: Bearer …). A browser session may call the API too, with its \
                    CSRF token in X-CSRF-Token on every request that changes something; form and multipart bodies are refused.
                    """,
            ],
            "servers": [["url": "/"]],
            "tags": ["operations", "registry", "accounts", "relay", "rules", "contacts", "alerts", "sharing", "reports", "situation"].map { ["name": $0] },
            "paths": paths,
            "components": [
                "schemas": Schema.components,
                "securitySchemes": [
                    "token": ["type": "http", "scheme": "bearer", "description": "an API token (ceptoar token create, or POST /api/v1/tokens)"],
                    "session": ["type": "apiKey", "in": "header", "name": "X-CSRF-Token", "description": "a signed-in page's CSRF token, with its session cookie"],
                ],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }()

    private static func render(_ operation: Operation) -> [String: Any] {
        var parameters: [[String: Any]] = []
        for name in self.pathParameters(operation.path) {
            let schema = ["id", "attempt"].contains(name) ? (name == "id" ? Schema.uuid : Schema.integer) : Schema.string(maxLength: 200, minLength: 1)
            parameters.append(["name": name, "in": "path", "required": true, "schema": schema])
        }
        for (name, schema, description) in operation.query {
            parameters.append(["name": name, "in": "query", "required": false, "schema": schema, "description": description])
        }
        for (name, schema, description) in operation.headers {
            parameters.append(["name": name, "in": "header", "required": operation.access == .gateway, "schema": schema, "description": description])
        }
        var responses: [String: Any] = [
            "4XX": ["description": "refused: problem JSON", "content": ["application/problem+json": ["schema": Schema.ref("Problem")]]]
        ]
        var success: [String: Any] = ["description": "done"]
        if let type = operation.success.type {
            success["content"] = [type: ["schema": operation.success.schema ?? Schema.anyObject]]
        }
        responses[String(operation.success.status)] = success
        var rendered: [String: Any] = [
            "operationId": operation.id, "summary": operation.summary, "tags": [operation.tag], "parameters": parameters, "responses": responses,
        ]
        switch operation.access {
        case .signedIn: rendered["security"] = [["token": []], ["session": []]]
        case .open, .gateway: rendered["security"] = [[String: Any]()]
        }
        if let body = operation.body {
            rendered["requestBody"] = ["required": true, "content": [body.type: ["schema": body.schema]]]
        }
        return rendered
    }

    /// `{id}` and `{key}` in a path, in order.
    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }
}
