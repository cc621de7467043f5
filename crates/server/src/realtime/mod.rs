//! Realtime: DDP over a plain WebSocket at `/websocket`, as the livechat widget and the
//! SDKs speak it. One reader loop and one writer task per connection; events come from the
//! bus through the hub, which knows which connection subscribed to what.

pub mod hub;

use crate::bus::Event;
use crate::domain::users::Password;
use crate::error::Ddp;
use crate::model::User;
use crate::time::with_ejson;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use hub::{Hub, Out};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tracing::Instrument;

/// Largest frame a client may send: the biggest real DDP call (a 5,000-character message
/// with its envelope) is far below it.
pub const MAX_FRAME: usize = 256 * 1024;
/// Longest method or subscription id, and method or subscription name.
pub const MAX_ID: usize = 128;
/// Subscriptions one connection may hold.
pub const MAX_SUBS: usize = 512;
const HEARTBEAT: Duration = Duration::from_secs(25);

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// What a realtime connection needs from the server: the domain, this instance's hub and
/// the login rate limit (shared with REST logins from the same address).
#[derive(Clone)]
pub struct Realtime {
    pub lc: crate::domain::Livechat,
    pub hub: Arc<Hub>,
    pub login_limit: LoginLimit,
}

/// Counts a login from the address; `Err(ms until the window resets)` when over the limit.
pub type LoginLimit = Arc<dyn Fn(&str) -> Result<(), i64> + Send + Sync>;

/// Upgrades the request from `ip` to a DDP connection.
pub fn upgrade(s: Realtime, ws: WebSocketUpgrade, ip: String) -> Response {
    // Small per-socket buffers (the library's default is 128 KiB for reading alone): an idle
    // visitor socket should cost kilobytes, not a page of buffers.
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .on_upgrade(move |socket| connection(s, socket, ip))
}

fn method_error(id: &Value, e: &Ddp) -> String {
    json!({"msg": "result", "id": id, "error": e.object(false)}).to_string()
}

fn nosub(id: &Value, e: &Ddp) -> String {
    json!({"msg": "nosub", "id": id, "error": e.object(false)}).to_string()
}

struct Conn {
    id: u64,
    tx: hub::ConnTx,
    user: Option<User>,
    /// The visitor token given to `livechat:setUpConnection`.
    token: Option<String>,
    subs: HashMap<String, String>,
    /// The client's address (limits and login blocks).
    ip: String,
}

impl Conn {
    fn send(&self, text: String) -> bool {
        self.tx.try_send(text.into())
    }
}

async fn connection(s: Realtime, socket: WebSocket, ip: String) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = hub::ConnTx::new();
    let written = tx.clone();
    let hub = s.hub.clone();
    let writer = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            let frame = match out {
                Out::Text(t) => {
                    written.written(t.len());
                    WsMessage::Text(t.as_ref().into())
                }
                Out::Close => break,
            };
            if sink.send(frame).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let mut c = Conn {
        id: NEXT_CONN.fetch_add(1, Ordering::Relaxed),
        tx,
        user: None,
        token: None,
        subs: HashMap::new(),
        ip,
    };
    c.send(r#"{"server_id":"0"}"#.into());
    let kill = hub.register(c.id);
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.tick().await;
    let mut heard = true;
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(frame)) = incoming else { break };
                heard = true;
                let text = match frame {
                    WsMessage::Text(t) => t.to_string(),
                    WsMessage::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                    WsMessage::Close(_) => break,
                    _ => continue,
                };
                // Boxed: the future of a call (every DDP method's state) is allocated while
                // the call runs, not kept inside every idle connection's task.
                if !Box::pin(handle(&s, &hub, &mut c, &text)).await {
                    break;
                }
            }
            _ = kill.notified() => break,
            _ = heartbeat.tick() => {
                // Silent for a whole interval after our ping: the peer is gone.
                if !heard {
                    break;
                }
                heard = false;
                if !c.send(r#"{"msg":"ping"}"#.into()) {
                    break;
                }
            }
        }
        if c.tx.is_closed() {
            break;
        }
    }
    hub.remove_connection(c.id, c.subs.values());
    c.tx.close();
    drop(c.tx);
    let _ = writer.await;
    // Boxed, as the calls above: a future awaited in place is part of this task's own
    // allocation for the connection's whole life (14 KiB of every idle socket when these two
    // were not boxed).
    if let Some(token) = &c.token {
        let _ = Box::pin(s.lc.set_visitor_status(token, "offline")).await;
    }
    if hub.logged_out(c.id) {
        let _ = Box::pin(s.lc.connection_closed(c.id)).await;
    }
}

