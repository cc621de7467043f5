//! `agent.info`, `agent.next` (visitor side), `agent.status` and an agent's departments
//! (agent side).

use super::super::validate::{Ty, ajv, opt, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use crate::error::{Ajv, Code, Error};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::{Path, State};
use serde_json::json;

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/agent.info/{rid}/{token}",
            api::get(
                info,
                op("The room's agent, for its visitor").ok(&[("agent", Ty::Any)]),
            ),
        )
        .route(
            "/v1/livechat/agent.next/{token}",
            api::get(
                next,
                op("The agent the visitor would be routed to")
                    .query(&[F::opt("department", Ty::Str)]),
            ),
        )
        .route(
            "/v1/livechat/agent.status",
            api::post(
                status,
                op("Set an agent's livechat status (available, not-available)")
                    .user()
                    .body(&[F::opt("status", Ty::Str), F::opt("agentId", Ty::Str)]),
            ),
        )
        .route(
            "/v1/livechat/agents/{agent_id}/departments",
            api::get(
                departments,
                op("An agent's departments")
                    .user()
                    .query(&[F::opt("enabledDepartmentsOnly", Ty::Str)])
                    .ok(&[("departments", Ty::Arr)]),
            ),
        )
}

async fn info(State(s): State<AppState>, Path((rid, token)): Path<(String, String)>) -> ApiResult {
    let (_, room) = s.lc.visitor_room(&token, &rid).await?;
    let agent = match &room.served_by {
        Some(sb) => s.lc.agent_info(&sb.id).await?,
        None => None,
    }
    .ok_or(Code::InvalidAgent)?;
    ok(json!({ "agent": agent }))
}

async fn next(State(s): State<AppState>, Path(token): Path<String>, Query(q): Query) -> ApiResult {
    match s
        .lc
        .next_agent_for(&token, str_of(&q, "department"))
        .await?
    {
        Some(agent) => ok(json!({ "agent": agent })),
        None => ok(json!({})),
    }
}

async fn status(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    // ajv runs before the permission check, as upstream's validateParams does.
    ajv(
        &b,
        &[opt("status", Ty::Str), opt("agentId", Ty::Str)],
        false,
    )?;
    let status = str_of(&b, "status");
    if let Some(st) = &status
        && st != "available"
        && st != "not-available"
    {
        return Err(Error::InvalidParams(vec![Ajv::NotAllowedValue]));
    }
    auth.require("view-l-room")?;
    let agent_id = str_of(&b, "agentId").unwrap_or_else(|| auth.user.id.clone());
    match s
        .lc
        .set_agent_status(&auth.user, &agent_id, status.as_deref())
        .await?
    {
        Some(st) => ok(json!({ "status": st })),
        // Upstream's `{status: agent.statusLivechat}` with no status: the key left out.
        None => ok(json!({})),
    }
}

/// `livechat/agents/:agentId/departments`: the agent's department memberships (upstream's
/// `LivechatDepartmentAgents` documents), only enabled departments with
/// `enabledDepartmentsOnly=true`.
async fn departments(
    State(s): State<AppState>,
    auth: Auth,
    Path(agent_id): Path<String>,
    Query(q): Query,
) -> ApiResult {
    auth.require("view-l-room")?;
    ajv(&q, &[opt("enabledDepartmentsOnly", Ty::Str)], false)?;
    let enabled_only = str_of(&q, "enabledDepartmentsOnly").as_deref() == Some("true");
    let departments: Vec<_> =
        s.lc.agent_departments(&agent_id)
            .await?
            .into_iter()
            .filter(|d| !enabled_only || d.department_enabled)
            .collect();
    ok(json!({ "departments": departments }))
}
