//! The core room routes upstream's clients and tests use on omnichannel rooms:
//! `rooms.get` (the user's sidebar), `rooms.info` and `channels.info` (one room),
//! `subscriptions.get` (all the user's subscriptions), `subscriptions.getOne` (one room's),
//! `subscriptions.read`.

use super::validate::{Ty, ajv, opt, req, str_of};
use super::{ApiResult, AppState, Auth, Query, ok};
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::time::Ts;
use crate::validate::F;
use axum::extract::State;
use serde_json::json;

pub fn routes() -> Api {
    let since = [F::opt("updatedSince", Ty::Str)];
    Api::new()
        .route(
            "/v1/rooms.get",
            api::get(
                sidebar,
                op("The user's rooms (`updatedSince`)")
                    .user()
                    .query(&since)
                    .ok(&[("update", Ty::Arr), ("remove", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/rooms.info",
            api::get(
                info,
                op("A room the user may read")
                    .user()
                    .query(&[F::opt("roomId", Ty::Str), F::opt("roomName", Ty::Str)])
                    .ok(&[("room", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/channels.info",
            api::get(
                channel,
                op("An omnichannel room the user may open")
                    .user()
                    .query(&[F::req("roomId", Ty::Str)])
                    .ok(&[("channel", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/subscriptions.get",
            api::get(
                subscriptions,
                op("The user's subscriptions (`updatedSince`)")
                    .user()
                    .query(&since)
                    .ok(&[("update", Ty::Arr), ("remove", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/subscriptions.getOne",
            api::get(
                subscription,
                op("The user's subscription to a room")
                    .user()
                    .query(&[F::req("roomId", Ty::Str)])
                    .ok(&[("subscription", Ty::Any)]),
            ),
        )
        .route(
            "/v1/subscriptions.read",
            api::post(
                read,
                op("Mark a room read").user().body(&[
                    F::opt("rid", Ty::Str),
                    F::opt("roomId", Ty::Str),
                    F::opt("readThreads", Ty::Bool),
                ]),
            ),
        )
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
