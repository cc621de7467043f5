//! `GET permissions.listAll`, `POST permissions.update`, `GET roles.list`
//! (upstream's `app/api/server/v1/{permissions,roles}.ts`).

use super::schema::{S, obj, req, unique_arr, validate};
use super::{ApiResult, AppState, Auth, Body, Query, ok};
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::time::Ts;
use crate::validate::{F, Ty};
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/permissions.listAll",
            api::get(
                list_all,
                op("Every permission and its roles (`updatedSince`)")
                    .user()
                    .query(&[F::opt("updatedSince", Ty::Str)])
                    .ok(&[("update", Ty::Arr), ("remove", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/permissions.update",
            api::post(
                update,
                op("Change permissions' roles (`access-permissions`)")
                    .user()
                    .body_schema(&update_schema())
                    .ok(&[("permissions", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/roles.list",
            api::get(roles_list, op("The roles").user().ok(&[("roles", Ty::Arr)])),
        )
}

/// Every permission, or with `updatedSince` those changed after it; `remove` lists deleted
/// ones, and permissions are never deleted.
async fn list_all(State(s): State<AppState>, _auth: Auth, Query(q): Query) -> ApiResult {
    let since = match q.get("updatedSince") {
        None => None,
        Some(Value::String(v)) if v.is_empty() => None,
        Some(Value::String(v)) => Some(Ts::parse_js(v).ok_or(Code::UpdatedSinceInvalid)?),
        Some(_) => return Err(Code::UpdatedSinceInvalid.into()),
    };
    ok(json!({"update": s.lc.permissions.list(since), "remove": []}))
}

/// `isBodyParamsValidPermissionUpdate`: `{permissions: [{_id, roles: unique string[]}]}`,
/// nothing else.
fn update_schema() -> S {
    obj(vec![req(
        "permissions",
        super::schema::arr(
            obj(vec![req("_id", S::Str), req("roles", unique_arr(S::Str))]),
            0,
        ),
    )])
}

/// ajv's `coerceTypes`: numbers and booleans stand for their text.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn update(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    // Upstream checks the permission before looking at the body.
    if !auth.has("access-permissions") {
        return Err(Code::EditPermissionsNotAllowed.into());
    }
    let body = Value::Object(b);
    if validate(&body, &update_schema()).is_err() {
        return Err(Code::InvalidBodyParams.into());
    }
    let changes = body["permissions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let roles = p["roles"].as_array().into_iter().flatten().map(text);
            (text(&p["_id"]), roles.collect())
        })
        .collect();
    let permissions = s.lc.update_permissions(&auth.user, changes).await?;
    ok(json!({ "permissions": permissions }))
}

/// Every role, without `_updatedAt` (upstream's projection).
async fn roles_list(State(s): State<AppState>, _auth: Auth) -> ApiResult {
    let roles: Vec<Value> =
        s.lc.permissions
            .roles()
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                if let Value::Object(m) = &mut v {
                    m.shift_remove("_updatedAt");
                }
                v
            })
            .collect();
    ok(json!({ "roles": roles }))
}
