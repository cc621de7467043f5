//! `GET|POST /api/v1/settings/:_id`, `GET /api/v1/settings.public`.

use super::livechat::{pagination, sort};
use super::validate::{Ty, check, req, str_of};
use super::{ApiResult, AppState, Auth, Body, Query, ok};
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::{Path, State};
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/settings/{id}",
            api::get(
                get_setting,
                op("A setting's value")
                    .user()
                    .ok(&[("_id", Ty::Str), ("value", Ty::Any)]),
            )
            .post(
                set_setting,
                op("Change a setting (`edit-privileged-setting`)")
                    .user()
                    .body(&[F::req("value", Ty::Any)]),
            ),
        )
        .route(
            "/v1/settings.public",
            api::get(
                public,
                op("The public settings (`_id=a,b`), paginated")
                    .query(&[F::opt("_id", Ty::Str)])
                    .paged()
                    .ok(&[
                        ("settings", Ty::Arr),
                        ("count", Ty::Num),
                        ("offset", Ty::Num),
                        ("total", Ty::Num),
                    ]),
            ),
        )
}

/// `settings.public` (no login): the public settings as `{_id, value}`, by `_id`, paginated;
/// `_id=a,b` picks some.
async fn public(State(s): State<AppState>, Query(q): Query) -> ApiResult {
    let (offset, count) = pagination(&q)?;
    let descending = sort(&q)?.iter().any(|(field, asc)| field == "_id" && !asc);
    let ids: Option<Vec<String>> = str_of(&q, "_id")
        .filter(|i| !i.is_empty())
        .map(|i| i.split(',').map(|x| x.trim().to_string()).collect());
    let mut all = s.lc.settings.public(ids.as_deref());
    if descending {
        all.reverse();
    }
    let total = all.len();
    let page: Vec<Value> = all
        .into_iter()
        .skip(offset as usize)
        .take(if count == 0 {
            usize::MAX
        } else {
            count as usize
        })
        .map(|(id, value)| json!({ "_id": id, "value": value }))
        .collect();
    ok(json!({ "settings": page, "count": page.len(), "offset": offset, "total": total }))
}

async fn get_setting(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult {
    auth.require("view-privileged-setting")?;
    let value = s.lc.settings.get(&id).ok_or(Code::Failed)?;
    ok(json!({ "_id": id, "value": value }))
}

async fn set_setting(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(b): Body,
) -> ApiResult {
    auth.require("edit-privileged-setting")?;
    check(&b, &[req("value", Ty::Any)], false, "")?;
    let current = s.lc.settings.get(&id).ok_or(Code::Failed)?;
    let value = b.get("value").cloned().unwrap_or(Value::Null);
    let same_type = matches!(
        (&current, &value),
        (Value::Bool(_), Value::Bool(_))
            | (Value::String(_), Value::String(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::Array(_), Value::Array(_))
            | (Value::Object(_), Value::Object(_))
    );
    if !same_type {
        return Err(Code::InvalidSettingValue.into());
    }
    if id == "Livechat_Routing_Method"
        && crate::domain::rooms::RoutingMethod::parse(value.as_str().unwrap_or("")).is_none()
    {
        return Err(Code::RoutingMethodNotAvailable.into());
    }
    s.lc.set_setting(&id, value).await?;
    ok(json!({}))
}
