//! `method.call/:method` and `method.callAnon/:method` (upstream `api/server/v1/misc.ts`):
//! a DDP method over REST, through the same method table as `/websocket`. The body carries
//! the DDP frame as an EJSON string; the answer carries the DDP `result` frame the same way,
//! a method's error included (still `200`, `success: true`).

use super::validate::{Ty, ajv, req};
use super::{ApiResult, AppState, Auth, Body, ok};
use crate::error::{Code, Error};
use crate::http::openapi::{self as api, Api, op};
use crate::methods::{Caller, call};
use crate::model::User;
use crate::time::with_ejson;
use crate::validate::F;
use axum::extract::State;
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    let body = [F::req("message", Ty::Str)];
    Api::new()
        .route(
            "/v1/method.call/{method}",
            api::post(
                authenticated,
                op("A DDP method over REST (the frame as an EJSON string in `message`)")
                    .user()
                    .body(&body)
                    .ok(&[("message", Ty::Str)]),
            ),
        )
        .route(
            "/v1/method.callAnon/{method}",
            api::post(
                anonymous,
                op("A DDP method over REST, without a login")
                    .body(&body)
                    .ok(&[("message", Ty::Str)]),
            ),
        )
}

async fn authenticated(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    bridge(&s, Some(&auth.user), b).await
}

/// Upstream runs these without a user, credentials or not.
async fn anonymous(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    bridge(&s, None, b).await
}

async fn bridge(s: &AppState, user: Option<&User>, b: Map<String, Value>) -> ApiResult {
    // `validateParams: isMeteorCall` (ajv, coercing), then `EJSON.parse(message)`.
    ajv(&b, &[req("message", Ty::Str)], false)?;
    let text = super::validate::str_of(&b, "message").unwrap_or_default();
    let data: Value = serde_json::from_str(&text).map_err(|e| json_parse_error(&text, &e))?;
    let (id, method, params) = method_call(&data).ok_or(Code::InvalidMethodCall)?;
    let caller = Caller { user, token: None };
    let mut frame = json!({"msg": "result", "id": id});
    match call(&s.lc, &caller, &method, &params).await {
        Ok(Some(result)) => frame["result"] = result,
        Ok(None) => {}
        Err(e) => frame["error"] = e.object(true),
    }
    let message = with_ejson(|| serde_json::to_string(&frame))?;
    ok(json!({ "message": message }))
}

/// `isMethodCallProps`: exactly `{msg: 'method', method, params: [], id}` (ajv coerces a
/// number or boolean `method`/`id` to a string).
fn method_call(v: &Value) -> Option<(String, String, Vec<Value>)> {
    let m = v.as_object()?;
    let allowed = ["method", "params", "id", "msg"];
    if m.keys().any(|k| !allowed.contains(&k.as_str())) || m.len() != allowed.len() {
        return None;
    }
    let text = |k: &str| match m.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    if m.get("msg")? != "method" {
        return None;
    }
    let params = m.get("params")?.as_array()?.clone();
    Some((text("id")?, text("method")?, params))
}

/// What JavaScript's `JSON.parse` throws for `text` (V8's wording), as upstream answers it.
fn json_parse_error(text: &str, e: &serde_json::Error) -> Error {
    let msg = if e.is_eof() {
        "Unexpected end of JSON input".to_string()
    } else {
        // serde reports 1-based line and column; V8 names the character found there.
        let at = text
            .lines()
            .nth(e.line().saturating_sub(1))
            .and_then(|l| l.chars().nth(e.column().saturating_sub(1)))
            .unwrap_or(' ');
        let shown: String = text.chars().take(32).collect();
        if shown.len() < text.len() {
            format!("Unexpected token '{at}', \"{shown}\"... is not valid JSON")
        } else {
            format!("Unexpected token '{at}', \"{shown}\" is not valid JSON")
        }
    };
    Code::MethodCallJson(msg).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_call_shape() {
        let ok = json!({"msg": "method", "method": "m", "params": [1], "id": 7});
        assert_eq!(
            method_call(&ok),
            Some(("7".into(), "m".into(), vec![json!(1)]))
        );
        assert!(method_call(&json!({"method": "m", "params": [], "id": "1"})).is_none());
        let extra = json!({"msg": "method", "method": "m", "params": [], "id": "1", "x": 1});
        assert!(method_call(&extra).is_none());
        let obj_params = json!({"msg": "method", "method": "m", "params": {}, "id": "1"});
        assert!(method_call(&obj_params).is_none());
    }
}
