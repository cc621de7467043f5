//! DDP over `/websocket`: frames, streams, permissions, typing, presence.

use crate::helpers::*;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Ddp {
    ws: Socket,
    next: u32,
}

impl Ddp {
    pub async fn open(app: &TestApp) -> Ddp {
        let url = format!("{}/websocket", app.base.replacen("http://", "ws://", 1));
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut d = Ddp { ws, next: 0 };
        assert_eq!(d.recv().await, json!({"server_id": "0"}));
        d.send(json!({"msg": "connect", "version": "1", "support": ["1", "pre2", "pre1"]}))
            .await;
        let connected = d.recv().await;
        assert_eq!(connected["msg"], "connected");
        assert!(connected["session"].is_string());
        d
    }
    pub async fn send(&mut self, v: Value) {
        self.ws
            .send(WsMessage::Text(v.to_string().into()))
            .await
            .unwrap();
    }
    /// The next frame (pings answered along the way).
    pub async fn recv(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("no frame in 5 s");
            match frame.unwrap().unwrap() {
                WsMessage::Text(t) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    if v["msg"] == "ping" {
                        self.send(json!({"msg": "pong"})).await;
                        continue;
                    }
                    return v;
                }
                WsMessage::Close(_) => panic!("closed"),
                _ => continue,
            }
        }
    }
    /// The server ends the connection (frames before the end are skipped).
    pub async fn closed(&mut self) -> bool {
        loop {
            match tokio::time::timeout(Duration::from_secs(10), self.ws.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(WsMessage::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }
    /// Nothing arrives within `ms`.
    pub async fn quiet(&mut self, ms: u64) -> bool {
        tokio::time::timeout(Duration::from_millis(ms), self.ws.next())
            .await
            .is_err()
    }
    fn id(&mut self) -> String {
        self.next += 1;
        format!("ddp-{}", self.next)
    }
    /// Calls a method; returns the result frame (and checks the `updated` frame).
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.id();
        self.send(json!({"msg": "method", "method": method, "params": params, "id": id}))
            .await;
        let result = self.recv().await;
        assert_eq!(result["msg"], "result");
        assert_eq!(result["id"], id.as_str());
        assert_eq!(
            self.recv().await,
            json!({"msg": "updated", "methods": [id]})
        );
        result
    }
    pub async fn sub(&mut self, name: &str, params: Value) -> Value {
        let id = self.id();
        self.send(json!({"msg": "sub", "id": id, "name": name, "params": params}))
            .await;
        self.recv().await
    }
}

pub fn visitor_args(token: &str) -> Value {
    json!({"useCollection": false, "args": [{"token": token, "visitorToken": token}]})
}

#[tokio::test]
async fn protocol_frames() {
    let app = TestApp::spawn().await;
    let mut d = Ddp::open(&app).await;
    d.send(json!({"msg": "ping", "id": "p1"})).await;
    assert_eq!(d.recv().await, json!({"msg": "pong", "id": "p1"}));
    d.send(json!({"msg": "ping"})).await;
    assert_eq!(d.recv().await, json!({"msg": "pong"}));
    let r = d.call("no.such.method", json!([])).await;
    assert_eq!(
        r["error"],
        json!({"isClientSafe": true, "error": 404, "reason": "Method 'no.such.method' not found", "message": "Method 'no.such.method' not found [404]", "errorType": "Meteor.Error"})
    );
    let r = d.sub("no-such-stream", json!([])).await;
    assert_eq!(r["msg"], "nosub");
    assert_eq!(r["error"]["error"], 404);
    d.send(json!({"msg": "unsub", "id": "whatever"})).await;
    assert_eq!(d.recv().await, json!({"msg": "nosub", "id": "whatever"}));
    // Unknown protocol versions fail.
    let url = format!("{}/websocket", app.base.replacen("http://", "ws://", 1));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ws.next().await;
    ws.send(WsMessage::Text(
        json!({"msg": "connect", "version": "2"}).to_string().into(),
    ))
    .await
    .unwrap();
    let WsMessage::Text(t) = ws.next().await.unwrap().unwrap() else {
        panic!()
    };
    assert_eq!(
        serde_json::from_str::<Value>(&t).unwrap(),
        json!({"msg": "failed", "version": "1"})
    );
}

#[tokio::test]
async fn visitor_receives_agent_replies_with_ejson_dates() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut d = Ddp::open(&app).await;
    let r = d
        .call("livechat:setUpConnection", json!([{"token": "tok"}]))
        .await;
    assert!(r.get("result").is_none() && r.get("error").is_none(), "{r}");
    assert_eq!(
        d.sub("stream-room-messages", json!([rid, visitor_args("tok")]))
            .await["msg"],
        "ready"
    );
    let sent = app
        .post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "hello from agent"}}),
        )
        .await;
    let ev = d.recv().await;
    assert_eq!(ev["msg"], "changed");
    assert_eq!(ev["collection"], "stream-room-messages");
    assert_eq!(ev["id"], "id");
    assert_eq!(ev["fields"]["eventName"], rid.as_str());
    let m = &ev["fields"]["args"][0];
    assert_eq!(m["msg"], "hello from agent");
    assert_eq!(m["_id"], sent.body["message"]["_id"]);
    assert!(m["ts"]["$date"].is_i64(), "EJSON date on the socket: {m}");
    assert!(sent.body["message"]["ts"].is_string(), "ISO over REST");
    // The visitor's own messages come back too (the widget renders them from the stream).
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "tok", "rid": rid, "msg": "mine"}),
    )
    .await;
    assert_eq!(d.recv().await["fields"]["args"][0]["msg"], "mine");
    // Another visitor's token reads nothing.
    app.visitor("other").await;
    let mut e = Ddp::open(&app).await;
    let r = e
        .sub("stream-room-messages", json!([rid, visitor_args("other")]))
        .await;
    assert_eq!(r["msg"], "nosub");
    assert_eq!(r["error"]["error"], "not-allowed");
    // The agent closes: the close message arrives, and a closed room can't be subscribed.
    app.post_as(
        &agent,
        "/api/v1/livechat/room.closeByUser",
        json!({"rid": rid, "comment": "done"}),
    )
    .await;
    assert_eq!(d.recv().await["fields"]["args"][0]["t"], "livechat-close");
    let mut f = Ddp::open(&app).await;
    assert_eq!(
        f.sub("stream-room-messages", json!([rid, visitor_args("tok")]))
            .await["msg"],
        "nosub"
    );
}

