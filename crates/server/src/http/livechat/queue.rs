//! `GET /api/v1/livechat/queue`: open chats per agent and department, for managers.

use super::{pagination, sort};
use crate::domain::queue::QueueAsk;
use crate::http::openapi::{self as api, Api, op};
use crate::http::{ApiResult, AppState, Auth, Query, ok};
use crate::validate::{F, Ty};
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new().route(
        "/v1/livechat/queue",
        api::get(
            queue,
            op("Open chats per agent and department")
                .user()
                .query(&[
                    F::opt("agentId", Ty::Str),
                    F::opt("departmentId", Ty::Str),
                    F::opt("includeOfflineAgents", Ty::Str),
                ])
                .paged()
                .ok(&[
                    ("queue", Ty::Arr),
                    ("count", Ty::Num),
                    ("offset", Ty::Num),
                    ("total", Ty::Num),
                ]),
        ),
    )
}

async fn queue(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-l-room")?;
    let (offset, count) = pagination(&q)?;
    let text = |k: &str| q.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    let ask = QueueAsk {
        agent_id: text("agentId").map(str::to_owned),
        // upstream ignores the literal "undefined" its own console sometimes sends
        department_id: text("departmentId")
            .filter(|d| *d != "undefined")
            .map(str::to_owned),
        include_offline_agents: text("includeOfflineAgents") == Some("true"),
        sort: sort(&q)?,
        offset,
        count,
    };
    let (lines, total) = s.lc.queue_metrics(&ask).await?;
    let queue: Vec<Value> = lines
        .into_iter()
        .map(|l| {
            let (did, dname) = match l.department {
                Some((id, name)) => (json!(id), json!(name)),
                None => (Value::Null, Value::Null),
            };
            json!({
                "user": {"_id": l.user_id, "username": l.username, "status": l.status},
                "department": {"_id": did, "name": dname},
                "chats": l.chats,
            })
        })
        .collect();
    ok(json!({ "queue": queue, "count": queue.len(), "offset": offset, "total": total }))
}
