//! Custom fields: admin definitions, the visitor's `custom.field(s)`, scopes, regexp, overwrite.

use crate::helpers::*;
use crate::survey::room_doc;
use reqwest::Method;
use serde_json::{Value, json};

async fn define(app: &TestApp, field: &str, scope: &str, extra: Value) -> Value {
    let mut data = json!({"field": field, "label": format!("Label {field}"), "scope": scope, "visibility": "visible"});
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
    r.body["customField"].clone()
}

async fn set(app: &TestApp, token: &str, key: &str, value: &str, overwrite: bool) -> Resp {
    app.post(
        "/api/v1/livechat/custom.field",
        json!({"token": token, "key": key, "value": value, "overwrite": overwrite}),
    )
    .await
}

#[tokio::test]
async fn admin_creates_lists_updates_and_deletes_fields() {
    let app = TestApp::spawn().await;
    let created = define(
        &app,
        "address",
        "visitor",
        json!({"type": "input", "regexp": "^[A-Za-z ]+$", "required": true, "defaultValue": "x", "options": "a,b", "public": true, "searchable": true}),
    )
    .await;
    let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "label",
            "scope",
            "visibility",
            "type",
            "regexp",
            "required",
            "defaultValue",
            "options",
            "public",
            "searchable",
            "_id",
            "_updatedAt"
        ]
    );
    assert_eq!(created["_id"], "address");
    assert_iso(&created["_updatedAt"]);
    define(&app, "order_id", "room", json!({})).await;

    // The same field name again is refused.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/custom-fields.save",
            json!({"customFieldId": null, "customFieldData": {"field": "address", "label": "Again", "scope": "visitor", "visibility": "visible"}}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Custom Field already exists"}"#
    );

    let r = app
        .get_as(&app.admin, "/api/v1/livechat/custom-fields")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["total"], 2);
    assert_eq!(r.body["count"], 2);
    assert_eq!(r.body["offset"], 0);
    // Sorted by label; `_id` first as the database returns documents.
    assert_eq!(r.body["customFields"][0]["_id"], "address");
    assert_eq!(
        r.body["customFields"][0]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap(),
        "_id"
    );
    let r = app
        .get_as(
            &app.admin,
            "/api/v1/livechat/custom-fields?text=ORDER&count=5&offset=0",
        )
        .await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["customFields"][0]["_id"], "order_id");

    // Update: `$set` of the new record, answered without `_id` (upstream's model).
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/custom-fields.save",
            json!({"customFieldId": "address", "customFieldData": {"field": "address", "label": "Street", "scope": "visitor", "visibility": "hidden", "regexp": "^[0-9]+$"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["customField"]["label"], "Street");
    assert!(r.body["customField"].get("_id").is_none());
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/custom-fields/address")
        .await;
    let f = &r.body["customField"];
    assert_eq!(
        (
            f["label"].as_str(),
            f["visibility"].as_str(),
            f["regexp"].as_str()
        ),
        (Some("Street"), Some("hidden"), Some("^[0-9]+$"))
    );
    assert_eq!(f["options"], "a,b", "keys not in the update stay");
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/custom-fields.save",
            json!({"customFieldId": "non-existent-id", "customFieldData": {"field": "x", "label": "x", "scope": "visitor", "visibility": "visible"}}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Custom Field Not found"}"#
    );
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/custom-fields/nope")
        .await;
    assert_eq!(r.text, r#"{"customField":null,"success":true}"#);

    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/custom-fields.delete",
            json!({"customFieldId": "address"}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/custom-fields.delete",
            json!({"customFieldId": "address"}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Custom field not found"}"#
    );
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/custom-fields")
        .await;
    assert_eq!(r.body["total"], 1);
}

#[tokio::test]
async fn admin_routes_need_login_and_permissions() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let plain = app.create_user("someone", &[]).await;
    let save = json!({"customFieldId": null, "customFieldData": {"field": "f", "label": "F", "scope": "visitor", "visibility": "visible"}});
    let r = app
        .post("/api/v1/livechat/custom-fields.save", save.clone())
        .await;
    assert_eq!(r.status, 401);
    let r = app
        .post_as(&agent, "/api/v1/livechat/custom-fields.save", save.clone())
        .await;
    assert_eq!(r.status, 403, "agents may read, not define");
    let r = app.get_as(&plain, "/api/v1/livechat/custom-fields").await;
    assert_eq!(r.status, 403);
    let r = app
        .get_as(&plain, "/api/v1/livechat/custom-fields/invalid-id")
        .await;
    assert_eq!(r.status, 403);
    let r = app.get_as(&agent, "/api/v1/livechat/custom-fields").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/custom-fields.delete",
            json!({"customFieldId": "f"}),
        )
        .await;
    assert_eq!(r.status, 403);

    for (body, err) in [
        (
            json!({}),
            "must have required property 'customFieldData' [invalid-params]",
        ),
        (
            json!({"customFieldData": {"field": "f", "label": "F", "scope": "contact", "visibility": "visible"}}),
            "must be equal to one of the allowed values [invalid-params]",
        ),
        (
            json!({"customFieldData": {"label": "F", "scope": "room", "visibility": "visible"}}),
            "must have required property 'field' [invalid-params]",
        ),
        (
            json!({"customFieldData": {"field": "f", "label": "F", "scope": "room", "visibility": "visible", "required": "maybe"}}),
            "must be boolean [invalid-params]",
        ),
    ] {
        let r = app
            .post_as(&app.admin, "/api/v1/livechat/custom-fields.save", body)
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["error"], err);
    }
}