#[tokio::test]
async fn typing_both_generations_and_no_echo() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut visitor = Ddp::open(&app).await;
    visitor
        .call("livechat:setUpConnection", json!([{"token": "tok"}]))
        .await;
    assert_eq!(
        visitor
            .sub(
                "stream-notify-room",
                json!([format!("{rid}/typing"), visitor_args("tok")])
            )
            .await["msg"],
        "ready"
    );
    let mut agent_ws = Ddp::open(&app).await;
    let login = agent_ws
        .call("login", json!([{"resume": agent.token}]))
        .await;
    assert_eq!(login["result"]["id"], agent.id.as_str());
    assert_eq!(
        agent_ws
            .sub(
                "stream-notify-room",
                json!([format!("{rid}/user-activity"), {"useCollection": false, "args": []}])
            )
            .await["msg"],
        "ready"
    );
    // The old widget types on `typing`; the agent's newer client hears `user-activity`.
    visitor
        .call(
            "stream-notify-room",
            json!([format!("{rid}/typing"), "guest-2", true, {"token": "tok"}]),
        )
        .await;
    let ev = agent_ws.recv().await;
    assert_eq!(ev["fields"]["eventName"], format!("{rid}/user-activity"));
    assert_eq!(
        ev["fields"]["args"],
        json!(["guest-2", ["user-typing"], {}])
    );
    assert!(visitor.quiet(200).await, "no echo to the writer");
    // The agent types on `user-activity`; the widget hears `typing`.
    agent_ws
        .call(
            "stream-notify-room",
            json!([format!("{rid}/user-activity"), "jane", ["user-typing"], {}]),
        )
        .await;
    let ev = visitor.recv().await;
    assert_eq!(ev["fields"]["eventName"], format!("{rid}/typing"));
    assert_eq!(ev["fields"]["args"], json!(["jane", true]));
    // A stranger may not type in the room.
    app.visitor("other").await;
    let mut stranger = Ddp::open(&app).await;
    let r = stranger
        .call(
            "stream-notify-room",
            json!([format!("{rid}/typing"), "x", true, {"token": "other"}]),
        )
        .await;
    assert_eq!(r["error"]["error"], "not-allowed");
}

