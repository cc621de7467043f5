//! `POST /api/v1/livechat/page.visited`.

use super::super::schema::{S, nullable, obj, opt, req, validate};
use super::super::validate::str_of;
use super::super::{ApiResult, AppState, Body, ok};
use crate::http::openapi::{self as api, Api, op};
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new().route(
        "/v1/livechat/page.visited",
        api::post(
            page_visited,
            op("A page the visitor opened (navigation history)").body_schema(&schema()),
        ),
    )
}

/// The body, for the check and the API document.
fn schema() -> S {
    obj(vec![
        req("token", S::Str),
        opt("rid", nullable(S::Str)),
        req(
            "pageInfo",
            obj(vec![
                req("title", S::Str),
                req("change", S::Str),
                req("location", obj(vec![req("href", S::Str)])),
            ]),
        ),
    ])
}

async fn page_visited(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    validate(&Value::Object(b.clone()), &schema())?;
    let token = str_of(&b, "token").unwrap_or_default();
    let rid = b
        .get("rid")
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty());
    let page = b.get("pageInfo").cloned().unwrap_or_default();
    match s.lc.save_page_history(&token, rid, &page).await? {
        Some(m) => ok(json!({ "page": { "msg": m.msg, "navigation": m.navigation } })),
        None => ok(Value::Null),
    }
}
