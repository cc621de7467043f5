//! `login`, `logout`, `me`.

use super::validate::str_of;
use super::{ApiResult, AppState, Auth, Body, ClientAddr, ok};
use crate::domain::users::Password;
use crate::error::{Code, Result};
use crate::http::openapi::{self as api, Api, op};
use crate::model::User;
use crate::validate::{F, Ty};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/login",
            api::post(
                login,
                op("Log in: username/e-mail + password (plain or `{digest, algorithm}`), or `resume`")
                    .body(&[
                        F::opt("user", Ty::Str),
                        F::opt("username", Ty::Str),
                        F::opt("email", Ty::Str),
                        F::opt("password", Ty::Any),
                        F::opt("resume", Ty::Str),
                    ])
                    .ok(&[("status", Ty::Str), ("data", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/logout",
            api::post(
                logout,
                op("Log out (ends this login token)")
                    .user()
                    .json(&[("status", Ty::Str), ("data", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/me",
            api::get(me, op("The logged-in user").user().ok(&[("_id", Ty::Str)])),
        )
}

pub fn me_doc(u: &User) -> Value {
    let mut v = serde_json::to_value(u).unwrap_or_default();
    if let Value::Object(m) = &mut v {
        m.shift_remove("lastRoutingTime");
        if let Some(e) = u.first_email() {
            m.insert("email".into(), json!(e));
        }
        m.insert("avatarUrl".into(), json!(format!("/avatar/{}", u.username)));
        m.insert("settings".into(), json!({"preferences": {}}));
    }
    v
}

async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Body(b): Body,
) -> Result<Response> {
    let ip = s.client_ip(&headers, addr);
    let (user, token) = if let Some(resume) = str_of(&b, "resume") {
        s.lc.login_resume(&resume, &ip).await?
    } else {
        let who = str_of(&b, "user")
            .or_else(|| str_of(&b, "username"))
            .or_else(|| str_of(&b, "email"))
            .ok_or(Code::LoginUnauthorized)?;
        let password = match b.get("password") {
            Some(Value::String(p)) => Password::Plain(p.clone()),
            Some(Value::Object(o))
                if o.get("algorithm").and_then(Value::as_str) == Some("sha-256") =>
            {
                Password::Digest(
                    o.get("digest")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                )
            }
            _ => {
                return Err(Code::LoginUnauthorized.into());
            }
        };
        s.lc.login_password(&who, password, &ip).await?
    };
    Ok(ok(json!({
        "status": "success",
        "data": { "userId": user.id, "authToken": token, "me": me_doc(&user) },
    }))?
    .into_response())
}

async fn logout(State(s): State<AppState>, auth: Auth) -> Result<Response> {
    s.lc.logout(&auth.token).await?;
    Ok(axum::Json(json!({
        "status": "success",
        "data": { "message": "You've been logged out!" }
    }))
    .into_response())
}

async fn me(auth: Auth) -> ApiResult {
    ok(me_doc(&auth.user))
}
