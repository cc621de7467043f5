//! Agent-side room endpoints: `livechat/rooms`, `livechat/:rid/messages`,
//! `livechat/visitor/:token/room`, `room.join`, `room.saveInfo`, and bulk `livechat/messages`.

use super::super::validate::{Ty, ajv, check, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::{pagination, sort};
use crate::domain::RoomQuery;
use crate::domain::agent_rooms::{GuestInfo, RoomInfo};
use crate::error::{Ajv, Code, Error, Result};
use crate::http::openapi::{self as api, Api, op};
use crate::model::{Message, Room};
use crate::time::Ts;
use crate::validate::F;
use axum::extract::{Path, State};
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/rooms",
            api::get(
                list,
                op("Omnichannel rooms, filtered")
                    .user()
                    .query(&[
                        F::opt("agents", Ty::Arr),
                        F::opt("roomName", Ty::Str),
                        F::opt("departmentId", Ty::Str),
                        F::opt("searchText", Ty::Str),
                        F::opt("open", Ty::Str),
                        F::opt("queued", Ty::Str),
                        F::opt("createdAt", Ty::Str),
                        F::opt("closedAt", Ty::Str),
                        F::opt("tags", Ty::Arr),
                        F::opt("customFields", Ty::Str),
                    ])
                    .paged()
                    .ok(&[
                        ("rooms", Ty::Arr),
                        ("count", Ty::Num),
                        ("offset", Ty::Num),
                        ("total", Ty::Num),
                    ])
                    .docs::<Room>("rooms"),
            ),
        )
        .route(
            "/v1/livechat/rooms/filters",
            api::get(
                filters,
                op("The sources rooms came from")
                    .user()
                    .ok(&[("filters", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/livechat/{rid}/messages",
            api::get(
                room_messages,
                op("A room's messages, for agents")
                    .user()
                    .query(&[F::opt("searchTerm", Ty::Str)])
                    .paged()
                    .ok(&[
                        ("messages", Ty::Arr),
                        ("count", Ty::Num),
                        ("offset", Ty::Num),
                        ("total", Ty::Num),
                    ])
                    .docs::<Message>("messages"),
            ),
        )
        .route(
            "/v1/livechat/visitor/{token}/room",
            api::get(
                visitor_rooms,
                op("A visitor's open rooms")
                    .user()
                    .ok(&[("rooms", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/livechat/room.join",
            api::get(
                join,
                op("An agent joins a room")
                    .user()
                    .query(&[F::req("roomId", Ty::Str)]),
            ),
        )
        .route(
            "/v1/livechat/room.saveInfo",
            api::post(
                save_info,
                op("Save a room's and its visitor's details")
                    .user()
                    .body(&[F::req("roomData", Ty::Obj), F::req("guestData", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/messages",
            api::post(
                bulk,
                op("Messages from an integration (creates the visitor and its room)")
                    .user()
                    .body(&[F::req("visitor", Ty::Obj), F::req("messages", Ty::Arr)])
                    .ok(&[("messages", Ty::Arr)]),
            ),
        )
}

fn strings(q: &Map<String, Value>, k: &str) -> Vec<String> {
    match q.get(k) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// `createdAt` / `closedAt`: `{"start": date, "end": date}` as a JSON string; each given
/// date must be one `Date.parse` reads (upstream's `validateDateParams`).
fn range(q: &Map<String, Value>, k: &str) -> Result<(Option<Ts>, Option<Ts>)> {
    let Some(raw) = str_of(q, k).filter(|r| !r.is_empty()) else {
        return Ok((None, None));
    };
    let v: Value =
        serde_json::from_str(&raw).map_err(|_| Code::QueryParamNotJson(k.to_string()))?;
    let at = |f: &str| -> Result<Option<Ts>> {
        match v.get(f) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ts::parse_js(s)
                .map(Some)
                .ok_or_else(|| Code::QueryParamInvalidDate(format!("{k}.{f}")).into()),
            Some(_) => Err(Code::QueryParamInvalidDate(format!("{k}.{f}")).into()),
        }
    };
    Ok((at("start")?, at("end")?))
}

/// `customFields`: a JSON object of `livechatData` values to look for.
fn custom_fields(q: &Map<String, Value>) -> Result<Vec<(String, String)>> {
    let Some(raw) = str_of(q, "customFields").filter(|r| !r.is_empty()) else {
        return Ok(Vec::new());
    };
    let invalid = || Error::from(Code::QueryParamNotJson("customFields".into()));
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&raw) else {
        return Err(invalid());
    };
    Ok(m.into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect())
}

/// Upstream's `isGETLivechatRoomsParams` for the filters it types: lists must be lists
/// (`agents[]=`, `tags[]=`), single values single (`roomName`, `departmentId`, `open`).
fn filter_types(q: &Map<String, Value>) -> Result<()> {
    let mut errs = Vec::new();
    for k in ["agents", "tags"] {
        if q.get(k).is_some_and(|v| !v.is_array()) {
            errs.push(Ajv::MustBe("array"));
        }
    }
    for k in ["roomName", "departmentId", "searchText"] {
        if q.get(k).is_some_and(|v| !v.is_string()) {
            errs.push(Ajv::MustBe("string"));
        }
    }
    if q.get("open").is_some_and(|v| !v.is_string()) {
        errs.extend([Ajv::MustBe("string"), Ajv::MustBe("boolean"), Ajv::OneOf]);
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidParams(errs))
    }
}

async fn list(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    // Upstream (`livechat/rooms`): managers list every room; an agent (`view-l-room`) lists
    // only with `agents` naming itself alone (its own chats and history); anyone else gets
    // `API.v1.unauthorized()`. The filters' types and dates are checked before that.
    filter_types(&q)?;
    let created = range(&q, "createdAt")?;
    let closed = range(&q, "closedAt")?;
    let agents = strings(&q, "agents");
    let own = auth.has("view-l-room") && agents.len() == 1 && agents[0] == auth.user.id;
    if !own && !auth.has("view-livechat-rooms") {
        return Err(Code::Forbidden.into());
    }
    let (offset, count) = pagination(&q)?;
    let open = match str_of(&q, "open").as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let queued = str_of(&q, "queued").as_deref() == Some("true");
    let (rooms, total) =
        s.lc.list_rooms(&RoomQuery {
            agents,
            department_id: str_of(&q, "departmentId"),
            open,
            name: str_of(&q, "roomName").filter(|n| !n.is_empty()),
            // Ferrochat's addition for the workspace's history search.
            text: str_of(&q, "searchText")
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            created,
            closed,
            tags: strings(&q, "tags"),
            custom_fields: custom_fields(&q)?,
            queued,
            // Open chats are the served ones: queued chats are asked for with `queued`.
            served: (open == Some(true) && !queued).then_some(true),
            offset,
            count,
            sort: sort(&q)?,
        })
        .await?;
    ok(json!({ "rooms": rooms, "count": rooms.len(), "offset": offset, "total": total }))
}

async fn filters(State(s): State<AppState>, auth: Auth) -> ApiResult {
    auth.require("view-l-room")?;
    let filters: Vec<Value> =
        s.lc.room_sources()
            .await?
            .into_iter()
            .map(|t| json!({ "type": t }))
            .collect();
    ok(json!({ "filters": filters }))
}

async fn room_messages(
    State(s): State<AppState>,
    auth: Auth,
    Path(rid): Path<String>,
    Query(q): Query,
) -> ApiResult {
    auth.require("view-l-room")?;
    let room = s.lc.room(&rid).await?.ok_or(Code::InvalidRoom)?;
    if !s.lc.can_access_room(&auth.user, &room).await? {
        return Err(Code::ChatNotAllowed.into());
    }
    let (offset, count) = pagination(&q)?;
    let search = str_of(&q, "searchTerm").filter(|t| !t.is_empty());
    let (messages, total) =
        s.lc.room_messages(&rid, search.as_deref(), offset, count)
            .await?;
    ok(json!({ "messages": messages, "count": messages.len(), "offset": offset, "total": total }))
}

async fn visitor_rooms(
    State(s): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> ApiResult {
    auth.require("view-livechat-manager")?;
    let rooms: Vec<Value> =
        s.lc.open_rooms_by_token(&token)
            .await?
            .into_iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("_id".into(), json!(r.id));
                m.insert("t".into(), json!(r.t));
                m.insert("cl".into(), json!(r.cl));
                if let Some(sb) = &r.served_by {
                    m.insert(
                        "servedBy".into(),
                        serde_json::to_value(sb).unwrap_or_default(),
                    );
                }
                Value::Object(m)
            })
            .collect();
    ok(json!({ "rooms": rooms }))
}

async fn join(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-l-room")?;
    ajv(&q, &[req("roomId", Ty::Str)], false)?;
    s.lc.join_room(&auth.user, &str_of(&q, "roomId").unwrap_or_default())
        .await?;
    ok(json!({}))
}

async fn save_info(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("view-l-room")?;
    ajv(
        &b,
        &[req("roomData", Ty::Obj), req("guestData", Ty::Obj)],
        false,
    )?;
    let room = b["roomData"].as_object().cloned().unwrap_or_default();
    let guest = b["guestData"].as_object().cloned().unwrap_or_default();
    check(
        &room,
        &[
            req("_id", Ty::Str),
            opt("topic", Ty::Str),
            opt("tags", Ty::Arr),
            opt("livechatData", Ty::Obj),
            opt("priorityId", Ty::Str),
            opt("slaId", Ty::Str),
        ],
        false,
        "roomData",
    )?;
    check(
        &guest,
        &[
            req("_id", Ty::Str),
            opt("name", Ty::Str),
            opt("email", Ty::Str),
            opt("phone", Ty::Str),
            opt("livechatData", Ty::Obj),
        ],
        false,
        "guestData",
    )?;
    let info = RoomInfo {
        topic: str_of(&room, "topic"),
        tags: room.get("tags").and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        }),
        livechat_data: room.get("livechatData").and_then(Value::as_object).cloned(),
    };
    let guest_info = GuestInfo {
        id: str_of(&guest, "_id").unwrap_or_default(),
        name: str_of(&guest, "name"),
        email: str_of(&guest, "email"),
        phone: str_of(&guest, "phone"),
        livechat_data: guest
            .get("livechatData")
            .and_then(Value::as_object)
            .cloned(),
    };
    s.lc.save_room_info(
        &auth.user,
        &str_of(&room, "_id").unwrap_or_default(),
        info,
        guest_info,
    )
    .await?;
    ok(json!({}))
}

async fn bulk(State(s): State<AppState>, _auth: Auth, Body(b): Body) -> ApiResult {
    ajv(
        &b,
        &[req("visitor", Ty::Obj), req("messages", Ty::Arr)],
        false,
    )?;
    let token = b["visitor"]
        .get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty());
    let token = token
        .ok_or_else(|| Error::InvalidParams(vec![Ajv::Required("token".into())]))?
        .to_string();
    let msgs: Vec<String> = b["messages"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m.get("msg").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if msgs.is_empty() {
        return Err(Error::InvalidParams(vec![Ajv::FewerItems { min: 1 }]));
    }
    let sent = s.lc.bulk_visitor_messages(&token, &msgs).await?;
    let out: Vec<Value> = sent
        .iter()
        .map(|m| json!({"username": m.u.username, "msg": m.msg, "ts": m.ts}))
        .collect();
    ok(json!({ "messages": out }))
}
