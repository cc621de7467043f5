//! `GET|POST /api/v1/livechat/appearance`: the widget's look and texts, for managers.

use crate::error::{Ajv, Error};
use crate::http::openapi::{self as api, Api, op};
use crate::http::validate::{Ty, ajv, req};
use crate::http::{AnyBody, ApiResult, AppState, Auth, ok};
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new().route(
        "/v1/livechat/appearance",
        api::get(
            list,
            op("The widget's appearance settings")
                .user()
                .ok(&[("appearance", Ty::Arr)]),
        )
        .post(
            save,
            op("Save appearance settings: `[{_id, value}]`")
                .user()
                .body_any(),
        ),
    )
}

async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult {
    auth.require("view-livechat-manager")?;
    ok(json!({ "appearance": s.lc.appearance() }))
}

/// Upstream's schema: a non-empty array of `{_id: string, value: string|boolean|number|array}`,
/// checked before the permission (as upstream's `validateParams`).
async fn save(State(s): State<AppState>, auth: Auth, AnyBody(body): AnyBody) -> ApiResult {
    let items = parse(&body)?;
    auth.require("view-livechat-manager")?;
    s.lc.save_appearance(&items).await?;
    ok(json!({}))
}

fn parse(body: &Value) -> Result<Vec<(String, Value)>, Error> {
    let Value::Array(list) = body else {
        return Err(Error::InvalidParams(vec![Ajv::MustBe("array")]));
    };
    if list.is_empty() {
        return Err(Error::InvalidParams(vec![Ajv::FewerItems { min: 1 }]));
    }
    let mut items = Vec::with_capacity(list.len());
    for item in list {
        let Value::Object(m) = item else {
            return Err(Error::InvalidParams(vec![Ajv::MustBe("object")]));
        };
        ajv(m, &[req("_id", Ty::Str), req("value", Ty::Any)], false)?;
        let value = m.get("value").cloned().unwrap_or(Value::Null);
        if !(value.is_string() || value.is_boolean() || value.is_number() || value.is_array()) {
            return Err(Error::InvalidParams(vec![Ajv::MustBe(
                "string,boolean,number,array",
            )]));
        }
        let id = match m.get("_id") {
            Some(Value::String(id)) => id.clone(),
            // ajv's coercion of a number or boolean to the string type.
            Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
            _ => return Err(Error::InvalidParams(vec![Ajv::MustBe("string")])),
        };
        items.push((id, value));
    }
    Ok(items)
}
