//! `chat.sendMessage` (agents answering in livechat rooms), `chat.update`, `chat.delete`.

use super::validate::{Ty, ajv, bool_of, opt, req, str_of};
use super::{ApiResult, AppState, Auth, Body, ok};
use crate::error::{Check, Code, Error};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/chat.sendMessage",
            api::post(
                send_message,
                op("An agent's message in a room")
                    .user()
                    .body(&[F::req("message", Ty::Obj)])
                    .ok(&[("message", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/chat.update",
            api::post(
                update,
                op("Edit a message")
                    .user()
                    .body(UPDATE)
                    .ok(&[("message", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/chat.delete",
            api::post(
                delete,
                op("Delete a message").user().body(DELETE).ok(&[
                    ("_id", Ty::Str),
                    ("ts", Ty::Str),
                    ("message", Ty::Obj),
                ]),
            ),
        )
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
/// `chat.update`'s body (the check and the API document).
const UPDATE: &[F] = &[
    req("roomId", Ty::Str),
    req("msgId", Ty::Str),
    req("text", Ty::Str),
    opt("previewUrls", Ty::Arr),
    opt("customFields", Ty::Obj),
];

async fn update(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(&b, UPDATE, false)?;
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
/// `chat.delete`'s body (the check and the API document).
const DELETE: &[F] = &[
    req("roomId", Ty::Str),
    req("msgId", Ty::Str),
    opt("asUser", Ty::Bool),
];

async fn delete(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(&b, DELETE, false)?;
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
