//! `POST /api/v1/livechat/page.visited`.

use super::super::schema::{S, nullable, obj, opt, req, validate};
use super::super::validate::str_of;
use super::super::{ApiResult, AppState, Body, ok};
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/livechat/page.visited", post(page_visited))
}

async fn page_visited(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    validate(
        &Value::Object(b.clone()),
        &obj(vec![
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
        ]),
    )?;
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
