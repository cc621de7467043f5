//! Agent-side visitor routes (`view-l-room`): `livechat/visitors.info`,
//! `visitors.pagesVisited/:roomId`, `visitors.chatHistory/room/:roomId/visitor/:visitorId`,
//! `visitors.searchChats/room/:roomId/visitor/:visitorId`, `visitors.autocomplete` and
//! `visitors.search`. Upstream checks the permission before the parameters.

use super::super::validate::{F, Ty, ajv, opt, req, str_of};
use super::super::{ApiResult, AppState, Auth, Query, ok};
use super::{pagination, sort};
use crate::domain::VisitorRoomsQuery;
use crate::error::{Code, Error, Result};
use crate::http::openapi::{self as api, Api, op};
use crate::model::{Room, Visitor};
use axum::extract::{Path, State};
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
            "/v1/livechat/visitors.info",
            api::get(
                info,
                op("A visitor (`view-l-room`)")
                    .user()
                    .query(&[F::req("visitorId", Ty::Str)])
                    .ok(&[("visitor", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/visitors.pagesVisited/{rid}",
            api::get(
                pages_visited,
                op("A room's navigation history")
                    .user()
                    .paged()
                    .ok(&page("pages")),
            ),
        )
        .route(
            "/v1/livechat/visitors.chatHistory/room/{rid}/visitor/{vid}",
            api::get(
                chat_history,
                op("The visitor's chats")
                    .user()
                    .paged()
                    .ok(&page("history")),
            ),
        )
        .route(
            "/v1/livechat/visitors.searchChats/room/{rid}/visitor/{vid}",
            api::get(
                search_chats,
                op("Search the visitor's chats")
                    .user()
                    .query(&[
                        F::opt("searchText", Ty::Str),
                        F::opt("closedChatsOnly", Ty::Str),
                        F::opt("servedChatsOnly", Ty::Str),
                        F::opt("source", Ty::Str),
                    ])
                    .paged()
                    .ok(&page("history")),
            ),
        )
        .route(
            "/v1/livechat/visitors.autocomplete",
            api::get(
                autocomplete,
                op("Visitors by name prefix (`selector`: JSON `{term, exceptions?, conditions?}`)")
                    .user()
                    .query(&[F::req("selector", Ty::Str)])
                    .ok(&[("items", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/livechat/visitors.search",
            api::get(
                search,
                op("Visitors by e-mail, phone, name, username or searchable custom field")
                    .user()
                    .query(&[F::req("term", Ty::Str)])
                    .paged()
                    .ok(&page("visitors")),
            ),
        )
}

const PERMISSION: &str = "view-l-room";

/// upstream's `PaginatedRequest` schema, then the route's own keys.
fn paginated(extra: &[F]) -> Vec<F> {
    let mut s = vec![
        opt("count", Ty::Num),
        opt("offset", Ty::Num),
        opt("sort", Ty::Str),
    ];
    s.extend_from_slice(extra);
    s
}

async fn info(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require(PERMISSION)?;
    ajv(&q, &[req("visitorId", Ty::Str)], false)?;
    let id = str_of(&q, "visitorId").unwrap_or_default();
    let visitor = s.lc.visitor_info(&id).await?;
    ok(json!({ "visitor": visitor }))
}

async fn pages_visited(
    State(s): State<AppState>,
    auth: Auth,
    Path(rid): Path<String>,
    Query(q): Query,
) -> ApiResult {
    auth.require(PERMISSION)?;
    ajv(&q, &paginated(&[]), false)?;
    let (offset, count) = pagination(&q)?;
    let (pages, total) = s.lc.pages_visited(&rid, offset, count, &sort(&q)?).await?;
    ok(json!({ "pages": pages, "count": pages.len(), "offset": offset, "total": total }))
}

async fn chat_history(
    State(s): State<AppState>,
    auth: Auth,
    Path((rid, vid)): Path<(String, String)>,
    Query(q): Query,
) -> ApiResult {
    auth.require(PERMISSION)?;
    ajv(&q, &paginated(&[]), false)?;
    let (offset, count) = pagination(&q)?;
    let (history, total) =
        s.lc.visitor_chats(
            &auth.user,
            &rid,
            &VisitorRoomsQuery {
                visitor_id: vid,
                offset,
                count,
                sort: sort(&q)?,
                ..Default::default()
            },
        )
        .await?;
    ok(json!({ "history": history, "count": history.len(), "offset": offset, "total": total }))
}

/// The fields upstream's `findRoomsByVisitorIdAndMessageWithCriteria` projects.
const CHAT_FIELDS: &[&str] = &[
    "_id", "fname", "ts", "v", "msgs", "servedBy", "closedAt", "closedBy", "closer", "tags",
];

async fn search_chats(
    State(s): State<AppState>,
    auth: Auth,
    Path((rid, vid)): Path<(String, String)>,
    Query(q): Query,
) -> ApiResult {
    auth.require(PERMISSION)?;
    ajv(
        &q,
        &paginated(&[
            opt("searchText", Ty::Str),
            opt("closedChatsOnly", Ty::Str),
            opt("servedChatsOnly", Ty::Str),
            opt("source", Ty::Str),
        ]),
        false,
    )?;
    let (offset, count) = pagination(&q)?;
    let flag = |k: &str| str_of(&q, k).as_deref() == Some("true");
    let text = |k: &str| str_of(&q, k).filter(|t| !t.is_empty());
    let (rooms, total) =
        s.lc.visitor_chats(
            &auth.user,
            &rid,
            &VisitorRoomsQuery {
                visitor_id: vid,
                closed_only: flag("closedChatsOnly"),
                served_only: flag("servedChatsOnly"),
                source: text("source"),
                message_text: text("searchText"),
                offset,
                count,
                sort: sort(&q)?,
                ..Default::default()
            },
        )
        .await?;
    let mut history = Vec::with_capacity(rooms.len());
    for room in &rooms {
        history.push(chat_summary(&s, room).await?);
    }
    ok(json!({ "history": history, "count": history.len(), "offset": offset, "total": total }))
}

/// A chat as the search lists it, with the message that closed it (`closingMessage`).
async fn chat_summary(s: &AppState, room: &Room) -> Result<Value> {
    let Value::Object(full) = serde_json::to_value(room)? else {
        return Ok(Value::Null);
    };
    let mut m: Map<String, Value> = CHAT_FIELDS
        .iter()
        .filter_map(|k| full.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    if room.closed_at.is_some()
        && let Some(closing) = s.lc.closing_message(&room.id).await?
    {
        m.insert("closingMessage".into(), serde_json::to_value(closing)?);
    }
    Ok(Value::Object(m))
}

async fn autocomplete(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require(PERMISSION)?;
    ajv(&q, &[req("selector", Ty::Str)], false)?;
    let raw = str_of(&q, "selector").unwrap_or_default();
    let selector: Value = serde_json::from_str(&raw).map_err(|e| not_json(&raw, &e))?;
    let term = selector
        .get("term")
        .and_then(Value::as_str)
        .ok_or(Code::SelectorWithoutTerm)?;
    // `conditions` is a Mongo filter upstream; only `exceptions` (ids to leave out) is read.
    let exceptions: Vec<String> = match selector.get("exceptions") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    let items: Vec<Value> =
        s.lc.visitors_autocomplete(term, &exceptions)
            .await?
            .iter()
            .map(autocomplete_item)
            .collect();
    ok(json!({ "items": items }))
}

/// `{_id, name, username}` and upstream's `custom_name` (`username - name`).
fn autocomplete_item(v: &Visitor) -> Value {
    let mut m = Map::new();
    m.insert("_id".into(), json!(v.id));
    let custom = match (&v.username, &v.name) {
        (Some(u), Some(n)) => json!(format!("{u} - {n}")),
        _ => Value::Null,
    };
    m.insert("custom_name".into(), custom);
    if let Some(n) = &v.name {
        m.insert("name".into(), json!(n));
    }
    if let Some(u) = &v.username {
        m.insert("username".into(), json!(u));
    }
    Value::Object(m)
}

/// `JSON.parse`'s SyntaxError for `raw`, naming the character where parsing failed.
fn not_json(raw: &str, e: &serde_json::Error) -> Error {
    let at = raw
        .lines()
        .nth(e.line().saturating_sub(1))
        .and_then(|l| l.chars().nth(e.column().saturating_sub(1)));
    match at {
        Some(c) => Code::JsonParse(c, raw.to_string()).into(),
        None => Code::JsonParse(' ', raw.to_string()).into(),
    }
}

/// The fields `visitors.search` answers (upstream's projection).
const SEARCH_FIELDS: &[&str] = &[
    "_id",
    "username",
    "name",
    "phone",
    "livechatData",
    "visitorEmails",
    "lastChat",
];

async fn search(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require(PERMISSION)?;
    ajv(&q, &paginated(&[req("term", Ty::Str)]), false)?;
    let (offset, count) = pagination(&q)?;
    let term = str_of(&q, "term");
    let (list, total) =
        s.lc.search_visitors(term.as_deref(), offset, count, sort(&q)?)
            .await?;
    let mut visitors = Vec::with_capacity(list.len());
    for v in &list {
        let Value::Object(full) = serde_json::to_value(v)? else {
            continue;
        };
        let m: Map<String, Value> = SEARCH_FIELDS
            .iter()
            .filter_map(|k| full.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        visitors.push(Value::Object(m));
    }
    ok(json!({ "visitors": visitors, "count": visitors.len(), "offset": offset, "total": total }))
}
