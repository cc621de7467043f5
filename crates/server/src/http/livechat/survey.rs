//! `POST /api/v1/livechat/room.survey`.

use super::super::schema::{S, arr, obj, req, validate};
use super::super::validate::str_of;
use super::super::{ApiResult, AppState, Body, ok};
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/livechat/room.survey", post(survey))
}

async fn survey(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    let body = Value::Object(b);
    validate(
        &body,
        &obj(vec![
            req("token", S::Str),
            req("rid", S::Str),
            req(
                "data",
                arr(obj(vec![req("name", S::Str), req("value", S::Str)]), 1),
            ),
        ]),
    )?;
    let b = body.as_object().cloned().unwrap_or_default();
    let data: Vec<(String, String)> = b
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|o| {
            (
                str_of(o, "name").unwrap_or_default(),
                str_of(o, "value").unwrap_or_default(),
            )
        })
        .collect();
    let rid = str_of(&b, "rid").unwrap_or_default();
    let feedback =
        s.lc.save_survey(&str_of(&b, "token").unwrap_or_default(), &rid, &data)
            .await?;
    ok(json!({ "rid": rid, "data": feedback }))
}
