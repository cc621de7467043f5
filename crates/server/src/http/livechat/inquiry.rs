//! `livechat/inquiries.*`: the queue.

use super::super::validate::{Ty, ajv, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::pagination;
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::model::Inquiry;
use crate::validate::F;
use axum::extract::State;
use serde_json::json;

pub fn routes() -> Api {
    let page = [
        ("inquiries", Ty::Arr),
        ("count", Ty::Num),
        ("offset", Ty::Num),
        ("total", Ty::Num),
    ];
    let department = [F::opt("department", Ty::Str)];
    Api::new()
        .route(
            "/v1/livechat/inquiries.queued",
            api::get(
                queued,
                op("Queued chats the agent may take")
                    .user()
                    .query(&department)
                    .paged()
                    .ok(&page)
                    .docs::<Inquiry>("inquiries"),
            ),
        )
        .route(
            "/v1/livechat/inquiries.queuedForUser",
            api::get(
                queued_for_user,
                op("Queued chats of the agent's departments")
                    .user()
                    .query(&department)
                    .paged()
                    .ok(&page)
                    .docs::<Inquiry>("inquiries"),
            ),
        )
        .route(
            "/v1/livechat/inquiries.list",
            api::get(
                list,
                op("Every inquiry")
                    .user()
                    .query(&department)
                    .paged()
                    .ok(&page)
                    .docs::<Inquiry>("inquiries"),
            ),
        )
        .route(
            "/v1/livechat/inquiries.getOne",
            api::get(
                get_one,
                op("A room's inquiry")
                    .user()
                    .query(&[F::req("roomId", Ty::Str)])
                    .ok(&[("inquiry", Ty::Any)]),
            ),
        )
        .route(
            "/v1/livechat/inquiries.take",
            api::post(
                take,
                op("Take a queued chat")
                    .user()
                    .body(&[F::req("inquiryId", Ty::Str), F::opt("userId", Ty::Str)]),
            ),
        )
}

async fn queued(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-l-room")?;
    let (offset, count) = pagination(&q)?;
    let (inquiries, total) =
        s.lc.visible_queue(&auth.user, false, str_of(&q, "department"), offset, count)
            .await?;
    ok(
        json!({ "inquiries": inquiries, "count": inquiries.len(), "offset": offset, "total": total }),
    )
}

async fn queued_for_user(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-l-room")?;
    let (offset, count) = pagination(&q)?;
    let (inquiries, total) =
        s.lc.visible_queue(&auth.user, true, str_of(&q, "department"), offset, count)
            .await?;
    ok(
        json!({ "inquiries": inquiries, "count": inquiries.len(), "offset": offset, "total": total }),
    )
}

async fn list(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-livechat-manager")?;
    let (offset, count) = pagination(&q)?;
    let department = str_of(&q, "department").map(|d| vec![d]);
    let (inquiries, total) =
        s.lc.list_inquiries(department.as_deref(), offset, count)
            .await?;
    ok(
        json!({ "inquiries": inquiries, "count": inquiries.len(), "offset": offset, "total": total }),
    )
}

async fn get_one(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-l-room")?;
    ajv(&q, &[req("roomId", Ty::Str)], false)?;
    let inquiry =
        s.lc.inquiry_of_room(&auth.user, &str_of(&q, "roomId").unwrap_or_default())
            .await?;
    ok(json!({ "inquiry": inquiry }))
}

async fn take(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[req("inquiryId", Ty::Str), opt("userId", Ty::Str)],
        false,
    )?;
    auth.require("view-l-room")?;
    let agent_id = match str_of(&b, "userId") {
        Some(id) => {
            let is_agent =
                s.lc.user(&id)
                    .await?
                    .is_some_and(|u| u.has_role("livechat-agent"));
            if !is_agent {
                return Err(Code::UserIsInvalid.into());
            }
            id
        }
        None => auth.user.id.clone(),
    };
    s.lc.take_inquiry_as(
        &auth.user,
        &agent_id,
        &str_of(&b, "inquiryId").unwrap_or_default(),
    )
    .await?;
    ok(json!({}))
}
