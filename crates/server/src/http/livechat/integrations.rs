//! `GET livechat/integrations.settings` and `POST omnichannel/integrations`: the webhook
//! settings, for managers (`view-livechat-manager`).

use crate::error::{Ajv, Error};
use crate::http::openapi::{self as api, Api, op};
use crate::http::{ApiResult, AppState, Auth, Body, ok};
use crate::validate::{F, Ty};
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/integrations.settings",
            api::get(
                list,
                op("The webhook settings")
                    .user()
                    .ok(&[("settings", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/omnichannel/integrations",
            api::post(
                save,
                op("Save the webhook settings").user().body(&[
                    F::opt("LivechatWebhookUrl", Ty::Str),
                    F::opt("LivechatSecretToken", Ty::Str),
                    F::opt("LivechatHttpTimeout", Ty::Num),
                    F::opt("LivechatWebhookOnStart", Ty::Bool),
                    F::opt("LivechatWebhookOnClose", Ty::Bool),
                    F::opt("LivechatWebhookOnChatTaken", Ty::Bool),
                    F::opt("LivechatWebhookOnChatQueued", Ty::Bool),
                    F::opt("LivechatWebhookOnForward", Ty::Bool),
                    F::opt("LivechatWebhookOnOfflineMsg", Ty::Bool),
                    F::opt("LivechatWebhookOnVisitorMessage", Ty::Bool),
                    F::opt("LivechatWebhookOnAgentMessage", Ty::Bool),
                ]),
            ),
        )
}

async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult {
    auth.require("view-livechat-manager")?;
    ok(json!({ "settings": s.lc.integration_settings() }))
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Number,
    Flag,
}

/// Body field → setting, and the field's type in upstream's schema.
const FIELDS: &[(&str, &str, Kind)] = &[
    ("LivechatWebhookUrl", "Livechat_webhookUrl", Kind::Text),
    ("LivechatSecretToken", "Livechat_secret_token", Kind::Text),
    ("LivechatHttpTimeout", "Livechat_http_timeout", Kind::Number),
    (
        "LivechatWebhookOnStart",
        "Livechat_webhook_on_start",
        Kind::Flag,
    ),
    (
        "LivechatWebhookOnClose",
        "Livechat_webhook_on_close",
        Kind::Flag,
    ),
    (
        "LivechatWebhookOnChatTaken",
        "Livechat_webhook_on_chat_taken",
        Kind::Flag,
    ),
    (
        "LivechatWebhookOnChatQueued",
        "Livechat_webhook_on_chat_queued",
        Kind::Flag,
    ),
    (
        "LivechatWebhookOnForward",
        "Livechat_webhook_on_forward",
        Kind::Flag,
    ),
    (
        "LivechatWebhookOnOfflineMsg",
        "Livechat_webhook_on_offline_msg",
        Kind::Flag,
    ),
    (
        "LivechatWebhookOnVisitorMessage",
        "Livechat_webhook_on_visitor_message",
        Kind::Flag,
    ),
    (
        "LivechatWebhookOnAgentMessage",
        "Livechat_webhook_on_agent_message",
        Kind::Flag,
    ),
];

/// A value of the field's type, coerced as upstream's ajv (`coerceTypes`) does: a number
/// or boolean becomes text, numeric text a number, `"true"`/`"false"` a boolean.
fn coerce(kind: Kind, v: &Value) -> Option<Value> {
    match (kind, v) {
        (Kind::Text, Value::String(s)) => Some(json!(s.trim())),
        (Kind::Text, Value::Number(n)) => Some(json!(n.to_string())),
        (Kind::Text, Value::Bool(b)) => Some(json!(b.to_string())),
        (Kind::Number, Value::Number(_)) => Some(v.clone()),
        (Kind::Number, Value::String(s)) => s.trim().parse::<f64>().ok().map(|f| json!(f)),
        (Kind::Flag, Value::Bool(_)) => Some(v.clone()),
        (Kind::Flag, Value::String(s)) if s == "true" || s == "false" => Some(json!(s == "true")),
        _ => None,
    }
}

async fn save(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    // ajv (additionalProperties: false) before the permission, as upstream's validateParams.
    if b.keys().any(|k| !FIELDS.iter().any(|(f, _, _)| f == k)) {
        return Err(Error::InvalidParams(vec![Ajv::AdditionalProperties]));
    }
    let mut items = Vec::new();
    for (field, id, kind) in FIELDS {
        if let Some(v) = b.get(*field) {
            let value = coerce(*kind, v).ok_or_else(|| {
                Error::InvalidParams(vec![Ajv::MustBe(match kind {
                    Kind::Text => "string",
                    Kind::Number => "number",
                    Kind::Flag => "boolean",
                })])
            })?;
            items.push((*id, value));
        }
    }
    auth.require("view-livechat-manager")?;
    s.lc.save_integration_settings(&items).await?;
    ok(json!({}))
}
