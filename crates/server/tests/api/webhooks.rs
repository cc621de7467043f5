//! Issue 8b: webhooks to the site's CRM (upstream's `sendToCRM` payloads), delivered in the
//! background through the outbox to a real HTTP receiver, and lead capture.

use crate::delivery_support::*;
use crate::helpers::*;
use serde_json::{Value, json};

async fn hooked(app: &TestApp, rx: &Receiver, on: &[&str]) {
    app.set_setting("Livechat_webhookUrl", rx.url.clone().into())
        .await;
    app.set_setting("Livechat_secret_token", "s3cret".into())
        .await;
    for s in on {
        app.set_setting(&format!("Livechat_webhook_on_{s}"), true.into())
            .await;
    }
}

async fn open_room(app: &TestApp, token: &str) -> String {
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": token, "name": "Mary"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"]["_id"].as_str().unwrap().to_string()
}

async fn say(app: &TestApp, token: &str, rid: &str, msg: &str) -> Value {
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": token, "rid": rid, "msg": msg}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["message"].clone()
}

#[tokio::test]
async fn webhook_test_endpoint() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/livechat/webhook.test";
    let r = app.post(path, json!({})).await;
    assert_eq!(r.status, 401);
    let agent = app.create_agent("agent1").await;
    let r = app.post_as(&agent, path, json!({})).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["success"], false);
    let r = app.post_as(&app.admin, path, json!({})).await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (
            400,
            &json!({"success": false, "error": "Webhook_URL_not_set"})
        )
    );

    let rx = Receiver::start(&[200, 404]).await;
    hooked(&app, &rx, &[]).await;
    let r = app.post_as(&app.admin, path, json!({})).await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (200, &json!({"success": true}))
    );
    let hit = &rx.hits()[0];
    assert_eq!(hit.headers["x-rocketchat-livechat-token"], "s3cret");
    assert_eq!(hit.body["type"], "LivechatSession");
    assert_eq!(hit.body["visitor"]["username"], "visitor-username");
    assert_eq!(hit.body["messages"].as_array().unwrap().len(), 2);
    // Any status but 200 is a failed test.
    let r = app.post_as(&app.admin, path, json!({})).await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (
            400,
            &json!({"success": false, "error": "error-invalid-webhook-response"})
        )
    );
    // Nothing listening.
    app.set_setting(
        "Livechat_webhookUrl",
        format!("http://127.0.0.1:{}/x", free_port()).into(),
    )
    .await;
    let r = app.post_as(&app.admin, path, json!({})).await;
    assert_eq!(r.body["error"], "error-invalid-webhook-response");
}

