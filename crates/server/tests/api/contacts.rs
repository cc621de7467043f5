//! Omnichannel contacts (7.0): `omnichannel/contacts` (create), `contacts.update`,
//! `contacts.get`, `contacts.search`, `contacts.history`, and the contact every visitor
//! gets, whose channels and `lastChat` follow its rooms.

use crate::helpers::*;
use serde_json::{Value, json};

async fn create(app: &TestApp, body: Value) -> Resp {
    app.post_as(&app.admin, "/api/v1/omnichannel/contacts", body)
        .await
}

async fn get(app: &TestApp, id: &str) -> Value {
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/omnichannel/contacts.get?contactId={id}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["contact"].clone()
}

async fn cf1(app: &TestApp) {
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/custom-fields.save",
            json!({"customFieldId": null, "customFieldData": {
                "field": "cf1", "label": "Custom Field 1", "scope": "visitor",
                "visibility": "visible", "type": "input", "required": true,
                "regexp": "^[0-9]+$", "searchable": true, "public": true}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

fn error(r: &Resp) -> &str {
    r.body["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn create_validates_and_stores_a_contact() {
    let app = TestApp::spawn().await;
    let r = create(
        &app,
        json!({"name": "Ann Lee", "emails": ["ann@example.com"], "phones": ["+1 555 0100"]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["contactId"].as_str().unwrap().to_string();
    let c = get(&app, &id).await;
    assert_eq!(c["name"], "Ann Lee");
    assert_eq!(c["emails"], json!(["ann@example.com"]));
    assert_eq!(c["phones"], json!(["+1 555 0100"]));
    assert_eq!(c["unknown"], false);
    assert_iso(&c["createdAt"]);
    assert!(c.get("contactManager").is_none() && c.get("lastChat").is_none());

    // ajv, as upstream's schema says.
    for (body, msg) in [
        (
            json!({"emails": [], "phones": []}),
            "must have required property 'name' [invalid-params]",
        ),
        (
            json!({"name": "x", "emails": "a", "phones": []}),
            "must be array [invalid-params]",
        ),
        (
            json!({"name": "x", "emails": [{"a": 1}], "phones": []}),
            "must be string [invalid-params]",
        ),
        (
            json!({"name": "x", "emails": [], "phones": [], "other": 1}),
            "must NOT have additional properties [invalid-params]",
        ),
    ] {
        let r = create(&app, body).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(error(&r), msg);
        assert_eq!(r.body["errorType"], "invalid-params");
    }

    // The contact manager must be a livechat agent.
    let user = app.create_user("plain", &[]).await;
    let agent = app.create_agent("agent").await;
    for manager in ["nobody", user.id.as_str()] {
        let r = create(
            &app,
            json!({"name": "x", "emails": [], "phones": [], "contactManager": manager}),
        )
        .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(
            r.text,
            r#"{"success":false,"error":"error-contact-manager-not-found"}"#
        );
    }
    let r = create(
        &app,
        json!({"name": "x", "emails": [], "phones": [], "contactManager": agent.id}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = get(&app, r.body["contactId"].as_str().unwrap()).await;
    assert_eq!(c["contactManager"], json!(agent.id));

    // Custom fields of the visitor scope: required, matching their regexp, no others.
    cf1(&app).await;
    for (cf, msg) in [
        (json!({}), "Invalid value for Custom Field 1 field"),
        (
            json!({"cf1": "abc"}),
            "Invalid value for Custom Field 1 field",
        ),
        (
            json!({"cf1": "1", "cf2": "x"}),
            "Custom field cf2 is not allowed",
        ),
    ] {
        let r = create(
            &app,
            json!({"name": "x", "emails": [], "phones": [], "customFields": cf}),
        )
        .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(error(&r), msg);
    }
    let r = create(
        &app,
        json!({"name": "x", "emails": [], "phones": [], "customFields": {"cf1": " 123 "}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = get(&app, r.body["contactId"].as_str().unwrap()).await;
    assert_eq!(c["customFields"], json!({"cf1": "123"}));

    // Permission first.
    let r = app
        .post_as(
            &user,
            "/api/v1/omnichannel/contacts",
            json!({"name": "x", "emails": [], "phones": []}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        error(&r),
        "User does not have the permissions required for this action [error-unauthorized]"
    );
}

#[tokio::test]
async fn update_changes_what_is_given_and_get_answers_null_for_unknown_ids() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent").await;
    let v = app.visitor("t-upd").await;
    let id = v["contactId"].as_str().unwrap().to_string();
    assert_eq!(get(&app, &id).await["unknown"], true);

    let update = |body: Value| {
        let app = &app;
        async move {
            app.post_as(&app.admin, "/api/v1/omnichannel/contacts.update", body)
                .await
        }
    };
    let r = update(json!({"contactId": id, "name": "Bo", "emails": ["bo@example.com"]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = &r.body["contact"];
    assert_eq!(c["_id"], json!(id));
    assert_eq!(c["name"], "Bo");
    assert_eq!(c["emails"], json!(["bo@example.com"]));
    assert_eq!(c["unknown"], false);
    let r = update(json!({"contactId": id, "contactManager": agent.id})).await;
    assert_eq!(r.body["contact"]["contactManager"], json!(agent.id));
    assert_eq!(r.body["contact"]["name"], "Bo");

    let r = update(json!({"contactId": "nope", "name": "x"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-contact-not-found"}"#
    );
    let r = update(json!({"contactId": id, "contactManager": "nope"})).await;
    assert_eq!(error(&r), "error-contact-manager-not-found");
    let r = update(json!({"contactId": id, "unknown": true})).await;
    assert_eq!(
        error(&r),
        "must NOT have additional properties [invalid-params]"
    );
    let r = update(json!({"name": "x"})).await;
    assert_eq!(
        error(&r),
        "must have required property 'contactId' [invalid-params]"
    );

    let r = app
        .get_as(
            &app.admin,
            "/api/v1/omnichannel/contacts.get?contactId=nope",
        )
        .await;
    assert_eq!(r.text, r#"{"contact":null,"success":true}"#);
    let r = app
        .get_as(&app.admin, "/api/v1/omnichannel/contacts.get")
        .await;
    assert_eq!(
        error(&r),
        "must have required property 'contactId' [invalid-params]"
    );
}

#[tokio::test]
async fn search_by_name_email_or_phone_sorted_by_name() {
    let app = TestApp::spawn().await;
    for (name, email, phone) in [
        ("Zoe Park", "zoe@example.com", "555-0001"),
        ("Adam Wu", "adam@example.org", "555-0002"),
        ("Mia (test)", "mia@example.net", "777-0003"),
    ] {
        let r = create(
            &app,
            json!({"name": name, "emails": [email], "phones": [phone]}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let names = |r: &Resp| -> Vec<String> {
        r.body["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let search = |q: &'static str| {
        let app = &app;
        async move {
            app.get_as(
                &app.admin,
                &format!("/api/v1/omnichannel/contacts.search{q}"),
            )
            .await
        }
    };
    let r = search("").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(names(&r), ["Adam Wu", "Mia (test)", "Zoe Park"]);
    assert_eq!(
        (&r.body["count"], &r.body["offset"], &r.body["total"]),
        (&json!(50), &json!(0), &json!(3))
    );
    assert_eq!(names(&search("?searchText=ZOE@").await), ["Zoe Park"]);
    assert_eq!(names(&search("?searchText=555-0002").await), ["Adam Wu"]);
    // A regular expression's characters are plain text.
    assert_eq!(names(&search("?searchText=(test)").await), ["Mia (test)"]);
    let r = search("?searchText=555&count=1&offset=1").await;
    assert_eq!(names(&r), ["Zoe Park"]);
    assert_eq!(r.body["total"], 2);
    let r = search("?searchText=nothing").await;
    assert_eq!(r.body["contacts"], json!([]));
    assert_eq!(r.body["total"], 0);
    let r = search("?sort=%7B%22name%22%3A-1%7D").await;
    assert_eq!(names(&r), ["Zoe Park", "Mia (test)", "Adam Wu"]);
    let r = search("?other=1").await;
    assert_eq!(
        error(&r),
        "must NOT have additional properties [invalid-params]"
    );
}

async fn close(app: &TestApp, agent: &Creds, rid: &Value) {
    let r = app
        .post_as(
            agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "bye"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn rooms_add_channels_last_chat_and_history() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent").await;
    let v = app.visitor("t-hist").await;
    let cid = v["contactId"].as_str().unwrap().to_string();
    let c = get(&app, &cid).await;
    assert_eq!(c["channels"], json!([]));
    assert_eq!(c["name"], v["username"]);

    // Empty history: no channel yet.
    let history = |q: String| {
        let app = &app;
        async move {
            app.get_as(
                &app.admin,
                &format!("/api/v1/omnichannel/contacts.history?{q}"),
            )
            .await
        }
    };
    let r = history(format!("contactId={cid}")).await;
    assert_eq!(
        r.text,
        r#"{"history":[],"count":0,"offset":0,"total":0,"success":true}"#
    );

    let room1 = app.room("t-hist").await.body["room"].clone();
    assert_eq!(room1["contactId"], json!(cid));
    let c = get(&app, &cid).await;
    assert_eq!(c["lastChat"]["_id"], room1["_id"]);
    assert_iso(&c["lastChat"]["ts"]);
    let channels = c["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(
        (&channels[0]["name"], &channels[0]["visitorId"]),
        (&json!("api"), &v["_id"])
    );
    assert_eq!(
        (&channels[0]["verified"], &channels[0]["blocked"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(channels[0]["details"]["type"], "api");

    // A second room of the same source adds no channel; the widget's adds one.
    close(&app, &agent, &room1["_id"]).await;
    let r = app
        .http
        .get(format!("{}/api/v1/livechat/room?token=t-hist", app.base))
        .header("Cookie", "rc_room_type=l; rc_is_widget=t")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let room2: Value = r.json().await.unwrap();
    let room2 = room2["room"].clone();
    let c = get(&app, &cid).await;
    assert_eq!(c["lastChat"]["_id"], room2["_id"]);
    let kinds: Vec<&Value> = c["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["name"])
        .collect();
    assert_eq!(kinds, [&json!("api"), &json!("widget")]);
    close(&app, &agent, &room2["_id"]).await;
    let room3 = app.room("t-hist").await.body["room"].clone();
    assert_eq!(
        get(&app, &cid).await["channels"].as_array().unwrap().len(),
        2
    );

    // History: newest first, projected as upstream.
    let r = history(format!("contactId={cid}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<&Value> = r.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["_id"])
        .collect();
    assert_eq!(ids, [&room3["_id"], &room2["_id"], &room1["_id"]]);
    assert_eq!((&r.body["total"], &r.body["count"]), (&json!(3), &json!(3)));
    let h = &r.body["history"];
    assert!(h[0].get("closedAt").is_none());
    assert_eq!(h[1]["closer"], "user");
    assert!(h[1].get("closedBy").is_some());
    assert_eq!(h[0]["fname"], v["username"]);
    assert!(h[0].get("open").is_none() && h[0].get("lm").is_none());
    let r = history(format!("contactId={cid}&source=widget")).await;
    assert_eq!(r.body["history"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["history"][0]["source"]["type"], "widget");
    let r = history(format!("contactId={cid}&count=1&offset=1")).await;
    assert_eq!(r.body["history"][0]["_id"], room2["_id"]);
    assert_eq!((&r.body["total"], &r.body["count"]), (&json!(3), &json!(1)));

    let r = history("contactId=nope".into()).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-contact-not-found"}"#
    );

    // Another registration of the same token keeps the contact.
    let again = app.visitor("t-hist").await;
    assert_eq!(again["contactId"], json!(cid));
}

#[tokio::test]
async fn contact_permissions_are_checked_first() {
    let app = TestApp::spawn().await;
    let user = app.create_user("plain", &[]).await;
    for path in [
        "/api/v1/omnichannel/contacts.get",
        "/api/v1/omnichannel/contacts.search",
        "/api/v1/omnichannel/contacts.history",
    ] {
        let r = app.get_as(&user, path).await;
        assert_eq!(r.status, 403, "{path}: {}", r.text);
    }
    let r = app
        .post_as(&user, "/api/v1/omnichannel/contacts.update", json!({}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}
