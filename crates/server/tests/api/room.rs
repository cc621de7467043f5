//! The seed endpoint: `GET /api/v1/livechat/room`.

use crate::helpers::*;
use serde_json::{Value, json};

const METEOR: &str = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";

fn is_meteor_id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 17 && s.chars().all(|c| METEOR.contains(c)))
}

async fn messages(app: &TestApp, rid: &str) -> Vec<Value> {
    let docs: Vec<String> = app.db_all(
        "SELECT doc FROM messages WHERE rid = ?1 ORDER BY ts, rowid",
        &[rid],
    );
    docs.iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

#[tokio::test]
async fn validation_errors_are_exactly_upstreams() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/livechat/room").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Match error: Missing key 'token'"}"#
    );
    let r = app.get("/api/v1/livechat/room?token=x&sla=1").await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Match error: Unknown key 'sla'"}"#
    );
    let r = app.get("/api/v1/livechat/room?token=a&token=b").await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Match error: Expected string, got object in field token"}"#
    );
    let r = app.get("/api/v1/livechat/room?token=").await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-token"}"#);
    let r = app.get("/api/v1/livechat/room?token=unknown").await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-token"}"#);
    let r = app.get("/api/v1/livechat/room?token=unknown&rid=abc").await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-token"}"#);
}

#[tokio::test]
async fn no_agent_online_writes_nothing() {
    let app = TestApp::spawn().await;
    app.visitor("t1").await;
    let r = app.room("t1").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Sorry, no online agents [no-agent-online]","errorType":"no-agent-online"}"#
    );
    // An agent that is not available does not count, nor does one that is offline.
    let a = app.create_agent("agent1").await;
    app.post_as(
        &a,
        "/api/v1/livechat/agent.status",
        json!({"status": "not-available"}),
    )
    .await;
    assert_eq!(app.room("t1").await.body["errorType"], "no-agent-online");
    app.post_as(
        &a,
        "/api/v1/livechat/agent.status",
        json!({"status": "available"}),
    )
    .await;
    app.post_as(&a, "/api/v1/users.setStatus", json!({"status": "offline"}))
        .await;
    assert_eq!(app.room("t1").await.body["errorType"], "no-agent-online");
    let n: i64 = app.db_one("SELECT (SELECT COUNT(*) FROM rooms) + (SELECT COUNT(*) FROM inquiries) + (SELECT COUNT(*) FROM messages)", &[]);
    assert_eq!(n, 0);
}