#[tokio::test]
async fn visitor_scope_values_with_overwrite_and_no_change_quirk() {
    let app = TestApp::spawn().await;
    define(&app, "address", "visitor", json!({})).await;
    app.visitor("v1").await;

    let r = set(&app, "v1", "address", "Main St", true).await;
    assert_eq!(
        r.text,
        r#"{"field":{"key":"address","value":"Main St","overwrite":true},"success":true}"#
    );
    let v = app.get("/api/v1/livechat/visitor/v1").await;
    assert_eq!(
        v.body["visitor"]["livechatData"],
        json!({"address": "Main St"})
    );

    // Nothing changes: the same value, or an existing value without overwrite (upstream 7.x: 400).
    let r = set(&app, "v1", "address", "Main St", true).await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (400, r#"{"success":false}"#)
    );
    let r = set(&app, "v1", "address", "Other St", false).await;
    assert_eq!(r.text, r#"{"success":false}"#);
    let v = app.get("/api/v1/livechat/visitor/v1").await;
    assert_eq!(v.body["visitor"]["livechatData"]["address"], "Main St");
    let r = set(&app, "v1", "address", "Other St", true).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = app.get("/api/v1/livechat/visitor/v1").await;
    assert_eq!(v.body["visitor"]["livechatData"]["address"], "Other St");

    // Registration keeps defined visitor fields only.
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "v2", "customFields": [
                {"key": "address", "value": "Elm St", "overwrite": false},
                {"key": "undefined_field", "value": "x", "overwrite": true}
            ]}}),
        )
        .await;
    assert_eq!(
        r.body["visitor"]["livechatData"],
        json!({"address": "Elm St"})
    );
}

#[tokio::test]
async fn room_scope_values_go_to_the_open_room() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    define(&app, "order_id", "room", json!({})).await;
    app.visitor("v1").await;
    // No open room: nothing can change.
    let r = set(&app, "v1", "order_id", "42", true).await;
    assert_eq!(r.text, r#"{"success":false}"#);
    let r = set(&app, "v1", "order_id", "42", false).await;
    assert_eq!(r.text, r#"{"success":false}"#);

    let rid = app.room("v1").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = set(&app, "v1", "order_id", "42", false).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        room_doc(&app, &rid).await["livechatData"],
        json!({"order_id": "42"})
    );
    let r = set(&app, "v1", "order_id", "43", false).await;
    assert_eq!(r.text, r#"{"success":false}"#);
    let r = set(&app, "v1", "order_id", "43", true).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        room_doc(&app, &rid).await["livechatData"],
        json!({"order_id": "43"})
    );
    // The visitor document is untouched by room-scope fields.
    let v = app.get("/api/v1/livechat/visitor/v1").await;
    assert!(v.body["visitor"].get("livechatData").is_none());
}

#[tokio::test]
async fn visitor_errors_and_regexp() {
    let app = TestApp::spawn().await;
    define(&app, "zip", "visitor", json!({"regexp": "^[0-9]{5}$"})).await;
    define(&app, "broken", "visitor", json!({"regexp": "(unclosed"})).await;
    app.visitor("v1").await;

    let r = set(&app, "nobody", "zip", "12345", true).await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-token"}"#);
    let r = set(&app, "v1", "invalid-key", "x", true).await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"invalid-custom-field"}"#
    );
    let r = set(&app, "v1", "zip", "ABCDE", true).await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Invalid value for zip field"}"#
    );
    let r = set(&app, "v1", "broken", "x", true).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "Invalid regular expression: /(unclosed/");
    let r = set(&app, "v1", "zip", "12345", true).await;
    assert_eq!(r.status, 200);

    for (body, err) in [
        (
            json!({}),
            "must have required property 'token'\n must have required property 'key'\n must have required property 'value'\n must have required property 'overwrite' [invalid-params]",
        ),
        (
            json!({"token": "v1"}),
            "must have required property 'key'\n must have required property 'value'\n must have required property 'overwrite' [invalid-params]",
        ),
        (
            json!({"token": "v1", "key": "zip", "value": "1"}),
            "must have required property 'overwrite' [invalid-params]",
        ),
        (
            json!({"token": "v1", "key": "zip", "value": "1", "overwrite": "yes"}),
            "must be boolean [invalid-params]",
        ),
    ] {
        let r = app
            .req(
                Method::POST,
                "/api/v1/livechat/custom.field",
                None,
                Some(body),
            )
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["error"], err);
    }
}

