//! `livechat/offline.message` and `livechat/transcript`: mails queued in the
//! outbox, answered once the outbox row is committed.

use super::super::validate::{Ty, ajv, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, ok};
use crate::domain::mail::{OFFLINE_MESSAGE_SENT, OfflineMessage, TRANSCRIPT_SENT};
use crate::error::{Code, Error};
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/livechat/offline.message", post(offline_message))
        .route("/v1/livechat/transcript", post(transcript))
        .route(
            "/v1/livechat/transcript/{rid}",
            post(request_transcript).delete(cancel_transcript),
        )
}

async fn offline_message(State(s): State<AppState>, Body(mut b): Body) -> ApiResult {
    // `department` and `host` are `nullable` in upstream's schema.
    for k in ["department", "host"] {
        if b.get(k) == Some(&Value::Null) {
            b.remove(k);
        }
    }
    ajv(
        &b,
        &[
            req("name", Ty::Str),
            req("email", Ty::Str),
            req("message", Ty::Str),
            opt("department", Ty::Str),
            opt("host", Ty::Str),
        ],
        false,
    )?;
    let m = OfflineMessage {
        name: str_of(&b, "name").unwrap_or_default(),
        email: str_of(&b, "email").unwrap_or_default(),
        message: str_of(&b, "message").unwrap_or_default(),
        department: str_of(&b, "department"),
        host: str_of(&b, "host"),
    };
    // Upstream answers every failure of the send with the same translated text.
    match s.lc.send_offline_message(m).await {
        Ok(()) => ok(json!({ "message": OFFLINE_MESSAGE_SENT })),
        // A value that can never be valid is named as such (upstream would have sent it).
        Err(e @ Error::InvalidParams(_)) => Err(e),
        Err(e) => {
            tracing::debug!(error = %e, "offline message refused");
            Err(Code::OfflineMessageError.into())
        }
    }
}

async fn transcript(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[
            req("rid", Ty::Str),
            req("token", Ty::Str),
            req("email", Ty::Str),
        ],
        false,
    )?;
    s.lc.send_transcript(
        &str_of(&b, "token").unwrap_or_default(),
        &str_of(&b, "rid").unwrap_or_default(),
        &str_of(&b, "email").unwrap_or_default(),
    )
    .await?;
    ok(json!({ "message": TRANSCRIPT_SENT }))
}

/// `POST livechat/transcript/:rid` (agents): mail the transcript when the room closes.
async fn request_transcript(
    State(s): State<AppState>,
    auth: Auth,
    Path(rid): Path<String>,
    Body(b): Body,
) -> ApiResult {
    auth.require("send-omnichannel-chat-transcript")?;
    ajv(&b, &[req("email", Ty::Str), req("subject", Ty::Str)], false)?;
    s.lc.request_transcript(
        &auth.user,
        &rid,
        &str_of(&b, "email").unwrap_or_default(),
        &str_of(&b, "subject").unwrap_or_default(),
    )
    .await?;
    ok(json!({}))
}

async fn cancel_transcript(
    State(s): State<AppState>,
    auth: Auth,
    Path(rid): Path<String>,
) -> ApiResult {
    auth.require("send-omnichannel-chat-transcript")?;
    s.lc.cancel_transcript_request(&auth.user, &rid).await?;
    ok(json!({}))
}