#[tokio::test]
async fn agent_assignment_reaches_the_visitor_and_presence_follows_connections() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut visitor = Ddp::open(&app).await;
    assert_eq!(
        visitor
            .sub("stream-livechat-room", json!([rid, visitor_args("tok")]))
            .await["msg"],
        "ready"
    );
    let inquiry = app
        .get_as(&agent, "/api/v1/livechat/inquiries.queued")
        .await
        .body["inquiries"][0]["_id"]
        .clone();
    app.post_as(
        &agent,
        "/api/v1/livechat/inquiries.take",
        json!({"inquiryId": inquiry}),
    )
    .await;
    let ev = visitor.recv().await;
    assert_eq!(ev["collection"], "stream-livechat-room");
    assert_eq!(ev["fields"]["args"][0]["type"], "agentData");
    assert_eq!(ev["fields"]["args"][0]["data"]["username"], "jane");
    // The serving agent's status changes reach the visitor as `agentStatus`.
    app.post_as(&agent, "/api/v1/users.setStatus", json!({"status": "away"}))
        .await;
    let ev = visitor.recv().await;
    assert_eq!(
        ev["fields"]["args"][0],
        json!({"type": "agentStatus", "status": "away"})
    );

    // Presence: a DDP login brings the agent online, closing the last socket takes it offline.
    app.post_as(
        &agent,
        "/api/v1/users.setStatus",
        json!({"status": "offline"}),
    )
    .await;
    let mut a = Ddp::open(&app).await;
    let r = a.call("login", json!([{"user": {"username": "jane"}, "password": {"digest": ferrochat::domain::auth::sha256_hex("pass"), "algorithm": "sha-256"}}])).await;
    assert_eq!(r["result"]["type"], "password");
    assert_eq!(status_of(&app, "jane").await, "online");
    drop(a);
    let mut status = Value::Null;
    for _ in 0..50 {
        status = status_of(&app, "jane").await;
        if status == "offline" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, "offline");
}

async fn status_of(app: &TestApp, username: &str) -> Value {
    app.get_as(
        &app.admin,
        &format!("/api/v1/users.info?username={username}"),
    )
    .await
    .body["user"]["status"]
        .clone()
}

/// Sockets cut mid-conversation: after reconnecting and resubscribing, the history has
/// every message, those sent while the visitor was away included.
#[tokio::test]
async fn no_message_lost_across_reconnects() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut sent = Vec::new();
    for round in 0..3 {
        let mut d = Ddp::open(&app).await;
        d.call("livechat:setUpConnection", json!([{"token": "tok"}]))
            .await;
        assert_eq!(
            d.sub("stream-room-messages", json!([rid, visitor_args("tok")]))
                .await["msg"],
            "ready"
        );
        let text = format!("live {round}");
        app.post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": text}}),
        )
        .await;
        assert_eq!(d.recv().await["fields"]["args"][0]["msg"], text.as_str());
        sent.push(text);
        drop(d); // the network drops
        let away = format!("while away {round}");
        app.post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": away}}),
        )
        .await;
        sent.push(away);
    }
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=tok&limit=50"
        ))
        .await;
    let got: Vec<String> = r.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m.get("t").is_none())
        .map(|m| m["msg"].as_str().unwrap().to_string())
        .rev()
        .collect();
    assert_eq!(got, sent);
}

