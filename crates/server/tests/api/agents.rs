//! `livechat/users/:type`, `livechat/agent.status`.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn add_list_get_remove_agents() {
    let app = TestApp::spawn().await;
    let u = app.create_user("jane", &[]).await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/users/agent",
            json!({"username": "jane"}),
        )
        .await;
    assert_eq!(
        r.text,
        format!(
            r#"{{"user":{{"_id":"{}","username":"jane"}},"success":true}}"#,
            u.id
        )
    );
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/users/agent",
            json!({"username": "nobody"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"[error-invalid-user]","errorType":"error-invalid-user"}"#
    );
    let r = app
        .post_as(&app.admin, "/api/v1/livechat/users/agent", json!({}))
        .await;
    assert_eq!(
        r.body["error"],
        "must have required property 'username' [invalid-params]"
    );

    let r = app.get_as(&app.admin, "/api/v1/livechat/users/agent").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["count"], 1);
    assert_eq!(r.body["offset"], 0);
    assert_eq!(r.body["users"][0]["username"], "jane");
    assert_eq!(r.body["users"][0]["statusLivechat"], "available");
    let keys: Vec<&String> = r.body["users"][0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "_id",
            "username",
            "status",
            "statusLivechat",
            "name",
            "emails",
            "livechat",
            "departments"
        ]
    );
    // showIdleAgents=false leaves out agents whose presence is offline (jane never set one).
    let r = app
        .get_as(
            &app.admin,
            "/api/v1/livechat/users/agent?showIdleAgents=false",
        )
        .await;
    assert_eq!(r.body["total"], 0);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/users/agent?unknown=1")
        .await;
    assert_eq!(
        r.body["error"],
        "must NOT have additional properties [invalid-params]"
    );
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/users/agent?text=nomatch")
        .await;
    assert_eq!(r.body["total"], 0);
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/users/agent/{}", u.id),
        )
        .await;
    assert_eq!(r.body["user"]["_id"], u.id.as_str());
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/users/manager/{}", u.id),
        )
        .await;
    assert_eq!(r.text, r#"{"user":null,"success":true}"#);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/users/agent/nobody")
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"User not found"}"#);
    let r = app.get_as(&app.admin, "/api/v1/livechat/users/robot").await;
    assert_eq!(r.text, r#"{"success":false,"error":"Invalid type"}"#);
    // The user is looked up before the type is checked.
    let r = app
        .req(
            Method::DELETE,
            "/api/v1/livechat/users/robot/nobody",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.text, r#"{"success":false}"#);

    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/livechat/users/agent/{}", u.id),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let r = app.get_as(&app.admin, "/api/v1/livechat/users/agent").await;
    assert_eq!(r.body["total"], 0);
    let r = app
        .req(
            Method::DELETE,
            "/api/v1/livechat/users/agent/nobody",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.text, r#"{"success":false}"#);
}

#[tokio::test]
async fn managers_and_permissions() {
    let app = TestApp::spawn().await;
    let m = app.create_user("manny", &[]).await;
    let agent = app.create_agent("agent1").await;
    // Agents may not manage agents, but may list them (they transfer chats to them)...
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/users/agent",
            json!({"username": "manny"}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        app.get_as(&agent, "/api/v1/livechat/users/agent")
            .await
            .status,
        200
    );
    // ...not managers.
    let r = app.get_as(&agent, "/api/v1/livechat/users/manager").await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (403, r#"{"success":false,"error":"unauthorized"}"#)
    );
    // Bad parameters are refused before permissions.
    let r = app
        .post_as(&agent, "/api/v1/livechat/users/agent", json!({"user": "x"}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(app.get("/api/v1/livechat/users/agent").await.status, 401);
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/users/manager",
            json!({"username": "manny"}),
        )
        .await;
    assert_eq!(r.status, 200);
    // A manager may now add agents.
    app.create_user("newbie", &[]).await;
    let r = app
        .post_as(
            &m,
            "/api/v1/livechat/users/agent",
            json!({"username": "newbie"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_as(&m, "/api/v1/livechat/users/manager").await;
    assert_eq!(r.body["users"][0]["username"], "manny");
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/livechat/users/manager/{}", m.id),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .post_as(
            &m,
            "/api/v1/livechat/users/agent",
            json!({"username": "newbie"}),
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn agent_status_sets_toggles_and_checks() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    let r = app
        .post_as(&a, "/api/v1/livechat/agent.status", json!({}))
        .await;
    assert_eq!(r.text, r#"{"status":"not-available","success":true}"#);
    let r = app
        .post_as(&a, "/api/v1/livechat/agent.status", json!({}))
        .await;
    assert_eq!(r.body["status"], "available");
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/agent.status",
            json!({"status": "sleepy"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "invalid-params");
    // Another agent's status needs manage-livechat-agents.
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/agent.status",
            json!({"agentId": b.id, "status": "not-available"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (403, r#"{"success":false,"error":"unauthorized"}"#)
    );
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/agent.status",
            json!({"agentId": b.id, "status": "not-available"}),
        )
        .await;
    assert_eq!(r.body["status"], "not-available");
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/agent.status",
            json!({"agentId": "nobody"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (404, r#"{"success":false,"error":"Agent not found"}"#)
    );
    // Asking for the status an agent already has changes nothing and needs no permission.
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/agent.status",
            json!({"agentId": b.id, "status": "not-available"}),
        )
        .await;
    assert_eq!(r.text, r#"{"status":"not-available","success":true}"#);
    let user = app.create_user("plain", &[]).await;
    assert_eq!(
        app.post_as(&user, "/api/v1/livechat/agent.status", json!({}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn deactivating_an_agent_closes_its_chats_and_ends_its_sessions() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    app.set_setting("Livechat_maximum_chats_per_agent", json!(1))
        .await;
    let mut rids = Vec::new();
    for token in ["v1", "v2"] {
        app.visitor(token).await;
        let r = app.room(token).await;
        rids.push(r.body["room"]["_id"].as_str().unwrap().to_string());
    }
    assert_eq!(open_of(&app, &a.id).await, 1, "the second chat waits");
    let b = app.create_agent("b").await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.setActiveStatus",
            json!({"userId": a.id, "activeStatus": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(open_of(&app, &a.id).await, 0);

    // The chat closed by the agent, saying why, as upstream's closeOmnichannelConversations.
    let all = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?open=false")
        .await;
    let room = all.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["_id"] == rids[0].as_str())
        .cloned()
        .unwrap();
    assert_eq!(room["closer"], "user");
    assert_eq!(room["closedBy"]["username"], "a");
    let history = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{}?token=v1",
            rids[0]
        ))
        .await;
    let close = &history.body["messages"][0];
    assert_eq!(
        (close["t"].as_str(), close["msg"].as_str()),
        (Some("livechat-close"), Some("Agent was deactivated")),
        "{}",
        history.text
    );
    // The chat that waited went to b when b became available; it stays b's.
    let served = app.room("v2").await;
    assert_eq!(served.body["room"]["servedBy"]["username"], "b");
    assert_eq!(open_of(&app, &b.id).await, 1);

    // Re-activated, the old session stays ended; a new login works.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.setActiveStatus",
            json!({"userId": a.id, "activeStatus": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get_as(&a, "/api/v1/me").await.status, 401);
    let again = app.login("a", "pass").await;
    assert_eq!(app.get_as(&again, "/api/v1/me").await.status, 200);
}

async fn open_of(app: &TestApp, agent: &str) -> serde_json::Value {
    let path = format!("/api/v1/livechat/rooms?agents[]={agent}&open=true");
    app.get_as(&app.admin, &path).await.body["total"].clone()
}