#[tokio::test]
async fn many_fields_at_once() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    define(&app, "address", "visitor", json!({})).await;
    define(&app, "order_id", "room", json!({})).await;
    app.visitor("v1").await;
    let rid = app.room("v1").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = app
        .post(
            "/api/v1/livechat/custom.fields",
            json!({"token": "v1", "customFields": [
                {"key": "address", "value": "Main St", "overwrite": true},
                {"key": "order_id", "value": "42", "overwrite": true}
            ]}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"fields":[{"Key":"address","value":"Main St","overwrite":true},{"Key":"order_id","value":"42","overwrite":true}],"success":true}"#
    );
    assert_eq!(
        room_doc(&app, &rid).await["livechatData"],
        json!({"order_id": "42"})
    );

    // One unchanged item fails the call; the others are still applied.
    let r = app
        .post(
            "/api/v1/livechat/custom.fields",
            json!({"token": "v1", "customFields": [
                {"key": "address", "value": "Main St", "overwrite": true},
                {"key": "order_id", "value": "43", "overwrite": true}
            ]}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-setting-custom-field"}"#
    );
    assert_eq!(
        room_doc(&app, &rid).await["livechatData"],
        json!({"order_id": "43"})
    );
    let r = app
        .post(
            "/api/v1/livechat/custom.fields",
            json!({"token": "v1", "customFields": [{"key": "invalid-key", "value": "x", "overwrite": true}]}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"invalid-custom-field"}"#
    );
    let r = app
        .post(
            "/api/v1/livechat/custom.fields",
            json!({"token": "invalid-token", "customFields": [{"key": "address", "value": "x", "overwrite": true}]}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-token"}"#);
    for (body, err) in [
        (
            json!({}),
            "must have required property 'token'\n must have required property 'customFields' [invalid-params]",
        ),
        (
            json!({"token": "v1"}),
            "must have required property 'customFields' [invalid-params]",
        ),
        (
            json!({"token": "v1", "customFields": "invalid"}),
            "must be array [invalid-params]",
        ),
        (
            json!({"token": "v1", "customFields": []}),
            "must NOT have fewer than 1 item [invalid-params]",
        ),
        (
            json!({"token": "v1", "customFields": [{}]}),
            "must have required property 'key'\n must have required property 'value'\n must have required property 'overwrite' [invalid-params]",
        ),
    ] {
        let r = app
            .req(
                Method::POST,
                "/api/v1/livechat/custom.fields",
                None,
                Some(body),
            )
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["error"], err);
    }
}

#[tokio::test]
async fn config_lists_public_visible_visitor_fields() {
    let app = TestApp::spawn().await;
    let cfg = app.get("/api/v1/livechat/config").await;
    assert_eq!(cfg.body["config"]["customFields"], json!([]));
    define(
        &app,
        "company",
        "visitor",
        json!({"public": true, "type": "select", "options": "a,b", "required": true}),
    )
    .await;
    define(&app, "nickname", "visitor", json!({"public": true})).await;
    define(&app, "internal", "visitor", json!({"public": false})).await;
    define(&app, "hidden_one", "visitor", json!({"public": true})).await;
    app.post_as(
        &app.admin,
        "/api/v1/livechat/custom-fields.save",
        json!({"customFieldId": "hidden_one", "customFieldData": {"field": "hidden_one", "label": "H", "scope": "visitor", "visibility": "hidden"}}),
    )
    .await;
    define(&app, "order", "room", json!({"public": true})).await;
    let cfg = app.get("/api/v1/livechat/config").await;
    let c = &cfg.body["config"];
    assert_eq!(
        c["customFields"],
        json!([
            {"_id": "company", "label": "Label company", "required": true, "type": "select", "defaultValue": null, "options": ["a", "b"]},
            {"_id": "nickname", "label": "Label nickname", "required": false, "defaultValue": null}
        ])
    );
    let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
    let online = keys.iter().position(|k| *k == "online").unwrap();
    assert_eq!(keys[online + 1], "customFields");
}

#[tokio::test]
async fn registration_with_custom_fields_needs_the_required_ones() {
    let app = TestApp::spawn().await;
    define(&app, "cpf", "visitor", json!({"required": true})).await;
    define(&app, "plan", "visitor", json!({"required": true})).await;
    define(
        &app,
        "secret",
        "visitor",
        json!({"required": true, "visibility": "hidden"}),
    )
    .await;
    define(&app, "order_id", "room", json!({"required": true})).await;
    define(&app, "nick", "visitor", json!({})).await;
    let register = |fields: Value| {
        app.post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "v1", "customFields": fields}}),
        )
    };
    let r = register(json!([{"key": "nick", "value": "M", "overwrite": true}])).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Missing required custom fields: cpf, plan"}"#
    );
    // Nothing was written.
    let v = app.get("/api/v1/livechat/visitor/v1").await;
    assert_eq!(v.status, 400);
    let r = register(json!([{"key": "cpf", "value": "1", "overwrite": true}])).await;
    assert_eq!(r.body["error"], "Missing required custom fields: plan");

    let r = register(json!([
        {"key": "cpf", "value": "1", "overwrite": true},
        {"key": "plan", "value": "gold", "overwrite": true},
    ]))
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["visitor"]["livechatData"],
        json!({"cpf": "1", "plan": "gold"})
    );
    // Without custom fields the registration is not checked (upstream).
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "v2"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
