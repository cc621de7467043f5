//! `page.visited`: navigation history messages, kept room-less until the room exists.

use crate::helpers::*;
use crate::survey::room_doc;
use reqwest::Method;
use serde_json::{Value, json};

fn page(title: &str, href: &str, change: &str) -> Value {
    json!({"title": title, "change": change, "location": {"href": href}})
}

async fn visit(app: &TestApp, token: &str, rid: Option<&str>, p: Value) -> Resp {
    let mut body = json!({"token": token, "pageInfo": p});
    if let Some(r) = rid {
        body["rid"] = json!(r);
    }
    app.post("/api/v1/livechat/page.visited", body).await
}

async fn history(app: &TestApp, token: &str, rid: &str) -> Vec<Value> {
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token={token}&limit=50"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["messages"].as_array().unwrap().clone()
}

#[tokio::test]
async fn navigation_waits_for_the_room_then_joins_it() {
    let app = TestApp::spawn_with_clock("2024-01-01T10:00:00.000Z").await;
    app.create_agent("agent1").await;
    app.set_setting("Livechat_Visitor_navigation_as_a_message", json!(true))
        .await;
    app.visitor("v1").await;

    let r = visit(
        &app,
        "v1",
        None,
        page("Pricing", "https://shop.example/pricing", "url"),
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"page":{"msg":"Pricing - https://shop.example/pricing","navigation":{"page":{"title":"Pricing","change":"url","location":{"href":"https://shop.example/pricing"}},"token":"v1"}},"success":true}"#
    );
    // A title change is not what the monitor type (`url`) records.
    let r = visit(
        &app,
        "v1",
        None,
        page("Pricing!", "https://shop.example/pricing", "title"),
    )
    .await;
    assert_eq!(r.text, r#"{"success":true}"#);

    app.set_time("2024-01-01T10:05:00.000Z");
    let room = app.room("v1").await;
    let rid = room.body["room"]["_id"].as_str().unwrap().to_string();
    let msgs = history(&app, "v1", &rid).await;
    let nav: Vec<&Value> = msgs
        .iter()
        .filter(|m| m["t"] == "livechat_navigation_history")
        .collect();
    assert_eq!(nav.len(), 1, "{msgs:?}");
    let m = nav[0];
    assert_eq!(m["rid"], rid.as_str());
    assert_eq!(m["msg"], "Pricing - https://shop.example/pricing");
    assert_eq!(
        m["u"],
        json!({"_id": "rocket.cat", "username": "rocket.cat", "name": "Rocket.Cat"})
    );
    assert_eq!(m["navigation"]["token"], "v1");
    assert_eq!(m["groupable"], false);
    // upstream keeps the epoch-ms expiry on the attached message
    assert_eq!(
        m["expireAt"],
        json!(1_704_103_200_000i64 + 2_592_000_000i64)
    );
    assert_eq!(m["ts"], "2024-01-01T10:00:00.000Z");
    let msgs_before = room_doc(&app, &rid).await["msgs"].as_i64().unwrap();

    // With a room: straight into it, without expiry.
    let r = visit(
        &app,
        "v1",
        Some(&rid),
        page("Cart", "https://shop.example/cart", "url"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let msgs = history(&app, "v1", &rid).await;
    let cart = msgs
        .iter()
        .find(|m| m["msg"] == "Cart - https://shop.example/cart")
        .unwrap();
    assert!(cart.get("expireAt").is_none());
    assert_eq!(
        room_doc(&app, &rid).await["msgs"].as_i64().unwrap(),
        msgs_before + 1
    );
}

#[tokio::test]
async fn hidden_unless_shown_as_messages_and_expired_history_is_dropped() {
    let app = TestApp::spawn_with_clock("2024-01-01T10:00:00.000Z").await;
    app.create_agent("agent1").await;
    app.visitor("v1").await;
    visit(
        &app,
        "v1",
        None,
        page("Old", "https://a.example/old", "url"),
    )
    .await;
    // 30 days and a minute later: the first one has expired.
    app.set_time("2024-01-31T10:01:00.000Z");
    visit(
        &app,
        "v1",
        None,
        page("New", "https://a.example/new", "url"),
    )
    .await;
    let rid = app.room("v1").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Hidden by default (`_hidden`), so history does not show them…
    let msgs = history(&app, "v1", &rid).await;
    assert!(
        msgs.iter().all(|m| m["t"] != "livechat_navigation_history"),
        "{msgs:?}"
    );
    // …but the room keeps the one that did not expire.
    let nav = app.stored_messages(&rid, "livechat_navigation_history");
    assert_eq!(nav.len(), 1, "{nav:?}");
    assert_eq!(nav[0]["msg"], "New - https://a.example/new");
    assert_eq!(nav[0]["_hidden"], true);
}

#[tokio::test]
async fn another_visitors_room_is_refused_and_input_is_checked() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    app.visitor("v1").await;
    app.visitor("v2").await;
    let other = app.room("v2").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = visit(&app, "v1", Some(&other), page("X", "https://x", "url")).await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    let before = room_doc(&app, &other).await["msgs"].clone();
    assert_eq!(room_doc(&app, &other).await["msgs"], before);

    for (body, err) in [
        (
            json!({}),
            "must have required property 'token'\n must have required property 'pageInfo' [invalid-params]",
        ),
        (
            json!({"token": "v1", "pageInfo": {"title": "t", "change": "url"}}),
            "must have required property 'location' [invalid-params]",
        ),
        (
            json!({"token": "v1", "pageInfo": {"title": "t", "change": "url", "location": {}}}),
            "must have required property 'href' [invalid-params]",
        ),
        (
            json!({"token": "v1", "pageInfo": {"title": "t", "change": "url", "location": {"href": "h"}}, "extra": 1}),
            "must NOT have additional properties [invalid-params]",
        ),
        (
            json!({"token": "v1", "pageInfo": "x"}),
            "must be object [invalid-params]",
        ),
    ] {
        let r = app
            .req(
                Method::POST,
                "/api/v1/livechat/page.visited",
                None,
                Some(body),
            )
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["error"], err);
    }
}

