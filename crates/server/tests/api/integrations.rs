//! The webhook settings for managers: `livechat/integrations.settings` and
//! `omnichannel/integrations`.

use crate::helpers::*;
use serde_json::{Value, json};

fn value_of(list: &Value, id: &str) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["_id"] == id)
        .map(|s| s["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn webhook_settings_are_read_and_written_by_managers() {
    let app = TestApp::spawn().await;
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/integrations.settings")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = &r.body["settings"];
    assert_eq!(list.as_array().unwrap().len(), 11);
    let first = &list[0];
    assert_eq!(first["_id"], "Livechat_webhookUrl");
    assert_eq!(first["type"], "string");
    assert_eq!(first["packageValue"], "");
    assert_eq!(value_of(list, "Livechat_http_timeout"), json!(5000));

    let r = app
        .post_as(
            &app.admin,
            "/api/v1/omnichannel/integrations",
            json!({"LivechatWebhookUrl": "  http://crm.example/hook ", "LivechatSecretToken": "s3",
                   "LivechatHttpTimeout": 3000, "LivechatWebhookOnStart": true,
                   "LivechatWebhookOnClose": "true"}),
        )
        .await;
    assert_eq!(r.body, json!({"success": true}));
    let list = app
        .get_as(&app.admin, "/api/v1/livechat/integrations.settings")
        .await
        .body["settings"]
        .clone();
    assert_eq!(
        value_of(&list, "Livechat_webhookUrl"),
        "http://crm.example/hook"
    );
    assert_eq!(value_of(&list, "Livechat_secret_token"), "s3");
    assert_eq!(value_of(&list, "Livechat_http_timeout"), json!(3000));
    assert_eq!(value_of(&list, "Livechat_webhook_on_start"), true);
    assert_eq!(value_of(&list, "Livechat_webhook_on_close"), true);
    assert_eq!(value_of(&list, "Livechat_webhook_on_forward"), false);

    // ajv's coercion: a number for the URL is text; an unknown field or an object is refused.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/omnichannel/integrations",
            json!({"LivechatWebhookUrl": 8000}),
        )
        .await;
    assert_eq!(r.status, 200);
    for body in [
        json!({"LivechatWebhook_url": "http://x"}),
        json!({"LivechatHttpTimeout": {"a": 1}}),
        json!({"LivechatWebhookOnStart": "maybe"}),
    ] {
        let r = app
            .post_as(&app.admin, "/api/v1/omnichannel/integrations", body)
            .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.body["errorType"], "invalid-params");
    }

    // Agents may do neither.
    let agent = app.create_agent("int.agent").await;
    let r = app
        .get_as(&agent, "/api/v1/livechat/integrations.settings")
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post_as(
            &agent,
            "/api/v1/omnichannel/integrations",
            json!({"LivechatWebhookUrl": "http://evil"}),
        )
        .await;
    assert_eq!(r.status, 403);
}
