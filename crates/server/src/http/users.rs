//! `users.create`, `users.delete`, `users.setStatus`, `users.setActiveStatus`, `users.info`.

use super::validate::{Ty, ajv, bool_of, check, opt, req, str_of};
use super::{ApiResult, AppState, Auth, Body, Query, ok};
use crate::domain::users::NewUser;
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::model::User;
use crate::validate::F;
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/users.create",
            api::post(
                create,
                op("Create a user (`create-user`)")
                    .user()
                    .body(CREATE)
                    .ok(&[("user", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/users.delete",
            api::post(
                delete,
                op("Delete a user (`delete-user`)").user().body(DELETE),
            ),
        )
        .route(
            "/v1/users.setStatus",
            api::post(
                set_status,
                op("Set a user's status (online, away, busy, offline)")
                    .user()
                    .body(SET_STATUS),
            ),
        )
        .route(
            "/v1/users.setActiveStatus",
            api::post(
                set_active_status,
                op("Activate or deactivate a user")
                    .user()
                    .body(SET_ACTIVE)
                    .ok(&[("user", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/users.info",
            api::get(
                info,
                op("A user, by `userId` or `username`")
                    .user()
                    .query(&[F::opt("userId", Ty::Str), F::opt("username", Ty::Str)])
                    .ok(&[("user", Ty::Obj)]),
            ),
        )
}

/// The user as `users.*` routes show it (no secrets, no routing counters).
pub fn public_user(u: &User) -> Value {
    let mut v = serde_json::to_value(u).unwrap_or_default();
    if let Value::Object(m) = &mut v {
        m.shift_remove("lastRoutingTime");
    }
    v
}

/// `users.create`'s body (the check and the API document).
const CREATE: &[F] = &[
    req("email", Ty::Str),
    req("name", Ty::Str),
    req("password", Ty::Str),
    req("username", Ty::Str),
    opt("active", Ty::Bool),
    opt("bio", Ty::Str),
    opt("nickname", Ty::Str),
    opt("statusText", Ty::Str),
    opt("roles", Ty::Arr),
    opt("joinDefaultChannels", Ty::Bool),
    opt("requirePasswordChange", Ty::Bool),
    opt("setRandomPassword", Ty::Bool),
    opt("sendWelcomeEmail", Ty::Bool),
    opt("verified", Ty::Bool),
    opt("customFields", Ty::Obj),
];

async fn create(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("create-user")?;
    ajv(&b, CREATE, false)?;
    let roles = b
        .get("roles")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let user =
        s.lc.create_user(NewUser {
            username: str_of(&b, "username").unwrap_or_default(),
            email: str_of(&b, "email").unwrap_or_default(),
            password: str_of(&b, "password").unwrap_or_default(),
            name: str_of(&b, "name").unwrap_or_default(),
            roles,
            active: bool_of(&b, "active").unwrap_or(true),
            verified: bool_of(&b, "verified").unwrap_or(false),
        })
        .await?;
    ok(json!({ "user": public_user(&user) }))
}

/// `users.delete`'s body (the check and the API document).
const DELETE: &[F] = &[req("userId", Ty::Str), opt("confirmRelinquish", Ty::Bool)];

async fn delete(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("delete-user")?;
    ajv(&b, DELETE, false)?;
    let id = str_of(&b, "userId").unwrap_or_default();
    if !s.lc.delete_user(&id).await? {
        return Err(Code::InvalidUserToDelete.into());
    }
    ok(json!({}))
}

/// `users.setStatus`'s body (the check and the API document).
const SET_STATUS: &[F] = &[
    opt("status", Ty::Str),
    opt("message", Ty::Str),
    opt("userId", Ty::Str),
    opt("username", Ty::Str),
];

async fn set_status(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    check(&b, SET_STATUS, true, "")?;
    let target = match (str_of(&b, "userId"), str_of(&b, "username")) {
        (Some(id), _) if id != auth.user.id => Some(id),
        (None, Some(u)) if u != auth.user.username => Some(
            s.lc.user_by_username(&u)
                .await?
                .ok_or(Code::InvalidUserBare)?
                .id,
        ),
        _ => None,
    };
    if target.is_some() && !auth.has("edit-other-user-info") {
        return Err(Code::NotAllowedMeteor.into());
    }
    let id = target.unwrap_or(auth.user.id.clone());
    let status = match str_of(&b, "status") {
        Some(st) => st,
        None => s.lc.user(&id).await?.map(|u| u.status).unwrap_or_default(),
    };
    s.lc.set_user_status(&id, &status, str_of(&b, "message"))
        .await?;
    ok(json!({}))
}

/// `users.setActiveStatus`'s body (the check and the API document).
const SET_ACTIVE: &[F] = &[
    req("userId", Ty::Str),
    req("activeStatus", Ty::Bool),
    opt("confirmRelinquish", Ty::Bool),
];

async fn set_active_status(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    ajv(&b, SET_ACTIVE, false)?;
    auth.require_any(&["edit-other-user-active-status", "manage-moderation-actions"])?;
    let id = str_of(&b, "userId").unwrap_or_default();
    let user =
        s.lc.set_user_active(&id, bool_of(&b, "activeStatus").unwrap_or(false))
            .await?;
    ok(json!({ "user": { "_id": user.id, "active": user.active } }))
}

async fn info(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    let user = match (str_of(&q, "userId"), str_of(&q, "username")) {
        (Some(id), _) => s.lc.user(&id).await?,
        (None, Some(u)) => s.lc.user_by_username(&u).await?,
        _ => {
            return Err(Code::UserParamNotProvided.into());
        }
    };
    let user = user.ok_or(Code::UsersInfoNotFound)?;
    let mut doc = public_user(&user);
    // Upstream's `getFullUserData`: contact details only for the user itself and holders
    // of `view-full-other-user-info`.
    if user.id != auth.user.id
        && !auth.has("view-full-other-user-info")
        && let Value::Object(m) = &mut doc
    {
        m.shift_remove("emails");
        m.shift_remove("phone");
    }
    ok(json!({ "user": doc }))
}
