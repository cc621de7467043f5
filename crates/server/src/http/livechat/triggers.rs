//! `livechat/triggers` (admin CRUD).

use super::super::schema::{S, arr, nullable, obj, opt, req, validate};
use super::super::validate::{Ty, ajv, bool_of, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::{pagination, sort};
use crate::domain::triggers::TriggerInput;
use crate::http::openapi::{self as api, Api, op};
use axum::extract::{Path, State};
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/triggers",
            api::get(
                list,
                op("Triggers").user().paged().ok(&[
                    ("triggers", Ty::Arr),
                    ("count", Ty::Num),
                    ("offset", Ty::Num),
                    ("total", Ty::Num),
                ]),
            )
            .post(
                save,
                op("Create or update a trigger")
                    .user()
                    .body_schema(&trigger_schema()),
            ),
        )
        .route(
            "/v1/livechat/triggers/{id}",
            api::get(get_one, op("A trigger").user().ok(&[("trigger", Ty::Any)]))
                .delete(remove, op("Remove a trigger").user()),
        )
}

const PERMISSION: &str = "view-livechat-manager";

async fn list(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require(PERMISSION)?;
    ajv(
        &q,
        &[
            super::super::validate::opt("offset", Ty::Num),
            super::super::validate::opt("count", Ty::Num),
            super::super::validate::opt("sort", Ty::Str),
            super::super::validate::opt("query", Ty::Str),
            super::super::validate::opt("fields", Ty::Str),
        ],
        false,
    )?;
    let (offset, count) = pagination(&q)?;
    let (triggers, total) = s.lc.list_triggers(offset, count, &sort(&q)?).await?;
    ok(json!({ "triggers": triggers, "count": triggers.len(), "offset": offset, "total": total }))
}

/// upstream's `isPOSTLivechatTriggersParams`.
fn trigger_schema() -> S {
    let send_message = obj(vec![
        req("name", S::Enum(&["send-message"])),
        opt(
            "params",
            nullable(obj(vec![
                req("sender", S::Enum(&["queue", "custom"])),
                req("msg", S::Str),
                opt("name", nullable(S::Str)),
            ])),
        ),
    ]);
    let external = obj(vec![
        req("name", S::Enum(&["use-external-service"])),
        opt(
            "params",
            nullable(obj(vec![
                opt("sender", S::Enum(&["queue", "custom"])),
                opt("name", nullable(S::Str)),
                req("serviceUrl", S::Str),
                req("serviceTimeout", S::Num),
                req("serviceFallbackMessage", S::Str),
            ])),
        ),
    ]);
    obj(vec![
        req("name", S::Str),
        req("description", S::Str),
        req("enabled", S::Bool),
        req("runOnce", S::Bool),
        req(
            "conditions",
            arr(
                obj(vec![
                    req(
                        "name",
                        S::Enum(&[
                            "time-on-site",
                            "page-url",
                            "chat-opened-by-visitor",
                            "after-guest-registration",
                        ]),
                    ),
                    req("value", nullable(S::Str)),
                ]),
                1,
            ),
        ),
        req("actions", arr(S::OneOf(vec![send_message, external]), 1)),
        opt("_id", nullable(S::Str)),
    ])
}

async fn save(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require(PERMISSION)?;
    validate(&Value::Object(b.clone()), &trigger_schema())?;
    let list = |k: &str| {
        b.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    s.lc.save_trigger(TriggerInput {
        id: b
            .get("_id")
            .and_then(Value::as_str)
            .filter(|i| !i.is_empty())
            .map(str::to_string),
        name: str_of(&b, "name").unwrap_or_default(),
        description: str_of(&b, "description").unwrap_or_default(),
        enabled: bool_of(&b, "enabled").unwrap_or(false),
        run_once: bool_of(&b, "runOnce").unwrap_or(false),
        conditions: list("conditions"),
        actions: list("actions"),
    })
    .await?;
    ok(Value::Null)
}

async fn get_one(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult {
    auth.require(PERMISSION)?;
    ok(json!({ "trigger": s.lc.trigger(&id).await? }))
}

async fn remove(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult {
    auth.require(PERMISSION)?;
    s.lc.delete_trigger(&id).await?;
    ok(Value::Null)
}