#[tokio::test]
async fn creates_a_routed_room_then_returns_it() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane.doe").await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "tok", "name": "Mary"}}),
    )
    .await;
    let r = app.room("tok").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text.ends_with(",\"newRoom\":true,\"success\":true}"),
        "{}",
        r.text
    );
    assert!(r.text.starts_with("{\"room\":{\"_id\":"));
    let room = &r.body["room"];
    assert!(is_meteor_id(&room["_id"]));
    assert_eq!(room["t"], "l");
    assert_eq!(room["fname"], "Mary");
    assert_eq!(room["open"], true);
    assert_eq!(room["cl"], false);
    assert_eq!(room["waitingResponse"], true);
    assert_eq!(room["usersCount"], 2, "visitor + agent");
    assert_eq!(room["msgs"], 3, "livechat-started, command/connected, uj");
    assert_eq!(room["v"]["token"], "tok");
    assert_eq!(room["v"]["username"], "guest-2");
    assert_eq!(room["v"]["status"], "online");
    assert_eq!(room["source"], json!({"type": "api"}));
    assert_eq!(room["priorityWeight"], 99);
    assert_eq!(room["estimatedWaitingTimeQueue"], 9_999_999);
    assert_eq!(room["servedBy"]["_id"], agent.id.as_str());
    assert_eq!(room["servedBy"]["username"], "jane.doe");
    for k in ["ts", "lm", "queuedAt", "_updatedAt"] {
        assert_iso(&room[k]);
    }
    assert_iso(&room["servedBy"]["ts"]);
    assert_eq!(room["ts"], room["lm"]);
    assert!(room.get("departmentId").is_none());
    assert!(
        room.as_object().unwrap().values().all(|v| !v.is_null()),
        "no nulls: {room}"
    );

    // The same token gets the same room, with or without rid.
    let again = app.room("tok").await;
    assert_eq!(again.body["newRoom"], false);
    assert_eq!(again.body["room"], *room);
    let rid = room["_id"].as_str().unwrap();
    let by_rid = app
        .get(&format!("/api/v1/livechat/room?token=tok&rid={rid}"))
        .await;
    assert_eq!(by_rid.body["newRoom"], false);
    assert_eq!(by_rid.body["room"]["_id"], rid);
    let wrong = app
        .get("/api/v1/livechat/room?token=tok&rid=notARoom")
        .await;
    assert_eq!(wrong.text, r#"{"success":false,"error":"invalid-room"}"#);
    app.visitor("other").await;
    let other = app
        .get(&format!("/api/v1/livechat/room?token=other&rid={rid}"))
        .await;
    assert_eq!(
        other.text, r#"{"success":false,"error":"invalid-room"}"#,
        "a token never reaches another visitor's room"
    );

    // What exists beside the room.
    let msgs = messages(&app, rid).await;
    let types: Vec<&str> = msgs.iter().map(|m| m["t"].as_str().unwrap()).collect();
    assert_eq!(types, ["livechat-started", "command", "uj"]);
    assert_eq!(msgs[0]["msg"], "");
    assert_eq!(msgs[0]["token"], "tok");
    assert_eq!(msgs[0]["groupable"], false);
    assert_eq!(msgs[0]["u"]["username"], "guest-2");
    assert_eq!(msgs[1]["msg"], "connected");
    assert_eq!(msgs[1]["u"]["_id"], agent.id.as_str());
    assert_eq!(msgs[2]["u"]["username"], "jane.doe");
    assert!(msgs.iter().all(|m| is_meteor_id(&m["_id"])));
    let visitor = app.get("/api/v1/livechat/visitor/tok").await.body["visitor"].clone();
    assert_eq!(visitor["lastChat"]["_id"], rid);
    let agent_doc = app.get_as(&agent, "/api/v1/me").await;
    assert_eq!(agent_doc.body["statusLivechat"], "available");
}

#[tokio::test]
async fn inquiry_and_subscription_are_written() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let inq: String = app.db_one("SELECT doc FROM inquiries WHERE rid = ?1", &[rid.as_str()]);
    let inq: Value = serde_json::from_str(&inq).unwrap();
    assert_eq!(inq["status"], "taken");
    assert_eq!(inq["_id"].as_str().unwrap().len(), 24);
    assert_eq!(inq["v"]["token"], "tok");
    assert_eq!(inq["t"], "l");
    assert_eq!(inq["message"], "");
    assert_iso(&inq["takenAt"]);
    let sub: String = app.db_one(
        "SELECT doc FROM subscriptions WHERE rid = ?1",
        &[rid.as_str()],
    );
    let sub: Value = serde_json::from_str(&sub).unwrap();
    assert_eq!(sub["u"]["_id"], agent.id.as_str());
    assert_eq!(sub["t"], "l");
    assert_eq!(
        (
            sub["alert"].clone(),
            sub["open"].clone(),
            sub["unread"].clone()
        ),
        (json!(true), json!(true), json!(1))
    );
}

#[tokio::test]
async fn widget_requests_are_marked_by_cookie() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    app.visitor("w").await;
    let r = app
        .http
        .get(format!("{}/api/v1/livechat/room?token=w", app.base))
        .header("Cookie", "rc_room_type=l; rc_is_widget=t")
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["room"]["source"]["type"], "widget");
    assert_eq!(
        body["room"]["source"]["destination"],
        app.base.trim_start_matches("http://")
    );
}

