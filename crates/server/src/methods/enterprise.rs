//! Upstream Enterprise's methods for what Ferrochat gives freely: tags, monitors and units
//! (`ee/app/livechat-enterprise/server/methods`), canned responses
//! (`ee/app/canned-responses/server/methods`).

use super::{Answer, Caller, expected, object, permitted, string};
use crate::domain::Livechat;
use crate::domain::canned::CannedInput;
use crate::domain::tags::UnitInput;
use crate::error::{Check, Ddp, Error, check_type};
use crate::model::UnitMonitor;
use crate::time::with_ejson;
use serde::Serialize;
use serde_json::{Map, Value, json};

fn ejson<T: Serialize>(t: &T) -> Answer {
    with_ejson(|| serde_json::to_value(t))
        .map(Some)
        .map_err(|e| Ddp::Internal(e.to_string()))
}

/// `check(v, Match.Maybe(String))`: absent, `null` or a string.
fn maybe_string(params: &[Value], i: usize) -> Result<Option<String>, Ddp> {
    match params.get(i) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone()).filter(|s| !s.is_empty())),
        other => Err(expected("string", other)),
    }
}

fn field_error(expected: &'static str, v: &Value, field: &str) -> Ddp {
    Error::Match(Check::Expected {
        expected,
        got: check_type(v),
        field: field.to_string(),
    })
    .into()
}

/// `check(params[i], [String])`.
fn strings(params: &[Value], i: usize) -> Result<Vec<String>, Ddp> {
    match params.get(i) {
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(expected("string", Some(other))),
            })
            .collect(),
        other => Err(expected("array", other)),
    }
}

/// A required string key of a checked object (`Missing key` / `Expected string`).
fn key_string(m: &Map<String, Value>, k: &str) -> Result<String, Ddp> {
    match m.get(k) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(field_error("string", other, k)),
        None => Err(Error::Match(Check::MissingKey {
            key: k.to_string(),
            path: String::new(),
        })
        .into()),
    }
}

/// An optional string key (`Match.Optional(String)`).
fn key_opt_string(m: &Map<String, Value>, k: &str) -> Result<Option<String>, Ddp> {
    match m.get(k) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(field_error("string", other, k)),
    }
}

/// `livechat:saveTag(_id, {name, description?}, departments)`: answers the tag.
pub async fn save_tag(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(lc, caller, "manage-livechat-tags", "livechat:saveTags")?;
    let id = maybe_string(params, 0)?;
    let data = object(params, 1)?;
    if let Some(k) = data.keys().find(|k| *k != "name" && *k != "description") {
        return Err(Error::Match(Check::UnknownKey {
            key: k.clone(),
            path: String::new(),
        })
        .into());
    }
    let name = key_string(&data, "name")?;
    let description = key_opt_string(&data, "description")?;
    let departments = strings(params, 2)?;
    ejson(&lc.save_tag(id, name, description, departments).await?)
}

/// `livechat:removeTag(id)`: whether a tag was removed.
pub async fn remove_tag(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(lc, caller, "manage-livechat-tags", "livechat:removeTag")?;
    let id = string(params, 0)?;
    Ok(Some(json!(lc.remove_tag(&id).await?)))
}

/// `livechat:addMonitor(username)`: answers `{_id, username}`.
pub async fn add_monitor(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(
        lc,
        caller,
        "manage-livechat-monitors",
        "livechat:addMonitor",
    )?;
    let username = string(params, 0)?;
    let u = lc.add_monitor(&username).await?;
    Ok(Some(json!({"_id": u.id, "username": u.username})))
}

/// `livechat:removeMonitor(username)`.
pub async fn remove_monitor(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(
        lc,
        caller,
        "manage-livechat-monitors",
        "livechat:removeMonitor",
    )?;
    let username = string(params, 0)?;
    Ok(Some(json!(lc.remove_monitor(&username).await?)))
}

/// `livechat:saveUnit(_id, unitData, unitMonitors, unitDepartments)`: answers the unit.
pub async fn save_unit(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(lc, caller, "manage-livechat-units", "livechat:saveUnit")?;
    let id = maybe_string(params, 0)?;
    let mut data = object(params, 1)?;
    let name = key_string(&data, "name")?;
    let visibility = key_string(&data, "visibility")?;
    data.remove("name");
    data.remove("visibility");
    let list = |i: usize| match params.get(i) {
        Some(Value::Array(a)) => Ok(a.clone()),
        other => Err(expected("array", other)),
    };
    let mut monitors = Vec::new();
    for m in list(2)? {
        let m = m.as_object().cloned().unwrap_or_default();
        monitors.push(UnitMonitor {
            monitor_id: key_string(&m, "monitorId")?,
            username: key_string(&m, "username")?,
        });
    }
    let mut departments = Vec::new();
    for d in list(3)? {
        let d = d.as_object().cloned().unwrap_or_default();
        departments.push(key_string(&d, "departmentId")?);
    }
    let unit = lc
        .save_unit(
            id,
            UnitInput {
                name,
                visibility,
                extra: data,
            },
            monitors,
            departments,
        )
        .await?;
    ejson(&unit)
}

/// `livechat:removeUnit(_id)`.
pub async fn remove_unit(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(lc, caller, "manage-livechat-units", "livechat:removeUnit")?;
    let id = string(params, 0)?;
    Ok(Some(json!(lc.remove_unit(&id).await?)))
}

/// `saveCannedResponse(_id, {shortcut, text, scope, tags?, departmentId?})`: answers the
/// response.
pub async fn save_canned_response(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    let user = permitted(lc, caller, "save-canned-responses", "saveCannedResponse")?;
    let id = maybe_string(params, 0)?;
    let data = object(params, 1)?;
    let allowed = ["shortcut", "text", "scope", "tags", "departmentId"];
    if let Some(k) = data.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Error::Match(Check::UnknownKey {
            key: k.clone(),
            path: String::new(),
        })
        .into());
    }
    let tags = match data.get("tags") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|t| match t {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(field_error("string", other, "tags")),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => return Err(field_error("array", other, "tags")),
    };
    let department_id = match data.get("departmentId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(field_error("string", other, "departmentId")),
    };
    let saved = lc
        .save_canned_response(
            user,
            CannedInput {
                id,
                shortcut: key_string(&data, "shortcut")?,
                text: key_string(&data, "text")?,
                scope: key_string(&data, "scope")?,
                tags,
                department_id,
            },
        )
        .await?;
    ejson(&saved)
}

/// `removeCannedResponse(_id)`.
pub async fn remove_canned_response(
    lc: &Livechat,
    caller: &Caller<'_>,
    params: &[Value],
) -> Answer {
    let user = permitted(
        lc,
        caller,
        "remove-canned-responses",
        "removeCannedResponse",
    )?;
    let id = string(params, 0)?;
    lc.remove_canned_response(user, &id).await?;
    Ok(None)
}