/// A queued chat reaches every eligible agent at once, and its taking reaches them too.
#[tokio::test]
async fn queued_chats_reach_every_agent() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let mut watchers = Vec::new();
    for agent in [&a, &b] {
        let mut d = Ddp::open(&app).await;
        d.call("login", json!([{"resume": agent.token}])).await;
        assert_eq!(
            d.sub(
                "stream-livechat-inquiry-queue-observer",
                json!(["public", {"useCollection": false, "args": []}])
            )
            .await["msg"],
            "ready"
        );
        watchers.push(d);
    }
    // Visitors (not logged in) may not watch the queue.
    let mut anon = Ddp::open(&app).await;
    assert_eq!(
        anon.sub(
            "stream-livechat-inquiry-queue-observer",
            json!(["public", {"useCollection": false, "args": []}])
        )
        .await["msg"],
        "nosub"
    );

    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut inquiry_id = String::new();
    for w in watchers.iter_mut() {
        let ev = w.recv().await;
        assert_eq!(ev["collection"], "stream-livechat-inquiry-queue-observer");
        assert_eq!(ev["fields"]["eventName"], "public");
        let inq = &ev["fields"]["args"][0];
        assert_eq!(inq["type"], "added");
        assert_eq!(inq["status"], "queued");
        assert_eq!(inq["rid"], rid.as_str());
        assert!(inq["ts"]["$date"].is_i64());
        inquiry_id = inq["_id"].as_str().unwrap().to_string();
    }
    app.post_as(
        &a,
        "/api/v1/livechat/inquiries.take",
        json!({"inquiryId": inquiry_id}),
    )
    .await;
    for w in watchers.iter_mut() {
        let ev = w.recv().await;
        assert_eq!(ev["fields"]["args"][0]["type"], "changed");
        assert_eq!(ev["fields"]["args"][0]["status"], "taken");
    }
    app.post_as(
        &a,
        "/api/v1/livechat/room.closeByUser",
        json!({"rid": rid, "comment": "bye"}),
    )
    .await;
    for w in watchers.iter_mut() {
        assert_eq!(w.recv().await["fields"]["args"][0]["type"], "removed");
    }
}

