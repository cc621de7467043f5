//! `POST /api/v1/livechat/room.survey`.

use super::super::schema::{S, arr, obj, req, validate};
use super::super::validate::str_of;
use super::super::{ApiResult, AppState, Body, ok};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::Ty;
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new().route(
        "/v1/livechat/room.survey",
        api::post(
            survey,
            op("The visitor's survey answers")
                .body_schema(&schema())
                .ok(&[("rid", Ty::Str), ("data", Ty::Obj)]),
        ),
    )
}

/// The body, for the check and the API document.
fn schema() -> S {
    obj(vec![
        req("token", S::Str),
        req("rid", S::Str),
        req(
            "data",
            arr(obj(vec![req("name", S::Str), req("value", S::Str)]), 1),
        ),
    ])
}

async fn survey(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    let body = Value::Object(b);
    validate(&body, &schema())?;
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
