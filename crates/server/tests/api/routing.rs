//! Routing methods, availability rules, departments, `agent.info` and `agent.next`.

use crate::helpers::*;
use serde_json::{Value, json};

async fn served_by(app: &TestApp, token: &str) -> Option<String> {
    app.visitor(token).await;
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"]["servedBy"]["username"]
        .as_str()
        .map(str::to_string)
}

async fn department(app: &TestApp, name: &str, agents: &[&Creds], extra: Value) -> String {
    let mut d = json!({"enabled": true, "name": name, "email": format!("{name}@x.com"), "showOnRegistration": true, "showOnOfflineForm": true});
    for (k, v) in extra.as_object().unwrap() {
        d[k] = v.clone();
    }
    let agents: Vec<Value> = agents.iter().map(|a| json!({"agentId": a.id})).collect();
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": d, "agents": agents}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["department"]["_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn auto_selection_picks_the_least_assigned_agent() {
    let app = TestApp::spawn().await;
    app.create_agent("bob").await;
    app.create_agent("alice").await;
    // Ties go by username.
    assert_eq!(served_by(&app, "v1").await.as_deref(), Some("alice"));
    assert_eq!(served_by(&app, "v2").await.as_deref(), Some("bob"));
    assert_eq!(served_by(&app, "v3").await.as_deref(), Some("alice"));
    let mut counts = Vec::new();
    for name in ["alice", "bob"] {
        let r = app
            .get_as(&app.admin, &format!("/api/v1/users.info?username={name}"))
            .await;
        counts.push(r.body["user"]["livechatCount"].as_i64().unwrap());
    }
    assert_eq!(counts, [2, 1]);
}

#[tokio::test]
async fn availability_rules() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    // Not available for livechat: skipped.
    app.post_as(
        &a,
        "/api/v1/livechat/agent.status",
        json!({"status": "not-available"}),
    )
    .await;
    assert_eq!(served_by(&app, "v1").await.as_deref(), Some("b"));
    app.post_as(
        &a,
        "/api/v1/livechat/agent.status",
        json!({"status": "available"}),
    )
    .await;
    // Offline presence: skipped.
    app.post_as(&a, "/api/v1/users.setStatus", json!({"status": "offline"}))
        .await;
    assert_eq!(served_by(&app, "v2").await.as_deref(), Some("b"));
    // A chosen `away` status is not an idle connection: the agent still counts, even when
    // Livechat_enabled_when_agent_idle is off (that flag looks at `statusConnection`).
    app.post_as(&a, "/api/v1/users.setStatus", json!({"status": "away"}))
        .await;
    app.set_setting("Livechat_enabled_when_agent_idle", json!(false))
        .await;
    app.post_as(&b, "/api/v1/users.setStatus", json!({"status": "offline"}))
        .await;
    assert_eq!(served_by(&app, "v3").await.as_deref(), Some("a"));
    app.post_as(&a, "/api/v1/users.setStatus", json!({"status": "offline"}))
        .await;
    app.visitor("v4").await;
    assert_eq!(app.room("v4").await.body["errorType"], "no-agent-online");
}

#[tokio::test]
async fn manual_selection_queues_the_inquiry() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    app.visitor("v1").await;
    let r = app.room("v1").await;
    assert_eq!(r.status, 200);
    assert!(r.body["room"].get("servedBy").is_none());
    assert_eq!(r.body["room"]["usersCount"], 1);
    let status: String = app.db_one("SELECT status FROM inquiries", &[]);
    assert_eq!(status, "queued");
    let me = app.get_as(&a, "/api/v1/me").await;
    assert_eq!(
        me.body["livechatCount"], 0,
        "manual taking does not count as routing"
    );
    let r = app.get_as(&a, "/api/v1/livechat/config/routing").await;
    assert_eq!(r.body["config"]["showQueue"], true);
    assert_eq!(r.body["config"]["autoAssignAgent"], false);
    // agent.next has no agent to offer under manual selection.
    app.visitor("v2").await;
    assert_eq!(
        app.get("/api/v1/livechat/agent.next/v2").await.text,
        r#"{"success":false,"error":"agent-not-found"}"#
    );
}

