//! `POST /livechat/visitor`, `GET|DELETE /livechat/visitor/:token`, `POST /livechat/visitor.status`,
//! `POST /livechat/visitor.callStatus`.

use super::super::validate::{Ty, check, opt, req, str_of};
use super::super::{ApiResult, AppState, Body, ClientAddr, ok};
use crate::domain::visitors::{ConnectionInfo, RegisterGuest};
use crate::error::{Check, Code};
use crate::http::openapi::{self as api, Api, op};
use crate::model::Visitor;
use crate::validate::F;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/visitor",
            api::post(
                register,
                op("Register or update a visitor")
                    .body(&[F::req("visitor", Ty::Obj)])
                    .ok(&[("visitor", Ty::Obj)])
                    .doc::<Visitor>("visitor"),
            ),
        )
        .route(
            "/v1/livechat/visitor/{token}",
            api::get(
                get_visitor,
                op("A visitor by token")
                    .ok(&[("visitor", Ty::Obj)])
                    .doc::<Visitor>("visitor"),
            )
            .delete(
                delete_visitor,
                op("Remove a visitor's data").ok(&[("visitor", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/visitor.status",
            api::post(
                status,
                op("Set a visitor's status")
                    .body(&[F::req("token", Ty::Str), F::req("status", Ty::Str)])
                    .ok(&[("token", Ty::Str), ("status", Ty::Str)]),
            ),
        )
        .route(
            "/v1/livechat/visitor.callStatus",
            api::post(
                call_status,
                op("Set the call status of the visitor's room")
                    .body(&[
                        F::req("token", Ty::Str),
                        F::req("callStatus", Ty::Str),
                        F::req("rid", Ty::Str),
                        F::req("callId", Ty::Str),
                    ])
                    .ok(&[("token", Ty::Str), ("callStatus", Ty::Str)]),
            ),
        )
}

async fn register(
    State(s): State<AppState>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Body(b): Body,
) -> ApiResult {
    check(&b, &[req("visitor", Ty::Obj)], true, "")?;
    let v = b
        .get("visitor")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    check(
        &v,
        &[
            req("token", Ty::Str),
            opt("name", Ty::Str),
            opt("email", Ty::Str),
            opt("department", Ty::Str),
            opt("phone", Ty::Str),
            opt("username", Ty::Str),
            opt("customFields", Ty::Arr),
        ],
        false,
        "visitor",
    )?;
    let token = str_of(&v, "token").unwrap_or_default();
    if token.trim().is_empty() {
        return Err(Code::EmptyToken.into());
    }
    let mut custom_fields = Vec::new();
    if let Some(Value::Array(items)) = v.get("customFields") {
        for (i, item) in items.iter().enumerate() {
            let o = item.as_object().ok_or_else(|| {
                Check::expected("object", item, format!("visitor.customFields[{i}]"))
            })?;
            check(
                o,
                &[
                    req("key", Ty::Str),
                    req("value", Ty::Str),
                    req("overwrite", Ty::Bool),
                ],
                false,
                &format!("visitor.customFields[{i}]"),
            )?;
            custom_fields.push((
                str_of(o, "key").unwrap_or_default(),
                str_of(o, "value").unwrap_or_default(),
                o.get("overwrite").and_then(Value::as_bool).unwrap_or(false),
            ));
        }
    }
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|x| x.to_str().ok())
            .map(str::to_string)
    };
    let visitor =
        s.lc.register_guest(RegisterGuest {
            token,
            id: None,
            name: str_of(&v, "name"),
            email: str_of(&v, "email"),
            department: str_of(&v, "department"),
            phone: str_of(&v, "phone"),
            username: str_of(&v, "username"),
            custom_fields,
            connection: Some(ConnectionInfo {
                user_agent: h("user-agent"),
                ip: Some(s.client_ip(&headers, addr)),
                host: h("host"),
            }),
        })
        .await?;
    ok(json!({ "visitor": visitor }))
}

async fn get_visitor(State(s): State<AppState>, Path(token): Path<String>) -> ApiResult {
    let v =
        s.lc.visitor_by_token(&token)
            .await?
            .ok_or(Code::InvalidTokenMeteor)?;
    ok(json!({ "visitor": v }))
}

async fn delete_visitor(State(s): State<AppState>, Path(token): Path<String>) -> ApiResult {
    let v =
        s.lc.remove_visitor_and_files(s.files.as_ref(), &token)
            .await?;
    ok(json!({ "visitor": { "_id": v.id, "ts": v.ts } }))
}

async fn status(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    check(
        &b,
        &[req("token", Ty::Str), req("status", Ty::Str)],
        true,
        "",
    )?;
    let token = str_of(&b, "token").unwrap_or_default();
    let status = str_of(&b, "status").unwrap_or_default();
    s.lc.set_visitor_status(&token, &status).await?;
    ok(json!({ "token": token, "status": status }))
}

async fn call_status(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    check(
        &b,
        &[
            req("token", Ty::Str),
            req("callStatus", Ty::Str),
            req("rid", Ty::Str),
            req("callId", Ty::Str),
        ],
        true,
        "",
    )?;
    let token = str_of(&b, "token").unwrap_or_default();
    let call_status = str_of(&b, "callStatus").unwrap_or_default();
    let rid = str_of(&b, "rid").unwrap_or_default();
    s.lc.set_call_status(&token, &rid, &call_status).await?;
    ok(json!({ "token": token, "callStatus": call_status }))
}
