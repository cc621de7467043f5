//! Livechat's DDP methods (upstream `app/livechat/server/methods/*.ts`, and `sendMessage`),
//! each checking what upstream's checks, in its order, then calling the domain.

use super::{Answer, Caller, expected, object, permitted, string};
use crate::domain::Livechat;
use crate::domain::departments::DepartmentAgentInput;
use crate::domain::triggers::TriggerInput;
use crate::domain::visitors::RegisterGuest;
use crate::error::{Check, Code, Ddp, Error};
use crate::time::with_ejson;
use serde::Serialize;
use serde_json::{Value, json};

/// A result document as DDP carries it (dates as `{"$date": ms}`).
fn ejson<T: Serialize>(t: &T) -> Answer {
    with_ejson(|| serde_json::to_value(t))
        .map(Some)
        .map_err(|e| Ddp::Internal(e.to_string()))
}

/// The REST refusal of a room (`403 error-not-allowed`) as methods throw it.
fn room_access(e: Error) -> Ddp {
    match e {
        Error::Code(Code::ChatNotAllowed) => Error::from(Code::NotAllowedBare).into(),
        other => other.into(),
    }
}

fn not_allowed(method: &'static str) -> Ddp {
    Error::from(Code::MethodNotAllowed(method)).into()
}

/// `livechat:changeLivechatStatus({status?, agentId = self})`: an agent's own status, or
/// another's by a manager. Answers Mongo's update result, as upstream returns it.
pub async fn change_status(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    const METHOD: &str = "livechat:changeLivechatStatus";
    let Some(user) = caller.user else {
        return Err(not_allowed(METHOD));
    };
    let p = params.first().and_then(Value::as_object);
    let field = |k: &str| p.and_then(|p| p.get(k)).and_then(Value::as_str);
    let agent_id = field("agentId").unwrap_or(&user.id).to_string();
    if !lc
        .change_livechat_status(user, &agent_id, field("status"))
        .await?
    {
        return Ok(None);
    }
    Ok(Some(json!({
        "acknowledged": true, "modifiedCount": 1, "upsertedId": null, "upsertedCount": 0,
        "matchedCount": 1
    })))
}

/// `livechat:saveCustomField(_id, customFieldData)`: answers the saved record.
pub async fn save_custom_field(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(
        lc,
        caller,
        "view-livechat-manager",
        "livechat:saveCustomField",
    )?;
    // `if (_id) check(_id, String)`: any falsy id means "create".
    let id = match params.first() {
        None | Some(Value::Null) | Some(Value::Bool(false)) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(expected("string", Some(other))),
    };
    // `Match.ObjectIncluding({field, label, scope, visibility, regexp: String, searchable: Boolean})`.
    let data = object(params, 1)?;
    let pattern = [
        ("field", "string"),
        ("label", "string"),
        ("scope", "string"),
        ("visibility", "string"),
        ("regexp", "string"),
        ("searchable", "boolean"),
    ];
    for (k, v) in &data {
        if let Some((_, ty)) = pattern.iter().find(|(n, _)| n == k) {
            let ok = if *ty == "string" {
                v.is_string()
            } else {
                v.is_boolean()
            };
            if !ok {
                return Err(Error::Match(Check::Expected {
                    expected: ty,
                    got: crate::error::check_type(v),
                    field: k.clone(),
                })
                .into());
            }
        }
    }
    if let Some((k, _)) = pattern.iter().find(|(k, _)| !data.contains_key(*k)) {
        return Err(Error::Match(Check::MissingKey {
            key: k.to_string(),
            path: String::new(),
        })
        .into());
    }
    let mut record = lc.save_custom_field_checked(id.as_deref(), &data).await?;
    // The record's `_updatedAt` is a Date: EJSON's `{$date}` here, not REST's ISO string.
    if let Some(ts) = record
        .get("_updatedAt")
        .and_then(Value::as_str)
        .and_then(crate::time::Ts::parse_iso)
    {
        record["_updatedAt"] = with_ejson(|| serde_json::to_value(ts)).unwrap_or_default();
    }
    Ok(Some(record))
}