#[tokio::test]
async fn switching_to_auto_selection_routes_the_waiting_chats() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    app.visitor("v1").await;
    app.room("v1").await;
    assert_eq!(served_by(&app, "v1").await, None);
    app.set_setting("Livechat_Routing_Method", json!("Auto_Selection"))
        .await;
    let status: String = app.db_one("SELECT status FROM inquiries", &[]);
    assert_eq!(status, "taken");
    assert_eq!(served_by(&app, "v1").await.as_deref(), Some("a"));
    let me = app.get_as(&a, "/api/v1/me").await;
    assert_eq!(
        me.body["livechatCount"], 1,
        "the waiting chat went to the agent"
    );
}

#[tokio::test]
async fn departments_route_to_their_agents_with_fallback() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    let sales = department(&app, "Sales", &[&b], json!({})).await;
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "v1", "department": sales}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let room = app.room("v1").await.body["room"].clone();
    assert_eq!(room["servedBy"]["username"], "b", "only department agents");
    assert_eq!(room["departmentId"], sales.as_str());

    // A department whose agents are unavailable: no-agent-online, unless a fallback has one.
    app.post_as(
        &b,
        "/api/v1/livechat/agent.status",
        json!({"status": "not-available"}),
    )
    .await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "v2", "department": sales}}),
    )
    .await;
    assert_eq!(app.room("v2").await.body["errorType"], "no-agent-online");
    let support = department(&app, "Support", &[&a], json!({})).await;
    let r = app
        .req(reqwest::Method::PUT, &format!("/api/v1/livechat/department/{sales}"), Some(&app.admin), Some(json!({
            "department": {"enabled": true, "name": "Sales", "email": "s@x.com", "showOnRegistration": true, "showOnOfflineForm": true, "fallbackForwardDepartment": support},
            "agents": [{"agentId": b.id}]
        })))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let room = app.room("v2").await.body["room"].clone();
    assert_eq!(room["servedBy"]["username"], "a");
    assert_eq!(
        room["departmentId"],
        support.as_str(),
        "the fallback department replaces the visitor's"
    );
    // The department agent counter moved, not only the user's.
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/department/{support}/agents"),
        )
        .await;
    assert_eq!(r.body["agents"][0]["count"], 1);
}

#[tokio::test]
async fn visitors_without_department_get_the_required_department() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let dep = department(&app, "Front", &[&a], json!({})).await;
    app.visitor("v").await;
    let room = app.room("v").await.body["room"].clone();
    assert_eq!(room["departmentId"], dep.as_str());
    // A preferred agent bypasses it.
    app.visitor("w").await;
    let room = app
        .get(&format!("/api/v1/livechat/room?token=w&agentId={}", a.id))
        .await
        .body["room"]
        .clone();
    assert!(room.get("departmentId").is_none());
}

#[tokio::test]
async fn load_balancing_and_rotation() {
    let app = TestApp::spawn().await;
    app.create_agent("a").await;
    app.create_agent("b").await;
    app.set_setting("Livechat_Routing_Method", json!("Load_Balancing"))
        .await;
    let first = served_by(&app, "v1").await.unwrap();
    let second = served_by(&app, "v2").await.unwrap();
    assert_ne!(first, second, "the less busy agent takes the next chat");
    app.set_setting("Livechat_Routing_Method", json!("Load_Rotation"))
        .await;
    let x = served_by(&app, "v3").await.unwrap();
    let y = served_by(&app, "v4").await.unwrap();
    let z = served_by(&app, "v5").await.unwrap();
    assert_ne!(x, y);
    assert_eq!(x, z, "rotation comes back to the agent routed longest ago");
}

#[tokio::test]
async fn chat_limit_holds_and_the_rest_waits_in_queue() {
    let app = TestApp::spawn().await;
    app.create_agent("a").await;
    app.set_setting("Livechat_maximum_chats_per_agent", json!(2))
        .await;
    assert!(served_by(&app, "v1").await.is_some());
    assert!(served_by(&app, "v2").await.is_some());
    assert_eq!(served_by(&app, "v3").await, None, "agent at the limit");
    let queued: i64 = app.db_one(
        "SELECT COUNT(*) FROM inquiries WHERE status = 'queued'",
        &[],
    );
    assert_eq!(queued, 1);
}

