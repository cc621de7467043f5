//! Visitor messages, history, and closing a room (visitor and agent side).

use super::super::validate::{Ty, ajv, i64_of, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::model::Message;
use crate::time::Ts;
use crate::validate::F;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub fn routes() -> Api {
    let visitor = [F::req("token", Ty::Str), F::req("rid", Ty::Str)];
    Api::new()
        .route(
            "/v1/livechat/message",
            api::post(
                send,
                op("A visitor's message")
                    .body(&[
                        F::req("token", Ty::Str),
                        F::req("rid", Ty::Str),
                        F::req("msg", Ty::Str),
                        F::opt("_id", Ty::Str),
                        F::opt("agent", Ty::Obj),
                    ])
                    .ok(&[("message", Ty::Obj)])
                    .doc::<Message>("message"),
            ),
        )
        .route(
            "/v1/livechat/message/{id}",
            api::get(
                get_message,
                op("One of the visitor's messages")
                    .query(&visitor)
                    .ok(&[("message", Ty::Obj)])
                    .doc::<Message>("message"),
            )
            .put(
                edit,
                op("Edit the visitor's message")
                    .body(&[
                        F::req("token", Ty::Str),
                        F::req("rid", Ty::Str),
                        F::req("msg", Ty::Str),
                    ])
                    .ok(&[("message", Ty::Obj)])
                    .doc::<Message>("message"),
            )
            .delete(
                remove,
                op("Delete the visitor's message")
                    .body(&visitor)
                    .ok(&[("message", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/messages.history/{rid}",
            api::get(
                history,
                op("The room's messages, for its visitor")
                    .query(&[
                        F::req("token", Ty::Str),
                        F::opt("ls", Ty::Str),
                        F::opt("end", Ty::Str),
                        F::opt("limit", Ty::Num),
                        F::opt("searchText", Ty::Str),
                    ])
                    .paged()
                    .ok(&[("messages", Ty::Arr)])
                    .docs::<Message>("messages"),
            ),
        )
        .route(
            "/v1/livechat/room.close",
            api::post(
                close,
                op("The visitor closes its room")
                    .body(&[F::req("rid", Ty::Str), F::req("token", Ty::Str)])
                    .ok(&[("rid", Ty::Str), ("comment", Ty::Str)]),
            ),
        )
        .route(
            "/v1/livechat/room.closeByUser",
            api::post(
                close_by_user,
                op("An agent closes a room").user().body(&[
                    F::req("rid", Ty::Str),
                    F::opt("comment", Ty::Str),
                    F::opt("tags", Ty::Arr),
                    F::opt("generateTranscriptPdf", Ty::Bool),
                    F::opt("transcriptEmail", Ty::Obj),
                    F::opt("forceClose", Ty::Bool),
                ]),
            ),
        )
}

async fn send(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[
            req("token", Ty::Str),
            req("rid", Ty::Str),
            req("msg", Ty::Str),
            opt("_id", Ty::Str),
            opt("agent", Ty::Obj),
        ],
        false,
    )?;
    let m =
        s.lc.send_visitor_message(
            &str_of(&b, "token").unwrap_or_default(),
            &str_of(&b, "rid").unwrap_or_default(),
            &str_of(&b, "msg").unwrap_or_default(),
            str_of(&b, "_id"),
        )
        .await?;
    ok(json!({ "message": m }))
}

async fn get_message(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query,
) -> ApiResult {
    ajv(&q, &[req("token", Ty::Str), req("rid", Ty::Str)], false)?;
    let m =
        s.lc.visitor_message(
            &str_of(&q, "token").unwrap_or_default(),
            &str_of(&q, "rid").unwrap_or_default(),
            &id,
        )
        .await?;
    ok(json!({ "message": m }))
}

async fn edit(State(s): State<AppState>, Path(id): Path<String>, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[
            req("token", Ty::Str),
            req("rid", Ty::Str),
            req("msg", Ty::Str),
        ],
        false,
    )?;
    let m =
        s.lc.edit_visitor_message(
            &str_of(&b, "token").unwrap_or_default(),
            &str_of(&b, "rid").unwrap_or_default(),
            &id,
            &str_of(&b, "msg").unwrap_or_default(),
        )
        .await?;
    ok(json!({ "message": m }))
}

async fn remove(State(s): State<AppState>, Path(id): Path<String>, Body(b): Body) -> ApiResult {
    ajv(&b, &[req("token", Ty::Str), req("rid", Ty::Str)], false)?;
    let (id, ts) =
        s.lc.delete_visitor_message(
            &str_of(&b, "token").unwrap_or_default(),
            &str_of(&b, "rid").unwrap_or_default(),
            &id,
        )
        .await?;
    ok(json!({ "message": { "_id": id, "ts": ts } }))
}

async fn history(
    State(s): State<AppState>,
    Path(rid): Path<String>,
    Query(q): Query,
) -> crate::error::Result<Response> {
    ajv(
        &q,
        &[
            req("token", Ty::Str),
            opt("ls", Ty::Str),
            opt("end", Ty::Str),
            opt("limit", Ty::Num),
            opt("offset", Ty::Num),
            opt("count", Ty::Num),
            opt("sort", Ty::Str),
            opt("searchText", Ty::Str),
        ],
        false,
    )?;
    let token = str_of(&q, "token")
        .filter(|t| !t.is_empty())
        .ok_or(Code::TokenParamNotProvided)?;
    let end = match str_of(&q, "end") {
        Some(e) => Some(
            Ts::parse_iso(&e)
                .or_else(|| e.parse().ok().map(Ts::from_millis))
                .ok_or(Code::InvalidEnd)?,
        ),
        None => None,
    };
    let limit = i64_of(&q, "limit")
        .filter(|l| *l > 0)
        .unwrap_or(20)
        .min(1000);
    let offset = i64_of(&q, "offset").filter(|o| *o >= 0).unwrap_or(0);
    let messages = s.lc.history(&token, &rid, end, limit, offset).await?;
    // `{messages, success}` around the stored documents as they are (see `DocJson`).
    let mut body =
        String::with_capacity(32 + messages.iter().map(|m| m.get().len() + 1).sum::<usize>());
    body.push_str("{\"messages\":[");
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(m.get());
    }
    body.push_str("],\"success\":true}");
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

async fn close(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    ajv(&b, &[req("rid", Ty::Str), req("token", Ty::Str)], false)?;
    let rid = str_of(&b, "rid").unwrap_or_default();
    let comment =
        s.lc.close_by_visitor(&str_of(&b, "token").unwrap_or_default(), &rid)
            .await?;
    ok(json!({ "rid": rid, "comment": comment }))
}

async fn close_by_user(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[
            req("rid", Ty::Str),
            opt("comment", Ty::Str),
            opt("tags", Ty::Arr),
            opt("generateTranscriptPdf", Ty::Bool),
            opt("transcriptEmail", Ty::Obj),
            opt("forceClose", Ty::Bool),
        ],
        false,
    )?;
    auth.require("close-livechat-room")?;
    let tags = b.get("tags").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    });
    s.lc.close_by_user(
        &auth.user,
        &str_of(&b, "rid").unwrap_or_default(),
        str_of(&b, "comment"),
        tags,
    )
    .await?;
    ok(json!({}))
}