/// An agent's own stream: a new chat's subscription, its room changing, its removal on close.
#[tokio::test]
async fn agents_hear_their_subscriptions_and_rooms() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    let other = app.create_agent("zed").await;
    let mut d = Ddp::open(&app).await;
    d.call("login", json!([{"resume": agent.token}])).await;
    let args = json!({"useCollection": false, "args": []});
    assert_eq!(
        d.sub(
            "stream-notify-user",
            json!([format!("{}/subscriptions-changed", agent.id), args])
        )
        .await["msg"],
        "ready"
    );
    assert_eq!(
        d.sub(
            "stream-notify-user",
            json!([format!("{}/rooms-changed", agent.id), args])
        )
        .await["msg"],
        "ready"
    );
    // Nobody reads another user's stream.
    let r = d
        .sub(
            "stream-notify-user",
            json!([format!("{}/rooms-changed", other.id), args]),
        )
        .await;
    assert_eq!(r["msg"], "nosub");
    app.post_as(
        &other,
        "/api/v1/livechat/agent.status",
        json!({"status": "not-available"}),
    )
    .await;
    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut saw_sub = false;
    let mut saw_room = false;
    for _ in 0..2 {
        let ev = d.recv().await;
        assert_eq!(ev["collection"], "stream-notify-user");
        let name = ev["fields"]["eventName"].as_str().unwrap().to_string();
        if name.ends_with("/subscriptions-changed") {
            assert_eq!(ev["fields"]["args"][0], "inserted");
            assert_eq!(ev["fields"]["args"][1]["rid"], rid.as_str());
            saw_sub = true;
        } else {
            assert_eq!(ev["fields"]["args"][0], "updated");
            assert_eq!(ev["fields"]["args"][1]["_id"], rid.as_str());
            saw_room = true;
        }
    }
    assert!(saw_sub && saw_room);
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "tok", "rid": rid, "msg": "hi"}),
    )
    .await;
    let ev = d.recv().await;
    assert_eq!(
        ev["fields"]["eventName"],
        format!("{}/rooms-changed", agent.id)
    );
    assert_eq!(ev["fields"]["args"][1]["lastMessage"]["msg"], "hi");
    let ev = d.recv().await;
    assert_eq!(
        ev["fields"]["eventName"],
        format!("{}/subscriptions-changed", agent.id)
    );
    assert_eq!(ev["fields"]["args"][0], "updated");
    assert_eq!(ev["fields"]["args"][1]["unread"], 2);
    assert_eq!(ev["fields"]["args"][1]["alert"], true);
    app.post(
        "/api/v1/livechat/room.close",
        json!({"rid": rid, "token": "tok"}),
    )
    .await;
    let ev = d.recv().await;
    assert_eq!(
        ev["fields"]["eventName"],
        format!("{}/subscriptions-changed", agent.id)
    );
    assert_eq!(ev["fields"]["args"][0], "removed");
}

/// Waiting visitors hear their place in the queue move, and visitor edits reach the room.
#[tokio::test]
async fn queue_positions_and_visitor_data() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    app.visitor("first").await;
    let first = app.room("first").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.visitor("second").await;
    let second = app.room("second").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut d = Ddp::open(&app).await;
    assert_eq!(
        d.sub(
            "stream-livechat-room",
            json!([second, visitor_args("second")])
        )
        .await["msg"],
        "ready"
    );
    let queued = app
        .get_as(&agent, "/api/v1/livechat/inquiries.queued")
        .await
        .body["inquiries"]
        .clone();
    let first_inquiry = queued
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rid"] == first.as_str())
        .unwrap()["_id"]
        .clone();
    app.post_as(
        &agent,
        "/api/v1/livechat/inquiries.take",
        json!({"inquiryId": first_inquiry}),
    )
    .await;
    let ev = d.recv().await;
    assert_eq!(ev["fields"]["args"][0]["type"], "queueData");
    assert_eq!(ev["fields"]["args"][0]["data"]["rid"], second.as_str());
    assert_eq!(
        ev["fields"]["args"][0]["data"]["position"], 1,
        "the first visitor was taken"
    );
    // An agent edits the visitor: visitorData.
    let second_inquiry = app
        .get_as(&agent, "/api/v1/livechat/inquiries.queued")
        .await
        .body["inquiries"][0]["_id"]
        .clone();
    app.post_as(
        &agent,
        "/api/v1/livechat/inquiries.take",
        json!({"inquiryId": second_inquiry}),
    )
    .await;
    assert_eq!(d.recv().await["fields"]["args"][0]["type"], "agentData");
    let vid = app.room("second").await.body["room"]["v"]["_id"].clone();
    app.post_as(
        &agent,
        "/api/v1/livechat/room.saveInfo",
        json!({"roomData": {"_id": second}, "guestData": {"_id": vid, "name": "Renamed"}}),
    )
    .await;
    let mut got = Value::Null;
    for _ in 0..3 {
        let ev = d.recv().await;
        if ev["fields"]["args"][0]["type"] == "visitorData" {
            got = ev["fields"]["args"][0]["visitor"].clone();
            break;
        }
    }
    assert_eq!(got["name"], "Renamed");
}
