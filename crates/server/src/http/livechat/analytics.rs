//! The manager's analytics (`view-livechat-manager`): `livechat/analytics/dashboards/*`,
//! `livechat/analytics/overview` and `livechat/analytics/agent-overview`. Upstream checks the
//! permission before the parameters.

use super::super::validate::{F, Ty, ajv, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Query, Success, ok};
use crate::domain::analytics::Period;
use crate::error::{Code, Result};
use crate::time::Ts;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value};

pub fn routes() -> Router<AppState> {
    const D: &str = "/v1/livechat/analytics/dashboards";
    Router::new()
        .route(
            &format!("{D}/conversation-totalizers"),
            get(conversation_totalizers),
        )
        .route(
            &format!("{D}/agents-productivity-totalizers"),
            get(agents_productivity_totalizers),
        )
        .route(&format!("{D}/chats-totalizers"), get(chats_totalizers))
        .route(
            &format!("{D}/productivity-totalizers"),
            get(productivity_totalizers),
        )
        .route(&format!("{D}/charts/chats"), get(chats_chart))
        .route(&format!("{D}/charts/chats-per-agent"), get(chats_per_agent))
        .route(&format!("{D}/charts/agents-status"), get(agents_status))
        .route(
            &format!("{D}/charts/chats-per-department"),
            get(chats_per_department),
        )
        .route(&format!("{D}/charts/timings"), get(timings))
        .route("/v1/livechat/analytics/agent-overview", get(agent_overview))
        .route("/v1/livechat/analytics/overview", get(overview))
}

const PERMISSION: &str = "view-livechat-manager";

/// upstream's `isGETDashboardTotalizerParams`, then its `Date.parse` checks of both dates.
fn period(auth: &Auth, q: &Map<String, Value>) -> Result<Period> {
    auth.require(PERMISSION)?;
    ajv(
        q,
        &[
            req("start", Ty::Str),
            req("end", Ty::Str),
            opt("departmentId", Ty::Str),
        ],
        false,
    )?;
    let date = |k: &str| {
        str_of(q, k)
            .and_then(|s| Ts::parse_js(&s))
            .ok_or_else(|| Code::QueryParamInvalidDate(k.to_string()))
    };
    Ok(Period {
        start: date("start")?,
        end: date("end")?,
        department_id: str_of(q, "departmentId"),
    })
}

fn totalizers(list: Vec<Value>) -> ApiResult {
    ok(serde_json::json!({ "totalizers": list }))
}

async fn conversation_totalizers(
    State(s): State<AppState>,
    auth: Auth,
    Query(q): Query,
) -> ApiResult {
    let p = period(&auth, &q)?;
    totalizers(s.lc.conversation_totalizers(&p).await?)
}

async fn agents_productivity_totalizers(
    State(s): State<AppState>,
    auth: Auth,
    Query(q): Query,
) -> ApiResult {
    let p = period(&auth, &q)?;
    totalizers(s.lc.agents_productivity_totalizers(&p).await?)
}

async fn chats_totalizers(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let p = period(&auth, &q)?;
    totalizers(s.lc.chats_totalizers(&p).await?)
}

async fn productivity_totalizers(
    State(s): State<AppState>,
    auth: Auth,
    Query(q): Query,
) -> ApiResult {
    let p = period(&auth, &q)?;
    totalizers(s.lc.productivity_totalizers(&p).await?)
}

async fn chats_chart(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let p = period(&auth, &q)?;
    ok(s.lc.chats_chart(&p).await?)
}

async fn chats_per_agent(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let p = period(&auth, &q)?;
    ok(s.lc.chats_per_agent(&p).await?)
}

async fn agents_status(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require(PERMISSION)?;
    // Other keys are let through: the dashboards send their start/end to every chart.
    ajv(&q, &[opt("departmentId", Ty::Str)], true)?;
    let department = str_of(&q, "departmentId");
    ok(s.lc.agents_status(department.as_deref()).await?)
}

async fn chats_per_department(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let p = period(&auth, &q)?;
    ok(s.lc.chats_per_department(&p).await?)
}

async fn timings(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let p = period(&auth, &q)?;
    ok(s.lc.timings(&p).await?)
}

/// upstream's `isLivechatAnalytics(Agent)OverviewProps`, then `invalid-chart-name` for an
/// empty name: the name, days and department.
fn chart(auth: &Auth, q: &Map<String, Value>) -> Result<(String, String, String, Option<String>)> {
    const SCHEMA: &[F] = &[
        req("name", Ty::Str),
        req("from", Ty::Str),
        req("to", Ty::Str),
        opt("departmentId", Ty::Str),
    ];
    auth.require(PERMISSION)?;
    ajv(q, SCHEMA, false)?;
    let name = str_of(q, "name").unwrap_or_default();
    if name.is_empty() {
        return Err(Code::InvalidChartName.into());
    }
    let text = |k: &str| str_of(q, k).unwrap_or_default();
    Ok((name, text("from"), text("to"), str_of(q, "departmentId")))
}

async fn agent_overview(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let (name, from, to, department) = chart(&auth, &q)?;
    ok(s.lc
        .agent_overview(&name, &from, &to, department.as_deref())
        .await?)
}

/// `API.v1.success(array)`: the array itself is the body (upstream's `success` flag, set on
/// the array, is lost in JSON); nothing for an unknown chart: `{"success":true}`.
async fn overview(State(s): State<AppState>, auth: Auth, Query(q): Query) -> Result<Response> {
    let (name, from, to, department) = chart(&auth, &q)?;
    match s
        .lc
        .analytics_overview(&name, &from, &to, department.as_deref())
        .await?
    {
        Some(list) => Ok(axum::Json(list).into_response()),
        None => Ok(Success(Value::Null).into_response()),
    }
}
