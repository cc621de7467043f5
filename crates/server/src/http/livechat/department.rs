//! `livechat/department` and its agents.

use super::super::validate::{Ty, ajv, bool_of, check, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::pagination;
use crate::domain::DepartmentQuery;
use crate::domain::departments::DepartmentAgentInput;
use crate::error::{Ajv, Check, Code, Error, Result};
use crate::http::openapi::{self as api, Api, op};
use crate::model::Department;
use crate::validate::F;
use axum::extract::{Path, State};
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    let save = [
        F::req("department", Ty::Obj),
        F::opt("agents", Ty::Arr),
        F::opt("departmentUnit", Ty::Obj),
    ];
    Api::new()
        .route(
            "/v1/livechat/department",
            api::get(
                list,
                op("Departments")
                    .user()
                    .query(&[
                        F::opt("text", Ty::Str),
                        F::opt("enabled", Ty::Str),
                        F::opt("onlyMyDepartments", Ty::Str),
                        F::opt("excludeDepartmentId", Ty::Str),
                        F::opt("showArchived", Ty::Str),
                    ])
                    .paged()
                    .ok(&[
                        ("departments", Ty::Arr),
                        ("count", Ty::Num),
                        ("offset", Ty::Num),
                        ("total", Ty::Num),
                    ])
                    .docs::<Department>("departments"),
            )
            .post(
                create,
                op("Create a department (with its agents)")
                    .user()
                    .body(&save)
                    .ok(&[("department", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/department/{id}",
            api::get(
                get_one,
                op("A department (`includeAgents`)")
                    .user()
                    .query(&[F::opt("includeAgents", Ty::Bool)])
                    .ok(&[("department", Ty::Any)]),
            )
            .put(
                update,
                op("Update a department")
                    .user()
                    .body(&save)
                    .ok(&[("department", Ty::Obj)]),
            )
            .delete(remove, op("Remove a department").user()),
        )
        .route(
            "/v1/livechat/department/{id}/agents",
            api::get(
                agents,
                op("A department's agents").user().paged().ok(&[
                    ("agents", Ty::Arr),
                    ("count", Ty::Num),
                    ("offset", Ty::Num),
                    ("total", Ty::Num),
                ]),
            )
            .post(
                save_agents,
                op("Add and remove a department's agents")
                    .user()
                    .body(&[F::req("upsert", Ty::Arr), F::req("remove", Ty::Arr)]),
            ),
        )
}

fn can_view(auth: &Auth) -> Result<()> {
    if auth.has("view-livechat-departments") || auth.has("view-l-room") {
        Ok(())
    } else {
        Err(Error::NoPermission)
    }
}

fn agent_inputs(list: &[Value], field: &str) -> Result<Vec<DepartmentAgentInput>> {
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let o = a
                .as_object()
                .ok_or_else(|| Check::expected("object", a, format!("{field}[{i}]")))?;
            check(
                o,
                &[req("agentId", Ty::Str)],
                false,
                &format!("{field}[{i}]"),
            )?;
            Ok(DepartmentAgentInput {
                agent_id: str_of(o, "agentId").unwrap_or_default(),
                username: str_of(o, "username"),
                count: o.get("count").and_then(Value::as_i64),
                order: o.get("order").and_then(Value::as_i64),
            })
        })
        .collect()
}

async fn department_with_agents(s: &AppState, id: &str) -> Result<Value> {
    let dept = s.lc.department(id).await?;
    let agents = s.lc.department_agents(id).await?;
    Ok(json!({ "department": dept, "agents": agents }))
}

async fn list(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    ajv(
        &q,
        &[
            opt("text", Ty::Str),
            opt("enabled", Ty::Str),
            opt("onlyMyDepartments", Ty::Str),
            opt("excludeDepartmentId", Ty::Str),
            opt("showArchived", Ty::Str),
            opt("offset", Ty::Num),
            opt("count", Ty::Num),
            opt("sort", Ty::Str),
            opt("fields", Ty::Str),
            opt("query", Ty::Str),
        ],
        false,
    )?;
    can_view(&auth)?;
    let (offset, count) = pagination(&q)?;
    let (deps, total) =
        s.lc.list_departments(&DepartmentQuery {
            text: str_of(&q, "text").filter(|t| !t.is_empty()),
            // Upstream filters on `enabled === 'true'` and ignores any other value.
            enabled: (str_of(&q, "enabled").as_deref() == Some("true")).then_some(true),
            exclude_id: str_of(&q, "excludeDepartmentId"),
            ids: None,
            offset,
            count,
        })
        .await?;
    ok(json!({ "departments": deps, "count": deps.len(), "offset": offset, "total": total }))
}

type DepartmentBody = (Map<String, Value>, Option<Vec<DepartmentAgentInput>>);

/// The body of POST: upstream's ajv schema first, then its `check()`.
fn create_body(b: &Map<String, Value>) -> Result<DepartmentBody> {
    ajv(
        b,
        &[req("department", Ty::Obj), opt("agents", Ty::Arr)],
        false,
    )?;
    if let Some(Value::Object(d)) = b.get("department") {
        ajv(
            d,
            &[
                req("name", Ty::Str),
                req("email", Ty::Str),
                req("enabled", Ty::Bool),
                req("showOnRegistration", Ty::Bool),
                req("showOnOfflineForm", Ty::Bool),
            ],
            true,
        )?;
    }
    if let Some(Value::Array(agents)) = b.get("agents") {
        for a in agents {
            let o = a
                .as_object()
                .ok_or_else(|| Error::InvalidParams(vec![Ajv::MustBe("object")]))?;
            ajv(
                o,
                &[
                    req("agentId", Ty::Str),
                    opt("username", Ty::Str),
                    opt("count", Ty::Num),
                    opt("order", Ty::Num),
                ],
                false,
            )?;
        }
    }
    department_body(b)
}

fn department_body(b: &Map<String, Value>) -> Result<DepartmentBody> {
    check(
        b,
        &[
            req("department", Ty::Obj),
            opt("agents", Ty::Arr),
            opt("departmentUnit", Ty::Obj),
        ],
        true,
        "",
    )?;
    let dept = b
        .get("department")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let agents = match b.get("agents").and_then(Value::as_array) {
        Some(a) => Some(agent_inputs(a, "agents")?),
        None => None,
    };
    Ok((dept, agents))
}

async fn create(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    let (dept, agents) = create_body(&b)?;
    auth.require("manage-livechat-departments")?;
    let d =
        s.lc.save_department(None, &dept, agents.map(|a| (a, Vec::new())))
            .await?;
    ok(department_with_agents(&s, &d.id).await?)
}

async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query,
) -> ApiResult {
    can_view(&auth)?;
    let include_agents = bool_of(&q, "includeAgents").unwrap_or(true);
    let dept = s.lc.department(&id).await?;
    // Only those who may view departments see their agents.
    if include_agents && auth.has("view-livechat-departments") {
        let agents = s.lc.department_agents(&id).await?;
        ok(json!({ "department": dept, "agents": agents }))
    } else {
        ok(json!({ "department": dept }))
    }
}

/// PUT adds or updates the listed agents (it never removes one), and only with
/// `add-livechat-department-agents`; saving the department needs `manage-livechat-departments`.
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(b): Body,
) -> ApiResult {
    if !auth.has("manage-livechat-departments") && !auth.has("add-livechat-department-agents") {
        return Err(Error::NoPermission);
    }
    let (dept, agents) = department_body(&b)?;
    if !auth.has("manage-livechat-departments") {
        return Err(Code::NotAllowed.into());
    }
    let agents = agents
        .filter(|_| auth.has("add-livechat-department-agents"))
        .map(|a| (a, Vec::new()));
    let d = s.lc.save_department(Some(&id), &dept, agents).await?;
    ok(department_with_agents(&s, &d.id).await?)
}

