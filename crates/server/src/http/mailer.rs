//! `POST /api/v1/mailer` (an e-mail to every subscribed user, `send-mail`),
//! `POST /api/v1/mailer.unsubscribe`, and the unsubscribe link's page
//! `GET /mailer/unsubscribe/:_id/:createdAt`.

use super::validate::{Ty, ajv, bool_of, opt, req, str_of};
use super::{ApiResult, AppState, Auth, Body, ok};
use crate::domain::mailer::Mailing;
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::{Path, State};
use axum::response::Html;
use serde_json::json;

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/mailer",
            api::post(
                send,
                op("An e-mail to every subscribed user (`send-mail`)")
                    .user()
                    .body(SEND),
            ),
        )
        .route(
            "/v1/mailer.unsubscribe",
            api::post(
                unsubscribe,
                op("Unsubscribe from the mailer")
                    .user()
                    .body(&[F::req("_id", Ty::Str), F::req("createdAt", Ty::Str)]),
            ),
        )
}

/// The page the mails' `[unsubscribe]` link opens.
pub fn page_routes() -> Api {
    Api::new().route(
        "/mailer/unsubscribe/{id}/{created_at}",
        api::get(
            page,
            op("The unsubscribe link's page")
                .media(200, "text/html")
                .plain(&[]),
        ),
    )
}

/// `mailer`'s body (the check and the API document).
const SEND: &[F] = &[
    req("from", Ty::Str),
    req("subject", Ty::Str),
    req("body", Ty::Str),
    opt("dryrun", Ty::Bool),
    opt("query", Ty::Str),
];

async fn send(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(&b, SEND, false)?;
    auth.require("send-mail")?;
    s.lc.send_mailing(Mailing {
        from: str_of(&b, "from").unwrap_or_default(),
        subject: str_of(&b, "subject").unwrap_or_default(),
        body: str_of(&b, "body").unwrap_or_default(),
        dryrun: bool_of(&b, "dryrun").unwrap_or(false),
        query: str_of(&b, "query"),
    })
    .await?;
    ok(json!({}))
}

async fn unsubscribe(State(s): State<AppState>, _auth: Auth, Body(b): Body) -> ApiResult {
    ajv(&b, &[req("_id", Ty::Str), req("createdAt", Ty::Str)], false)?;
    s.lc.mailer_unsubscribe(
        &str_of(&b, "_id").unwrap_or_default(),
        &str_of(&b, "createdAt").unwrap_or_default(),
    )
    .await?;
    ok(json!({}))
}

async fn page(
    State(s): State<AppState>,
    Path((id, created_at)): Path<(String, String)>,
) -> crate::error::Result<Html<&'static str>> {
    Ok(Html(if s.lc.mailer_unsubscribe(&id, &created_at).await? {
        "<!doctype html><title>Unsubscribed</title><p>You have been unsubscribed.</p>"
    } else {
        "<!doctype html><title>Unsubscribe</title><p>This link is not valid.</p>"
    }))
}
