//! The manager's analytics (`view-livechat-manager`): `livechat/analytics/dashboards/*`,
//! `livechat/analytics/overview` and `livechat/analytics/agent-overview`. Upstream checks the
//! permission before the parameters.

use super::super::validate::{F, Ty, ajv, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Query, Success, ok};
use crate::domain::analytics::Period;
use crate::error::{Code, Result};
use crate::http::openapi::{self as api, Api, op};
use crate::time::Ts;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

pub fn routes() -> Api {
    let period = || {
        op("").user().query(&[
            F::req("start", Ty::Str),
            F::req("end", Ty::Str),
            F::opt("departmentId", Ty::Str),
        ])
    };
    let totalizers = |summary| period().summary(summary).ok(&[("totalizers", Ty::Arr)]);
    let chart = |summary| {
        op(summary).user().query(&[
            F::req("name", Ty::Str),
            F::req("from", Ty::Str),
            F::req("to", Ty::Str),
            F::opt("departmentId", Ty::Str),
        ])
    };
    Api::new()
        .route(
            "/v1/livechat/analytics/dashboards/conversation-totalizers",
            api::get(conversation_totalizers, totalizers("Conversation totals")),
        )
        .route(
            "/v1/livechat/analytics/dashboards/agents-productivity-totalizers",
            api::get(
                agents_productivity_totalizers,
                totalizers("Agents' productivity totals"),
            ),
        )
        .route(
            "/v1/livechat/analytics/dashboards/chats-totalizers",
            api::get(chats_totalizers, totalizers("Chat totals")),
        )
        .route(
            "/v1/livechat/analytics/dashboards/productivity-totalizers",
            api::get(productivity_totalizers, totalizers("Productivity totals")),
        )
        .route(
            "/v1/livechat/analytics/dashboards/charts/chats",
            api::get(
                chats_chart,
                period().summary("Chats: open, closed, queued, on hold"),
            ),
        )
        .route(
            "/v1/livechat/analytics/dashboards/charts/chats-per-agent",
            api::get(chats_per_agent, period().summary("Chats per agent")),
        )
        .route(
            "/v1/livechat/analytics/dashboards/charts/agents-status",
            api::get(
                agents_status,
                op("Agents by status")
                    .user()
                    .query(&[F::opt("departmentId", Ty::Str)])
                    .ok(&[
                        ("offline", Ty::Num),
                        ("away", Ty::Num),
                        ("busy", Ty::Num),
                        ("available", Ty::Num),
                    ]),
            ),
        )
        .route(
            "/v1/livechat/analytics/dashboards/charts/chats-per-department",
            api::get(
                chats_per_department,
                period().summary("Chats per department"),
            ),
        )
        .route(
            "/v1/livechat/analytics/dashboards/charts/timings",
            api::get(
                timings,
                period().summary("Response, reaction and chat durations"),
            ),
        )
        .route(
            "/v1/livechat/analytics/agent-overview",
            api::get(
                agent_overview,
                chart("An agents' chart (`name`): `head` and `data` (none for an unknown name)"),
            ),
        )
        .route(
            "/v1/livechat/analytics/overview",
            api::get(overview, chart("An overview (`name`)")),
        )
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
