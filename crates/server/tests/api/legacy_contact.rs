//! Rocket.Chat 7.0's legacy contact routes, which work on visitors: `omnichannel/contact`
//! (register / read), `omnichannel/contact.search`, and `PUT livechat/room.visitor`.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn field(app: &TestApp, id: &str, searchable: bool, extra: Value) {
    let mut data = json!({"field": id, "label": id, "scope": "visitor", "visibility": "visible", "searchable": searchable});
    for (k, v) in extra.as_object().unwrap() {
        data[k] = v.clone();
    }
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/custom-fields.save",
            json!({"customFieldId": null, "customFieldData": data}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn register(app: &TestApp, visitor: Value) -> Value {
    let r = app
        .post("/api/v1/livechat/visitor", json!({ "visitor": visitor }))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["visitor"].clone()
}

async fn search(app: &TestApp, query: &str) -> Resp {
    app.get_as(
        &app.admin,
        &format!("/api/v1/omnichannel/contact.search?{query}"),
    )
    .await
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn contact_search_by_email_phone_or_searchable_custom_field() {
    let app = TestApp::spawn().await;
    field(&app, "address", true, json!({})).await;
    field(&app, "secret", false, json!({})).await;
    let v = register(
        &app,
        json!({"token": "t1", "name": "Ann", "email": "ann@example.com", "phone": "5551234",
               "customFields": [{"key": "address", "value": "Rocket.Chat street", "overwrite": true},
                                {"key": "secret", "value": "hidden", "overwrite": true}]}),
    )
    .await;

    let r = search(&app, "email=ann@example.com").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["contact"]["_id"], v["_id"]);
    assert_eq!(r.body["contact"]["phone"][0]["phoneNumber"], "5551234");
    let r = search(&app, "phone=5551234").await;
    assert_eq!(r.body["contact"]["_id"], v["_id"]);
    // Both given: both must match.
    let r = search(&app, "email=ann@example.com&phone=000").await;
    assert_eq!(r.body["contact"], Value::Null);
    // Custom fields: contained, case-insensitively, and only searchable ones are asked.
    let r = search(
        &app,
        &format!("custom={}", enc(r#"{"address":"rocket.chat"}"#)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["contact"]["livechatData"]["address"],
        "Rocket.Chat street"
    );
    let r = search(&app, &format!("custom={}", enc(r#"{"address":"nowhere"}"#))).await;
    assert_eq!(r.body["contact"], Value::Null);
    for bad in [
        r#"{"secret":"hidden"}"#,
        r#"{"nope":"nel"}"#,
        r#"{"$regex":"nel"}"#,
        r#"{"address":"^((ab)*)+$"}"#,
    ] {
        let r = search(&app, &format!("custom={}", enc(bad))).await;
        assert_eq!(r.status, 200, "{bad}: {}", r.text);
        assert_eq!(r.body, json!({"contact": null, "success": true}), "{bad}");
    }

    // Upstream's 400s.
    let r = search(&app, "").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "Cannot convert undefined or null to object"
    );
    let r = search(&app, "email=").await;
    assert_eq!(r.status, 400);
    let r = search(&app, &format!("custom={}", enc("{}"))).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-invalid-params");
    let r = search(&app, &format!("custom={}", enc(r#"{a":1}"#))).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-invalid-params-custom");
    let r = search(&app, "foo=bar").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "Match error: Unknown key 'foo'");

    let plain = app.create_user("plain", &[]).await;
    let r = app
        .get_as(
            &plain,
            "/api/v1/omnichannel/contact.search?email=ann@example.com",
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn contact_register_creates_and_updates_a_visitor_by_token() {
    let app = TestApp::spawn().await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/omnichannel/contact",
            json!({"token": "c1", "name": "First"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["contact"].as_str().unwrap().to_string();
    let v = app.get("/api/v1/livechat/visitor/c1").await;
    assert_eq!(v.body["visitor"]["_id"], id.as_str());
    assert_eq!(v.body["visitor"]["name"], "First");
    assert!(
        v.body["visitor"]["username"]
            .as_str()
            .unwrap()
            .starts_with("guest-")
    );

    // The visitor opens a room; a new name renames it.
    app.create_agent("agent").await;
    assert_eq!(app.room("c1").await.status, 200);
    field(&app, "company", false, json!({})).await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/omnichannel/contact",
            json!({"token": "c1", "name": "Second", "email": " Second@Example.com ", "phone": "555",
                   "customFields": {"company": "Acme", "unknown": "x"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["contact"], id.as_str());
    let got = app
        .get_as(
            &app.admin,
            &format!("/api/v1/omnichannel/contact?contactId={id}"),
        )
        .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let c = &got.body["contact"];
    assert_eq!(c["name"], "Second");
    assert_eq!(
        c["visitorEmails"],
        json!([{"address": "second@example.com"}])
    );
    assert_eq!(c["phone"], json!([{"phoneNumber": "555"}]));
    assert_eq!(c["livechatData"], json!({"company": "Acme"}));
    let room = app.room("c1").await;
    assert_eq!(room.body["room"]["fname"], "Second");

    // An absent e-mail removes it, an empty phone too; an absent phone keeps it.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/omnichannel/contact",
            json!({"token": "c1", "name": "Third"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = app.get("/api/v1/livechat/visitor/c1").await.body["visitor"].clone();
    assert!(c.get("visitorEmails").is_none(), "{c}");
    assert_eq!(c["phone"], json!([{"phoneNumber": "555"}]));
    assert!(c.get("livechatData").is_none_or(|d| d == &json!({})), "{c}");

    // A new token with a known e-mail updates that visitor.
    register(
        &app,
        json!({"token": "other", "email": "known@example.com"}),
    )
    .await;
    let known = app.get("/api/v1/livechat/visitor/other").await.body["visitor"]["_id"].clone();
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/omnichannel/contact",
            json!({"token": "new-token", "name": "Known", "email": "known@example.com"}),
        )
        .await;
    assert_eq!(r.body["contact"], known);

    // A required field, a regexp, an unknown contact manager, check().
    field(
        &app,
        "code",
        false,
        json!({"required": true, "regexp": "^[0-9]+$"}),
    )
    .await;
    let post = |body: Value| {
        let app = &app;
        async move {
            app.post_as(&app.admin, "/api/v1/omnichannel/contact", body)
                .await
        }
    };
    let r = post(json!({"token": "c1", "name": "X"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "Invalid value for code field");
    let r = post(json!({"token": "c1", "name": "X", "customFields": {"code": "abc"}})).await;
    assert_eq!(r.body["error"], "Invalid value for code field");
    let r = post(json!({"token": "c1", "name": "X", "customFields": {"code": "12"}, "contactManager": {"username": "ghost"}})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-contact-manager-not-found");
    let r = post(json!({"name": "X"})).await;
    assert_eq!(r.body["error"], "Match error: Missing key 'token'");

    let missing = app
        .get_as(&app.admin, "/api/v1/omnichannel/contact?contactId=nope")
        .await;
    assert_eq!(missing.body, json!({"contact": null, "success": true}));
    let plain = app.create_user("plain", &[]).await;
    let r = app
        .get_as(
            &plain,
            &format!("/api/v1/omnichannel/contact?contactId={id}"),
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn room_visitor_moves_a_room_to_another_visitor() {
    let app = TestApp::spawn().await;
    app.create_agent("agent").await;
    let a = register(&app, json!({"token": "va", "name": "A"})).await;
    let b = register(&app, json!({"token": "vb", "name": "B"})).await;
    let c = register(&app, json!({"token": "vc", "name": "C"})).await;
    let rid = app.room("va").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let put = |body: Value| {
        let app = &app;
        async move {
            app.req(
                Method::PUT,
                "/api/v1/livechat/room.visitor",
                Some(&app.admin),
                Some(body),
            )
            .await
        }
    };

    let r = put(json!({"rid": rid})).await;
    assert_eq!(r.status, 400);
    let r = put(json!({"rid": rid, "oldVisitorId": a["_id"], "newVisitorId": "nope"})).await;
    assert_eq!(r.body["error"], "visitor-not-found");
    let r =
        put(json!({"rid": "GENERAL", "oldVisitorId": a["_id"], "newVisitorId": b["_id"]})).await;
    assert_eq!(r.body["error"], "invalid-room");
    let r = put(json!({"rid": rid, "oldVisitorId": b["_id"], "newVisitorId": a["_id"]})).await;
    assert_eq!(r.body["error"], "invalid-room-visitor");

    let r = put(json!({"rid": rid, "oldVisitorId": a["_id"], "newVisitorId": b["_id"]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["room"]["v"]["_id"], b["_id"]);
    assert_eq!(r.body["room"]["v"]["token"], "vb");
    // The room is now the open room of the new visitor, not of the old one.
    assert_eq!(app.room("vb").await.body["room"]["_id"], rid.as_str());
    let again = app.room("va").await;
    assert_ne!(again.body["room"]["_id"], rid.as_str());

    // An open room does not pass to a visitor that already has one (one open room each).
    let r = put(json!({"rid": rid, "oldVisitorId": b["_id"], "newVisitorId": a["_id"]})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "error-not-allowed");
    let r = put(json!({"rid": rid, "oldVisitorId": b["_id"], "newVisitorId": c["_id"]})).await;
    assert_eq!(r.status, 200, "{}", r.text);

    let plain = app.create_user("plain", &[]).await;
    let r = app
        .req(
            Method::PUT,
            "/api/v1/livechat/room.visitor",
            Some(&plain),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, 403);
}
