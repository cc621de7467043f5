//! `livechat/room.forward`, `livechat/room.transfer` (visitor), `inquiries.returnAsInquiry`.

use super::super::validate::{Ty, ajv, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::{pagination, sort};
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::{Path, State};
use serde_json::json;

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/room.forward",
            api::post(
                forward,
                op("Forward a room to an agent or a department")
                    .user()
                    .body(&[
                        F::req("roomId", Ty::Str),
                        F::opt("userId", Ty::Str),
                        F::opt("departmentId", Ty::Str),
                        F::opt("comment", Ty::Str),
                        F::opt("clientAction", Ty::Bool),
                    ]),
            ),
        )
        .route(
            "/v1/livechat/room.transfer",
            api::post(
                transfer,
                op("The visitor moves its room to another department")
                    .body(&[
                        F::req("rid", Ty::Str),
                        F::req("token", Ty::Str),
                        F::req("department", Ty::Str),
                    ])
                    .ok(&[("room", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/transfer.history/{rid}",
            api::get(
                history,
                op("A room's transfers").user().paged().ok(&[
                    ("history", Ty::Arr),
                    ("count", Ty::Num),
                    ("offset", Ty::Num),
                    ("total", Ty::Num),
                ]),
            ),
        )
        .route(
            "/v1/livechat/inquiries.returnAsInquiry",
            api::post(
                return_as_inquiry,
                op("Put a served chat back in the queue")
                    .user()
                    .body(&[F::req("roomId", Ty::Str), F::opt("departmentId", Ty::Str)])
                    .ok(&[("result", Ty::Bool)]),
            ),
        )
}

async fn history(
    State(s): State<AppState>,
    auth: Auth,
    Path(rid): Path<String>,
    Query(q): Query,
) -> ApiResult {
    auth.require("view-livechat-rooms")?;
    let (offset, count) = pagination(&q)?;
    let (history, total) =
        s.lc.transfer_history(&rid, offset, count, &sort(&q)?)
            .await?;
    ok(json!({ "history": history, "count": history.len(), "offset": offset, "total": total }))
}

async fn forward(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("view-l-room")?;
    auth.require("transfer-livechat-guest")?;
    ajv(
        &b,
        &[
            req("roomId", Ty::Str),
            opt("userId", Ty::Str),
            opt("departmentId", Ty::Str),
            opt("comment", Ty::Str),
            opt("clientAction", Ty::Bool),
        ],
        false,
    )?;
    s.lc.forward(
        &auth.user,
        &str_of(&b, "roomId").unwrap_or_default(),
        str_of(&b, "userId"),
        str_of(&b, "departmentId"),
        str_of(&b, "comment"),
    )
    .await?;
    ok(json!({}))
}

async fn transfer(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[
            req("rid", Ty::Str),
            req("token", Ty::Str),
            req("department", Ty::Str),
        ],
        false,
    )?;
    let room =
        s.lc.transfer_by_visitor(
            &str_of(&b, "token").unwrap_or_default(),
            &str_of(&b, "rid").unwrap_or_default(),
            &str_of(&b, "department").unwrap_or_default(),
        )
        .await?
        .ok_or(Code::Failed)?;
    // Answered as upstream's `findRoom` projects it.
    let mut r = serde_json::Map::new();
    r.insert("_id".into(), json!(room.id));
    r.insert("t".into(), json!(room.t));
    if let Some(d) = &room.department_id {
        r.insert("departmentId".into(), json!(d));
    }
    if let Some(sb) = &room.served_by {
        r.insert("servedBy".into(), serde_json::to_value(sb)?);
    }
    if let Some(o) = room.open {
        r.insert("open".into(), json!(o));
    }
    r.insert("v".into(), serde_json::to_value(&room.v)?);
    r.insert("ts".into(), serde_json::to_value(room.ts)?);
    ok(json!({ "room": r }))
}

async fn return_as_inquiry(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("view-l-room")?;
    ajv(
        &b,
        &[req("roomId", Ty::Str), opt("departmentId", Ty::Str)],
        false,
    )?;
    let result =
        s.lc.return_to_queue(
            &auth.user,
            &str_of(&b, "roomId").unwrap_or_default(),
            str_of(&b, "departmentId"),
        )
        .await?;
    ok(json!({ "result": result }))
}
