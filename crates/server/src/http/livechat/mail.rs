//! `livechat/offline.message` and `livechat/transcript`: mails queued in the
//! outbox, answered once the outbox row is committed.

use super::super::validate::{Ty, ajv, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, ok};
use crate::domain::mail::{OFFLINE_MESSAGE_SENT, OfflineMessage, TRANSCRIPT_SENT};
use crate::error::{Code, Error};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::{Path, State};
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/offline.message",
            api::post(
                offline_message,
                op("The offline form: an e-mail to the department or `Livechat_offline_email`")
                    .body(&[
                        F::req("name", Ty::Str),
                        F::req("email", Ty::Str),
                        F::req("message", Ty::Str),
                        F::opt("department", Ty::Str),
                        F::opt("host", Ty::Str),
                    ])
                    .ok(&[("message", Ty::Str)]),
            ),
        )
        .route(
            "/v1/livechat/transcript",
            api::post(
                transcript,
                op("The visitor asks for the transcript by e-mail")
                    .body(&[
                        F::req("rid", Ty::Str),
                        F::req("token", Ty::Str),
                        F::req("email", Ty::Str),
                    ])
                    .ok(&[("message", Ty::Str)]),
            ),
        )
        .route(
            "/v1/livechat/transcript/{rid}",
            api::post(
                request_transcript,
                op("An agent requests the transcript, mailed when the room closes")
                    .user()
                    .body(&[F::req("email", Ty::Str), F::req("subject", Ty::Str)]),
            )
            .delete(
                cancel_transcript,
                op("Cancel the transcript request").user(),
            ),
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
