//! `livechat/department` and its agents.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{Value, json};

fn dept(name: &str) -> serde_json::Value {
    json!({"enabled": true, "name": name, "email": format!("{name}@x.com"), "showOnRegistration": true, "showOnOfflineForm": false, "description": "d"})
}

#[tokio::test]
async fn create_read_update_delete() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    let r = app
        .post_as(&app.admin, "/api/v1/livechat/department", json!({"department": dept("Sales"), "agents": [{"agentId": a.id, "count": 0, "order": 1}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = r.body["department"].clone();
    let id = d["_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 17);
    assert_eq!(d["name"], "Sales");
    assert_eq!(d["numAgents"], 1);
    assert_iso(&d["_updatedAt"]);
    let ag = &r.body["agents"][0];
    assert_eq!(ag["agentId"], a.id.as_str());
    assert_eq!(ag["departmentId"], id.as_str());
    assert_eq!(ag["username"], "a");
    assert_eq!(ag["departmentEnabled"], true);
    assert_eq!(ag["order"], 1);

    let r = app
        .get_as(&app.admin, &format!("/api/v1/livechat/department/{id}"))
        .await;
    assert_eq!(r.body["department"]["_id"], id.as_str());
    assert_eq!(r.body["agents"].as_array().unwrap().len(), 1);
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/department/{id}?includeAgents=false"),
        )
        .await;
    assert!(r.body.get("agents").is_none());
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/department/unknown")
        .await;
    assert_eq!(r.body["department"], serde_json::Value::Null);

    let mut changed = dept("Sales EU");
    changed["enabled"] = json!(false);
    let r = app
        .req(
            Method::PUT,
            &format!("/api/v1/livechat/department/{id}"),
            Some(&app.admin),
            Some(json!({"department": changed, "agents": [{"agentId": b.id}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["department"]["name"], "Sales EU");
    assert_eq!(r.body["department"]["enabled"], false);
    let agents: Vec<&str> = r.body["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["username"].as_str().unwrap())
        .collect();
    assert_eq!(agents, ["a", "b"], "PUT adds agents, it never removes one");
    assert!(
        r.body["agents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["departmentEnabled"] == false)
    );

    let r = app
        .get_as(&app.admin, "/api/v1/livechat/department?text=EU")
        .await;
    assert_eq!(r.body["total"], 1);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/department?text=nothing")
        .await;
    assert_eq!(r.body["total"], 0);

    // Removal is off by default in 7.x.
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/livechat/department/{id}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-department-removal-disabled"}"#
    );
    app.set_setting("Omnichannel_enable_department_removal", json!(true))
        .await;
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/livechat/department/{id}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/livechat/department/{id}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-department-not-found"}"#
    );
}

#[tokio::test]
async fn validation_and_permissions() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("a").await;
    // POST validates with ajv first (all errors at once)...
    let r = app
        .post_as(&app.admin, "/api/v1/livechat/department", json!({}))
        .await;
    assert_eq!(
        r.body["error"],
        "must have required property 'department' [invalid-params]"
    );
    assert_eq!(r.body["errorType"], "invalid-params");
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": {"name": "x"}}),
        )
        .await;
    assert_eq!(
        r.body["error"],
        "must have required property 'email'\n must have required property 'enabled'\n must have required property 'showOnRegistration'\n must have required property 'showOnOfflineForm' [invalid-params]"
    );
    let mut d = dept("X");
    d["enabled"] = json!("yes");
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": d}),
        )
        .await;
    assert_eq!(r.body["error"], "must be boolean [invalid-params]");
    // ...PUT with Meteor's check(), in its pattern's order.
    let r = app
        .req(
            Method::PUT,
            "/api/v1/livechat/department/x",
            Some(&app.admin),
            Some(json!({"department": {"enabled": true, "name": "x"}})),
        )
        .await;
    assert_eq!(
        r.body["error"],
        "Match error: Missing key 'showOnRegistration'"
    );
    let mut d = dept("X");
    d["requestTagBeforeClosingChat"] = json!(true);
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": d}),
        )
        .await;
    assert_eq!(
        r.body["errorType"],
        "error-validating-department-chat-closing-tags"
    );
    // Unknown users in the agent list are skipped, as upstream does.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": dept("X"), "agents": [{"agentId": "nobody"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["agents"], json!([]));
    let created = r.body["department"]["_id"].as_str().unwrap().to_string();
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/department",
            json!({"department": dept("X")}),
        )
        .await;
    assert_eq!(r.status, 403);
    // Agents may read departments, but not their agent lists.
    assert_eq!(
        app.get_as(&agent, "/api/v1/livechat/department")
            .await
            .status,
        200
    );
    let seen = app
        .get_as(&agent, &format!("/api/v1/livechat/department/{created}"))
        .await;
    assert!(seen.body.get("agents").is_none());
    assert_eq!(seen.body["department"]["_id"], created.as_str());
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/department?count=lots")
        .await;
    assert_eq!(r.body["error"], "must be number [invalid-params]");
    assert_eq!(app.get("/api/v1/livechat/department").await.status, 401);
}

#[tokio::test]
async fn department_agents_endpoint() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": dept("D")}),
        )
        .await;
    let id = r.body["department"]["_id"].as_str().unwrap().to_string();
    let r = app
        .post_as(
            &app.admin,
            &format!("/api/v1/livechat/department/{id}/agents"),
            json!({"upsert": [{"agentId": a.id}, {"agentId": b.id}], "remove": []}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/department/{id}/agents"),
        )
        .await;
    assert_eq!(r.body["total"], 2);
    let r = app
        .post_as(
            &app.admin,
            &format!("/api/v1/livechat/department/{id}/agents"),
            json!({"upsert": [], "remove": [{"agentId": a.id}]}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .get_as(&app.admin, &format!("/api/v1/livechat/department/{id}"))
        .await;
    assert_eq!(r.body["department"]["numAgents"], 1);
    assert_eq!(r.body["agents"][0]["agentId"], b.id.as_str());
    // Removing the agent role removes the agent from departments too.
    app.req(
        Method::DELETE,
        &format!("/api/v1/livechat/users/agent/{}", b.id),
        Some(&app.admin),
        None,
    )
    .await;
    let r = app
        .get_as(&app.admin, &format!("/api/v1/livechat/department/{id}"))
        .await;
    assert_eq!(r.body["department"]["numAgents"], 0);
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department/nope/agents",
            json!({"upsert": [], "remove": []}),
        )
        .await;
    assert_eq!(r.body["errorType"], "error-department-not-found");
}

#[tokio::test]
async fn an_agents_departments() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let mut ids = Vec::new();
    for (name, enabled) in [("Sales", true), ("Old", false)] {
        let mut d = dept(name);
        d["enabled"] = json!(enabled);
        let r = app
            .post_as(
                &app.admin,
                "/api/v1/livechat/department",
                json!({"department": d, "agents": [{"agentId": a.id, "count": 0, "order": 0}]}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        ids.push(r.body["department"]["_id"].clone());
    }
    let path = format!("/api/v1/livechat/agents/{}/departments", a.id);
    let r = app.get_as(&a, &path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut got: Vec<Value> = r.body["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["departmentId"].clone())
        .collect();
    got.sort_by_key(|v| v.to_string());
    let mut want = ids.clone();
    want.sort_by_key(|v| v.to_string());
    assert_eq!(got, want);
    let r = app
        .get_as(&a, &format!("{path}?enabledDepartmentsOnly=true"))
        .await;
    let only = r.body["departments"].as_array().unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["departmentId"], ids[0]);
    assert_eq!(only[0]["departmentEnabled"], true);
    // An agent in none; a visitor-only caller cannot ask.
    let b = app.create_agent("b").await;
    let r = app
        .get_as(&b, &format!("/api/v1/livechat/agents/{}/departments", b.id))
        .await;
    assert_eq!(r.body, json!({"departments": [], "success": true}));
    let user = app.create_user("plain", &[]).await;
    assert_eq!(app.get_as(&user, &path).await.status, 403);
}
