//! The outbox holds up against hostile input: user text that reaches a mail header can never
//! stop delivery, a failing item is retried and then parked as dead without blocking the
//! rest, and `/health` says when delivery is stuck.

use crate::delivery_support::*;
use crate::helpers::*;
use ferrochat::store::OutboxItem;
use ferrochat::time::Ts;
use serde_json::{Value, json};

const BAD_EMAIL: &str = "must match format \"email\" [invalid-params]";

async fn mail_app(smtp_port: u16) -> TestApp {
    let app = TestApp::spawn().await;
    Smtp::configure(&app, smtp_port).await;
    app.set_setting("Livechat_validate_offline_email", false.into())
        .await;
    app.set_setting("Livechat_offline_email", "desk@ferrochat.test".into())
        .await;
    app
}

async fn offline(app: &TestApp, name: &str, email: &str, message: &str) -> Resp {
    app.post(
        "/api/v1/livechat/offline.message",
        json!({"name": name, "email": email, "message": message}),
    )
    .await
}

/// A header's value with its continuation lines, RFC 2047 `=?utf-8?b?…?=` words decoded.
fn decoded_header(raw: &str, name: &str) -> String {
    use base64::Engine;
    let mut value = String::new();
    let mut inside = false;
    for l in header_lines(raw) {
        if l.starts_with([' ', '\t']) {
            if inside {
                value.push_str(l.trim());
            }
        } else {
            inside = l
                .split_once(':')
                .is_some_and(|(k, _)| k.eq_ignore_ascii_case(name));
            if inside {
                value.push_str(l.split_once(':').unwrap().1.trim());
            }
        }
    }
    let mut out = String::new();
    for part in value.split("?=") {
        match part.split_once("=?utf-8?b?") {
            Some((plain, b64)) => {
                out.push_str(plain);
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap();
                out.push_str(&String::from_utf8(bytes).unwrap());
            }
            None => out.push_str(part),
        }
    }
    out
}

fn header_lines(raw: &str) -> Vec<&str> {
    raw.lines().take_while(|l| !l.trim().is_empty()).collect()
}

