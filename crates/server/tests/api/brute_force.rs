//! Issue 13 item 4: brute force. The limiter keys on the socket's address unless the
//! operator names trusted proxies; REST and DDP logins share one window; failed logins
//! block the user and the address (`Block_Multiple_Failed_Logins_*`); an unknown user's
//! login costs a bcrypt check like a known one's.

use crate::helpers::*;
use crate::realtime::Ddp;
use reqwest::Method;
use serde_json::{Value, json};

async fn info_from(app: &TestApp, forwarded: &str, real: &str) -> Resp {
    let res = app
        .http
        .get(format!("{}/api/info", app.base))
        .header("X-Forwarded-For", forwarded)
        .header("X-Real-IP", real)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Resp {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers,
    }
}

#[tokio::test]
async fn forwarded_headers_from_a_client_do_not_escape_the_limit() {
    let app = TestApp::spawn_rate_limited().await;
    // The default limit is 10 calls a minute per address and route; a client rotating
    // `X-Forwarded-For` and `X-Real-IP` is still the one socket address.
    for i in 0..10 {
        let r = info_from(&app, &format!("10.0.0.{i}"), &format!("10.1.0.{i}")).await;
        assert_eq!(r.status, 200, "call {i}: {}", r.text);
    }
    let r = info_from(&app, "10.0.0.99", "10.1.0.99").await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["success"], false);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
    let app = TestApp::spawn_limited_configured(|c| {
        c.trusted_proxies = Some("127.0.0.0/8, 192.168.7.1".into())
    })
    .await;
    // The client writes whatever it likes left of what the proxies append.
    for i in 0..10 {
        let r = info_from(&app, &format!("6.6.6.{i}, 1.2.3.4, 192.168.7.1"), "9.9.9.9").await;
        assert_eq!(r.status, 200, "call {i}: {}", r.text);
    }
    let r = info_from(&app, "6.6.6.200, 1.2.3.4, 192.168.7.1", "9.9.9.9").await;
    assert_eq!(r.status, 429, "{}", r.text);
    // Another client behind the same proxy has its own window.
    let r = info_from(&app, "1.2.3.5, 192.168.7.1", "9.9.9.9").await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn ddp_login_is_rate_limited_with_rest_login() {
    let app = TestApp::spawn_rate_limited().await;
    // The harness's admin login was the first of 10 this minute; 9 more over DDP.
    let mut d = Ddp::open(&app).await;
    for i in 0..9 {
        let r = d
            .call(
                "login",
                json!([{"user": {"username": format!("nobody{i}")}, "password": "x"}]),
            )
            .await;
        assert_eq!(r["error"]["error"], 403, "{r}");
    }
    let r = d
        .call(
            "login",
            json!([{"user": {"username": ADMIN}, "password": ADMIN_PASS}]),
        )
        .await;
    assert_eq!(r["error"]["error"], "too-many-requests", "{r}");
    assert!(
        r["error"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("Error, too many requests. Please slow down. You must wait "),
        "{r}"
    );
    assert!(r["error"]["details"]["timeToReset"].as_i64().unwrap() > 0);
    let r = app
        .post(
            "/api/v1/login",
            json!({"user": ADMIN, "password": ADMIN_PASS}),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
}

async fn wrong_login(app: &TestApp, user: &str) -> Resp {
    app.req(
        Method::POST,
        "/api/v1/login",
        None,
        Some(json!({"user": user, "password": "wrong"})),
    )
    .await
}

#[tokio::test]
async fn failed_logins_block_the_user_for_a_while() {
    let app = TestApp::spawn_with_clock("2026-03-01T10:00:00.000Z").await;
    app.set_setting(
        "Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User",
        json!(3),
    )
    .await;
    app.create_user("victim", &[]).await;
    for _ in 0..3 {
        let r = wrong_login(&app, "victim").await;
        assert_eq!(r.status, 401);
        assert_eq!(r.body["message"], "Incorrect password");
    }
    // Even the right password is refused now, over REST and DDP alike.
    let r = app
        .post(
            "/api/v1/login",
            json!({"user": "victim", "password": "pass"}),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.text,
        r#"{"status":"error","error":"error-login-blocked-for-user","details":{"function":"Accounts.validateLoginAttempt"},"message":"Login has been temporarily blocked For User","success":false}"#
    );
    let mut d = Ddp::open(&app).await;
    let r = d
        .call(
            "login",
            json!([{"user": {"username": "victim"}, "password": "pass"}]),
        )
        .await;
    assert_eq!(r["error"]["error"], "error-login-blocked-for-user", "{r}");
    assert_eq!(
        r["error"]["reason"],
        "Login has been temporarily blocked For User"
    );
    assert_eq!(
        r["error"]["details"],
        json!({"function": "Accounts.validateLoginAttempt"})
    );
    // Other users are not affected; the block ends 5 minutes after the last failure.
    app.login(ADMIN, ADMIN_PASS).await;
    app.set_time("2026-03-01T10:04:59.000Z");
    let r = app
        .post(
            "/api/v1/login",
            json!({"user": "victim", "password": "pass"}),
        )
        .await;
    assert_eq!(r.body["error"], "error-login-blocked-for-user");
    app.set_time("2026-03-01T10:10:00.000Z");
    app.login("victim", "pass").await;
    // A success starts the count again.
    let r = wrong_login(&app, "victim").await;
    assert_eq!(r.body["message"], "Incorrect password");
}

#[tokio::test]
async fn failed_logins_block_the_address() {
    let app = TestApp::spawn_with_clock("2026-03-01T10:00:00.000Z").await;
    app.set_setting(
        "Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip",
        json!(4),
    )
    .await;
    // Guessing across many names (unknown ones too) from one address.
    for i in 0..4 {
        let r = wrong_login(&app, &format!("guess{i}")).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.body["error"], "Unauthorized");
    }
    let r = app
        .post(
            "/api/v1/login",
            json!({"user": ADMIN, "password": ADMIN_PASS}),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.text,
        r#"{"status":"error","error":"error-login-blocked-for-ip","details":{"function":"Accounts.validateLoginAttempt"},"message":"Login has been temporarily blocked For IP","success":false}"#
    );
    let r = app
        .post("/api/v1/login", json!({"resume": app.admin.token}))
        .await;
    assert_eq!(r.body["error"], "error-login-blocked-for-ip");
    // Upstream's whitelist lifts it for listed addresses.
    app.set_setting(
        "Block_Multiple_Failed_Logins_Ip_Whitelist",
        json!("10.9.9.9,127.0.0.1"),
    )
    .await;
    app.login(ADMIN, ADMIN_PASS).await;
    // Off entirely when the protection is off.
    app.set_setting("Block_Multiple_Failed_Logins_Ip_Whitelist", json!(""))
        .await;
    for i in 0..4 {
        wrong_login(&app, &format!("again{i}")).await;
    }
    assert_eq!(
        wrong_login(&app, "x").await.body["error"],
        "error-login-blocked-for-ip"
    );
    app.set_setting("Block_Multiple_Failed_Logins_Enabled", json!(false))
        .await;
    app.login(ADMIN, ADMIN_PASS).await;
}

async fn password_checks(app: &TestApp) -> u64 {
    let m = app.get("/metrics").await.text;
    m.lines()
        .find(|l| l.starts_with("ferrochat_password_checks_total"))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("no password counter in {m}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_unknown_user_costs_a_bcrypt_check_too() {
    // Counted, not timed: every password login makes one bcrypt verification, whether the
    // user exists or not, so an unknown name answers no faster than a wrong password.
    let app = TestApp::spawn().await;
    let before = password_checks(&app).await;
    for name in ["nobody-at-all", "no.one@example.com", ADMIN] {
        let r = wrong_login(&app, name).await;
        assert_eq!(r.status, 401, "{name}: {}", r.text);
    }
    assert_eq!(password_checks(&app).await, before + 3);
}
