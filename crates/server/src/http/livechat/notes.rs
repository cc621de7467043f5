//! `POST livechat/notes` (a Ferrochat addition): an agent's internal note on a chat, seen by
//! agents and managers (`loadHistory`, `livechat/:rid/messages`, their `stream-room-messages`),
//! never by the visitor.

use super::super::schema::{S, obj, req, validate};
use super::super::validate::str_of;
use super::super::{ApiResult, AppState, Auth, Body, ok};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::{F, Ty};
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new().route(
        "/v1/livechat/notes",
        api::post(
            add,
            op("An agent's internal note on a chat (agents and managers see it, the visitor not)")
                .user()
                .body(&[F::req("rid", Ty::Str), F::req("msg", Ty::Str)])
                .ok(&[("message", Ty::Obj)]),
        ),
    )
}

/// Body `{rid, msg}`; answers `{message}`, the note (`t: "livechat_internal_note"`).
async fn add(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("view-l-room")?;
    validate(
        &Value::Object(b.clone()),
        &obj(vec![req("rid", S::Str), req("msg", S::Str)]),
    )?;
    let rid = str_of(&b, "rid").unwrap_or_default();
    let msg = str_of(&b, "msg").unwrap_or_default();
    let note = s.lc.add_note(&auth.user, &rid, &msg).await?;
    ok(json!({ "message": note }))
}