#[tokio::test]
async fn only_visible_navigation_reaches_the_room_stream() {
    use crate::realtime::{Ddp, visitor_args};
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    app.visitor("v1").await;
    let rid = app.room("v1").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut d = Ddp::open(&app).await;
    d.call("livechat:setUpConnection", json!([{"token": "v1"}]))
        .await;
    assert_eq!(
        d.sub("stream-room-messages", json!([rid, visitor_args("v1")]))
            .await["msg"],
        "ready"
    );
    // Hidden (the default): stored, not broadcast; the next frame is the visitor's message.
    visit(&app, "v1", Some(&rid), page("A", "https://a", "url")).await;
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "v1", "rid": rid, "msg": "hi"}),
    )
    .await;
    assert_eq!(d.recv().await["fields"]["args"][0]["msg"], "hi");
    app.set_setting("Livechat_Visitor_navigation_as_a_message", json!(true))
        .await;
    visit(&app, "v1", Some(&rid), page("B", "https://b", "url")).await;
    let m = d.recv().await["fields"]["args"][0].clone();
    assert_eq!(
        (m["t"].as_str(), m["msg"].as_str()),
        (Some("livechat_navigation_history"), Some("B - https://b"))
    );
}

#[tokio::test]
async fn a_room_id_not_created_yet_waits_for_the_tokens_room() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    app.set_setting("Livechat_Visitor_navigation_as_a_message", json!(true))
        .await;
    app.visitor("v1").await;
    app.visitor("v2").await;
    // The widget names the room before it exists.
    let r = visit(
        &app,
        "v1",
        Some("madeUpRoomId12345"),
        page("Cart", "https://shop.example/cart", "url"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["page"]["msg"], "Cart - https://shop.example/cart");
    // Another visitor's existing room stays refused.
    let other = app.room("v2").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = visit(&app, "v1", Some(&other), page("X", "https://x", "url")).await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);

    let room = app.room("v1").await;
    assert_eq!(room.status, 200, "{}", room.text);
    let rid = room.body["room"]["_id"].as_str().unwrap().to_string();
    let nav: Vec<Value> = history(&app, "v1", &rid)
        .await
        .into_iter()
        .filter(|m| m["t"] == "livechat_navigation_history")
        .collect();
    assert_eq!(nav.len(), 1, "{nav:?}");
    assert_eq!(nav[0]["msg"], "Cart - https://shop.example/cart");
    assert_eq!(nav[0]["rid"], rid.as_str());
    let r = app
        .get(&format!("/api/v1/livechat/room?token=v1&rid={rid}"))
        .await;
    assert!(r.body["room"]["msgs"].as_i64() >= Some(1), "{}", r.text);
    // Nothing of v1's went to v2's room.
    assert!(
        history(&app, "v2", &other)
            .await
            .iter()
            .all(|m| m["t"] != "livechat_navigation_history")
    );
}
