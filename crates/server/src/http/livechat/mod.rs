//! `/api/v1/livechat/*`.

pub mod agent;
pub mod analytics;
pub mod appearance;
pub mod business_hours;
pub mod config;
pub mod contact;
pub mod contacts;
pub mod custom_field;
pub mod department;
pub mod inquiry;
pub mod integrations;
pub mod mail;
pub mod message;
pub mod notes;
pub mod page_visited;
pub mod queue;
pub mod room;
pub mod rooms;
pub mod survey;
pub mod tags;
pub mod transfer;
pub mod triggers;
pub mod upload;
pub mod users;
pub mod visitor;
pub mod visitors;
pub mod webhooks;

use super::validate::i64_of;
use crate::error::{Code, Error, Result};
use serde_json::{Map, Value};

pub fn routes() -> crate::http::openapi::Api {
    crate::http::openapi::Api::new()
        .merge(config::routes())
        .merge(appearance::routes())
        .merge(queue::routes())
        .merge(integrations::routes())
        .merge(business_hours::routes())
        .merge(visitor::routes())
        .merge(visitors::routes())
        .merge(room::routes())
        .merge(agent::routes())
        .merge(users::routes())
        .merge(department::routes())
        .merge(message::routes())
        .merge(inquiry::routes())
        .merge(transfer::routes())
        .merge(rooms::routes())
        .merge(survey::routes())
        .merge(custom_field::routes())
        .merge(triggers::routes())
        .merge(page_visited::routes())
        .merge(upload::routes())
        .merge(mail::routes())
        .merge(webhooks::routes())
        .merge(analytics::routes())
        .merge(contact::routes())
        .merge(contacts::routes())
        .merge(tags::routes())
        .merge(notes::routes())
}

/// `getPaginationItems()`: `offset` and `count` (default 50, at most 100; 0 = all).
pub fn pagination(q: &Map<String, Value>) -> Result<(i64, i64)> {
    let offset = match q.get("offset") {
        Some(_) => i64_of(q, "offset")
            .filter(|o| *o >= 0)
            .ok_or(Code::InvalidOffset)?,
        None => 0,
    };
    let count = match q.get("count") {
        Some(_) => i64_of(q, "count")
            .filter(|c| *c >= 0)
            .ok_or(Code::InvalidCount)?,
        None => 50,
    };
    let count = if count == 0 { 0 } else { count.min(100) };
    Ok((offset, count))
}

/// `parseJsonQuery().sort`: `sort={"field":1|-1,…}`.
pub fn sort(q: &Map<String, Value>) -> Result<Vec<(String, bool)>> {
    match q.get("sort").and_then(Value::as_str) {
        None => Ok(Vec::new()),
        Some(s) => {
            let v: Value = serde_json::from_str(s)
                .map_err(|_| Error::from(Code::InvalidSortJson(s.to_string())))?;
            let m = v
                .as_object()
                .ok_or_else(|| Error::from(Code::InvalidSort))?;
            Ok(m.iter()
                .map(|(k, v)| (k.clone(), v.as_i64().unwrap_or(1) >= 0))
                .collect())
        }
    }
}