#[tokio::test]
async fn preferred_agent_and_disabled_livechat() {
    let app = TestApp::spawn().await;
    let _a = app.create_agent("agent.a").await;
    let b = app.create_agent("agent.b").await;
    app.visitor("v1").await;
    let r = app
        .get(&format!("/api/v1/livechat/room?token=v1&agentId={}", b.id))
        .await;
    assert_eq!(
        r.body["room"]["servedBy"]["_id"],
        b.id.as_str(),
        "preferred agent wins while available"
    );
    // An unknown preferred agent is ignored.
    app.visitor("v2").await;
    let r = app
        .get("/api/v1/livechat/room?token=v2&agentId=nobody")
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body["room"]["servedBy"].is_object());
    app.set_setting("Livechat_enabled", json!(false)).await;
    app.visitor("v3").await;
    let r = app.room("v3").await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"[error-omnichannel-is-disabled]","errorType":"error-omnichannel-is-disabled"}"#
    );
    // An existing open room is still returned.
    assert_eq!(app.room("v1").await.body["newRoom"], false);
}

#[tokio::test]
async fn accept_chats_with_no_agents_queues_the_room() {
    let app = TestApp::spawn().await;
    app.set_setting("Livechat_accept_chats_with_no_agents", json!(true))
        .await;
    app.visitor("t").await;
    let r = app.room("t").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["newRoom"], true);
    assert!(r.body["room"].get("servedBy").is_none());
    assert_eq!(r.body["room"]["usersCount"], 1);
    assert_eq!(r.body["room"]["msgs"], 1);
    let c = app.get("/api/v1/livechat/config").await;
    assert_eq!(c.body["config"]["online"], true);
}

#[tokio::test]
async fn seed_example_key_order_of_room_and_envelope() {
    let app = TestApp::spawn().await;
    app.create_agent("jane.doe").await;
    app.visitor("tok").await;
    let r = app.room("tok").await;
    let keys: Vec<String> = r.body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["room", "newRoom", "success"]);
    let room_keys: Vec<String> = r.body["room"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(room_keys[0], "_id");
}

#[tokio::test]
async fn room_times_come_from_the_clock() {
    let app = TestApp::spawn_with_clock("2021-07-09T20:12:19.795Z").await;
    app.create_agent("jane.doe").await;
    app.visitor("tok").await;
    app.set_time("2021-07-09T20:19:29.422Z");
    let room = app.room("tok").await.body["room"].clone();
    for k in ["ts", "lm", "queuedAt", "_updatedAt"] {
        assert_eq!(room[k], "2021-07-09T20:19:29.422Z", "{k}");
    }
    assert_eq!(room["servedBy"]["ts"], "2021-07-09T20:19:29.422Z");
}

#[tokio::test]
async fn rate_limit_outside_test_mode() {
    let app = TestApp::spawn_rate_limited().await;
    app.create_agent("a").await;
    app.visitor("t").await;
    for i in 0..5 {
        let r = app.room("t").await;
        assert_eq!(r.status, 200, "call {i}: {}", r.text);
        assert_eq!(r.headers["x-ratelimit-limit"], "5");
        assert_eq!(
            r.headers["x-ratelimit-remaining"],
            (4 - i).to_string().as_str()
        );
    }
    let r = app.room("t").await;
    assert_eq!(r.status, 429);
    let e = r.body["error"].as_str().unwrap();
    assert!(
        e.starts_with("Error, too many requests. Please slow down. You must wait "),
        "{e}"
    );
    assert!(
        e.ends_with(" seconds before trying this endpoint again. [error-too-many-requests]"),
        "{e}"
    );
    // Other routes have their own budget.
    assert_eq!(app.get("/api/info").await.status, 200);
    // Turning the limiter off lifts it.
    app.set_setting("API_Enable_Rate_Limiter", json!(false))
        .await;
    assert_eq!(app.room("t").await.status, 200);
}