async fn remove(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult {
    auth.require("manage-livechat-departments")?;
    s.lc.remove_department(&id).await?;
    ok(json!({}))
}

async fn agents(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query,
) -> ApiResult {
    can_view(&auth)?;
    let (offset, count) = pagination(&q)?;
    let all = s.lc.department_agents(&id).await?;
    let total = all.len();
    let page: Vec<_> = all
        .into_iter()
        .skip(offset as usize)
        .take(if count == 0 {
            usize::MAX
        } else {
            count as usize
        })
        .collect();
    ok(json!({ "agents": page, "count": page.len(), "offset": offset, "total": total }))
}

async fn save_agents(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(b): Body,
) -> ApiResult {
    auth.require("manage-livechat-departments")?;
    check(
        &b,
        &[req("upsert", Ty::Arr), req("remove", Ty::Arr)],
        false,
        "",
    )?;
    let dept =
        s.lc.department(&id)
            .await?
            .ok_or_else(|| Error::from(Code::DepartmentNotFoundMeteor))?;
    let upsert = agent_inputs(
        b["upsert"].as_array().map(Vec::as_slice).unwrap_or(&[]),
        "upsert",
    )?;
    let remove = agent_inputs(
        b["remove"].as_array().map(Vec::as_slice).unwrap_or(&[]),
        "remove",
    )?
    .into_iter()
    .map(|a| a.agent_id)
    .collect();
    s.lc.save_department_agents(&dept, upsert, remove).await?;
    ok(json!({}))
}
