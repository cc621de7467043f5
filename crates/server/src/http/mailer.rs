//! `POST /api/v1/mailer` (an e-mail to every subscribed user, `send-mail`),
//! `POST /api/v1/mailer.unsubscribe`, and the unsubscribe link's page
//! `GET /mailer/unsubscribe/:_id/:createdAt`.

use super::validate::{Ty, ajv, bool_of, opt, req, str_of};
use super::{ApiResult, AppState, Auth, Body, ok};
use crate::domain::mailer::Mailing;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::{get, post};
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/mailer", post(send))
        .route("/v1/mailer.unsubscribe", post(unsubscribe))
}

/// The page the mails' `[unsubscribe]` link opens.
pub fn page_routes() -> Router<AppState> {
    Router::new().route("/mailer/unsubscribe/{id}/{created_at}", get(page))
}

async fn send(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[
            req("from", Ty::Str),
            req("subject", Ty::Str),
            req("body", Ty::Str),
            opt("dryrun", Ty::Bool),
            opt("query", Ty::Str),
        ],
        false,
    )?;
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
