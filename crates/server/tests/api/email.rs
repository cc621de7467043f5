//! Issue 8b: the offline form and transcripts by e-mail, delivered through the outbox to a
//! real SMTP server (the test harness's sink) on loopback.

use crate::delivery_support::*;
use crate::helpers::*;
use serde_json::{Value, json};

const SENT: &str = "Livechat offline message sent";
const FAILED: &str = "Error sending Omnichannel offline message";

async fn offline(app: &TestApp, body: Value) -> Resp {
    app.post("/api/v1/livechat/offline.message", body).await
}

fn form(email: &str) -> Value {
    json!({"name": "Mary", "email": email, "message": "Hello, is anyone there?"})
}

/// A server whose MX checks ask a DNS server that knows only `example.org`.
async fn app_with_dns() -> (TestApp, Dns) {
    let dns = Dns::start(&["example.org"]).await;
    let addr = dns.addr;
    let app = TestApp::spawn_configured(move |c| c.dns_server = Some(addr)).await;
    (app, dns)
}

#[tokio::test]
async fn offline_message_refusals() {
    let (app, _dns) = app_with_dns().await;
    // Schema: every required field, strings only, nothing else.
    let r = offline(&app, json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "invalid-params");
    assert!(
        r.body["error"]
            .as_str()
            .unwrap()
            .contains("must have required property 'name'")
    );
    let r = offline(&app, json!({"name": "test", "email": ""})).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.body["error"].as_str().unwrap().contains("'message'"));
    let r = offline(
        &app,
        json!({"name": "a", "email": "a@example.org", "message": "m", "x": 1}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "must NOT have additional properties [invalid-params]"
    );
    let r = offline(
        &app,
        json!({"name": "a", "email": "a@example.org", "message": {}}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "must be string [invalid-params]");

    // Every refusal of the send itself answers the same translated failure.
    let failed = json!({"success": false, "error": FAILED});
    app.set_setting("Livechat_offline_email", "desk@example.org".into())
        .await;
    app.set_setting("Livechat_display_offline_form", false.into())
        .await;
    let r = offline(&app, form("mary@example.org")).await;
    assert_eq!((r.status.as_u16(), &r.body), (400, &failed));
    app.set_setting("Livechat_display_offline_form", true.into())
        .await;
    let r = offline(&app, form("")).await;
    assert_eq!((r.status.as_u16(), &r.body), (400, &failed));
    // MX validation (on by default): the DNS server knows no MX for this domain.
    let r = offline(&app, form("test@fadsjfldasjfd.com")).await;
    assert_eq!((r.status.as_u16(), &r.body), (400, &failed));
    // No (valid) recipient configured: the mailer refuses.
    app.set_setting("Livechat_offline_email", "afsdxcvxc".into())
        .await;
    let r = offline(&app, form("mary@example.org")).await;
    assert_eq!((r.status.as_u16(), &r.body), (400, &failed));
    app.set_setting("Livechat_offline_email", "".into()).await;
    let r = offline(&app, form("mary@example.org")).await;
    assert_eq!((r.status.as_u16(), &r.body), (400, &failed));

    // A domain with MX records passes; without validation any domain does.
    app.set_setting("Livechat_offline_email", "desk@example.org".into())
        .await;
    let r = offline(&app, form("mary@example.org")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({"message": SENT, "success": true}));
    app.set_setting("Livechat_validate_offline_email", false.into())
        .await;
    let r = offline(&app, form("test@fadsjfldasjfd.com")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // `department` and `host` may be null.
    let r = offline(
        &app,
        json!({"name": "M", "email": "m@x.org", "message": "hi", "department": null, "host": null}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn offline_message_reaches_the_inbox() {
    let smtp = Smtp::start().await;
    let app = TestApp::spawn().await;
    Smtp::configure(&app, smtp.port).await;
    app.set_setting("Livechat_validate_offline_email", false.into())
        .await;
    app.set_setting("Livechat_offline_email", "desk@ferrochat.test".into())
        .await;
    // A department with its own address takes the mail instead (found by id or by name).
    let d = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": {"enabled": true, "showOnRegistration": true, "showOnOfflineForm": true,
                   "name": "Sales", "email": "sales@ferrochat.test"}}),
        )
        .await;
    assert_eq!(d.status, 200, "{}", d.text);

    let r = offline(
        &app,
        json!({"name": "Mary <b>", "email": "mary@example.org", "message": "Line one\nLine two",
               "host": "https://shop.example.org"}),
    )
    .await;
    assert_eq!(r.body, json!({"message": SENT, "success": true}));
    let r = offline(
        &app,
        json!({"name": "Bob", "email": "bob@example.org", "message": "For sales", "department": "Sales"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let mails = smtp.wait_mails(2).await;
    outbox_settled(&app).await;
    assert_eq!(smtp.mails().len(), 2, "each mail exactly once");
    let mary = mails
        .iter()
        .find(|m| m.contains("Line one"))
        .expect("Mary's mail");
    assert_eq!(header(mary, "To"), Some("desk@ferrochat.test"));
    assert!(
        header(mary, "From")
            .unwrap()
            .contains("<support@ferrochat.test>")
    );
    assert!(
        header(mary, "Reply-To")
            .unwrap()
            .contains("mary@example.org")
    );
    assert!(
        header(mary, "Subject")
            .unwrap()
            .starts_with("Livechat offline message from")
    );
    let body = mail_text(mary);
    assert!(body.contains("<h1>New livechat message</h1>"), "{body}");
    assert!(body.contains("<p><strong>Sent from:</strong><a href='https://shop.example.org'> https://shop.example.org</a></p>"), "{body}");
    assert!(
        body.contains("<strong>Visitor name:</strong> Mary &lt;b&gt;"),
        "{body}"
    );
    assert!(
        body.contains("<strong>Visitor email:</strong> mary@example.org"),
        "{body}"
    );
    assert!(body.contains("Line one<br>"), "{body}");
    let bob = mails
        .iter()
        .find(|m| m.contains("For sales"))
        .expect("Bob's mail");
    assert_eq!(header(bob, "To"), Some("sales@ferrochat.test"));
}

#[tokio::test]
async fn mail_waits_out_an_smtp_outage() {
    // "Down": a port that takes connections and drops them at once.
    let down = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = down.local_addr().unwrap().port();
    let app = TestApp::spawn().await;
    Smtp::configure(&app, port).await;
    app.set_setting("Livechat_validate_offline_email", false.into())
        .await;
    app.set_setting("Livechat_offline_email", "desk@ferrochat.test".into())
        .await;

    // Acknowledged while the mail server is down: the mail is in the outbox.
    let r = offline(&app, form("mary@example.org")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Two delivery attempts hit the dead server...
    for _ in 0..2 {
        let (s, _) = tokio::time::timeout(std::time::Duration::from_secs(30), down.accept())
            .await
            .expect("a delivery attempt")
            .unwrap();
        drop(s);
    }
    drop(down);
    // ...then the server comes up on that port and the retry delivers, once.
    let smtp = Smtp::start_on(port).await;
    let mails = smtp.wait_mails(1).await;
    outbox_settled(&app).await;
    assert_eq!(smtp.mails().len(), 1, "delivered exactly once");
    assert!(mail_text(&mails[0]).contains("Hello, is anyone there?"));
}

async fn conversation(app: &TestApp, token: &str) -> (String, Creds) {
    let agent = app.create_agent("agent1").await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": token, "name": "Mary"}}),
    )
    .await;
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rid = r.body["room"]["_id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": token, "rid": rid, "msg": "I need <help>"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "Sure, what is it?"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    (rid, agent)
}

#[tokio::test]
async fn transcript_refusals() {
    let app = TestApp::spawn().await;
    let t = "/api/v1/livechat/transcript";
    let r = app.post(t, json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "invalid-params");
    let r = app.post(t, json!({"token": "test"})).await;
    assert_eq!(r.status, 400);
    let r = app.post(t, json!({"token": "test", "rid": "test"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "must have required property 'email' [invalid-params]"
    );
    let r = app
        .post(t, json!({"token": "test", "rid": "test", "email": ""}))
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (
            400,
            &json!({"success": false, "error": "error-invalid-token"})
        )
    );
    let (rid, _) = conversation(&app, "tok-a").await;
    let r = app
        .post(t, json!({"token": "tok-a", "rid": "test", "email": ""}))
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (
            400,
            &json!({"success": false, "error": "error-invalid-room"})
        )
    );
    // Another visitor's room.
    app.visitor("tok-b").await;
    let r = app
        .post(
            t,
            json!({"token": "tok-b", "rid": rid, "email": "b@example.org"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.body["error"]),
        (400, &json!("error-invalid-room"))
    );
    // The mailer refuses an address that is not one.
    let r = app
        .post(t, json!({"token": "tok-a", "rid": rid, "email": "test"}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"success": false, "error": "[invalid email]", "errorType": "invalid email"})
    );
}

#[tokio::test]
async fn transcript_is_mailed_and_recorded() {
    let smtp = Smtp::start().await;
    let app = TestApp::spawn().await;
    Smtp::configure(&app, smtp.port).await;
    let (rid, agent) = conversation(&app, "tok-t").await;
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "bye"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Said after closing: not part of the transcript.
    let r = app
        .post(
            "/api/v1/livechat/transcript",
            json!({"token": "tok-t", "rid": rid, "email": "mary@example.org"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"message": "Omnichannel transcript sent", "success": true})
    );

    let mails = smtp.wait_mails(1).await;
    let m = &mails[0];
    assert_eq!(header(m, "To"), Some("mary@example.org"));
    assert_eq!(header(m, "From"), Some("support@ferrochat.test"));
    assert_eq!(
        header(m, "Subject"),
        Some("Transcript of your omnichannel conversation.")
    );
    let body = mail_text(m);
    assert!(body.contains("<div> <hr>"), "{body}");
    assert!(body.contains("<p><strong>You</strong>  <em>"), "{body}");
    assert!(body.contains("<p>I need &lt;help&gt;</p>"), "{body}");
    assert!(body.contains("<p><strong>Name agent1</strong>"), "{body}");
    assert!(body.contains("<p>Sure, what is it?</p>"), "{body}");
    // System messages (the closing comment among them) are left out.
    assert!(!body.contains("bye"), "{body}");

    // The room records who asked for it.
    let hist = app.stored_messages(&rid, "livechat_transcript_history");
    assert_eq!(hist.len(), 1, "{hist:?}");
    assert_eq!(hist[0]["u"]["username"], "rocket.cat");
    assert_eq!(hist[0]["requestData"]["type"], "visitor");
    assert_eq!(hist[0]["requestData"]["visitor"]["token"], "tok-t");

    // Agent info hidden: the agent is just "Agent".
    app.set_setting("Livechat_show_agent_info", false.into())
        .await;
    let r = app
        .post(
            "/api/v1/livechat/transcript",
            json!({"token": "tok-t", "rid": rid, "email": "mary@example.org"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mails = smtp.wait_mails(2).await;
    let second = mails
        .iter()
        .map(|m| mail_text(m))
        .find(|b| b.contains("<strong>Agent</strong>"));
    assert!(second.is_some(), "{mails:?}");
}

#[tokio::test]
async fn two_instances_on_one_store_send_each_mail_once() {
    let smtp = Smtp::start().await;
    let a = TestApp::spawn().await;
    Smtp::configure(&a, smtp.port).await;
    a.set_setting("Livechat_validate_offline_email", false.into())
        .await;
    a.set_setting("Livechat_offline_email", "desk@ferrochat.test".into())
        .await;
    // A second instance on the same store, with its own delivery worker (it reads the
    // settings above from the store when it starts).
    let mut config = ferrochat::config::Config::for_tests("sqlite::memory:");
    config.instance_id = Some("second".into());
    let b = ferrochat::app::build_on(&config, None, a.store.clone())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let b_base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(ferrochat::app::serve(listener, b.router, b.limits, async {
        let _ = rx.await;
    }));

    const N: usize = 24;
    for i in 0..N {
        let body = json!({"name": "M", "email": "m@example.org", "message": format!("note #{i}#")});
        let base = if i % 2 == 0 {
            a.base.clone()
        } else {
            b_base.clone()
        };
        let r = a
            .http
            .post(format!("{base}/api/v1/livechat/offline.message"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    smtp.wait_mails(N).await;
    outbox_settled(&a).await;
    let mails: Vec<String> = smtp.mails().iter().map(|m| mail_text(m)).collect();
    assert_eq!(mails.len(), N, "no mail sent twice");
    for i in 0..N {
        let tag = format!("note #{i}#");
        assert_eq!(
            mails.iter().filter(|m| m.contains(&tag)).count(),
            1,
            "{tag}"
        );
    }
    let _ = tx.send(());
}

#[tokio::test]
async fn agent_requested_transcript_goes_out_on_close() {
    let smtp = Smtp::start().await;
    let app = TestApp::spawn().await;
    Smtp::configure(&app, smtp.port).await;
    let (rid, agent) = conversation(&app, "tok-r").await;
    app.grant("send-omnichannel-chat-transcript", "livechat-agent")
        .await;
    let path = format!("/api/v1/livechat/transcript/{rid}");
    let req = json!({"email": "mary@example.org", "subject": "Your chat with us"});

    let r = app.post(&path, req.clone()).await;
    assert_eq!(r.status, 401);
    let r = app
        .req(
            reqwest::Method::DELETE,
            "/api/v1/livechat/transcript/rid",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    let r = app
        .post_as(&agent, &path, json!({"email": "x@example.org"}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "must have required property 'subject' [invalid-params]"
    );
    let r = app
        .post_as(&agent, "/api/v1/livechat/transcript/nope", req.clone())
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-invalid-room");
    let del = |p: String| {
        let app = &app;
        let agent = &agent;
        async move {
            app.req(reqwest::Method::DELETE, &p, Some(agent), None)
                .await
        }
    };
    let r = del("/api/v1/livechat/transcript/rid".into()).await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (
            400,
            &json!({"success": false, "error": "error-invalid-room"})
        )
    );
    let r = del(path.clone()).await;
    assert_eq!(
        r.body,
        json!({"success": false, "error": "error-transcript-not-requested"})
    );

    // Requested, withdrawn, requested again (twice is refused).
    let r = app.post_as(&agent, &path, req.clone()).await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (200, &json!({"success": true}))
    );
    let r = del(path.clone()).await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (200, &json!({"success": true}))
    );
    let r = app.post_as(&agent, &path, req.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.post_as(&agent, &path, req.clone()).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-transcript-already-requested");

    // Closing sends it, with the agent's subject, and records the agent's request.
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "done"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mails = smtp.wait_mails(1).await;
    assert_eq!(header(&mails[0], "Subject"), Some("Your chat with us"));
    assert_eq!(header(&mails[0], "To"), Some("mary@example.org"));
    assert!(mail_text(&mails[0]).contains("<p>Sure, what is it?</p>"));
    let hist = app.stored_messages(&rid, "livechat_transcript_history");
    assert_eq!(hist.len(), 1, "{hist:?}");
    assert_eq!(hist[0]["u"]["username"], "agent1");
    assert_eq!(hist[0]["requestData"]["type"], "user");
    // A closed room takes no new request.
    let r = app.post_as(&agent, &path, req).await;
    assert_eq!(r.body["errorType"], "error-invalid-room");
    outbox_settled(&app).await;
    assert_eq!(smtp.mails().len(), 1);
}

#[tokio::test]
async fn a_visitor_registered_again_by_email_keeps_its_earlier_transcripts() {
    let smtp = Smtp::start().await;
    let app = TestApp::spawn().await;
    Smtp::configure(&app, smtp.port).await;
    let register = |token: &'static str| {
        let app = &app;
        async move {
            let r = app
                .post(
                    "/api/v1/livechat/visitor",
                    json!({"visitor": {"token": token, "name": "Mary", "email": "mary@example.org"}}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["visitor"].clone()
        }
    };
    let (rid, agent) = conversation(&app, "old-token").await;
    let first = register("old-token").await;
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "done"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The same e-mail from another browser: the visitor moves to the new token.
    let again = register("new-token").await;
    assert_eq!(again["_id"], first["_id"]);
    assert_eq!(again["token"], "new-token");
    assert_eq!(
        app.get("/api/v1/livechat/visitor/old-token").await.status,
        400
    );

    // The earlier room still answers to its token (upstream reads `room.v`).
    let t = "/api/v1/livechat/transcript";
    let r = app
        .post(
            t,
            json!({"token": "old-token", "rid": rid, "email": "mary@example.org"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    smtp.wait_mails(1).await;
    // The new token does not open the old room; an unknown token is refused as before.
    let r = app
        .post(
            t,
            json!({"token": "new-token", "rid": rid, "email": "mary@example.org"}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = app
        .post(
            t,
            json!({"token": "nobody", "rid": rid, "email": "mary@example.org"}),
        )
        .await;
    assert_eq!(r.status, 400);
}
