import Foundation

/// JSON Schema pieces for the OpenAPI document, kept as plain dictionaries (immutable, hence
/// `nonisolated(unsafe)`; the document is
/// serialised once at start-up). Optional Swift properties are left out of the JSON when
/// absent, so a schema lists as `required` only what every answer carries.
enum Schema {
    typealias Object = [String: Any]

    nonisolated(unsafe) static let string: Object = ["type": "string"]
    nonisolated(unsafe) static let uuid: Object = ["type": "string", "format": "uuid"]
    nonisolated(unsafe) static let dateTime: Object = ["type": "string", "format": "date-time"]
    nonisolated(unsafe) static let day: Object = ["type": "string", "format": "date", "description": "ISO day, YYYY-MM-DD"]
    nonisolated(unsafe) static let integer: Object = ["type": "integer"]
    nonisolated(unsafe) static let number: Object = ["type": "number"]
    nonisolated(unsafe) static let boolean: Object = ["type": "boolean"]
    nonisolated(unsafe) static let anyObject: Object = ["type": "object"]

    static func string(maxLength: Int, minLength: Int = 0) -> Object { ["type": "string", "maxLength": maxLength, "minLength": minLength] }
    static func integer(_ range: ClosedRange<Int>) -> Object { ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound] }
    static func oneOf(_ values: [String]) -> Object { ["type": "string", "enum": values] }
    static func array(_ items: Object, maxItems: Int? = nil) -> Object {
        var schema: Object = ["type": "array", "items": items]
        if let maxItems { schema["maxItems"] = maxItems }
        return schema
    }
    static func ref(_ name: String) -> Object { ["$ref": "#/components/schemas/\(name)"] }

    static func object(_ properties: [String: Object], required: [String] = []) -> Object {
        var schema: Object = ["type": "object", "properties": properties]
        if !required.isEmpty { schema["required"] = required.sorted() }
        return schema
    }

    /// Every named schema, for `components.schemas`.
    nonisolated(unsafe) static let components: [String: Object] = [
        "Problem": object(
            ["type": string, "title": string, "status": integer, "detail": string, "instance": string],
            required: ["type", "title", "status", "detail"]),
        "Text": object(["ja": string, "en": string], required: ["ja"]),
        "TextInput": object(["ja": string(maxLength: 100_000, minLength: 1), "en": string(maxLength: 100_000)], required: ["ja"]),
        "Me": object(
            ["email": string, "displayName": string, "roles": array(string), "organisation": string, "organisationKey": string],
            required: ["email", "displayName", "roles", "organisation"]),
        "DirectoryPage": object(
            [
                "items": array(object(
                    ["id": uuid, "key": string, "kind": string, "name": ref("Text"), "ceptoars": array(ref("Text")), "synthetic": boolean],
                    required: ["id", "kind", "name", "ceptoars", "synthetic"])),
                "total": integer, "page": integer, "per": integer,
            ], required: ["items", "total", "page", "per"]),
        "AdvisoryInput": object(
            [
                "title": ref("TextInput"), "body": ref("TextInput"),
                "severity": oneOf(["low", "medium", "high", "critical"]),
                "category": oneOf(["vulnerability", "threat", "incident", "analysis", "other"]),
                "tlp": oneOf(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
                "targets": array(object(["kind": oneOf(["sector", "ceptoar", "group", "organisation"]), "key": string(maxLength: 200)], required: ["kind", "key"]), maxItems: 100),
                "references": array(string(maxLength: 2_000), maxItems: 100),
                "expiresAt": dateTime, "supersedes": uuid,
            ], required: ["title", "body", "severity", "category", "tlp", "targets"]),
        "Advisory": object(
            [
                "id": uuid, "seriesID": uuid, "version": integer, "supersedes": uuid, "originator": string, "title": ref("Text"),
                "body": ref("Text"), "severity": string, "category": string, "tlp": string, "references": array(string),
                "createdAt": dateTime, "expiresAt": dateTime, "withdrawnAt": dateTime, "withdrawnReason": string, "notes": array(string),
            ], required: ["id", "seriesID", "version", "originator", "title", "body", "severity", "category", "tlp", "references", "notes"]),
        "Inbox": object(
            [
                "items": array(object(
                    [
                        "advisoryID": uuid, "tlp": string, "severity": string, "title": ref("Text"), "deliveredAt": dateTime, "readAt": dateTime,
                        "acknowledgedAt": dateTime, "withdrawn": boolean, "expired": boolean, "redacted": boolean, "reason": string,
                    ], required: ["advisoryID", "tlp", "deliveredAt", "withdrawn", "expired", "redacted"])),
                "total": integer, "page": integer, "per": integer,
            ], required: ["items", "total", "page", "per"]),
        "Timeline": object(
            [
                "advisoryID": uuid, "publishedAt": dateTime, "delivered": integer, "read": integer, "acknowledged": integer,
                "hops": array(object(
                    [
                        "id": uuid, "stage": string, "organisation": ref("Text"), "ceptoar": string, "status": string, "tlp": string,
                        "automatic": boolean, "receivedAt": dateTime, "reviewedAt": dateTime, "forwardedAt": dateTime, "note": string,
                        "withheldReason": string, "delivered": integer, "read": integer, "acknowledged": integer,
                    ], required: ["id", "stage", "organisation", "status", "tlp", "automatic", "receivedAt", "delivered", "read", "acknowledged"])),
            ], required: ["advisoryID", "hops", "delivered", "read", "acknowledged"]),
        "Hop": object(
            ["id": uuid, "advisoryID": uuid, "title": ref("Text"), "severity": string, "stage": string, "status": string, "tlp": string, "receivedAt": dateTime],
            required: ["id", "advisoryID", "title", "severity", "stage", "status", "tlp", "receivedAt"]),
        "Acknowledged": object(["advisoryID": uuid, "acknowledgedAt": dateTime, "comment": string], required: ["advisoryID"]),
        "Rules": object(
            [
                "id": uuid, "version": integer, "effectiveFrom": string, "text": ref("Text"), "defaultTLP": string,
                "greenToContractors": boolean, "externalPolicy": string, "createdAt": dateTime,
            ], required: ["id", "version", "effectiveFrom", "text", "defaultTLP", "greenToContractors", "externalPolicy"]),
        "RulesInput": object(
            [
                "text": ref("TextInput"), "effectiveFrom": day, "defaultTLP": oneOf(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
                "greenToContractors": boolean, "externalPolicy": string(maxLength: 100),
            ], required: ["text", "defaultTLP", "greenToContractors", "externalPolicy"]),
        "ProvisionRequest": object(
            [
                "id": uuid, "advisoryID": uuid, "requester": string, "recipient": string, "purpose": string, "status": string,
                "scope": string, "reason": string, "createdAt": dateTime, "decidedAt": dateTime,
            ], required: ["id", "advisoryID", "requester", "recipient", "purpose", "status"]),
        "Attachment": object(
            ["id": uuid, "filename": string, "contentType": string, "size": integer, "sha256": string],
            required: ["id", "filename", "contentType", "size", "sha256"]),
        "RosterInput": object(
            [
                "contacts": array(object(
                    [
                        "rank": oneOf(["primary", "secondary", "deputy"]), "name": string(maxLength: 200, minLength: 1), "title": string(maxLength: 200),
                        "availableAlways": boolean, "hours": string(maxLength: 200),
                        "methods": array(object(
                            [
                                "channel": oneOf(["email", "phone", "mobile", "satellite_phone", "fax", "web", "meeting"]),
                                "address": string(maxLength: 320, minLength: 1), "note": string(maxLength: 200), "published": boolean,
                            ], required: ["channel", "address"]), maxItems: 20),
                    ], required: ["rank", "name", "availableAlways", "methods"]), maxItems: 20),
            ], required: ["contacts"]),
        "Roster": object(
            [
                "organisationID": uuid, "organisation": ref("Text"),
                "contacts": array(object(
                    [
                        "rank": string, "name": string, "title": string, "availableAlways": boolean, "hours": string,
                        "methods": array(object(
                            ["channel": string, "address": string, "note": string, "published": boolean, "verified": boolean, "verifiedAt": dateTime],
                            required: ["channel", "address", "published", "verified"])),
                    ], required: ["rank", "name", "availableAlways", "methods"])),
            ], required: ["organisationID", "organisation", "contacts"]),
        "ContactSheet": object(
            [
                "ceptoar": string, "name": ref("Text"), "secretariat": ref("Text"),
                "methods": array(object(
                    ["rank": string, "title": string, "channel": string, "address": string, "note": string, "availableAlways": boolean, "hours": string],
                    required: ["rank", "channel", "address", "availableAlways"])),
            ], required: ["ceptoar", "name", "secretariat", "methods"]),
        "InboundMessageInput": object(
            [
                "name": string(maxLength: 200, minLength: 1), "organisation": string(maxLength: 200, minLength: 1), "email": string(maxLength: 320, minLength: 1),
                "phone": string(maxLength: 40), "subject": string(maxLength: 200, minLength: 1), "body": string(maxLength: 10_000, minLength: 1),
            ], required: ["name", "organisation", "email", "subject", "body"]),
        "InboundMessage": object(
            [
                "id": uuid, "receivedAt": dateTime, "name": string, "organisation": string, "email": string, "phone": string, "subject": string,
                "body": string, "handledAt": dateTime, "handledBy": string,
            ], required: ["id", "receivedAt", "name", "organisation", "email", "subject", "body"]),
        "EscalationPolicy": object(
            [
                "steps": array(object(
                    [
                        "ranks": array(oneOf(["primary", "secondary", "deputy"])),
                        "channels": array(oneOf(["portal", "email", "phone", "mobile", "satellite_phone", "fax"])),
                        "waitSeconds": integer(1...86_400),
                    ], required: ["ranks", "channels", "waitSeconds"]), maxItems: 10),
                "repeatCount": integer(0...5),
            ], required: ["steps", "repeatCount"]),
        "AlertInput": object(
            [
                "kind": oneOf(["alert", "drill", "test"]), "scope": oneOf(["ceptoar", "sector", "nation"]), "key": string(maxLength: 100),
                "title": ref("TextInput"), "body": ref("TextInput"), "severity": oneOf(["low", "medium", "high", "critical"]), "advisory": uuid,
                "policy": ref("EscalationPolicy"),
            ], required: ["kind", "scope"]),
        "AlertSummary": object(
            [
                "id": uuid, "kind": string, "capStatus": string, "scope": string, "scopeKey": string, "title": ref("Text"), "createdAt": dateTime,
                "policy": ref("EscalationPolicy"),
            ], required: ["id", "kind", "capStatus", "scope", "scopeKey", "title", "createdAt", "policy"]),
        "AlertStarted": object(["alert": ref("AlertSummary"), "targets": integer, "messagesQueued": integer], required: ["alert", "targets", "messagesQueued"]),
        "AlertListed": object(["alert": ref("AlertSummary"), "acknowledgedAt": dateTime, "received": boolean], required: ["alert", "received"]),
        "AlertReport": object(
            [
                "alert": ref("AlertSummary"), "targets": integer, "acknowledged": integer, "exhausted": integer, "reachRate": number,
                "medianResponseSeconds": number, "p90ResponseSeconds": number, "stages": array(anyObject), "ceptoars": array(anyObject),
            ], required: ["alert", "targets", "acknowledged", "exhausted", "reachRate", "stages", "ceptoars"]),
        "AlertMessage": object(
            [
                "id": integer, "organisationKey": string, "step": integer, "round": integer, "rank": string, "contactName": string, "channel": string,
                "route": string, "address": string, "state": string, "tries": integer, "sentAt": dateTime, "acknowledgedAt": dateTime,
                "lastError": string, "handledBy": string,
            ], required: ["id", "organisationKey", "step", "round", "rank", "contactName", "channel", "route", "address", "state", "tries"]),
        "AcknowledgementResult": object(
            ["alert": uuid, "organisation": uuid, "acknowledgedAt": dateTime, "via": string, "first": boolean],
            required: ["alert", "organisation", "acknowledgedAt", "via", "first"]),
        "AgreementProposal": object(
            [
                "key": string(maxLength: 80, minLength: 3), "title": ref("TextInput"), "parties": array(string(maxLength: 200), maxItems: 20),
                "direction": oneOf(["both", "one_way"]), "categories": array(oneOf(["vulnerability", "threat", "incident", "analysis", "other"]), maxItems: 5),
                "objectTypes": array(string(maxLength: 250), maxItems: 50), "originSectors": array(string(maxLength: 100), maxItems: 50),
                "maxTLP": oneOf(["CLEAR", "GREEN", "AMBER"]), "anonymised": boolean, "mayPassOn": boolean, "validFrom": day, "validTo": day,
                "retentionDays": integer(1...3_650), "contacts": ["type": "object", "additionalProperties": string(maxLength: 200, minLength: 1)],
            ], required: ["key", "title", "parties", "direction", "maxTLP", "anonymised", "mayPassOn", "validFrom", "retentionDays", "contacts"]),
        "AgreementChange": object(["reason": string(maxLength: 1_000, minLength: 1)], required: ["reason"]),
        "Agreement": object(
            [
                "key": string, "title": ref("Text"), "parties": array(string), "partyNames": ["type": "object", "additionalProperties": ref("Text")],
                "direction": string, "categories": array(string), "objectTypes": array(string), "originSectors": array(string), "maxTLP": string,
                "anonymised": boolean, "mayPassOn": boolean, "validFrom": day, "validTo": day, "retentionDays": integer,
                "contacts": ["type": "object", "additionalProperties": string],
                "status": oneOf(["proposed", "active", "suspended", "terminated", "expired"]), "version": integer,
                "approvals": array(object(["party": string, "approvedBy": string, "approvedAt": dateTime], required: ["party", "approvedBy", "approvedAt"])),
                "awaiting": array(string), "collection": string,
                "history": array(object(["version": integer, "change": string, "status": string, "actor": string, "reason": string, "at": dateTime], required: ["version", "change", "status", "actor", "at"])),
            ], required: ["key", "title", "parties", "direction", "maxTLP", "status", "version", "approvals", "awaiting", "collection"]),
        "ReportInput": reportInput(),
        "ReportFiling": reportInput(extra: ["ceptoar": string(maxLength: 200, minLength: 1)]),
        "Report": object(
            [
                "id": uuid, "ceptoar": string, "sector": string, "anonymised": boolean,
                "reporter": object(["id": uuid, "name": ref("Text"), "filedBy": string], required: ["id", "name", "filedBy"]),
                "summary": ref("Text"), "affectedService": string, "detectedAt": dateTime, "occurredAt": dateTime, "eventType": string,
                "causes": array(string), "slaBreached": boolean,
                "impact": object(["serviceContinuity": integer, "safety": integer, "lossOfTrust": integer], required: ["serviceContinuity", "safety", "lossOfTrust"]),
                "severity": integer, "observables": array(object(["kind": string, "value": string], required: ["kind", "value"])),
                "withheldObservables": integer, "tlp": string, "attribution": string, "redConsent": boolean, "stage": string,
                "deadlines": array(object(
                    ["stage": string, "deadline": dateTime, "rule": string, "submittedAt": dateTime, "timeliness": oneOf(["on_time", "due", "overdue", "late", "waiting"]), "needsRevision": boolean],
                    required: ["stage", "rule", "timeliness", "needsRevision"])),
                "versions": array(object(
                    ["stage": string, "version": integer, "status": string, "submittedAt": dateTime, "returnedAt": dateTime, "returnComment": string],
                    required: ["stage", "version", "status", "submittedAt"])),
                "hops": array(object(
                    ["step": string, "organisation": ref("Text"), "status": string, "receivedAt": dateTime, "forwardedAt": dateTime, "automatic": boolean, "note": string],
                    required: ["step", "organisation", "status", "receivedAt", "automatic"])),
                "createdAt": dateTime, "updatedAt": dateTime,
            ],
            required: [
                "id", "ceptoar", "sector", "anonymised", "summary", "affectedService", "detectedAt", "eventType", "causes", "slaBreached", "impact", "severity",
                "observables", "withheldObservables", "tlp", "attribution", "redConsent", "stage", "deadlines", "versions", "hops", "createdAt", "updatedAt",
            ]),
        "ReportList": object(["items": array(ref("Report")), "total": integer, "page": integer, "per": integer], required: ["items", "total", "page", "per"]),
        "ReportTrend": object(
            [
                "id": uuid, "sector": string, "kind": oneOf(["event_type", "cve"]), "value": string, "reportCount": integer, "raisedAt": dateTime,
                "windowStart": dateTime, "windowEnd": dateTime, "reports": array(uuid),
            ], required: ["id", "sector", "kind", "value", "reportCount", "raisedAt", "windowStart", "windowEnd", "reports"]),
        "ReportRelated": object(
            [
                "report": uuid, "windowDays": integer,
                "reports": array(object(["report": ref("Report"), "shared": array(string)], required: ["report", "shared"])),
                "advisories": array(object(["id": uuid, "title": ref("Text"), "cve": string, "createdAt": dateTime], required: ["id", "title", "cve", "createdAt"])),
                "trends": array(ref("ReportTrend")),
            ], required: ["report", "windowDays", "reports", "advisories", "trends"]),
        "ReportDeadlines": object(
            ["first": string(maxLength: 100, minLength: 1), "followUp": string(maxLength: 100, minLength: 1), "final": string(maxLength: 100, minLength: 1)],
            required: ["first", "followUp", "final"]),
        "FailureCaseInput": object(
            [
                "title": ref("TextInput"), "businessType": string(maxLength: 20_000, minLength: 1), "event": string(maxLength: 20_000, minLength: 1),
                "cause": string(maxLength: 20_000, minLength: 1), "countermeasure": string(maxLength: 20_000, minLength: 1),
                "lessons": string(maxLength: 20_000, minLength: 1), "tlp": oneOf(["CLEAR", "GREEN", "AMBER"]), "reports": array(uuid, maxItems: 50),
            ], required: ["title", "businessType", "event", "cause", "countermeasure", "lessons", "reports"]),
        "FailureCase": object(
            [
                "id": uuid, "status": oneOf(["draft", "published"]), "sector": string, "author": ref("Text"), "title": ref("Text"), "businessType": string,
                "event": string, "cause": string, "countermeasure": string, "lessons": string, "tlp": string, "reports": array(uuid), "advisory": uuid,
                "createdAt": dateTime, "updatedAt": dateTime, "publishedAt": dateTime,
            ], required: ["id", "status", "sector", "author", "title", "businessType", "event", "cause", "countermeasure", "lessons", "tlp", "createdAt", "updatedAt"]),
        "SituationLink": object(["kind": oneOf(["report", "trend_flag", "advisory", "failure_case"]), "id": uuid], required: ["kind", "id"]),
        "SituationChangeInput": object(
            [
                "scope": string(maxLength: 80, minLength: 1), "level": oneOf(["normal", "caution", "warning", "emergency", "平常", "注意", "警戒", "緊急"]),
                "rationale": ref("TextInput"), "links": array(ref("SituationLink"), maxItems: 20), "large_incident": boolean,
            ], required: ["scope", "level", "rationale", "links"]),
        "SituationChange": object(
            [
                "id": uuid, "level": string, "label": ref("Text"), "large_incident": boolean, "at": dateTime, "rationale": ref("Text"),
                "links": array(ref("SituationLink")), "set_by": string, "notice": uuid, "effects": object([:]),
            ], required: ["id", "level", "label", "large_incident", "at", "rationale", "links", "set_by", "effects"]),
        "Situation": object(
            [
                "scope": string, "name": ref("Text"), "level": string, "label": ref("Text"), "large_incident": boolean, "current": ref("SituationChange"),
                "coordinated": boolean, "history": array(ref("SituationChange")),
                "proposal": object(["level": string, "label": ref("Text"), "reasons": array(ref("Text"))], required: ["level", "label", "reasons"]),
            ], required: ["scope", "name", "level", "label", "large_incident", "coordinated"]),
        "Home": object(
            [
                "work": object(
                    [
                        "held_hops": integer, "held_reports": integer, "unacknowledged_advisories": integer, "running_alerts": integer, "call_tasks": integer,
                        "alerts_to_acknowledge": integer, "reports_due": integer, "reports_overdue": integer, "reports_needing_revision": integer,
                        "inbound_messages": integer, "agreements_awaiting_approval": integer, "failing_peers": integer,
                        "week": object(
                            ["advisories_received": integer, "advisories_published": integer, "reports_filed": integer, "reports_received": integer, "alerts_sent": integer, "situation_changes": integer],
                            required: ["advisories_received", "advisories_published", "reports_filed", "reports_received", "alerts_sent", "situation_changes"]),
                    ],
                    required: [
                        "held_hops", "held_reports", "unacknowledged_advisories", "running_alerts", "call_tasks", "alerts_to_acknowledge", "reports_due",
                        "reports_overdue", "reports_needing_revision", "inbound_messages", "agreements_awaiting_approval", "failing_peers", "week",
                    ]),
                "situation": array(ref("Situation")), "secretariatCeptoars": array(string),
            ], required: ["work", "situation", "secretariatCeptoars"]),
        "ExerciseInput": object(
            [
                "name": ref("TextInput"), "participants": array(string(maxLength: 64, minLength: 1), maxItems: 40),
                "injects": array(
                    object(
                        ["at": dateTime, "kind": oneOf(["advisory", "drill"]), "title": ref("TextInput"), "body": ref("TextInput"), "severity": oneOf(["low", "medium", "high", "critical"])],
                        required: ["at", "kind", "title", "body"]), maxItems: 50),
            ], required: ["name", "participants", "injects"]),
        "AfterAction": object(
            [
                "id": uuid, "name": ref("Text"), "participants": array(string),
                "injects": array(object(
                    ["position": integer, "kind": string, "title": ref("Text"), "dueAt": dateTime, "sentAt": dateTime, "lateSeconds": integer, "result": string, "error": string],
                    required: ["position", "kind", "title", "dueAt"])),
                "rows": array(object(
                    [
                        "ceptoar": string, "name": ref("Text"), "ministryRelaySeconds": integer, "ceptoarRelaySeconds": integer, "deliveries": integer, "acknowledged": integer,
                        "acknowledgeSeconds": integer, "drillTargets": integer, "drillAnswered": integer, "drillAnswerSeconds": integer, "reports": integer, "firstReportSeconds": integer,
                    ], required: ["ceptoar", "name", "deliveries", "acknowledged", "drillTargets", "drillAnswered", "reports"])),
            ], required: ["id", "name", "participants", "injects", "rows"]),
        "SituationList": object(["scopes": array(ref("Situation"))], required: ["scopes"]),
        "AnalysisBodies": object(["organisations": array(string(maxLength: 200), maxItems: 20)], required: ["organisations"]),
        "StatisticsCount": object(["value": integer, "status": oneOf(["shown", "small", "hidden"])], required: ["status"]),
        "StatisticsTable": object(
            [
                "rows": array(string), "columns": array(string), "cells": array(array(ref("StatisticsCount"))), "rowTotals": array(ref("StatisticsCount")),
                "columnTotals": array(ref("StatisticsCount")), "total": ref("StatisticsCount"),
            ], required: ["rows", "columns", "cells", "rowTotals", "columnTotals", "total"]),
        "ReportStatistics": object(
            [
                "scope": string, "scopeName": ref("Text"), "period": string, "periodLabel": ref("Text"), "from": dateTime, "until": dateTime, "k": integer,
                "byEventAndCause": ref("StatisticsTable"), "byQuarter": ref("StatisticsTable"), "medianMinutesToFirstReport": integer,
                "stagesOnTimeShare": ["type": "number"], "stagesCounted": ref("StatisticsCount"),
            ], required: ["scope", "scopeName", "period", "periodLabel", "from", "until", "k", "byEventAndCause", "byQuarter", "stagesCounted"]),
        "Token": object(["id": uuid, "name": string, "createdAt": dateTime, "expiresAt": dateTime, "lastUsedAt": dateTime], required: ["id", "name"]),
        "TokenCreated": object(["token": ref("Token"), "secret": string], required: ["token", "secret"]),
        "VerificationSent": object(["channel": string, "address": string, "expiresAt": dateTime], required: ["channel", "address", "expiresAt"]),
        "Verified": object(["channel": string, "address": string, "verifiedAt": dateTime], required: ["channel", "address", "verifiedAt"]),
        "Status": object(["status": string], required: ["status"]),
    ]

    /// A report stage as a member sends it; every field is checked by `ReportInput.validated`,
    /// which names each wrong one, so the schema says the shape and leaves the rules to it.
    static func reportInput(extra: [String: Object] = [:]) -> Object {
        var properties: [String: Object] = [
            "summary": ref("TextInput"), "affectedService": string(maxLength: 200, minLength: 1), "detectedAt": dateTime, "occurredAt": dateTime,
            "eventType": oneOf(["precursor", "leak", "destruction", "unavailability", "malware", "unauthorised_code", "intrusion", "other"]),
            "causes": array(string(maxLength: 100), maxItems: 12), "slaBreached": boolean,
            "impact": object(["serviceContinuity": integer(0...4), "safety": integer(0...4), "lossOfTrust": integer(0...4)], required: ["serviceContinuity", "safety", "lossOfTrust"]),
            "severity": integer(0...4),
            "observables": array(object(["kind": oneOf(["ip", "domain", "url", "hash", "cve", "cpe", "product"]), "value": string(maxLength: 2_000)], required: ["kind", "value"]), maxItems: 100),
            "tlp": oneOf(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]), "attribution": oneOf(["named", "anonymised", "ceptoar_only"]), "redConsent": boolean,
        ]
        properties.merge(extra) { a, _ in a }
        return object(properties, required: ["summary", "affectedService", "detectedAt", "eventType", "causes", "slaBreached", "impact", "tlp", "attribution"])
    }
}
