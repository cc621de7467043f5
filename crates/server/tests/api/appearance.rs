//! `livechat/appearance`: managers read and edit the widget's look; values keep their types.

use crate::helpers::*;
use serde_json::{Value, json};

async fn save(app: &TestApp, who: Option<&Creds>, body: Value) -> Resp {
    app.req(
        reqwest::Method::POST,
        "/api/v1/livechat/appearance",
        who,
        Some(body),
    )
    .await
}

async fn settings(app: &TestApp) -> Value {
    app.get("/api/v1/livechat/config").await.body["config"]["settings"].clone()
}

#[tokio::test]
async fn managers_read_the_appearance_as_settings_documents() {
    let app = TestApp::spawn().await;
    let r = app.get_as(&app.admin, "/api/v1/livechat/appearance").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = r.body["appearance"].as_array().unwrap();
    let title = list.iter().find(|s| s["_id"] == "Livechat_title").unwrap();
    assert_eq!(
        title,
        &json!({"_id": "Livechat_title", "type": "string", "value": "Rocket.Chat",
                "packageValue": "Rocket.Chat", "i18nLabel": "Livechat_title"})
    );
    let limit = list
        .iter()
        .find(|s| s["_id"] == "Livechat_message_character_limit")
        .unwrap();
    assert_eq!(limit["type"], "int");
    // Upstream's Enterprise-only setting is not one here.
    assert!(
        !list
            .iter()
            .any(|s| s["_id"] == "Livechat_hide_system_messages")
    );
    assert!(list.iter().any(|s| s["_id"] == "Livechat_hide_watermark"));

    let agent = app.create_agent("agent1").await;
    let r = app.get_as(&agent, "/api/v1/livechat/appearance").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        r.status,
        save(
            &app,
            Some(&agent),
            json!([{"_id": "Livechat_title", "value": "x"}])
        )
        .await
        .status
    );
    assert_eq!(app.get("/api/v1/livechat/appearance").await.status, 401);
}

#[tokio::test]
async fn the_body_is_a_non_empty_list_of_appearance_settings() {
    let app = TestApp::spawn().await;
    let a = Some(&app.admin);
    let r = save(&app, a, json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"success": false, "error": "must be array [invalid-params]", "errorType": "invalid-params"})
    );
    let r = save(&app, a, json!([])).await;
    assert_eq!(
        r.body["error"],
        "must NOT have fewer than 1 item [invalid-params]"
    );
    let r = save(&app, a, json!([{"name": "Livechat_title"}])).await;
    assert_eq!(
        r.body["error"],
        "must have required property '_id'\n must have required property 'value'\n must NOT have additional properties [invalid-params]"
    );
    let r = save(
        &app,
        a,
        json!([{"_id": "Livechat_title", "value": {"a": 1}}]),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // One setting outside the appearance: nothing is saved.
    let r = save(
        &app,
        a,
        json!([{"_id": "Livechat_title", "value": "Changed"}, {"_id": "Livechat_enabled", "value": false}]),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"success": false, "error": "invalid-setting"})
    );
    let c = app.get("/api/v1/livechat/config").await.body["config"].clone();
    assert_eq!(c["theme"]["title"], "Rocket.Chat");
    assert_eq!(c["enabled"], true);
    // Stricter than upstream: text settings take text, the position is left or right.
    for bad in [
        json!([{"_id": "Livechat_title", "value": 5}]),
        json!([{"_id": "Livechat_widget_position", "value": "top"}]),
    ] {
        let r = save(&app, a, bad).await;
        assert_eq!(
            r.body["errorType"], "error-invalid-setting-value",
            "{}",
            r.text
        );
    }
}

#[tokio::test]
async fn values_are_coerced_to_the_settings_type_and_reach_the_widget() {
    let app = TestApp::spawn().await;
    let a = Some(&app.admin);
    let r = save(
        &app,
        a,
        json!([
            {"_id": "Livechat_title", "value": "Support"},
            {"_id": "Livechat_background", "value": "#eeeeee"},
            {"_id": "Livechat_widget_position", "value": "left"},
            {"_id": "Livechat_hide_watermark", "value": "true"},
            {"_id": "Livechat_registration_form", "value": false},
            {"_id": "Livechat_enable_message_character_limit", "value": true},
            {"_id": "Livechat_message_character_limit", "value": "100"},
            // upstream's Enterprise setting: accepted and ignored
            {"_id": "Livechat_hide_system_messages", "value": ["uj"]},
        ]),
    )
    .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let c = app.get("/api/v1/livechat/config").await.body["config"].clone();
    assert_eq!(c["theme"]["title"], "Support");
    assert_eq!(c["theme"]["background"], "#eeeeee");
    assert_eq!(c["theme"]["position"], "left");
    assert_eq!(c["settings"]["hideWatermark"], true);
    assert_eq!(c["settings"]["registrationForm"], false);
    assert_eq!(c["settings"]["limitTextLength"], 100);
    let r = app
        .get_as(
            &app.admin,
            "/api/v1/settings/Livechat_message_character_limit",
        )
        .await;
    assert_eq!(r.body["value"], 100, "stored as a number");

    // Not a number: 0, and the widget falls back to Message_MaxAllowedSize.
    for v in [json!("xxxx"), json!(true), json!(["1"])] {
        save(
            &app,
            a,
            json!([{"_id": "Livechat_message_character_limit", "value": v}]),
        )
        .await;
        assert_eq!(settings(&app).await["limitTextLength"], 5000);
    }
    save(
        &app,
        a,
        json!([{"_id": "Livechat_message_character_limit", "value": " 42abc"}]),
    )
    .await;
    assert_eq!(settings(&app).await["limitTextLength"], 42);
    // Not `true`/"true" on a boolean: false.
    save(
        &app,
        a,
        json!([{"_id": "Livechat_enable_message_character_limit", "value": "xxxx"}]),
    )
    .await;
    assert_eq!(settings(&app).await["limitTextLength"], false);
    save(
        &app,
        a,
        json!([{"_id": "Livechat_registration_form", "value": "true"}]),
    )
    .await;
    assert_eq!(settings(&app).await["registrationForm"], true);
    save(
        &app,
        a,
        json!([{"_id": "Omnichannel_allow_visitors_to_close_conversation", "value": false}]),
    )
    .await;
    assert_eq!(settings(&app).await["visitorsCanCloseChat"], false);

    let list = app
        .get_as(&app.admin, "/api/v1/livechat/appearance")
        .await
        .body["appearance"]
        .clone();
    let title = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["_id"] == "Livechat_title")
        .unwrap()
        .clone();
    assert_eq!(
        (title["value"].clone(), title["packageValue"].clone()),
        (json!("Support"), json!("Rocket.Chat"))
    );
}
