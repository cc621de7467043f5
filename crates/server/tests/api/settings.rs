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

#[tokio::test]
async fn site_url_defaults_to_root_url_and_public_settings_need_no_login() {
    let app =
        TestApp::spawn_configured(|c| c.root_url = Some("https://chat.example.org".into())).await;
    let r = app.get_as(&app.admin, "/api/v1/settings/Site_Url").await;
    assert_eq!(
        r.text,
        r#"{"_id":"Site_Url","value":"https://chat.example.org","success":true}"#
    );
    // `settings/:_id` is for admins (upstream's `view-privileged-setting`).
    let r = app.get("/api/v1/settings/Site_Url").await;
    assert_eq!(r.status, 401);

    let r = app.get("/api/v1/settings.public?_id=Site_Url").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.text,
        r#"{"settings":[{"_id":"Site_Url","value":"https://chat.example.org"}],"count":1,"offset":0,"total":1,"success":true}"#
    );
    let r = app
        .get("/api/v1/settings.public?_id=Language,%20Site_Url,SMTP_Password")
        .await;
    let ids: Vec<&str> = r.body["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["Language", "Site_Url"], "secrets are not public");
    // Public upstream (the Business_Hours section's switch), read by the console.
    let r = app
        .get("/api/v1/settings.public?_id=Livechat_enable_business_hours")
        .await;
    assert_eq!(
        r.body["settings"],
        json!([{"_id": "Livechat_enable_business_hours", "value": false}]),
        "{}",
        r.text
    );

    // Paginated, sorted by `_id`, every entry only `_id` and `value`.
    let all = app.get("/api/v1/settings.public?count=0").await;
    let total = all.body["total"].as_u64().unwrap();
    assert!(total > 3);
    let list = all.body["settings"].as_array().unwrap();
    assert_eq!(list.len() as u64, total);
    let mut sorted: Vec<String> = list
        .iter()
        .map(|s| s["_id"].as_str().unwrap().to_string())
        .collect();
    sorted.sort();
    assert_eq!(
        list.iter()
            .map(|s| s["_id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        sorted
    );
    assert!(list.iter().all(|s| s.as_object().unwrap().len() == 2));
    assert!(!list.iter().any(|s| s["_id"] == "Livechat_secret_token"));
    let r = app.get("/api/v1/settings.public?count=2&offset=1").await;
    assert_eq!(r.body["count"], 2);
    assert_eq!(r.body["offset"], 1);
    assert_eq!(r.body["total"], total);
    assert_eq!(r.body["settings"][0], list[1]);

    // A stored value wins over `ROOT_URL`.
    app.set_setting("Site_Url", json!("https://other.example"))
        .await;
    let r = app.get("/api/v1/settings.public?_id=Site_Url").await;
    assert_eq!(r.body["settings"][0]["value"], "https://other.example");
}