/// `livechat:removeCustomField(_id)`: answers Mongo's delete result.
pub async fn remove_custom_field(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(
        lc,
        caller,
        "view-livechat-manager",
        "livechat:removeCustomField",
    )?;
    let id = string(params, 0)?;
    match lc.delete_custom_field(&id).await {
        Ok(()) => Ok(Some(json!({"acknowledged": true, "deletedCount": 1}))),
        Err(Error::Code(Code::CustomFieldNotFound)) => {
            Err(Error::from(Code::MethodCustomFieldNotFound).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// The requesting agent as upstream passes it to the transcript functions.
fn agent_json(u: &crate::model::User) -> Value {
    json!({"_id": u.id, "username": u.username, "name": u.name})
}

/// `livechat:sendTranscript(token, rid, email, subject)`: mails the transcript now.
pub async fn send_transcript(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    const METHOD: &str = "livechat:sendTranscript";
    let rid = string(params, 1)?;
    let email = string(params, 2)?;
    let user = permitted(lc, caller, "send-omnichannel-chat-transcript", METHOD)?;
    match lc.room(&rid).await? {
        Some(r) if r.t == "l" => {}
        _ => return Err(Error::from(Code::MethodInvalidRoom(METHOD)).into()),
    }
    let token = params.first().and_then(Value::as_str).unwrap_or("");
    let subject = params.get(3).and_then(Value::as_str);
    lc.send_transcript_as(token, &rid, &email, subject, Some(&agent_json(user)))
        .await?;
    Ok(Some(json!(true)))
}

/// `livechat:requestTranscript(rid, email, subject)`: the transcript goes out at closing.
pub async fn request_transcript(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    let rid = string(params, 0)?;
    let email = string(params, 1)?;
    let user = permitted(
        lc,
        caller,
        "send-omnichannel-chat-transcript",
        "livechat:requestTranscript",
    )?;
    let subject = params.get(2).and_then(Value::as_str).unwrap_or("");
    lc.request_transcript(user, &rid, &email, subject).await?;
    Ok(Some(json!(true)))
}

/// `livechat:returnAsInquiry(rid, departmentId?)`: the served chat goes back to the queue;
/// `false` when nobody serves it.
pub async fn return_as_inquiry(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    const METHOD: &str = "livechat:returnAsInquiry";
    let user = permitted(lc, caller, "view-l-room", METHOD)?;
    let rid = params.first().and_then(Value::as_str).unwrap_or("");
    let room = match lc.room(rid).await? {
        Some(r) if r.t == "l" => r,
        _ => return Err(Error::from(Code::MethodInvalidRoom(METHOD)).into()),
    };
    if !room.is_open() {
        return Err(Error::from(Code::MethodRoomClosed).into());
    }
    let department = params.get(1).and_then(Value::as_str).map(str::to_string);
    let moved = lc
        .return_to_queue(user, rid, department)
        .await
        .map_err(room_access)?;
    Ok(Some(json!(moved)))
}

/// `livechat:saveDepartment(_id, departmentData, departmentAgents?, departmentUnit?)`:
/// creates (`_id` null) or updates a department, upserting the agents listed; answers the
/// saved department. Units are an Enterprise feature upstream and are not kept here.
pub async fn save_department(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(
        lc,
        caller,
        "manage-livechat-departments",
        "livechat:saveDepartment",
    )?;
    let id = match params.first() {
        None | Some(Value::Null) => None,
        // Upstream's `_id ? findOneById(_id) : null`: an empty id creates.
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        other => return Err(expected("string", other)),
    };
    let data = object(params, 1)?;
    let agents = match params.get(2) {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => {
            let mut agents = Vec::with_capacity(list.len());
            for a in list {
                let o = a.as_object().ok_or_else(|| expected("object", Some(a)))?;
                let agent_id = match o.get("agentId") {
                    Some(Value::String(s)) => s.clone(),
                    other => return Err(expected("string", other)),
                };
                agents.push(DepartmentAgentInput {
                    agent_id,
                    username: o.get("username").and_then(Value::as_str).map(str::to_owned),
                    count: o.get("count").and_then(Value::as_i64),
                    order: o.get("order").and_then(Value::as_i64),
                });
            }
            Some((agents, Vec::new()))
        }
        other => return Err(expected("array", other)),
    };
    let department = lc.save_department(id.as_deref(), &data, agents).await?;
    ejson(&department)
}

/// `livechat:saveAgentInfo(_id, agentData, agentDepartments)`: the agent's `livechat` data
/// (upstream's Enterprise form puts `maxNumberSimultaneousChat` there) and exactly the
/// departments listed. Checks in upstream 7.x's order: the arguments, the permission, the
/// agent. Answers `true`.
pub async fn save_agent_info(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    const METHOD: &str = "livechat:saveAgentInfo";
    let id = string(params, 0)?;
    let data = object(params, 1)?;
    let departments = match params.get(2) {
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(expected("string", Some(other))),
            })
            .collect::<Result<Vec<_>, _>>()?,
        other => return Err(expected("array", other)),
    };
    permitted(lc, caller, "manage-livechat-agents", METHOD)?;
    lc.save_agent_info(&id, data, departments)
        .await
        .map_err(|e| match e {
            Error::Code(Code::InvalidUser) => Error::from(Code::MethodUserIsNotAgent(METHOD)),
            other => other,
        })?;
    Ok(Some(json!(true)))
}

/// `livechat:saveBusinessHour(businessHourData)`: the default business hour's days, times
/// and timezone. Upstream checks no permission; managers' `view-livechat-business-hours`
/// is asked here.
pub async fn save_business_hour(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(
        lc,
        caller,
        "view-livechat-business-hours",
        "livechat:saveBusinessHour",
    )?;
    let data = object(params, 0)?;
    lc.save_business_hour(&data).await?;
    Ok(None)
}

/// `livechat:saveTrigger(trigger)`: insert, or update by `_id`.
pub async fn save_trigger(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    permitted(lc, caller, "view-livechat-manager", "livechat:saveTrigger")?;
    let t = object(params, 0)?;
    // check(trigger, {_id: Maybe(String), name, description: String, enabled, runOnce:
    // Boolean, conditions, actions: Array}): unknown keys fail first, then missing ones.
    use crate::validate::{Ty, check, opt, req};
    check(
        &t,
        &[
            opt("_id", Ty::Str),
            req("name", Ty::Str),
            req("description", Ty::Str),
            req("enabled", Ty::Bool),
            req("runOnce", Ty::Bool),
            req("conditions", Ty::Arr),
            req("actions", Ty::Arr),
        ],
        true,
        "",
    )?;
    let s = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
    let b = |k: &str| t.get(k).and_then(Value::as_bool).unwrap_or(false);
    let list = |k: &str| {
        t.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    lc.save_trigger(TriggerInput {
        id: s("_id").filter(|i| !i.is_empty()),
        name: s("name").unwrap_or_default(),
        description: s("description").unwrap_or_default(),
        enabled: b("enabled"),
        run_once: b("runOnce"),
        conditions: list("conditions"),
        actions: list("actions"),
    })
    .await?;
    Ok(Some(json!(true)))
}

/// `sendMessage({rid, msg, _id?})`: an agent writes in a livechat room it may write in;
/// answers the message.
pub async fn send_message(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    let m = object(params, 0)?;
    let Some(user) = caller.user else {
        return Err(Error::from(Code::MethodInvalidUser("sendMessage")).into());
    };
    let field = |k: &str| match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Ddp::from(Error::Match(Check::Expected {
            expected: "string",
            got: crate::error::check_type(other),
            field: k.to_string(),
        }))),
    };
    let rid = field("rid")?.unwrap_or_default();
    let msg = field("msg")?.unwrap_or_default();
    let sent = lc
        .send_agent_message(user, &rid, &msg, field("_id")?)
        .await
        .map_err(room_access)?;
    ejson(&sent)
}

/// `livechat:registerGuest({token, name?, email?, department?, customFields?})` (visitor,
/// no login): registers or updates the visitor; answers `{userId, visitor}` with the
/// visitor's public fields. No connection data is collected here, as upstream.
pub async fn register_guest(lc: &Livechat, params: &[Value]) -> Answer {
    let p = params.first().and_then(Value::as_object);
    let field = |k: &str| {
        p.and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let Some(token) = field("token").filter(|t| !t.is_empty()) else {
        return Err(Error::from(Code::MethodInvalidToken).into());
    };
    // Visitor-scoped values (any without `scope: 'room'`), stored as given.
    let custom_fields = p
        .and_then(|p| p.get("customFields"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_object)
                .filter(|f| f.get("scope").and_then(Value::as_str) != Some("room"))
                .filter_map(|f| {
                    Some((
                        f.get("key")?.as_str()?.to_string(),
                        f.get("value")?.as_str()?.to_string(),
                        f.get("overwrite").and_then(Value::as_bool).unwrap_or(false),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let visitor = lc
        .register_guest(RegisterGuest {
            token,
            id: None,
            name: field("name"),
            email: field("email"),
            department: field("department"),
            phone: None,
            username: None,
            custom_fields,
            connection: None,
        })
        .await?;
    let full =
        with_ejson(|| serde_json::to_value(&visitor)).map_err(|e| Ddp::Internal(e.to_string()))?;
    let mut shown = serde_json::Map::new();
    for k in [
        "_id",
        "token",
        "name",
        "username",
        "visitorEmails",
        "department",
    ] {
        if let Some(v) = full.get(k) {
            shown.insert(k.to_string(), v.clone());
        }
    }
    Ok(Some(json!({"userId": visitor.id, "visitor": shown})))
}

/// `livechat:loadHistory({token, rid, end?, limit = 20, ls?})` (visitor): the room's
/// messages, newest first, as `loadMessageHistory` answers them.
pub async fn load_history(lc: &Livechat, params: &[Value]) -> Answer {
    let p = params.first().and_then(Value::as_object);
    let get = |k: &str| p.and_then(|p| p.get(k));
    let Some(token) = get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    // Only a string id: a query object (`{$regex}`) must not select rooms.
    let rid = match get("rid") {
        Some(Value::String(r)) => r.clone(),
        other => return Err(expected("string", other)),
    };
    let end = get("end")
        .and_then(|e| e.get("$date"))
        .and_then(Value::as_i64)
        .map(crate::time::Ts::from_millis);
    let limit = get("limit").and_then(Value::as_i64).unwrap_or(20);
    let raw = lc
        .history(token, &rid, end, limit, 0)
        .await
        .map_err(|e| match e {
            Error::Code(Code::InvalidToken) => Error::from(Code::MethodInvalidVisitor),
            Error::Code(Code::InvalidRoom) => Error::from(Code::MethodInvalidRoomOfVisitor),
            other => other,
        })?;
    let messages = ejson_messages(&raw);
    Ok(Some(json!({"messages": messages, "unreadNotLoaded": 0})))
}

/// `loadHistory(rid, end?, limit = 20, ls?)` (logged-in user): `{messages, unreadNotLoaded}`,
/// newest first, before `end` (an EJSON date); `false` for a room the user may not open.
pub async fn load_user_history(lc: &Livechat, caller: &Caller<'_>, params: &[Value]) -> Answer {
    let rid = super::string(params, 0)?;
    let Some(user) = caller.user else {
        return Err(Error::from(Code::MethodInvalidUser("loadHistory")).into());
    };
    let end = params
        .get(1)
        .and_then(|e| e.get("$date"))
        .and_then(Value::as_i64)
        .map(crate::time::Ts::from_millis);
    let limit = params.get(2).and_then(Value::as_i64).unwrap_or(20);
    let Some(raw) = lc.user_history(user, &rid, end, limit).await? else {
        return Ok(Some(json!(false)));
    };
    let messages = ejson_messages(&raw);
    Ok(Some(json!({"messages": messages, "unreadNotLoaded": 0})))
}

/// Stored message documents, their dates re-written as EJSON.
fn ejson_messages(raw: &[crate::model::DocJson]) -> Vec<Value> {
    raw.iter()
        .map(
            |r| match serde_json::from_str::<crate::model::Message>(r.get()) {
                Ok(m) => with_ejson(|| serde_json::to_value(&m)).unwrap_or_default(),
                Err(_) => serde_json::from_str(r.get()).unwrap_or_default(),
            },
        )
        .collect()
}

/// `livechat:loginByToken(token)` (visitor): `{_id}` of the visitor, nothing when unknown.
pub async fn login_by_token(lc: &Livechat, params: &[Value]) -> Answer {
    // A string only: a query object (`{$regex}`) must not find someone else's visitor.
    let token = string(params, 0)?;
    Ok(lc
        .visitor_by_token(&token)
        .await?
        .map(|v| json!({ "_id": v.id })))
}
