//! Omnichannel contacts (7.0): `POST omnichannel/contacts` (`create-livechat-contact`),
//! `POST omnichannel/contacts.update` (`update-livechat-contact`), `GET
//! omnichannel/contacts.get` and `contacts.search` (`view-livechat-contact`), and `GET
//! omnichannel/contacts.history` (`view-livechat-contact-history`). Upstream checks the
//! permission before the parameters (ajv, `allErrors`).

use super::super::schema::{P, S, nullable, obj, opt, req, unique_arr, validate};
use super::super::validate::str_of;
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::{pagination, sort};
use crate::domain::ContactSearch;
use crate::domain::contacts::{ContactChanges, NewContact};
use crate::http::openapi::{self as api, Api, op};
use crate::model::Room;
use crate::validate::{F, Ty};
use axum::extract::State;
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    let page = |key| {
        [
            (key, Ty::Arr),
            ("count", Ty::Num),
            ("offset", Ty::Num),
            ("total", Ty::Num),
        ]
    };
    Api::new()
        .route(
            "/v1/omnichannel/contacts",
            api::post(
                create,
                op("Create a contact")
                    .user()
                    .body_schema(&create_schema())
                    .ok(&[("contactId", Ty::Str)]),
            ),
        )
        .route(
            "/v1/omnichannel/contacts.update",
            api::post(
                update,
                op("Update a contact")
                    .user()
                    .body_schema(&update_schema())
                    .ok(&[("contact", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/omnichannel/contacts.get",
            api::get(
                get_one,
                op("A contact")
                    .user()
                    .query(&[F::req("contactId", Ty::Str)])
                    .ok(&[("contact", Ty::Any)]),
            ),
        )
        .route(
            "/v1/omnichannel/contacts.search",
            api::get(
                search,
                op("Contacts by name, e-mail or phone")
                    .user()
                    .query(&[F::opt("searchText", Ty::Str)])
                    .paged()
                    .ok(&page("contacts")),
            ),
        )
        .route(
            "/v1/omnichannel/contacts.history",
            api::get(
                history,
                op("The rooms of the contact's visitors")
                    .user()
                    .query(&[F::req("contactId", Ty::Str), F::opt("source", Ty::Str)])
                    .paged()
                    .ok(&page("history")),
            ),
        )
}

/// `customFields: { type: 'object', nullable: true }`.
fn any_object() -> S {
    nullable(S::Obj {
        props: Vec::new(),
        additional: true,
    })
}

/// The contact's own fields of both write schemas.
fn contact_props(required: bool) -> Vec<P> {
    let field = |name, schema| {
        if required {
            req(name, schema)
        } else {
            opt(name, schema)
        }
    };
    vec![
        field("name", S::Str),
        field("emails", unique_arr(S::Str)),
        field("phones", unique_arr(S::Str)),
        opt("customFields", any_object()),
        opt("contactManager", nullable(S::Str)),
    ]
}

fn create_schema() -> S {
    obj(contact_props(true))
}

fn update_schema() -> S {
    let mut props = vec![req("contactId", S::Str)];
    props.extend(contact_props(false));
    obj(props)
}

fn strings(b: &Map<String, Value>, k: &str) -> Option<Vec<String>> {
    b.get(k).and_then(Value::as_array).map(|a| {
        a.iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    })
}

fn object(b: &Map<String, Value>, k: &str) -> Option<Map<String, Value>> {
    b.get(k).and_then(Value::as_object).cloned()
}

async fn create(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("create-livechat-contact")?;
    validate(&Value::Object(b.clone()), &create_schema())?;
    let contact_id =
        s.lc.create_contact(NewContact {
            name: str_of(&b, "name").unwrap_or_default(),
            emails: strings(&b, "emails").unwrap_or_default(),
            phones: strings(&b, "phones").unwrap_or_default(),
            custom_fields: object(&b, "customFields").unwrap_or_default(),
            contact_manager: str_of(&b, "contactManager"),
        })
        .await?;
    ok(json!({ "contactId": contact_id }))
}

async fn update(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("update-livechat-contact")?;
    validate(&Value::Object(b.clone()), &update_schema())?;
    let contact =
        s.lc.update_contact(ContactChanges {
            contact_id: str_of(&b, "contactId").unwrap_or_default(),
            name: str_of(&b, "name"),
            emails: strings(&b, "emails"),
            phones: strings(&b, "phones"),
            custom_fields: object(&b, "customFields"),
            contact_manager: str_of(&b, "contactManager"),
        })
        .await?;
    ok(json!({ "contact": contact }))
}

async fn get_one(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-livechat-contact")?;
    validate(
        &Value::Object(q.clone()),
        &obj(vec![req("contactId", S::Str)]),
    )?;
    let contact =
        s.lc.contact(&str_of(&q, "contactId").unwrap_or_default())
            .await?;
    ok(json!({ "contact": contact }))
}

/// upstream's `PaginatedRequest` keys, then the route's own.
fn paginated(mut extra: Vec<P>) -> S {
    let mut props = vec![
        opt("count", S::Num),
        opt("offset", S::Num),
        opt("sort", S::Str),
    ];
    props.append(&mut extra);
    obj(props)
}

async fn search(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-livechat-contact")?;
    validate(
        &Value::Object(q.clone()),
        &paginated(vec![opt("searchText", S::Str)]),
    )?;
    let (offset, count) = pagination(&q)?;
    let (contacts, total) =
        s.lc.search_contacts(ContactSearch {
            text: str_of(&q, "searchText"),
            offset,
            count,
            sort: sort(&q)?,
        })
        .await?;
    ok(json!({ "contacts": contacts, "count": count, "offset": offset, "total": total }))
}

/// The room as upstream's `getContactHistory` projects it.
fn history_item(r: &Room) -> Value {
    const KEPT: &[&str] = &[
        "_id", "fname", "ts", "v", "msgs", "servedBy", "closedAt", "closedBy", "closer", "tags",
        "source",
    ];
    match serde_json::to_value(r) {
        Ok(Value::Object(m)) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| KEPT.contains(&k.as_str()))
                .collect(),
        ),
        _ => Value::Null,
    }
}

async fn history(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-livechat-contact-history")?;
    validate(
        &Value::Object(q.clone()),
        &paginated(vec![req("contactId", S::Str), opt("source", S::Str)]),
    )?;
    let (offset, count) = pagination(&q)?;
    let (rooms, total) =
        s.lc.contact_history(
            &str_of(&q, "contactId").unwrap_or_default(),
            str_of(&q, "source"),
            offset,
            count,
            sort(&q)?,
        )
        .await?;
    let history: Vec<Value> = rooms.iter().map(history_item).collect();
    ok(json!({ "history": history, "count": history.len(), "offset": offset, "total": total }))
}
