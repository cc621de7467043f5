use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn config_has_every_part_the_widget_reads() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/livechat/config").await;
    assert_eq!(r.status, 200);
    let c = &r.body["config"];
    assert_eq!(c["enabled"], true);
    assert_eq!(c["online"], false, "no agent yet");
    for k in [
        "registrationForm",
        "allowSwitchingDepartments",
        "nameFieldRegistrationForm",
        "emailFieldRegistrationForm",
        "displayOfflineForm",
        "videoCall",
        "fileUpload",
        "language",
        "transcript",
        "historyMonitorType",
        "forceAcceptDataProcessingConsent",
        "showConnecting",
        "agentHiddenInfo",
        "clearLocalStorageWhenChatEnded",
        "limitTextLength",
    ] {
        assert!(c["settings"].get(k).is_some(), "settings.{k} missing");
    }
    assert_eq!(c["theme"]["title"], "Rocket.Chat");
    assert_eq!(c["theme"]["color"], "#C1272D");
    assert_eq!(c["theme"]["offlineTitle"], "Leave a message");
    assert_eq!(c["theme"]["position"], "right");
    assert_eq!(
        c["survey"]["items"],
        json!([
            "satisfaction",
            "agentKnowledge",
            "agentResposiveness",
            "agentFriendliness"
        ])
    );
    assert_eq!(c["survey"]["values"], json!(["1", "2", "3", "4", "5"]));
    assert!(
        c["resources"]["sound"]
            .as_str()
            .unwrap()
            .ends_with("/sounds/chime.mp3")
    );
    assert_eq!(c["settings"]["limitTextLength"], false);
    assert!(c.get("guest").is_none() && c.get("room").is_none());
    assert_eq!(r.body["success"], true);
}

#[tokio::test]
async fn config_follows_settings_and_agents() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    let r = app.get("/api/v1/livechat/config").await;
    assert_eq!(r.body["config"]["online"], true);
    app.set_setting("Livechat_enable_message_character_limit", json!(true))
        .await;
    app.set_setting("Livechat_show_agent_info", json!(false))
        .await;
    let r = app.get("/api/v1/livechat/config").await;
    assert_eq!(
        r.body["config"]["settings"]["limitTextLength"], 5000,
        "falls back to Message_MaxAllowedSize"
    );
    assert_eq!(r.body["config"]["settings"]["agentHiddenInfo"], true);
    app.set_setting("Livechat_message_character_limit", json!(140))
        .await;
    let r = app.get("/api/v1/livechat/config").await;
    assert_eq!(r.body["config"]["settings"]["limitTextLength"], 140);
    app.set_setting("Livechat_enabled", json!(false)).await;
    let r = app.get("/api/v1/livechat/config").await;
    assert_eq!(r.text, r#"{"config":{"enabled":false},"success":true}"#);
}

#[tokio::test]
async fn config_resumes_the_visitors_conversation() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "tok", "name": "Mary", "email": "mary@example.com"}}),
    )
    .await;
    let r = app.get("/api/v1/livechat/config?token=tok").await;
    let c = &r.body["config"];
    assert_eq!(c["guest"]["token"], "tok");
    assert_eq!(c["guest"]["name"], "Mary");
    assert_eq!(
        c["guest"]["visitorEmails"][0]["address"],
        "mary@example.com"
    );
    assert!(c.get("room").is_none(), "no room yet");
    let room = app.room("tok").await.body["room"].clone();
    let r = app.get("/api/v1/livechat/config?token=tok").await;
    let c = &r.body["config"];
    assert_eq!(c["room"]["_id"], room["_id"]);
    assert_eq!(c["room"]["servedBy"]["_id"], agent.id.as_str());
    assert_eq!(c["agent"]["_id"], agent.id.as_str());
    assert_eq!(c["agent"]["username"], "agent1");
    // Unknown tokens just leave guest out.
    let r = app.get("/api/v1/livechat/config?token=unknown").await;
    assert!(r.body["config"].get("guest").is_none());
}

#[tokio::test]
async fn config_lists_departments_with_agents_and_checks_params() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let with = app
        .post_as(&app.admin, "/api/v1/livechat/department", json!({
            "department": {"enabled": true, "name": "Sales", "email": "s@x.com", "showOnRegistration": true, "showOnOfflineForm": false},
            "agents": [{"agentId": agent.id}]
        }))
        .await;
    assert_eq!(with.status, 200, "{}", with.text);
    app.post_as(&app.admin, "/api/v1/livechat/department", json!({
        "department": {"enabled": true, "name": "Empty", "email": "e@x.com", "showOnRegistration": true, "showOnOfflineForm": true}
    }))
    .await;
    let r = app.get("/api/v1/livechat/config").await;
    let deps = r.body["config"]["departments"].as_array().unwrap().clone();
    assert_eq!(deps.len(), 1);
    assert_eq!(
        deps[0],
        json!({"_id": with.body["department"]["_id"], "name": "Sales", "showOnRegistration": true, "showOnOfflineForm": false})
    );
    let id = deps[0]["_id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/livechat/config?department={id}"))
        .await;
    assert_eq!(r.body["config"]["online"], true);
    let r = app.get("/api/v1/livechat/config?foo=bar").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"must NOT have additional properties [invalid-params]","errorType":"invalid-params"}"#
    );
}