/// `livechat:saveAgentInfo` over the REST bridge, as the console sends it.
async fn save_agent_info(app: &TestApp, agent: &Creds, limit: i64, departments: &[&str]) {
    let message = json!({"msg": "method", "id": "1", "method": "livechat:saveAgentInfo",
        "params": [agent.id, {"maxNumberSimultaneousChat": limit}, departments]});
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/method.call/livechat:saveAgentInfo",
            json!({ "message": message.to_string() }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains(r#"\"result\":true"#), "{}", r.text);
}

/// Upstream Enterprise's `getMaxNumberSimultaneousChat`: the department's limit, else the
/// agent's own, else the general one.
#[tokio::test]
async fn an_agents_own_chat_limit_comes_between_the_department_and_the_general_one() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    save_agent_info(&app, &a, 1, &[]).await;
    // No general limit: the agent's own holds.
    assert_eq!(served_by(&app, "v1").await.as_deref(), Some("a"));
    assert_eq!(served_by(&app, "v2").await, None, "agent at its own limit");
    // A higher general limit does not loosen it.
    app.set_setting("Livechat_maximum_chats_per_agent", json!(5))
        .await;
    assert_eq!(served_by(&app, "v3").await, None);
    // Its own limit raised: a new chat is served again.
    save_agent_info(&app, &a, 2, &[]).await;
    assert_eq!(served_by(&app, "v4").await.as_deref(), Some("a"));
    let open: i64 = app.db_one(
        "SELECT COUNT(*) FROM rooms WHERE served_by = ?1 AND open = 1",
        &[&a.id],
    );
    assert_eq!(open, 2);
    // 0 removes the agent's own limit: the general one (5) applies again.
    save_agent_info(&app, &a, 0, &[]).await;
    assert_eq!(served_by(&app, "v5").await.as_deref(), Some("a"));
    // A department's own limit comes before the agent's (visitors now land in the only
    // department).
    save_agent_info(&app, &a, 1, &[]).await;
    let sales = department(
        &app,
        "Sales",
        &[&a],
        json!({"maxNumberSimultaneousChat": 4}),
    )
    .await;
    for (token, served) in [("d1", true), ("d2", false)] {
        app.post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": token, "department": sales}}),
        )
        .await;
        let room = app.room(token).await.body["room"].clone();
        assert_eq!(room["departmentId"], sales.as_str());
        assert_eq!(
            room["servedBy"]["username"] == "a",
            served,
            "{token}: the department allows 4"
        );
    }
}

#[tokio::test]
async fn agent_info_and_next() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("agent1").await;
    app.visitor("v").await;
    let rid = app.room("v").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .get(&format!("/api/v1/livechat/agent.info/{rid}/v"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["agent"]["_id"], a.id.as_str());
    assert_eq!(r.body["agent"]["username"], "agent1");
    assert_eq!(r.body["agent"]["status"], "online");
    assert_eq!(
        r.body["agent"]["emails"][0]["address"],
        "agent1@example.com"
    );
    assert_eq!(
        app.get(&format!("/api/v1/livechat/agent.info/{rid}/nobody"))
            .await
            .text,
        r#"{"success":false,"error":"invalid-token"}"#
    );
    app.visitor("w").await;
    assert_eq!(
        app.get(&format!("/api/v1/livechat/agent.info/{rid}/w"))
            .await
            .text,
        r#"{"success":false,"error":"invalid-room"}"#
    );
    app.set_setting("Livechat_show_agent_email", json!(false))
        .await;
    let r = app
        .get(&format!("/api/v1/livechat/agent.info/{rid}/v"))
        .await;
    assert!(r.body["agent"].get("emails").is_none());
    app.set_setting("Livechat_show_agent_info", json!(false))
        .await;
    let r = app
        .get(&format!("/api/v1/livechat/agent.info/{rid}/v"))
        .await;
    assert_eq!(r.text, r#"{"agent":{"hiddenInfo":true},"success":true}"#);
    app.set_setting("Livechat_show_agent_info", json!(true))
        .await;

    // agent.next: an open room means nothing to do; otherwise the next agent, and its counter moves.
    assert_eq!(
        app.get("/api/v1/livechat/agent.next/v").await.text,
        r#"{"success":true}"#
    );
    let before = app.get_as(&a, "/api/v1/me").await.body["livechatCount"].as_i64();
    let r = app.get("/api/v1/livechat/agent.next/w").await;
    assert_eq!(r.body["agent"]["_id"], a.id.as_str());
    let after = app.get_as(&a, "/api/v1/me").await.body["livechatCount"].as_i64();
    assert_eq!(after, before.map(|b| b + 1), "upstream's side effect");
    app.post_as(
        &a,
        "/api/v1/livechat/agent.status",
        json!({"status": "not-available"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/livechat/agent.next/w").await.text,
        r#"{"success":false,"error":"agent-not-found"}"#
    );
}
