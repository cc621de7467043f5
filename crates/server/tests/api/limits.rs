//! Issue 13 item 6: limits and small leaks (message size on every way in, 413 for large
//! bodies, `users.info` e-mails, login token expiry).

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

const SIZE_EXCEEDED: &str = r#"{"success":false,"error":"Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]","errorType":"error-message-size-exceeded","details":{"method":"sendMessage"}}"#;

async fn open_room(app: &TestApp, token: &str) -> String {
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": token, "name": "Mary"}}),
    )
    .await;
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"]["_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn message_max_allowed_size_on_every_way_in() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    let rid = open_room(&app, "tok").await;
    let longest = "é".repeat(5000);
    let too_long = "x".repeat(5001);
    let say = |msg: &str| {
        app.post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid, "msg": msg}),
        )
    };
    let r = say(&longest).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = say(&too_long).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text, SIZE_EXCEEDED);
    let id = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid, "msg": "short"}),
        )
        .await
        .body["message"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Editing cannot grow a message past it either.
    let r = app
        .req(
            Method::PUT,
            &format!("/api/v1/livechat/message/{id}"),
            None,
            Some(json!({"token": "tok", "rid": rid, "msg": too_long})),
        )
        .await;
    assert_eq!(r.text, SIZE_EXCEEDED);
    // The agent's answer.
    let r = app
        .post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": too_long}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text, SIZE_EXCEEDED);
    // An integration's batch: all or nothing.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/messages",
            json!({"visitor": {"token": "batch"}, "messages": [{"msg": "fine"}, {"msg": too_long}]}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.text, SIZE_EXCEEDED);
    let r = app.room("batch").await;
    let history = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{}?token=batch",
            r.body["room"]["_id"].as_str().unwrap_or("")
        ))
        .await;
    assert!(
        history.body["messages"]
            .as_array()
            .is_none_or(|m| m.iter().all(|m| m["msg"] != "fine")),
        "{}",
        history.text
    );
    // The setting moves the limit.
    app.set_setting("Message_MaxAllowedSize", json!(10)).await;
    assert_eq!(say("01234567890").await.text, SIZE_EXCEEDED);
    assert_eq!(say("0123456789").await.status, 200);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_the_envelope() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": "r", "msg": huge}),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-request-entity-too-large"}"#
    );
}

#[tokio::test]
async fn users_info_shows_emails_only_to_those_allowed() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    let other = app.create_user("bob", &[]).await;
    // Someone else's: no e-mail for a plain user or agent.
    for who in [&agent, &other] {
        let r = app.get_as(who, "/api/v1/users.info?username=admin").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["user"]["username"], "admin");
        assert!(r.body["user"].get("emails").is_none(), "{}", r.text);
    }
    // One's own, and anyone's for holders of view-full-other-user-info (admins).
    let r = app.get_as(&agent, "/api/v1/users.info?username=jane").await;
    assert_eq!(r.body["user"]["emails"][0]["address"], "jane@example.com");
    let r = app
        .get_as(&app.admin, "/api/v1/users.info?username=bob")
        .await;
    assert_eq!(r.body["user"]["emails"][0]["address"], "bob@example.com");
}

#[tokio::test]
async fn login_tokens_expire_after_accounts_login_expiration() {
    let mut app = TestApp::spawn_with_clock("2026-01-01T00:00:00.000Z").await;
    let user = app.create_user("bob", &[]).await;
    app.set_time("2026-03-31T23:59:00.000Z");
    assert_eq!(app.get_as(&user, "/api/v1/me").await.status, 200);
    // 90 days after it was issued, the token no longer works (headers, REST or DDP resume).
    app.set_time("2026-04-01T00:00:01.000Z");
    let r = app.get_as(&user, "/api/v1/me").await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = app
        .post("/api/v1/login", json!({"resume": user.token}))
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    let mut d = crate::realtime::Ddp::open(&app).await;
    let r = d.call("login", json!([{"resume": user.token}])).await;
    assert_eq!(r["error"]["error"], 403, "{r}");
    // The setting shortens it.
    let fresh = app.login("bob", "pass").await;
    app.admin = app.login(ADMIN, ADMIN_PASS).await;
    app.set_setting("Accounts_LoginExpiration", json!(1)).await;
    app.set_time("2026-04-02T00:00:02.000Z");
    assert_eq!(app.get_as(&fresh, "/api/v1/me").await.status, 401);
}
