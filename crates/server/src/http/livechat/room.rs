//! `GET /api/v1/livechat/room` — get or create the visitor's room (the seed endpoint).

use super::super::validate::{Ty, check, opt, req, str_of};
use super::super::{AppState, Query, is_widget, ok};
use crate::domain::rooms::{RoomRequest, RoomSource};
use crate::error::{Code, Result};
use crate::http::openapi::{self as api, Api, op};
use crate::model::Room;
use crate::validate::F;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub fn routes() -> Api {
    Api::new().route(
        "/v1/livechat/room",
        api::get(
            get_or_create,
            op("The visitor's room: get or create (routed)")
                .query(&[
                    F::req("token", Ty::Str),
                    F::opt("rid", Ty::Str),
                    F::opt("agentId", Ty::Str),
                ])
                .ok(&[("room", Ty::Obj), ("newRoom", Ty::Bool)])
                .doc::<Room>("room"),
        ),
    )
}

/// `{"room": <the stored document>, "newRoom": false, "success": true}`, written around the
/// stored JSON text: no decode, no re-encode, and no validating pass over a document the store
/// itself wrote.
fn existing_room(room: &str) -> Response {
    const HEAD: &str = r#"{"room":"#;
    const TAIL: &str = r#","newRoom":false,"success":true}"#;
    let mut body = String::with_capacity(HEAD.len() + room.len() + TAIL.len());
    body.push_str(HEAD);
    body.push_str(room);
    body.push_str(TAIL);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

async fn get_or_create(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query,
) -> Result<Response> {
    // Upstream validates with `check()` and an exact pattern: unknown keys are refused.
    check(
        &q,
        &[
            req("token", Ty::Str),
            opt("rid", Ty::Str),
            opt("agentId", Ty::Str),
        ],
        true,
        "",
    )?;
    let token = str_of(&q, "token").unwrap_or_default();
    if let Some(rid) = str_of(&q, "rid").filter(|r| !r.is_empty()) {
        if token.is_empty() || s.lc.visitor_by_token(&token).await?.is_none() {
            return Err(Code::InvalidToken.into());
        }
        let room =
            s.lc.open_room_by_token(&token)
                .await?
                .filter(|r| r.id == rid)
                .ok_or(Code::InvalidRoom)?;
        return Ok(ok(json!({ "room": room, "newRoom": false }))?.into_response());
    }
    if let Some(room) = s.lc.open_room_json(&token).await? {
        return Ok(existing_room(&room));
    }
    let source = if is_widget(&headers) {
        RoomSource::Widget {
            host: headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string),
        }
    } else {
        RoomSource::Api
    };
    let (room, new) =
        s.lc.get_or_create_room(RoomRequest {
            token,
            agent_id: str_of(&q, "agentId"),
            source,
        })
        .await?;
    Ok(ok(json!({ "room": room, "newRoom": new }))?.into_response())
}
