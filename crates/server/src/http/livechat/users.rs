//! `livechat/users/:type` and `livechat/users/:type/:_id` (agents and managers).

use super::super::validate::{Ty, ajv, bool_of, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::{pagination, sort};
use crate::domain::UserQuery;
use crate::error::{Code, Error};
use crate::http::openapi::{self as api, Api, op};
use crate::model::User;
use crate::validate::F;
use axum::extract::{Path, State};
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    const KINDS: &[&str] = &["agent", "manager"];
    Api::new()
        .route(
            "/v1/livechat/users/{kind}",
            api::get(
                list,
                op("Agents or managers")
                    .user()
                    .path_enum("kind", KINDS)
                    .query(&[
                        F::opt("text", Ty::Str),
                        F::opt("onlyAvailable", Ty::Bool),
                        F::opt("excludeId", Ty::Str),
                        F::opt("showIdleAgents", Ty::Bool),
                    ])
                    .paged()
                    .ok(&[
                        ("users", Ty::Arr),
                        ("count", Ty::Num),
                        ("offset", Ty::Num),
                        ("total", Ty::Num),
                    ]),
            )
            .post(
                add,
                op("Make a user an agent or a manager")
                    .user()
                    .path_enum("kind", KINDS)
                    .body(&[F::req("username", Ty::Str)])
                    .ok(&[("user", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/users/{kind}/{id}",
            api::get(
                get_one,
                op("An agent or a manager")
                    .user()
                    .path_enum("kind", KINDS)
                    .ok(&[("user", Ty::Any)]),
            )
            .delete(
                remove,
                op("Remove the agent or manager role")
                    .user()
                    .path_enum("kind", KINDS),
            ),
        )
}

fn role_of(kind: &str) -> Result<&'static str, Error> {
    match kind {
        "agent" => Ok("livechat-agent"),
        "manager" => Ok("livechat-manager"),
        _ => Err(Code::InvalidUserType.into()),
    }
}

/// The fields upstream's agent/manager list aggregation groups on (its `departments` are
/// the ids of the agent's departments).
async fn listed(s: &AppState, u: &User) -> Result<Value, Error> {
    let departments: Vec<String> =
        s.lc.agent_departments(&u.id)
            .await?
            .into_iter()
            .map(|d| d.department_id)
            .collect();
    let mut m = Map::new();
    m.insert("_id".into(), json!(u.id));
    m.insert("username".into(), json!(u.username));
    m.insert("status".into(), json!(u.status));
    m.insert("statusLivechat".into(), json!(u.status_livechat));
    m.insert("name".into(), json!(u.name));
    m.insert("emails".into(), json!(u.emails));
    m.insert("livechat".into(), json!(u.livechat));
    m.insert("departments".into(), json!(departments));
    Ok(Value::Object(m))
}

async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Path(kind): Path<String>,
    Query(q): Query,
) -> ApiResult {
    ajv(
        &q,
        &[
            opt("text", Ty::Str),
            opt("onlyAvailable", Ty::Bool),
            opt("excludeId", Ty::Str),
            opt("showIdleAgents", Ty::Bool),
            opt("count", Ty::Num),
            opt("offset", Ty::Num),
            opt("sort", Ty::Str),
            opt("query", Ty::Str),
            opt("fields", Ty::Str),
        ],
        false,
    )?;
    let role = role_of(&kind)?;
    let allowed = if role == "livechat-agent" {
        auth.has("transfer-livechat-guest") || auth.has("edit-omnichannel-contact")
    } else {
        auth.has("view-livechat-manager")
    };
    if !allowed {
        return Err(Code::Forbidden.into());
    }
    let (offset, count) = pagination(&q)?;
    let (users, total) =
        s.lc.list_users_with_role(
            role,
            UserQuery {
                text: str_of(&q, "text").filter(|t| !t.is_empty()),
                only_available: bool_of(&q, "onlyAvailable").unwrap_or(false),
                not_offline: bool_of(&q, "showIdleAgents") == Some(false),
                exclude_id: str_of(&q, "excludeId"),
                offset,
                count,
                sort: sort(&q)?,
                ..Default::default()
            },
        )
        .await?;
    let mut out = Vec::with_capacity(users.len());
    for u in &users {
        out.push(listed(&s, u).await?);
    }
    ok(json!({ "users": out, "count": out.len(), "offset": offset, "total": total }))
}

async fn add(
    State(s): State<AppState>,
    auth: Auth,
    Path(kind): Path<String>,
    Body(b): Body,
) -> ApiResult {
    ajv(&b, &[req("username", Ty::Str)], false)?;
    auth.require("view-livechat-manager")?;
    let username = str_of(&b, "username").unwrap_or_default();
    let user = match role_of(&kind)? {
        "livechat-agent" => s.lc.add_agent(&username).await?,
        _ => s.lc.add_manager(&username).await?,
    };
    ok(json!({ "user": { "_id": user.id, "username": user.username } }))
}

async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult {
    auth.require("view-livechat-manager")?;
    let role = role_of(&kind)?;
    let user = s.lc.user(&id).await?.ok_or(Code::UserNotFound)?;
    if !user.has_role(role) {
        return ok(json!({ "user": null }));
    }
    let mut m = Map::new();
    m.insert("_id".into(), json!(user.id));
    m.insert("username".into(), json!(user.username));
    if let Some(n) = &user.name {
        m.insert("name".into(), json!(n));
    }
    m.insert("status".into(), json!(user.status));
    if let Some(sl) = &user.status_livechat {
        m.insert("statusLivechat".into(), json!(sl));
    }
    m.insert("emails".into(), json!(user.emails));
    if let Some(l) = &user.livechat {
        m.insert("livechat".into(), l.clone());
    }
    ok(json!({ "user": m }))
}

async fn remove(
    State(s): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult {
    auth.require("view-livechat-manager")?;
    if s.lc.user(&id).await?.is_none() {
        return Err(Code::Failed.into());
    }
    let role = role_of(&kind)?;
    let done = if role == "livechat-agent" {
        s.lc.remove_agent(&id).await?
    } else {
        s.lc.remove_manager(&id).await?
    };
    if !done {
        return Err(Code::Failed.into());
    }
    ok(json!({}))
}