/// One client frame, as read from the wire (before any dispatch).
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Connect {
        version: String,
    },
    Ping {
        id: Value,
    },
    Pong,
    Method {
        id: Value,
        name: String,
        params: Vec<Value>,
    },
    Sub {
        id: Value,
        name: String,
        params: Vec<Value>,
    },
    Unsub {
        id: Value,
    },
}

/// Reads one client frame. `Err` is the `error` frame Meteor answers to a frame it cannot
/// read (the connection stays open). Untrusted input: this must never panic, and the
/// answer stays small whatever the frame's size.
pub fn parse_frame(text: &str) -> Result<Frame, String> {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) else {
        return Err(bad_request(Some(&Value::String(text.to_string()))));
    };
    let id = m.get("id").cloned().unwrap_or(Value::Null);
    // Ids and names are short in every real client; a long one is refused, not kept.
    let too_long = |k: &str| {
        m.get(k)
            .is_some_and(|v| v.as_str().is_none_or(|s| s.len() > MAX_ID) && !v.is_null())
    };
    if too_long("id") || too_long("method") || too_long("name") {
        return Err(bad_request(None));
    }
    Ok(match m.get("msg").and_then(Value::as_str) {
        Some("connect") => Frame::Connect {
            version: m
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        },
        Some("ping") => Frame::Ping { id },
        Some("pong") => Frame::Pong,
        Some("method") => {
            let (name, params) = name_and_params(&m, "method");
            Frame::Method { id, name, params }
        }
        Some("sub") => {
            let (name, params) = name_and_params(&m, "name");
            Frame::Sub { id, name, params }
        }
        Some("unsub") => Frame::Unsub { id },
        _ => return Err(bad_request(Some(&Value::Object(m)))),
    })
}

/// Handles one client frame; `false` closes the connection.
async fn handle(s: &Realtime, hub: &Arc<Hub>, c: &mut Conn, text: &str) -> bool {
    let frame = match parse_frame(text) {
        Ok(f) => f,
        Err(reply) => return c.send(reply),
    };
    match frame {
        Frame::Connect { version } => {
            if ["1", "pre2", "pre1"].contains(&version.as_str()) {
                let session = crate::ids::random_id();
                c.send(json!({"msg": "connected", "session": session}).to_string())
            } else {
                c.send(json!({"msg": "failed", "version": "1"}).to_string());
                false
            }
        }
        Frame::Ping { id } => {
            let mut pong = json!({"msg": "pong"});
            if !id.is_null() {
                pong["id"] = id;
            }
            c.send(pong.to_string())
        }
        Frame::Pong => true,
        Frame::Method { id, name, params } => {
            // A span per call: the method and the connection, never the params (passwords).
            let span = tracing::info_span!("ddp", method = %name, conn = c.id);
            let started = std::time::Instant::now();
            let answer = call(s, hub, c, &name, &params)
                .instrument(span.clone())
                .await;
            let known = !matches!(answer, Err(Ddp::MethodNotFound(_)));
            let ok = answer.is_ok();
            s.lc.metrics.ddp_method(
                if known { &name } else { "unknown" },
                ok,
                started.elapsed().as_secs_f64(),
            );
            span.in_scope(|| {
                let ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
                tracing::debug!(ok, ms, "called")
            });
            let reply = match answer {
                Ok(None) => json!({"msg": "result", "id": id}).to_string(),
                Ok(Some(result)) => with_ejson(|| {
                    serde_json::to_string(&json!({"msg": "result", "id": id, "result": result}))
                })
                .unwrap_or_default(),
                Err(e) => method_error(&id, &e),
            };
            c.send(reply) && c.send(json!({"msg": "updated", "methods": [id]}).to_string())
        }
        Frame::Sub { id, .. }
            if c.subs.len() >= MAX_SUBS && !c.subs.contains_key(id.as_str().unwrap_or("")) =>
        {
            c.send(nosub(&id, &Ddp::TooManySubscriptions))
        }
        Frame::Sub { id, name, params } => match subscribe(s, c, &name, &params).await {
            Ok(topic) => {
                let sub_id = id.as_str().unwrap_or_default().to_string();
                hub.add(&topic, c.id, c.tx.clone(), kill_of(hub, c.id));
                c.subs.insert(sub_id, topic);
                c.send(json!({"msg": "ready", "subs": [id]}).to_string())
            }
            Err(e) => c.send(nosub(&id, &e)),
        },
        Frame::Unsub { id } => {
            if let Some(topic) = id.as_str().and_then(|i| c.subs.remove(i))
                && !c.subs.values().any(|t| t == &topic)
            {
                hub.remove(&topic, c.id);
            }
            c.send(json!({"msg": "nosub", "id": id}).to_string())
        }
    }
}

