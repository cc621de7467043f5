//! Monthly activity (upstream's MAC): a visitor answered by an agent counts as active for
//! the month, its next rooms and inquiries start active, and `licenses.info` reports the
//! count, which removing a visitor's data (GDPR) does not lower.

use crate::helpers::*;
use serde_json::{Value, json};

async fn agent_says(app: &TestApp, who: &Creds, rid: &str, msg: &str) {
    let r = app
        .post_as(
            who,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": msg}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn visitor_doc(app: &TestApp, id: &str) -> Value {
    app.get_as(
        &app.admin,
        &format!("/api/v1/livechat/visitors.info?visitorId={id}"),
    )
    .await
    .body["visitor"]
        .clone()
}

async fn mac(app: &TestApp) -> Value {
    let r = app
        .get_as(&app.admin, "/api/v1/licenses.info?loadValues=true")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["license"]["limits"]["monthlyActiveContacts"].clone()
}

#[tokio::test]
async fn an_answered_visitor_is_active_for_the_month() {
    let app = TestApp::spawn_with_clock("2026-12-06T10:00:00.000Z").await;
    let agent = app.create_agent("mac.agent").await;
    let v = app.visitor("mac-v").await;
    let vid = v["_id"].as_str().unwrap().to_string();
    let room = app.room("mac-v").await.body["room"].clone();
    let rid = room["_id"].as_str().unwrap().to_string();
    assert!(room["v"].get("activity").is_none(), "{room}");
    assert!(visitor_doc(&app, &vid).await.get("activity").is_none());
    assert_eq!(mac(&app).await, json!({"max": -1, "value": 0}));

    agent_says(&app, &agent, &rid, "Hello!").await;
    assert_eq!(
        visitor_doc(&app, &vid).await["activity"],
        json!(["2026-12"])
    );
    let inq = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/inquiries.getOne?roomId={rid}"),
        )
        .await;
    assert_eq!(
        inq.body["inquiry"]["v"]["activity"],
        json!(["2026-12"]),
        "{}",
        inq.text
    );
    // Answering again adds nothing.
    agent_says(&app, &agent, &rid, "Anything else?").await;
    assert_eq!(
        visitor_doc(&app, &vid).await["activity"],
        json!(["2026-12"])
    );
    assert_eq!(mac(&app).await["value"], 1);

    // The visitor's next room starts active, before any answer.
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "bye"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let next = app.room("mac-v").await.body["room"].clone();
    assert_ne!(next["_id"], json!(rid));
    assert_eq!(next["v"]["activity"], json!(["2026-12"]));

    // Without loadValues: the limits without values.
    let r = app.get_as(&app.admin, "/api/v1/licenses.info").await;
    assert_eq!(
        r.body["license"]["limits"]["monthlyActiveContacts"],
        json!({"max": -1})
    );

    // Removing the visitor's data keeps the month counted.
    app.set_setting(
        "Livechat_Allow_collect_and_store_HTTP_header_informations",
        json!(true),
    )
    .await;
    let r = app
        .req(
            reqwest::Method::DELETE,
            "/api/v1/livechat/visitor/mac-v",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(mac(&app).await["value"], 1);

    // A new month starts at zero.
    app.set_time("2027-01-02T10:00:00.000Z");
    let fresh = app.login("mac.agent", "pass").await;
    let r = app
        .get_as(&fresh, "/api/v1/licenses.info?loadValues=true")
        .await;
    assert_eq!(
        r.body["license"]["limits"]["monthlyActiveContacts"]["value"],
        0
    );
}
