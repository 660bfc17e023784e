import Fluent
import SQLKit

/// Alerts to points of contact (national alerts, drills, tests), one target row per
/// organisation, one attempt row per message, escalation policies per CEPTOAR, the secrets
/// that sign acknowledgement links, and the signatures of gateway callbacks already seen.
struct CreateNotifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(EscalationPolicyRecord.schema)
            .id()
            .field("ceptoar_id", .uuid, .required, .references(Ceptoar.schema, "id"))
            .field("policy", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .string, .required)
            .unique(on: "ceptoar_id")
            .create()
        try await database.schema(Alert.schema)
            .id()
            .field("kind", .string, .required)
            .field("scope_kind", .string, .required)
            .field("scope_key", .string, .required)
            .field("advisory_id", .uuid, .references(Advisory.schema, "id"))
            .field("severity", .string, .required)
            .field("title_ja", .string, .required)
            .field("title_en", .string, .required)
            .field("body_ja", .string, .required)
            .field("body_en", .string, .required)
            .field("sender_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("created_by", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("policy", .string, .required)
            .field("idempotency_key", .string)
            .field("request_hash", .string)
            .unique(on: "sender_id", "idempotency_key")
            .create()
        try await database.schema(AlertTarget.schema)
            .field("id", .int, .identifier(auto: true))
            .field("alert_id", .uuid, .required, .references(Alert.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("ceptoar_id", .uuid, .references(Ceptoar.schema, "id"))
            .field("stage", .string, .required)
            .field("step", .int, .required)
            .field("round", .int, .required)
            .field("next_step_at", .datetime)
            .field("exhausted_at", .datetime)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_via", .string)
            .field("acknowledged_by", .string)
            .unique(on: "alert_id", "organisation_id")
            .create()
        try await database.schema(NotificationAttempt.schema)
            .field("id", .int, .identifier(auto: true))
            .field("alert_id", .uuid, .required)
            .field("target_id", .int, .required)
            .field("step", .int, .required)
            .field("round", .int, .required)
            .field("rank", .string, .required)
            .field("contact_name", .string, .required)
            .field("channel", .string, .required)
            .field("route", .string, .required)
            .field("address", .string, .required)
            .field("state", .string, .required)
            .field("tries", .int, .required)
            .field("next_try_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .field("delivered_at", .datetime)
            .field("acknowledged_at", .datetime)
            .field("last_error", .string)
            .field("handled_by", .string)
            // One message per address per step and round, however often a step is retried.
            .unique(on: "target_id", "step", "round", "channel", "address")
            .create()
        try await database.schema(AppSecret.schema)
            .field("name", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        try await database.schema("webhook_receipts")
            .field("signature", .string, .identifier(auto: false))
            .field("received_at", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            "CREATE INDEX idx_alert_targets_due ON alert_targets (next_step_at)",
            "CREATE INDEX idx_attempts_due ON notification_attempts (state, next_try_at)",
            "CREATE INDEX idx_attempts_alert ON notification_attempts (alert_id, route, state)",
            "CREATE INDEX idx_alerts_created ON alerts (created_at)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in ["webhook_receipts", AppSecret.schema, NotificationAttempt.schema, AlertTarget.schema, Alert.schema, EscalationPolicyRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}