#[tokio::test]
async fn a_conversation_reaches_the_crm() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(&[]).await;
    hooked(
        &app,
        &rx,
        &[
            "start",
            "chat_taken",
            "visitor_message",
            "agent_message",
            "close",
        ],
    )
    .await;
    let agent = app.create_agent("agent1").await;
    let rid = open_room(&app, "tok-1").await;
    say(&app, "tok-1", &rid, "Hello there").await;
    let r = app
        .post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "Hi Mary"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(
            "/api/v1/livechat/room.close",
            json!({"rid": rid, "token": "tok-1"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let start = rx.wait_delivered("LivechatSessionStart").await;
    assert_eq!(start.headers["x-rocketchat-livechat-token"], "s3cret");
    assert_eq!(start.headers["content-type"], "application/json");
    let b = &start.body;
    assert_eq!(b["_id"], rid.as_str());
    assert_eq!(b["label"], "Mary");
    assert_eq!(b["visitor"]["token"], "tok-1");
    assert_eq!(b["visitor"]["name"], "Mary");
    assert_eq!(b["agent"]["username"], "agent1");
    assert_eq!(b["agent"]["email"], "agent1@example.com");
    // Upstream's key order: room, visitor, agent, then type and messages.
    let keys: Vec<&str> = b.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(&keys[..3], ["_id", "label", "createdAt"]);
    let ti = keys.iter().position(|k| *k == "type").unwrap();
    assert_eq!(keys[ti + 1], "messages");
    assert!(keys.iter().position(|k| *k == "visitor").unwrap() < ti);

    let taken = rx.wait_delivered("LivechatSessionTaken").await;
    assert_eq!(taken.body["servedBy"]["username"], "agent1");

    let msgs = eventually("both message webhooks", || async {
        let m = rx.delivered("Message");
        (m.len() >= 2).then_some(m)
    })
    .await;
    let visitor_msg = msgs
        .iter()
        .find(|h| h.body["messages"][0]["msg"] == "Hello there")
        .unwrap();
    let m0 = &visitor_msg.body["messages"][0];
    assert_eq!(m0["username"], visitor_msg.body["visitor"]["username"]);
    assert!(m0.get("agentId").is_none());
    assert_eq!(visitor_msg.body["messages"].as_array().unwrap().len(), 1);
    let agent_msg = msgs
        .iter()
        .find(|h| h.body["messages"][0]["msg"] == "Hi Mary")
        .unwrap();
    assert_eq!(agent_msg.body["messages"][0]["agentId"], agent.id.as_str());

    let closed = rx.wait_delivered("LivechatSession").await;
    let c = &closed.body;
    assert_eq!(c["closer"], "visitor");
    assert!(c["closedAt"].is_string());
    // The whole conversation: visitor and agent messages and the closing one; other
    // system messages are left out.
    let texts: Vec<&str> = c["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["msg"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        texts,
        ["Hello there", "Hi Mary", "Closed by visitor"],
        "{c}"
    );
    assert_eq!(c["messages"][2]["closingMessage"], true);

    outbox_settled(&app).await;
    // Each event once; the CRM's answer is kept on the room.
    for kind in [
        "LivechatSessionStart",
        "LivechatSessionTaken",
        "LivechatSession",
    ] {
        assert_eq!(rx.delivered(kind).len(), 1, "{kind}");
    }
    assert_eq!(rx.delivered("Message").len(), 2);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?roomName=Mary")
        .await;
    let room = r.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["_id"] == rid.as_str())
        .cloned();
    assert_eq!(room.unwrap()["crmData"], r#"{"crm":"ok"}"#, "{}", r.text);
}

#[tokio::test]
async fn queued_chats_and_disabled_events() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(&[]).await;
    hooked(&app, &rx, &["chat_queued"]).await;
    // No agent: the chat waits in the queue.
    app.set_setting("Livechat_accept_chats_with_no_agents", true.into())
        .await;
    let rid = open_room(&app, "tok-q").await;
    say(&app, "tok-q", &rid, "anyone?").await;
    let q = rx.wait_delivered("LivechatSessionQueued").await;
    assert_eq!(q.body["_id"], rid.as_str());
    assert!(q.body.get("agent").is_none());
    outbox_settled(&app).await;
    // Events whose setting is off send nothing.
    assert_eq!(rx.hits().len(), 1, "{:?}", rx.hits());
}

#[tokio::test]
async fn failing_receiver_gets_the_call_once_it_recovers() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(&[500, 503, 429, 200]).await;
    hooked(&app, &rx, &["offline_msg"]).await;
    app.set_setting("Livechat_validate_offline_email", false.into())
        .await;
    app.set_setting("Livechat_offline_email", "desk@ferrochat.test".into())
        .await;
    let r = app
        .post(
            "/api/v1/livechat/offline.message",
            json!({"name": "Mary", "email": "mary@example.org", "message": "call me"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let hit = rx.wait_delivered("LivechatOfflineMessage").await;
    assert_eq!(
        hit.body["visitor"],
        json!({"name": "Mary", "email": "mary@example.org"})
    );
    assert_eq!(hit.body["message"], "call me");
    assert!(hit.body["sentAt"].is_string());
    outbox_settled(&app).await;
    let statuses: Vec<u16> = rx.hits().iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [500, 503, 429, 200],
        "retried, then delivered exactly once"
    );
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(&[400]).await;
    hooked(&app, &rx, &["offline_msg"]).await;
    app.set_setting("Livechat_validate_offline_email", false.into())
        .await;
    app.set_setting("Livechat_offline_email", "desk@ferrochat.test".into())
        .await;
    let r = app
        .post(
            "/api/v1/livechat/offline.message",
            json!({"name": "Mary", "email": "mary@example.org", "message": "x"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    eventually("the call", || async {
        (!rx.hits().is_empty()).then_some(())
    })
    .await;
    outbox_settled(&app).await;
    assert_eq!(rx.hits().len(), 1);
}

#[tokio::test]
async fn lead_capture_fills_the_visitor() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(&[]).await;
    hooked(&app, &rx, &["capture"]).await;
    app.create_agent("agent1").await;
    let rid = open_room(&app, "tok-l").await;
    say(&app, "tok-l", &rid, "nothing to see").await;
    say(
        &app,
        "tok-l",
        &rid,
        "write to Mary@Example.com or mary@example.com, call (11) 98765-4321",
    )
    .await;
    let r = app.get("/api/v1/livechat/visitor/tok-l").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = &r.body["visitor"];
    assert_eq!(
        v["visitorEmails"],
        json!([{"address": "Mary@Example.com"}, {"address": "mary@example.com"}])
    );
    assert_eq!(v["phone"], json!([{"phoneNumber": "(11) 98765-4321"}]));
    // The same lead again adds nothing new.
    say(&app, "tok-l", &rid, "again: mary@example.com").await;
    let r = app.get("/api/v1/livechat/visitor/tok-l").await;
    assert_eq!(
        r.body["visitor"]["visitorEmails"].as_array().unwrap().len(),
        2
    );

    let hit = rx.wait_delivered("LeadCapture").await;
    assert_eq!(hit.body["messages"], json!([]));
    assert_eq!(
        hit.body["visitor"]["email"][0]["address"],
        "Mary@Example.com"
    );
    outbox_settled(&app).await;
    // One capture webhook per message with a lead; none for the message without one.
    assert_eq!(rx.delivered("LeadCapture").len(), 2);

    // Agents' messages are never captured.
    let agent = app.login("agent1", "pass").await;
    app.post_as(
        &agent,
        "/api/v1/chat.sendMessage",
        json!({"message": {"rid": rid, "msg": "mine is agent@corp.example.org"}}),
    )
    .await;
    let r = app.get("/api/v1/livechat/visitor/tok-l").await;
    assert_eq!(
        r.body["visitor"]["visitorEmails"].as_array().unwrap().len(),
        2
    );
}
