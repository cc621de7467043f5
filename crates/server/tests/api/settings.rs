use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn read_and_change_settings() {
    let app = TestApp::spawn().await;
    let r = app
        .get_as(&app.admin, "/api/v1/settings/Livechat_Routing_Method")
        .await;
    assert_eq!(
        r.text,
        r#"{"_id":"Livechat_Routing_Method","value":"Auto_Selection","success":true}"#
    );
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let r = app
        .get_as(&app.admin, "/api/v1/settings/Livechat_Routing_Method")
        .await;
    assert_eq!(r.body["value"], "Manual_Selection");
    // Unknown ids and wrong types.
    let r = app.get_as(&app.admin, "/api/v1/settings/Nope").await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (400, r#"{"success":false}"#)
    );
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/settings/Livechat_enabled",
            json!({"value": "yes"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-invalid-setting-value");
    let r = app
        .post_as(&app.admin, "/api/v1/settings/Livechat_enabled", json!({}))
        .await;
    assert_eq!(r.body["error"], "Match error: Missing key 'value'");
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/settings/Livechat_Routing_Method",
            json!({"value": "Whatever"}),
        )
        .await;
    assert_eq!(r.body["errorType"], "error-routing-method-not-available");
    // Only admins.
    let agent = app.create_agent("agent1").await;
    assert_eq!(
        app.get_as(&agent, "/api/v1/settings/Livechat_enabled")
            .await
            .status,
        403
    );
    assert_eq!(
        app.post_as(
            &agent,
            "/api/v1/settings/Livechat_enabled",
            json!({"value": false})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.get("/api/v1/settings/Livechat_enabled").await.status,
        401
    );
}

#[tokio::test]
async fn settings_survive_a_restart_of_the_domain() {
    let app = TestApp::spawn().await;
    app.set_setting("Livechat_title", json!("Support")).await;
    // A second server on the same database sees the stored value.
    let store = ferrochat::app::open_store(&app.database_url())
        .await
        .unwrap();
    let outbox = std::sync::Arc::new(ferrochat::outbox::Delivery::new(
        Default::default(),
        store.clone(),
    ));
    let lc = ferrochat::domain::Livechat::new(
        store,
        std::sync::Arc::new(ferrochat::time::SystemClock),
        4,
        outbox,
    )
    .await
    .unwrap();
    assert_eq!(lc.settings.str("Livechat_title"), "Support");
}
