//! The mailer (`POST mailer`, `mailer.unsubscribe` and the unsubscribe link): one mail per
//! subscribed user through the outbox to the harness's SMTP sink.

use crate::delivery_support::*;
use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn mailing_reaches_subscribed_users_and_the_link_unsubscribes() {
    let smtp = Smtp::start().await;
    let app = TestApp::spawn().await;
    Smtp::configure(&app, smtp.port).await;
    let ann = app.create_user("ann", &[]).await;
    app.create_user("bob", &[]).await;
    let body = "Hello [name], news. Leave: [unsubscribe]";

    // Checked first: the shape, the permission, the sender, the link, the filter.
    for (b, status) in [
        (json!({"from": 12345, "subject": {}, "body": "x"}), 400),
        (json!({"subject": "s", "body": body}), 400),
        (
            json!({"from": "admin@example.com", "subject": "s", "body": body, "extra": 1}),
            400,
        ),
    ] {
        let r = app.post_as(&app.admin, "/api/v1/mailer", b).await;
        assert_eq!(r.status, status, "{}", r.text);
        assert_eq!(r.body["success"], false);
    }
    let r = app
        .post_as(
            &ann,
            "/api/v1/mailer",
            json!({"from": "admin@example.com", "subject": "s", "body": body}),
        )
        .await;
    assert_eq!(r.status, 403);
    for (b, code) in [
        (
            json!({"from": "not an address", "subject": "s", "body": body}),
            "error-invalid-from-address",
        ),
        (
            json!({"from": "admin@example.com", "subject": "s", "body": "no link"}),
            "error-missing-unsubscribe-link",
        ),
        (
            json!({"from": "admin@example.com", "subject": "s", "body": body, "query": "{\"a\":1}"}),
            "error-invalid-query",
        ),
        (
            json!({"from": "nobody@example.com", "subject": "s", "body": body, "dryrun": true}),
            "error-invalid-user",
        ),
    ] {
        let r = app.post_as(&app.admin, "/api/v1/mailer", b).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.body["errorType"], code, "{}", r.text);
    }

    // A dry run goes to the sender only.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/mailer",
            json!({"from": "admin@example.com", "subject": "Dry", "body": body, "dryrun": true}),
        )
        .await;
    assert_eq!(r.body, json!({"success": true}));
    let mails = smtp.wait_mails(1).await;
    assert_eq!(header(&mails[0], "To"), Some("admin@example.com"));

    // Ann unsubscribes through her link; the real mailing reaches the admin and Bob.
    let ann_doc = app.get_as(&ann, "/api/v1/me").await.body;
    let created = ferrochat::time::Ts::parse_iso(ann_doc["createdAt"].as_str().unwrap())
        .unwrap()
        .millis();
    let page = app
        .get(&format!("/mailer/unsubscribe/{}/{}", ann.id, created + 1))
        .await;
    assert!(page.text.contains("not valid"), "{}", page.text);
    let page = app
        .get(&format!("/mailer/unsubscribe/{}/{created}", ann.id))
        .await;
    assert!(
        page.text.contains("You have been unsubscribed"),
        "{}",
        page.text
    );
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/mailer",
            json!({"from": "admin@example.com", "subject": "News", "body": body}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    smtp.wait_mails(3).await;
    outbox_settled(&app).await;
    let news: Vec<String> = smtp.mails()[1..].iter().map(|m| mail_text(m)).collect();
    let mut to: Vec<&str> = smtp.mails()[1..]
        .iter()
        .filter_map(|m| header(m, "To"))
        .map(|t| if t.contains("bob") { "bob" } else { "admin" })
        .collect();
    to.sort();
    assert_eq!(to, ["admin", "bob"]);
    let bob = news
        .iter()
        .find(|m| m.contains("Hello Name bob"))
        .expect("Bob's mail");
    assert!(bob.contains("/mailer/unsubscribe/"), "{bob}");

    // The REST form, as upstream's tests call it.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/mailer.unsubscribe",
            json!({"_id": app.admin.id, "createdAt": "0"}),
        )
        .await;
    assert_eq!(r.body, json!({"success": true}));
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/mailer.unsubscribe",
            json!({"_id": app.admin.id}),
        )
        .await;
    assert_eq!(r.status, 400);
}
