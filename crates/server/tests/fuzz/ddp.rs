//! DDP frames: the frame parser on its own (many cases), then whole frames through a real
//! WebSocket (fewer): no panic, every connection answers or closes cleanly, the server
//! keeps answering.

use crate::harness::{App, run, runtime, short};
use crate::input;
use ferrochat::realtime::{Frame, MAX_FRAME, MAX_ID, parse_frame};
use futures::{SinkExt, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const METHODS: &[&str] = &[
    "login",
    "livechat:setUpConnection",
    "stream-notify-room",
    "UserPresence:online",
    "UserPresence:away",
    "UserPresence:setDefaultStatus",
    "no.such.method",
];

const SUBS: &[&str] = &[
    "stream-room-messages",
    "stream-livechat-room",
    "stream-notify-room",
    "stream-notify-user",
    "stream-livechat-inquiry-queue-observer",
    "meteor.loginServiceConfiguration",
];

/// Params shaped like the real ones (room ids, visitor-token extras, typing events,
/// login objects) with generated values mixed in.
fn params() -> BoxedStrategy<Value> {
    let event = prop_oneof![
        Just(Value::String(input::RID.into())),
        Just(Value::String(format!("{}/typing", input::RID))),
        Just(Value::String(format!("{}/user-activity", input::RID))),
        Just(Value::String("public".into())),
        input::string().prop_map(Value::String),
    ];
    let extra = prop_oneof![
        Just(
            json!({"useCollection": false, "args": [{"token": input::TOKEN, "visitorToken": input::TOKEN}]})
        ),
        Just(json!({"token": input::TOKEN})),
        Just(json!({"user": {"username": "fuzz-agent"}, "password": "pass"})),
        Just(
            json!({"user": {"username": "admin"}, "password": {"digest": "x", "algorithm": "sha-256"}})
        ),
        Just(json!({"resume": "nope"})),
        input::value(),
    ];
    prop_oneof![
        3 => (event, prop::collection::vec(extra, 0..3)).prop_map(|(e, mut rest)| {
            rest.insert(0, e);
            Value::Array(rest)
        }),
        1 => input::value(),
    ]
    .boxed()
}

/// A frame as a client might write it: well-formed, or with wrong types, missing or extra
/// fields, unknown messages.
fn structured() -> BoxedStrategy<String> {
    let msg = prop_oneof![
        prop::sample::select(vec![
            "connect", "ping", "pong", "method", "method", "method", "sub", "sub", "unsub",
            "nosub", "result", "ready", "",
        ])
        .prop_map(|s| Value::String(s.into())),
        input::value(),
    ];
    let name = prop_oneof![
        3 => prop::sample::select(METHODS.iter().chain(SUBS).copied().collect::<Vec<_>>())
            .prop_map(|s| Value::String(s.into())),
        1 => input::value(),
    ];
    let id = prop_oneof![
        3 => "[a-z0-9]{1,8}".prop_map(Value::String),
        1 => input::value(),
    ];
    let version = prop_oneof![
        Just(json!("1")),
        Just(json!("pre2")),
        Just(json!("pre1")),
        input::value(),
    ];
    (
        msg,
        prop::option::weighted(0.9, id),
        prop::option::weighted(0.8, name),
        prop::option::weighted(0.8, params()),
        prop::option::weighted(0.2, version),
        prop::collection::vec((input::key(), input::value()), 0..2),
    )
        .prop_map(|(msg, id, name, params, version, extra)| {
            let mut m = Map::new();
            m.insert("msg".into(), msg);
            for (k, v) in extra {
                m.insert(k, v);
            }
            if let Some(id) = id {
                m.insert("id".into(), id);
            }
            if let Some(name) = name {
                m.insert("method".into(), name.clone());
                m.insert("name".into(), name);
            }
            if let Some(p) = params {
                m.insert("params".into(), p);
            }
            if let Some(v) = version {
                m.insert("version".into(), v);
            }
            Value::Object(m).to_string()
        })
        .boxed()
}

/// Any frame text: structured, structured but cut short, arbitrary text, arbitrary bytes
/// (a binary frame is read as lossy UTF-8), deep nesting, any JSON value.
fn frame() -> BoxedStrategy<String> {
    prop_oneof![
        6 => structured(),
        2 => (structured(), any::<prop::sample::Index>()).prop_map(|(s, i)| {
            let cut = i.index(s.len() + 1);
            let cut = (0..=cut).rev().find(|c| s.is_char_boundary(*c)).unwrap_or(0);
            s[..cut].to_string()
        }),
        1 => any::<String>(),
        1 => any::<Vec<u8>>().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        1 => input::deep_text(),
        1 => input::value().prop_map(|v| v.to_string()),
    ]
    .boxed()
}

const BAD_REQUEST: &str = r#"{"msg":"error","reason":"Bad request""#;

/// What the parser promises: no panic; a frame it cannot read gets a short `error` answer
/// (the server never echoes a large frame back); names and ids it accepts are short.
fn check_parse(text: &str) -> Result<(), TestCaseError> {
    match parse_frame(text) {
        Err(reply) => {
            prop_assert!(reply.starts_with(BAD_REQUEST), "{}", short(&reply));
            match serde_json::from_str::<Value>(&reply) {
                Ok(v) => {
                    prop_assert_eq!(&v["msg"], "error");
                    prop_assert_eq!(&v["reason"], "Bad request");
                }
                // The echo of a frame nested as deep as serde_json reads is one level
                // deeper than it reads (JavaScript's JSON.parse has no such limit).
                Err(e) if e.to_string().contains("recursion limit") => {}
                Err(e) => return Err(TestCaseError::fail(format!("reply is not JSON: {e}"))),
            }
            // At most 1 KiB echoed, escaped (`\u0000` is 6 bytes for 1).
            prop_assert!(
                reply.len() <= 6 * 1024 + 64,
                "reply of {} bytes",
                reply.len()
            );
        }
        Ok(Frame::Method { id, name, .. } | Frame::Sub { id, name, .. }) => {
            prop_assert!(name.len() <= MAX_ID);
            prop_assert!(id.as_str().is_some_and(|s| s.len() <= MAX_ID) || id.is_null());
        }
        Ok(Frame::Ping { id } | Frame::Unsub { id }) => {
            prop_assert!(id.as_str().is_some_and(|s| s.len() <= MAX_ID) || id.is_null());
        }
        Ok(Frame::Connect { .. } | Frame::Pong) => {}
    }
    Ok(())
}

#[test]
fn frame_parser_never_panics() {
    run("ddp frame parser", 2000, frame(), |text| check_parse(&text));
}

#[test]
fn frame_parser_regressions() {
    for text in [
        "",
        "{}",
        "null",
        "[]",
        "{\"msg\":\"method\"}",
        "{\"msg\":\"method\",\"method\":\"stream-notify-room\",\"params\":[]}",
        "{\"msg\":\"sub\",\"id\":1}",
        "{\"msg\":{\"msg\":\"ping\"}}",
        "\u{0}",
    ] {
        check_parse(text).unwrap();
    }
    // Found by the target: a frame 127 levels deep is echoed in a reply 128 deep.
    let deep = format!("{}1{}", "{\"a\":".repeat(127), "}".repeat(127));
    check_parse(&deep).unwrap();
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text frame, `None` once the server closed (pings answered on the way).
async fn next_text(ws: &mut Socket) -> Result<Option<String>, TestCaseError> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Err(_) => return Err(TestCaseError::fail("no answer in 10 s")),
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return Ok(None),
            Ok(Some(Ok(Message::Text(t)))) => {
                if t.contains("\"msg\":\"ping\"") {
                    let _ = ws.send(Message::Text("{\"msg\":\"pong\"}".into())).await;
                    continue;
                }
                return Ok(Some(t.to_string()));
            }
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// A frame the server is entitled to close the connection for: a `connect` of a version
/// it does not speak, or one over the frame limit.
fn closes(text: &str) -> bool {
    text.len() > MAX_FRAME
        || matches!(parse_frame(text),
            Ok(Frame::Connect { version }) if !["1", "pre2", "pre1"].contains(&version.as_str()))
}

/// `Ok(true)` when the connection logged in as the agent.
async fn one_connection(app: &App, frames: &[(String, bool)]) -> Result<bool, TestCaseError> {
    let url = format!("{}/websocket", app.base.replacen("http://", "ws://", 1));
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| TestCaseError::fail(format!("no websocket: {e}")))?;
    prop_assert_eq!(
        next_text(&mut ws).await?,
        Some("{\"server_id\":\"0\"}".into())
    );
    let may_close = frames.iter().any(|(t, _)| closes(t));
    for (text, binary) in frames {
        let m = if *binary {
            Message::Binary(text.clone().into_bytes().into())
        } else {
            Message::Text(text.clone().into())
        };
        if ws.send(m).await.is_err() {
            prop_assert!(may_close, "connection dropped on {text:.200}");
            return Ok(false);
        }
    }
    // Still there (unless a frame earned a close): a ping after the frames is answered.
    if ws
        .send(Message::Text("{\"msg\":\"ping\",\"id\":\"probe\"}".into()))
        .await
        .is_err()
    {
        prop_assert!(may_close, "connection dropped");
        return Ok(false);
    }
    let mut agent = false;
    loop {
        match next_text(&mut ws).await? {
            None => {
                prop_assert!(may_close, "connection closed");
                return Ok(agent);
            }
            // A `Bad request` echoes the frame (see `check_parse`).
            Some(t) if t.starts_with(BAD_REQUEST) => {}
            Some(t) => {
                let v: Value = serde_json::from_str(&t)
                    .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {t:.200}")))?;
                if v == json!({"msg": "pong", "id": "probe"}) {
                    return Ok(agent);
                }
                agent |= v["id"] == "a" && v["result"]["type"] == "password";
            }
        }
    }
}

#[test]
fn websocket_frames_never_break_the_server() {
    let rt = runtime();
    let app = rt.block_on(App::spawn());
    // Frames from a bare connection, a visitor's, or a logged-in agent's (so the
    // dispatch's permission-checked branches are reached too).
    let connect = json!({"msg": "connect", "version": "1", "support": ["1"]}).to_string();
    let visitor = json!({"msg": "method", "id": "v", "method": "livechat:setUpConnection",
                         "params": [{"token": input::TOKEN}]})
    .to_string();
    let agent = json!({"msg": "method", "id": "a", "method": "login",
                       "params": [{"user": {"username": "fuzz-agent"}, "password": "pass"}]})
    .to_string();
    let opening = prop::sample::select(vec![
        vec![],
        vec![connect.clone()],
        vec![connect.clone(), visitor],
        vec![connect, agent],
    ]);
    let frames = (
        opening,
        prop::collection::vec((frame(), prop::bool::weighted(0.1)), 1..5),
    )
        .prop_map(|(opening, frames)| {
            let mut all: Vec<(String, bool)> = opening.into_iter().map(|t| (t, false)).collect();
            all.extend(frames);
            all
        });
    let agents = AtomicUsize::new(0);
    run("ddp over websocket", 128, frames, |frames| {
        let frames: Vec<(String, bool)> =
            frames.into_iter().map(|(t, b)| (app.fill(&t), b)).collect();
        rt.block_on(async {
            if one_connection(&app, &frames).await? {
                agents.fetch_add(1, Ordering::Relaxed);
            }
            app.alive().await
        })
    });
    let agents = agents.into_inner();
    eprintln!("ddp over websocket: {agents} connections logged in as the agent");
    assert!(agents > 0, "the agent never logged in");
    // A well-behaved client still gets through at the end.
    rt.block_on(async {
        one_connection(
            &app,
            &[(
                json!({"msg": "connect", "version": "1", "support": ["1"]}).to_string(),
                false,
            )],
        )
        .await
        .unwrap();
    });
}