/// An item as an older version (or another route) may have left it in the store.
async fn put(app: &TestApp, kind: &str, payload: Value, attempts: i64, max: i64) -> String {
    let now = Ts::from_millis(chrono_now());
    let item = OutboxItem {
        id: ferrochat::ids::random_id(),
        kind: kind.into(),
        payload,
        attempts,
        max_attempts: max,
        next_attempt_at: now,
        created_at: now,
    };
    app.store.outbox_enqueue(&item).await.unwrap();
    item.id
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn dead_error(app: &TestApp, id: &str) -> String {
    eventually(&format!("item {id} parked as dead"), || async {
        let status: String = app.db_one("SELECT status FROM outbox WHERE id = ?1", &[id]);
        (status == "failed")
            .then(|| app.db_one::<String>("SELECT last_error FROM outbox WHERE id = ?1", &[id]))
    })
    .await
}

#[tokio::test]
async fn line_breaks_in_the_offline_form_never_stop_delivery() {
    let smtp = Smtp::start().await;
    let app = mail_app(smtp.port).await;
    let rx = Receiver::start(&[]).await;
    app.set_setting("Livechat_webhookUrl", rx.url.clone().into())
        .await;
    app.set_setting("Livechat_webhook_on_offline_msg", true.into())
        .await;

    // An address can never hold a line break: refused before anything is queued.
    for email in [
        "mary@example.org\r\nBcc: x@evil.test",
        "mary@example.org\n",
        "\rm@x.org",
    ] {
        let r = offline(&app, "Mary", email, "hi").await;
        assert_eq!(r.status, 400, "{email:?}: {}", r.text);
        assert_eq!(r.body["error"], BAD_EMAIL, "{}", r.text);
        assert_eq!(r.body["errorType"], "invalid-params");
    }
    // A name may (upstream takes it); its line breaks become spaces, as nodemailer does.
    let r = offline(
        &app,
        "Mary\r\nBcc: victim@evil.test\r\nSubject: spam",
        "mary@example.org",
        "first\r\nsecond",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Delivery goes on for everything after it.
    let r = offline(&app, "Bob", "bob@example.org", "after the poison").await;
    assert_eq!(r.status, 200, "{}", r.text);

    let mails = smtp.wait_mails(2).await;
    rx.wait_delivered("LivechatOfflineMessage").await;
    eventually("both webhooks", || async {
        (rx.delivered("LivechatOfflineMessage").len() == 2).then_some(())
    })
    .await;
    outbox_settled(&app).await;
    let mary = mails
        .iter()
        .find(|m| mail_text(m).contains("first"))
        .expect("Mary's mail");
    let headers = header_lines(mary);
    for l in &headers {
        assert!(!l.to_ascii_lowercase().starts_with("bcc:"), "{mary}");
    }
    assert_eq!(
        headers
            .iter()
            .filter(|l| l.to_ascii_lowercase().starts_with("subject:"))
            .count(),
        1,
        "{mary}"
    );
    assert!(
        decoded_header(mary, "From")
            .contains("Mary Bcc: victim@evil.test Subject: spam - mary@example.org"),
        "{mary}"
    );
    assert!(
        mails
            .iter()
            .any(|m| mail_text(m).contains("after the poison"))
    );
    let h = app.get("/health").await;
    assert_eq!(h.body["status"], "ok", "{}", h.text);
    assert_eq!(h.body["outbox"]["dead"], 0, "{}", h.text);
    assert_eq!(h.body["outbox"]["worker"], "running", "{}", h.text);
}

#[tokio::test]
async fn addresses_that_reach_a_header_are_refused_with_a_line_break() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    app.grant("send-omnichannel-chat-transcript", "livechat-agent")
        .await;
    // A department's e-mail (the offline form's recipient).
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": {"enabled": true, "showOnRegistration": true, "showOnOfflineForm": true,
                   "name": "Sales", "email": "sales@ferrochat.test\r\nBcc: x@evil.test"}}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"], BAD_EMAIL, "{}", r.text);
    // The transcript's address, asked by the visitor or by an agent.
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "tok-1", "name": "Mary"}}),
    )
    .await;
    let rid = app.room("tok-1").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            "/api/v1/livechat/transcript",
            json!({"token": "tok-1", "rid": rid, "email": "m@example.org\nBcc: x@evil.test"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"], BAD_EMAIL, "{}", r.text);
    let r = app
        .post_as(
            &agent,
            &format!("/api/v1/livechat/transcript/{rid}"),
            json!({"email": "m@example.org\r\n", "subject": "Your chat"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"], BAD_EMAIL, "{}", r.text);
}

#[tokio::test]
async fn a_poisoned_item_is_parked_and_never_blocks_the_rest() {
    let smtp = Smtp::start().await;
    let app = mail_app(smtp.port).await;
    // Left by an older version: a display name with a line break (this used to panic the
    // worker), a recipient that is no address, a kind no worker knows.
    let crlf = put(
        &app,
        "email",
        json!({"to": "desk@ferrochat.test", "from": {"name": "Eve\r\nBcc: x@evil.test", "address": "support@ferrochat.test"},
               "subject": "old\r\nBcc: x@evil.test", "html": "<p>legacy</p>", "text": "legacy"}),
        0,
        3,
    )
    .await;
    let bad_to = put(
        &app,
        "email",
        json!({"to": "nobody", "from": {"address": "support@ferrochat.test"}, "subject": "s", "html": "", "text": ""}),
        0,
        3,
    )
    .await;
    let unknown = put(&app, "carrier-pigeon", json!({}), 0, 3).await;
    let r = offline(&app, "Bob", "bob@example.org", "still delivered").await;
    assert_eq!(r.status, 200, "{}", r.text);

    let mails = smtp.wait_mails(2).await;
    assert!(
        mails
            .iter()
            .any(|m| mail_text(m).contains("still delivered"))
    );
    let legacy = mails
        .iter()
        .find(|m| mail_text(m).contains("legacy"))
        .expect("the legacy mail, its name made safe");
    assert!(
        header_lines(legacy)
            .iter()
            .all(|l| !l.to_ascii_lowercase().starts_with("bcc:")),
        "{legacy}"
    );
    assert!(dead_error(&app, &bad_to).await.contains("nobody"));
    assert!(
        dead_error(&app, &unknown)
            .await
            .contains("unknown outbox kind")
    );
    outbox_settled(&app).await;
    let status: String = app.db_one("SELECT status FROM outbox WHERE id = ?1", &[&crlf]);
    assert_eq!(status, "sent");
    let h = app.get("/health").await;
    assert_eq!(h.body["outbox"]["dead"], 2, "{}", h.text);
    assert_eq!(h.body["outbox"]["pending"], 0, "{}", h.text);
    let m = app.get("/metrics").await;
    assert!(
        m.text
            .lines()
            .any(|l| l.starts_with("ferrochat_outbox_dead{") && l.ends_with(" 2")),
        "{}",
        m.text
    );
}

#[tokio::test]
async fn an_item_whose_attempts_all_died_is_parked() {
    let smtp = Smtp::start().await;
    let app = mail_app(smtp.port).await;
    // Every attempt so far was claimed and never finished (the worker died holding it, and
    // the lease ran out): it must not get another.
    let id = put(
        &app,
        "email",
        json!({"to": "desk@ferrochat.test", "from": {"address": "support@ferrochat.test"},
               "subject": "s", "html": "<p>poison</p>", "text": "poison"}),
        3,
        3,
    )
    .await;
    let err = dead_error(&app, &id).await;
    assert!(err.contains("no outcome"), "{err}");
    let r = offline(&app, "Bob", "bob@example.org", "next one").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mails = smtp.wait_mails(1).await;
    outbox_settled(&app).await;
    assert_eq!(smtp.mails().len(), 1, "{mails:?}");
    assert!(mail_text(&mails[0]).contains("next one"));
}

#[tokio::test]
async fn health_says_degraded_while_delivery_is_stuck() {
    // The mail server is down: a port that takes connections and drops them at once.
    let down = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = down.local_addr().unwrap().port();
    let refuse = tokio::spawn(async move {
        while let Ok((s, _)) = down.accept().await {
            drop(s);
        }
    });
    let app = TestApp::spawn_configured(|c| c.outbox_stuck_seconds = 1).await;
    Smtp::configure(&app, port).await;
    app.set_setting("Livechat_validate_offline_email", false.into())
        .await;
    app.set_setting("Livechat_offline_email", "desk@ferrochat.test".into())
        .await;
    let h = app.get("/health").await;
    assert_eq!(h.body["status"], "ok", "{}", h.text);
    assert_eq!(h.body["outbox"]["pending"], 0, "{}", h.text);

    let r = offline(&app, "Mary", "mary@example.org", "waiting").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let h = eventually("health to say degraded", || async {
        let h = app.get("/health").await;
        (h.body["status"] == "degraded").then_some(h)
    })
    .await;
    assert_eq!(h.status, 200, "degraded still serves: {}", h.text);
    assert_eq!(h.body["outbox"]["stuck"], true, "{}", h.text);
    assert_eq!(h.body["outbox"]["pending"], 1, "{}", h.text);
    assert!(h.body["outbox"]["oldestPendingSeconds"].as_i64().unwrap() >= 1);

    // The mail server comes back: the mail goes out and health recovers.
    refuse.abort();
    let _ = refuse.await;
    let smtp = Smtp::start_on(port).await;
    smtp.wait_mails(1).await;
    eventually("health to recover", || async {
        let h = app.get("/health").await;
        (h.body["status"] == "ok").then_some(())
    })
    .await;
}
