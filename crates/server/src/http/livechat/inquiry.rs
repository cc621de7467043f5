//! `livechat/inquiries.*`: the queue.

use super::super::validate::{Ty, ajv, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::pagination;
use crate::error::Code;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/livechat/inquiries.queued", get(queued))
        .route("/v1/livechat/inquiries.queuedForUser", get(queued_for_user))
        .route("/v1/livechat/inquiries.list", get(list))
        .route("/v1/livechat/inquiries.getOne", get(get_one))
        .route("/v1/livechat/inquiries.take", post(take))
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