/// Meteor's answer to a frame it cannot read; the offending message is echoed only when
/// short (a client must not turn the server into an amplifier).
fn bad_request(offending: Option<&Value>) -> String {
    let mut v = json!({"msg": "error", "reason": "Bad request"});
    if let Some(o) = offending {
        let short = match o {
            Value::String(s) => s.len() <= 1024,
            other => other.to_string().len() <= 1024,
        };
        if short {
            v["offendingMessage"] = o.clone();
        }
    }
    v.to_string()
}

fn kill_of(hub: &Hub, id: u64) -> Arc<tokio::sync::Notify> {
    hub.kill_switch(id)
}

type CallError = Ddp;

fn not_allowed() -> CallError {
    Ddp::NotAllowed
}

/// The visitor token a client passes in a subscription's or method's extra argument.
fn token_arg(v: Option<&Value>) -> Option<String> {
    let v = v?;
    let obj = v.get("args").and_then(|a| a.get(0)).unwrap_or(v);
    obj.get("visitorToken")
        .or_else(|| obj.get("token"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// May this connection read or write the room's streams?
async fn room_allowed(
    s: &Realtime,
    c: &Conn,
    rid: &str,
    token: Option<&str>,
    must_be_open: bool,
) -> bool {
    let Ok(Some(room)) = s.lc.room(rid).await else {
        return false;
    };
    if let Some(t) = token.or(c.token.as_deref())
        && room.v.token == t
        && (!must_be_open || room.is_open())
    {
        return true;
    }
    match &c.user {
        Some(u) => s.lc.can_access_room(u, &room).await.unwrap_or(false),
        None => false,
    }
}

async fn subscribe(
    s: &Realtime,
    c: &Conn,
    name: &str,
    params: &[Value],
) -> Result<String, CallError> {
    let event = params
        .first()
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let token = token_arg(params.get(1));
    match name {
        "stream-room-messages" => {
            // A user who may open the room gets the agents' topic (with internal notes);
            // a visitor, by its token, the room's own topic, which never carries them.
            if let Some(u) = &c.user
                && let Ok(Some(room)) = s.lc.room(&event).await
                && s.lc.can_access_room(u, &room).await.unwrap_or(false)
            {
                return Ok(format!("{name}|{event}{}", hub::AGENT_TOPIC));
            }
            if room_allowed(s, c, &event, token.as_deref(), true).await {
                Ok(format!("{name}|{event}"))
            } else {
                Err(not_allowed())
            }
        }
        "stream-canned-responses" => {
            // Upstream's read rule: logged in, `Canned_Responses_Enable`, `view-canned-responses`.
            match &c.user {
                Some(u)
                    if event == "canned-responses"
                        && s.lc.settings.bool("Canned_Responses_Enable")
                        && s.lc.has_permission(u, "view-canned-responses") =>
                {
                    Ok(format!("{name}|{event}|{}", u.id))
                }
                _ => Err(not_allowed()),
            }
        }
        "stream-livechat-room" => {
            if room_allowed(s, c, &event, token.as_deref(), false).await {
                Ok(format!("{name}|{event}"))
            } else {
                Err(not_allowed())
            }
        }
        "stream-notify-room" => {
            let rid = event.split('/').next().unwrap_or("");
            let kind = event.split('/').nth(1).unwrap_or("");
            if ["typing", "user-activity", "deleteMessage"].contains(&kind)
                && room_allowed(s, c, rid, token.as_deref(), false).await
            {
                Ok(format!("{name}|{event}"))
            } else {
                Err(not_allowed())
            }
        }
        "stream-notify-user" => {
            // Only the user's own events.
            match (&c.user, event.split_once('/')) {
                (Some(u), Some((uid, _))) if uid == u.id => Ok(format!("{name}|{event}")),
                _ => Err(not_allowed()),
            }
        }
        "stream-livechat-inquiry-queue-observer" => {
            // Agents watching the queue: `public`, their departments, or one inquiry.
            let Some(user) = &c.user else {
                return Err(not_allowed());
            };
            if !s.lc.has_permission(user, "view-l-room") {
                return Err(not_allowed());
            }
            if let Some(dept) = event.strip_prefix("department/")
                && !s.lc.has_permission(user, "view-livechat-manager")
                && !s
                    .lc
                    .agent_department_ids(&user.id)
                    .await
                    .unwrap_or_default()
                    .iter()
                    .any(|d| d == dept)
            {
                return Err(not_allowed());
            }
            // One inquiry: only of a chat the agent may act on.
            if event != "public"
                && !event.starts_with("department/")
                && !s.lc.may_watch_inquiry(user, &event).await.unwrap_or(false)
            {
                return Err(not_allowed());
            }
            Ok(format!("{name}|{event}"))
        }
        _ => Err(Ddp::SubscriptionNotFound(name.to_string())),
    }
}

async fn call(
    s: &Realtime,
    hub: &Arc<Hub>,
    c: &mut Conn,
    name: &str,
    params: &[Value],
) -> Result<Option<Value>, CallError> {
    match name {
        "livechat:setUpConnection" => {
            let token = params
                .first()
                .and_then(|p| p.get("token"))
                .and_then(Value::as_str);
            let Some(token) = token.filter(|t| !t.is_empty()) else {
                return Err(Ddp::MatchFailed);
            };
            c.token = Some(token.to_string());
            Ok(None)
        }
        "stream-notify-room" => {
            let event = params
                .first()
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mut parts = event.splitn(2, '/');
            let (rid, kind) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let token = token_arg(params.last().filter(|p| p.is_object()));
            if !["typing", "user-activity"].contains(&kind)
                || !room_allowed(s, c, rid, token.as_deref(), true).await
            {
                return Err(not_allowed());
            }
            let args: Vec<Value> = params
                .iter()
                .skip(1)
                .filter(|p| !p.is_object() || kind == "user-activity")
                .cloned()
                .collect();
            // Under the connection's own name only: a visitor's is its own username
            // (upstream takes any name from the widget), an agent's must be its own (as
            // upstream checks).
            let visitor = match token.as_deref().or(c.token.as_deref()) {
                Some(t) => s.lc.visitor_by_token(t).await.ok().flatten(),
                None => None,
            };
            let own = match s.lc.room(rid).await.ok().flatten() {
                Some(room) if visitor.as_ref().is_some_and(|v| v.token() == room.v.token) => {
                    visitor.map(|v| v.username().to_string())
                }
                _ => c.user.as_ref().map(|u| u.username.clone()),
            };
            let Some(own) = own else {
                return Err(not_allowed());
            };
            let claimed = args.first().and_then(Value::as_str);
            if c.user.as_ref().is_some_and(|u| u.username == own) && claimed != Some(own.as_str()) {
                return Err(not_allowed());
            }
            let username = json!(own);
            let mut args = args;
            match args.first_mut() {
                Some(first) => *first = username.clone(),
                None => args.push(username.clone()),
            }
            // Both client generations: `typing` [user, bool] and `user-activity` [user, [activities]].
            let (typing, activity) = if kind == "typing" {
                let on = args.get(1).and_then(Value::as_bool).unwrap_or(false);
                (
                    vec![username.clone(), json!(on)],
                    vec![
                        username,
                        json!(if on { vec!["user-typing"] } else { vec![] }),
                        json!({}),
                    ],
                )
            } else {
                let on = args
                    .get(1)
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|x| x == "user-typing"));
                (vec![username.clone(), json!(on)], args.clone())
            };
            hub.publish_local(Event::NotifyRoom {
                event: format!("{rid}/typing"),
                args: typing,
                origin: Some(c.id),
            });
            hub.publish_local(Event::NotifyRoom {
                event: format!("{rid}/user-activity"),
                args: activity,
                origin: Some(c.id),
            });
            Ok(None)
        }
        "login" => {
            let p = params
                .first()
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            // One window with REST logins from the same address.
            (s.login_limit)(&c.ip).map_err(Ddp::TooManyRequests)?;
            let (user, token, kind) = if let Some(resume) = p.get("resume").and_then(Value::as_str)
            {
                let (u, t) =
                    s.lc.login_resume(resume, &c.ip)
                        .await
                        .map_err(|e| login_error(e, Ddp::LoggedOut))?;
                (u, t, "resume")
            } else {
                let who = p
                    .get("user")
                    .and_then(|u| u.get("username").or_else(|| u.get("email")))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let password = match p.get("password") {
                    Some(Value::String(pw)) => Password::Plain(pw.clone()),
                    Some(Value::Object(o)) => Password::Digest(
                        o.get("digest")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    ),
                    _ => return Err(Ddp::MatchFailed),
                };
                let (u, t) =
                    s.lc.login_password(&who, password, &c.ip)
                        .await
                        .map_err(|e| login_error(e, Ddp::IncorrectPassword))?;
                (u, t, "password")
            };
            // Presence is per connection in the store, shared by all instances; a second
            // login on this connection as someone else replaces the first user.
            if hub.logged_in(c.id, &user.id).is_some() {
                let _ = s.lc.connection_closed(c.id).await;
            }
            let _ = s.lc.connection_opened(c.id, &user.id).await;
            let id = user.id.clone();
            c.user = Some(user);
            Ok(Some(json!({"id": id, "token": token, "type": kind})))
        }
        // Everything not bound to this connection: the shared table (also `method.call`).
        _ => {
            let caller = crate::methods::Caller {
                user: c.user.as_ref(),
                token: c.token.as_deref(),
            };
            crate::methods::call(&s.lc, &caller, name, params).await
        }
    }
}

/// A failed `login` as Meteor answers it: the brute-force blocks as such, anything else as
/// `otherwise`.
fn login_error(e: crate::error::Error, otherwise: Ddp) -> Ddp {
    use crate::error::{Code, Error};
    match e {
        Error::Code(c @ (Code::LoginBlockedForIp | Code::LoginBlockedForUser)) => {
            Ddp::LoginBlocked(c)
        }
        _ => otherwise,
    }
}

/// The name (`method` of a method call, `name` of a sub) and `params` of a DDP frame; missing
/// ones read as empty, which the dispatch then rejects as unknown.
fn name_and_params(m: &serde_json::Map<String, Value>, key: &str) -> (String, Vec<Value>) {
    let name = m.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let params = m
        .get("params")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    (name, params)
}
