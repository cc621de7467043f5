//! `canned-responses` (upstream Enterprise's `api-enterprise/server/canned-responses.ts`).

use super::schema::{S, arr, nullable, obj, opt, req, validate};
use super::validate::str_of;
use super::{ApiResult, AppState, Auth, Body, Query, ok};
use crate::domain::canned::{CannedFilter, CannedInput};
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::model::CannedResponse;
use crate::validate::{F, Ty};
use axum::extract::{Path, State};
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/canned-responses.get",
            api::get(
                all,
                op("Every canned response the user may use (global, own, departments')")
                    .user()
                    .ok(&[("responses", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/canned-responses",
            api::get(
                list,
                op("Canned responses, filtered")
                    .user()
                    .query(&[
                        F::opt("shortcut", Ty::Str),
                        F::opt("text", Ty::Str),
                        F::opt("scope", Ty::Str),
                        F::opt("tags", Ty::Str),
                        F::opt("departmentId", Ty::Str),
                        F::opt("createdBy", Ty::Str),
                    ])
                    .paged()
                    .ok(&[
                        ("cannedResponses", Ty::Arr),
                        ("count", Ty::Num),
                        ("offset", Ty::Num),
                        ("total", Ty::Num),
                    ])
                    .docs::<CannedResponse>("cannedResponses"),
            )
            .post(
                save,
                op("Create or update (`_id`) a canned response")
                    .user()
                    .body_schema(&save_schema()),
            )
            .delete(
                remove,
                op("Remove a canned response")
                    .user()
                    .body(&[F::req("_id", Ty::Str)]),
            ),
        )
        .route(
            "/v1/canned-responses/{id}",
            api::get(
                get_one,
                op("A canned response")
                    .user()
                    .ok(&[("cannedResponse", Ty::Obj)]),
            ),
        )
}

const VIEW: &str = "view-canned-responses";

async fn all(State(s): State<AppState>, auth: Auth) -> ApiResult {
    auth.require(VIEW)?;
    ok(json!({ "responses": s.lc.all_canned_responses(&auth.user).await? }))
}

/// A query value given once or as `name[]=…` several times.
fn strings(q: &Map<String, Value>, k: &str) -> Vec<String> {
    match q.get(k) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

async fn list(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require(VIEW)?;
    let (offset, count) = super::livechat::pagination(&q)?;
    let sort = super::livechat::sort(&q)?;
    let text = |k: &str| str_of(&q, k).filter(|v| !v.is_empty());
    let (list, total) =
        s.lc.find_canned_responses(
            &auth.user,
            CannedFilter {
                shortcut: text("shortcut"),
                text: text("text"),
                scope: text("scope"),
                tags: strings(&q, "tags"),
                department_id: text("departmentId"),
                created_by: text("createdBy"),
                offset,
                count,
                sort,
            },
        )
        .await?;
    ok(json!({
        "cannedResponses": list, "count": list.len(), "offset": offset, "total": total
    }))
}

/// upstream's `isPOSTCannedResponsesProps`.
fn save_schema() -> S {
    obj(vec![
        opt("_id", nullable(S::Str)),
        req("shortcut", S::Str),
        req("text", S::Str),
        req("scope", S::Str),
        opt("departmentId", nullable(S::Str)),
        opt("tags", nullable(arr(S::Str, 0))),
    ])
}

async fn save(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("save-canned-responses")?;
    validate(&Value::Object(b.clone()), &save_schema())?;
    let tags = b.get("tags").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect()
    });
    s.lc.save_canned_response(
        &auth.user,
        CannedInput {
            id: str_of(&b, "_id").filter(|i| !i.is_empty()),
            shortcut: str_of(&b, "shortcut").unwrap_or_default(),
            text: str_of(&b, "text").unwrap_or_default(),
            scope: str_of(&b, "scope").unwrap_or_default(),
            tags,
            department_id: str_of(&b, "departmentId").filter(|d| !d.is_empty()),
        },
    )
    .await?;
    ok(Value::Null)
}

async fn remove(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("remove-canned-responses")?;
    validate(&Value::Object(b.clone()), &obj(vec![req("_id", S::Str)]))?;
    let id = str_of(&b, "_id").unwrap_or_default();
    s.lc.remove_canned_response(&auth.user, &id).await?;
    ok(Value::Null)
}

async fn get_one(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult {
    auth.require(VIEW)?;
    match s.lc.canned_response_for(&auth.user, &id).await? {
        Some(r) => ok(json!({ "cannedResponse": r })),
        None => Err(Code::ResourceNotFound.into()),
    }
}
