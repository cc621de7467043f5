//! `chat.sendMessage` (agents answering in livechat rooms).

use super::validate::str_of;
use super::{ApiResult, AppState, Auth, Body, ok};
use crate::error::{Check, Code, Error};
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/chat.sendMessage", post(send_message))
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
