//! `chat.sendMessage` (agents answering in livechat rooms), `chat.update`, `chat.delete`.

use super::validate::{Ty, ajv, bool_of, opt, req, str_of};
use super::{ApiResult, AppState, Auth, Body, ok};
use crate::error::{Check, Code, Error};
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/chat.sendMessage", post(send_message))
        .route("/v1/chat.update", post(update))
        .route("/v1/chat.delete", post(delete))
}

async fn send_message(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    let Some(Value::Object(m)) = b.get("message") else {
        return Err(Code::MessageParamMissing.into());
    };
    let rid = str_of(m, "rid").ok_or_else(|| Check::missing("rid", ""))?;
    let msg = match m.get("msg") {
        None => String::new(),
        Some(Value::String(t)) => t.clone(),
        Some(_) => {
            return Err(Error::Match(Check::Expected {
                expected: "string",
                got: "number",
                field: "msg".into(),
            }));
        }
    };
    let message =
        s.lc.send_agent_message(&auth.user, &rid, &msg, str_of(m, "_id"))
            .await?;
    ok(json!({ "message": message }))
}

/// Upstream's schema: `{roomId, msgId, text}` (with optional `previewUrls`, `customFields`).
async fn update(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[
            req("roomId", Ty::Str),
            req("msgId", Ty::Str),
            req("text", Ty::Str),
            opt("previewUrls", Ty::Arr),
            opt("customFields", Ty::Obj),
        ],
        false,
    )?;
    let field = |k: &str| str_of(&b, k).unwrap_or_default();
    let message =
        s.lc.edit_message_as(
            &auth.user,
            &field("roomId"),
            &field("msgId"),
            &field("text"),
        )
        .await?;
    ok(json!({ "message": message }))
}

/// Upstream's schema: `{roomId, msgId, asUser?}`; the answer has the id, the time and the
/// message as it was.
async fn delete(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[
            req("roomId", Ty::Str),
            req("msgId", Ty::Str),
            opt("asUser", Ty::Bool),
        ],
        false,
    )?;
    let field = |k: &str| str_of(&b, k).unwrap_or_default();
    let m =
        s.lc.delete_message_as(
            &auth.user,
            &field("roomId"),
            &field("msgId"),
            bool_of(&b, "asUser").unwrap_or(false),
        )
        .await?;
    ok(json!({ "_id": m.id, "ts": s.lc.now().millis().to_string(), "message": m }))
}
