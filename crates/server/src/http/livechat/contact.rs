//! Rocket.Chat 7.0's legacy contact routes, on visitors (`view-l-room`): `omnichannel/contact`
//! (POST registers, GET reads), `omnichannel/contact.search`, and the deprecated
//! `PUT livechat/room.visitor`. Upstream checks the permission before the parameters.

use super::super::validate::{Ty, ajv, check, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use crate::domain::legacy_contact::ContactInput;
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/omnichannel/contact",
            api::get(
                get_contact,
                op("A visitor (legacy contact)")
                    .user()
                    .query(&[F::req("contactId", Ty::Str)])
                    .ok(&[("contact", Ty::Any)]),
            )
            .post(
                post_contact,
                op("Create or update a visitor (legacy contact)")
                    .user()
                    .body(&[
                        F::opt("_id", Ty::Str),
                        F::req("token", Ty::Str),
                        F::req("name", Ty::Str),
                        F::opt("email", Ty::Str),
                        F::opt("phone", Ty::Str),
                        F::opt("username", Ty::Str),
                        F::opt("customFields", Ty::Obj),
                        F::opt("contactManager", Ty::Obj),
                    ])
                    .ok(&[("contact", Ty::Str)]),
            ),
        )
        .route(
            "/v1/omnichannel/contact.search",
            api::get(
                search,
                op("A visitor by e-mail, phone or custom field")
                    .user()
                    .query(&[
                        F::opt("email", Ty::Str),
                        F::opt("phone", Ty::Str),
                        F::opt("custom", Ty::Str),
                    ])
                    .ok(&[("contact", Ty::Any)]),
            ),
        )
        .route(
            "/v1/livechat/room.visitor",
            api::put(
                room_visitor,
                op("Move a room to another visitor")
                    .user()
                    .body(&[
                        F::req("rid", Ty::Str),
                        F::req("oldVisitorId", Ty::Str),
                        F::req("newVisitorId", Ty::Str),
                    ])
                    .ok(&[("room", Ty::Any)]),
            ),
        )
}

const PERMISSION: &str = "view-l-room";

async fn post_contact(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require(PERMISSION)?;
    check(
        &b,
        &[
            opt("_id", Ty::Str),
            req("token", Ty::Str),
            req("name", Ty::Str),
            opt("email", Ty::Str),
            opt("phone", Ty::Str),
            opt("username", Ty::Str),
            opt("customFields", Ty::Obj),
            opt("contactManager", Ty::Obj),
        ],
        true,
        "",
    )?;
    let manager = match b.get("contactManager") {
        Some(Value::Object(m)) => {
            check(m, &[req("username", Ty::Str)], true, "contactManager")?;
            str_of(m, "username")
        }
        _ => None,
    };
    let text = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_string);
    // `_id` is accepted but not used: upstream finds the visitor by its token.
    let id =
        s.lc.register_contact(ContactInput {
            token: text("token").unwrap_or_default(),
            name: text("name").unwrap_or_default(),
            email: text("email"),
            phone: text("phone"),
            username: text("username"),
            custom_fields: b
                .get("customFields")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            contact_manager: manager,
        })
        .await?;
    ok(json!({ "contact": id }))
}

async fn get_contact(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require(PERMISSION)?;
    check(&q, &[req("contactId", Ty::Str)], true, "")?;
    let id = str_of(&q, "contactId").unwrap_or_default();
    let contact = s.lc.legacy_contact(&id).await?;
    ok(json!({ "contact": contact }))
}

async fn search(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require(PERMISSION)?;
    check(
        &q,
        &[
            opt("email", Ty::Str),
            opt("phone", Ty::Str),
            opt("custom", Ty::Str),
        ],
        true,
        "",
    )?;
    // `custom && JSON.parse(custom)`: an empty `custom` stays the empty string.
    let custom = match str_of(&q, "custom") {
        None => None,
        Some(c) if c.is_empty() => Some(Value::String(c)),
        Some(c) => {
            Some(serde_json::from_str::<Value>(&c).map_err(|_| Code::ContactSearchInvalidCustom)?)
        }
    };
    let contact =
        s.lc.search_legacy_contact(
            str_of(&q, "email").as_deref(),
            str_of(&q, "phone").as_deref(),
            custom.as_ref(),
        )
        .await?;
    ok(json!({ "contact": contact }))
}

async fn room_visitor(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require(PERMISSION)?;
    ajv(
        &b,
        &[
            req("rid", Ty::Str),
            req("oldVisitorId", Ty::Str),
            req("newVisitorId", Ty::Str),
        ],
        false,
    )?;
    let field = |k: &str| str_of(&b, k).unwrap_or_default();
    let room =
        s.lc.change_room_visitor(
            &auth.user,
            &field("rid"),
            &field("oldVisitorId"),
            &field("newVisitorId"),
        )
        .await?;
    ok(json!({ "room": room }))
}
