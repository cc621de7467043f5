//! The core room routes upstream's clients and tests use on omnichannel rooms:
//! `rooms.get` (the user's sidebar), `rooms.info` and `channels.info` (one room),
//! `subscriptions.get` (all the user's subscriptions), `subscriptions.getOne` (one room's),
//! `subscriptions.read`.

use super::validate::{Ty, ajv, opt, req, str_of};
use super::{ApiResult, AppState, Auth, Query, ok};
use crate::error::Code;
use crate::time::Ts;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/rooms.get", get(sidebar))
        .route("/v1/rooms.info", get(info))
        .route("/v1/channels.info", get(channel))
        .route("/v1/subscriptions.get", get(subscriptions))
        .route("/v1/subscriptions.getOne", get(subscription))
        .route("/v1/subscriptions.read", axum::routing::post(read))
}

async fn sidebar(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let since = match str_of(&q, "updatedSince") {
        Some(t) => Some(Ts::parse_js(&t).ok_or(Code::InvalidUpdatedSince)?),
        None => None,
    };
    let rooms = s.lc.user_rooms(&auth.user, since).await?;
    // Removed rooms are not remembered: `remove` stays empty.
    ok(json!({ "update": rooms, "remove": [] }))
}

async fn info(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    ajv(
        &q,
        &[opt("roomId", Ty::Str), opt("roomName", Ty::Str)],
        false,
    )?;
    let rid = str_of(&q, "roomId").ok_or(Code::RoomsInfoNotAllowed)?;
    match s.lc.room_info(&auth.user, &rid).await {
        Ok(Some(room)) => ok(json!({ "room": room })),
        _ => Err(Code::RoomsInfoNotAllowed.into()),
    }
}

async fn channel(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let Some(rid) = str_of(&q, "roomId").filter(|r| !r.is_empty()) else {
        return Err(Code::ChannelParamMissing.into());
    };
    let room =
        s.lc.room_info(&auth.user, &rid)
            .await?
            .ok_or(Code::ChannelNotFound)?;
    ok(json!({ "channel": room }))
}

/// Upstream answers `{update, remove}`; removed subscriptions are not remembered, so
/// `remove` stays empty.
async fn subscriptions(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let since = match str_of(&q, "updatedSince") {
        Some(t) => Some(Ts::parse_js(&t).ok_or(Code::SubscriptionsUpdatedSinceInvalid)?),
        None => None,
    };
    let subs = s.lc.user_subscriptions(&auth.user, since).await?;
    ok(json!({ "update": subs, "remove": [] }))
}

async fn subscription(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    ajv(&q, &[req("roomId", Ty::Str)], false)?;
    let rid = str_of(&q, "roomId").unwrap_or_default();
    let sub = s.lc.user_subscription(&auth.user, &rid).await?;
    ok(json!({ "subscription": sub }))
}

/// Upstream's schema: `{rid}` or `{roomId}` (and an optional `readThreads`).
async fn read(State(s): State<AppState>, auth: Auth, super::Body(b): super::Body) -> ApiResult {
    ajv(
        &b,
        &[
            opt("rid", Ty::Str),
            opt("roomId", Ty::Str),
            opt("readThreads", Ty::Bool),
        ],
        false,
    )?;
    let rid = str_of(&b, "rid").or_else(|| str_of(&b, "roomId")).ok_or(
        crate::error::Error::InvalidParams(vec![crate::error::Ajv::OneOf]),
    )?;
    s.lc.mark_room_read(&auth.user, &rid).await?;
    ok(json!({}))
}
