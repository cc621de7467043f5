//! Triggers: admin CRUD and the enabled ones in `config`.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{Value, json};

fn trigger(name: &str, enabled: bool) -> Value {
    json!({
        "name": name, "description": format!("about {name}"), "enabled": enabled, "runOnce": true,
        "conditions": [{"name": "page-url", "value": "http://localhost:3000"}],
        "actions": [{"name": "send-message", "params": {"sender": "custom", "msg": "Need help?", "name": "Bot"}}]
    })
}

#[tokio::test]
async fn admin_crud_and_config() {
    let app = TestApp::spawn().await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/triggers",
            trigger("welcome", true),
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/triggers",
            trigger("another", false),
        )
        .await;
    assert_eq!(r.status, 200);
    let external = json!({
        "name": "ext", "description": "d", "enabled": true, "runOnce": false,
        "conditions": [{"name": "time-on-site", "value": "10"}],
        "actions": [{"name": "use-external-service", "params": {"serviceUrl": "http://localhost:3000/api/vX", "serviceTimeout": 5000, "serviceFallbackMessage": "Sorry"}}]
    });
    let r = app
        .post_as(&app.admin, "/api/v1/livechat/triggers", external)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let r = app.get_as(&app.admin, "/api/v1/livechat/triggers").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.body["count"].as_i64(),
            r.body["total"].as_i64(),
            r.body["offset"].as_i64()
        ),
        (Some(3), Some(3), Some(0))
    );
    let names: Vec<&str> = r.body["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["another", "ext", "welcome"], "sorted by name");
    let welcome = r.body["triggers"][2].clone();
    let keys: Vec<&String> = welcome.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "_id",
            "name",
            "description",
            "enabled",
            "runOnce",
            "conditions",
            "actions",
            "_updatedAt"
        ]
    );
    let id = welcome["_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 24);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/triggers?count=1&offset=1")
        .await;
    assert_eq!(r.body["triggers"][0]["name"], "ext");
    assert_eq!(r.body["total"], 3);

    // The widget gets the enabled ones, in the order they were created, four keys each.
    let cfg = app.get("/api/v1/livechat/config").await;
    let t = cfg.body["config"]["triggers"].as_array().unwrap().clone();
    assert_eq!(t.len(), 2);
    assert_eq!(
        t[0],
        json!({"_id": id, "actions": welcome["actions"], "conditions": welcome["conditions"], "runOnce": true})
    );
    assert_eq!(t[1]["actions"][0]["name"], "use-external-service");

    // Update by `_id`, then disable: it leaves config.
    let mut upd = trigger("welcome", false);
    upd["_id"] = json!(id);
    upd["description"] = json!("changed");
    let r = app
        .post_as(&app.admin, "/api/v1/livechat/triggers", upd)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .get_as(&app.admin, &format!("/api/v1/livechat/triggers/{id}"))
        .await;
    assert_eq!(r.body["trigger"]["description"], "changed");
    assert_eq!(r.body["trigger"]["enabled"], false);
    let cfg = app.get("/api/v1/livechat/config").await;
    assert_eq!(cfg.body["config"]["triggers"].as_array().unwrap().len(), 1);

    let r = app
        .get_as(&app.admin, "/api/v1/livechat/triggers/invalid-id")
        .await;
    assert_eq!(r.text, r#"{"trigger":null,"success":true}"#);
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/livechat/triggers/{id}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let r = app
        .get_as(&app.admin, &format!("/api/v1/livechat/triggers/{id}"))
        .await;
    assert_eq!(r.body["trigger"], Value::Null);
    let r = app.get_as(&app.admin, "/api/v1/livechat/triggers").await;
    assert_eq!(r.body["total"], 2);
}

#[tokio::test]
async fn permissions_and_validation() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let r = app.post("/api/v1/livechat/triggers", json!({})).await;
    assert_eq!(r.status, 401);
    let r = app.get_as(&agent, "/api/v1/livechat/triggers").await;
    assert_eq!(r.status, 403);
    let r = app
        .post_as(&agent, "/api/v1/livechat/triggers", trigger("t", true))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .get_as(&agent, "/api/v1/livechat/triggers/invalid-id")
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .req(
            Method::DELETE,
            "/api/v1/livechat/triggers/x",
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, 403);

    let base = trigger("t", true);
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, err) in [
        (
            json!({}),
            "must have required property 'name'\n must have required property 'description'\n must have required property 'enabled'\n must have required property 'runOnce'\n must have required property 'conditions'\n must have required property 'actions' [invalid-params]",
        ),
        (
            with("enabled", json!(1)),
            "must be boolean [invalid-params]",
        ),
        (
            with("conditions", json!([])),
            "must NOT have fewer than 1 item [invalid-params]",
        ),
        (
            with("conditions", json!(1)),
            "must be array [invalid-params]",
        ),
        (
            with("conditions", json!([1])),
            "must be object [invalid-params]",
        ),
        (
            with("conditions", json!([{"name": "invalid", "value": "x"}])),
            "must be equal to one of the allowed values [invalid-params]",
        ),
        (
            with("conditions", json!([{"name": "page-url"}])),
            "must have required property 'value' [invalid-params]",
        ),
        (
            with(
                "actions",
                json!([{"name": "send-message", "params": {"sender": "custom"}}]),
            ),
            "must have required property 'msg'\n must be equal to one of the allowed values\n must have required property 'serviceUrl'\n must have required property 'serviceTimeout'\n must have required property 'serviceFallbackMessage'\n must match exactly one schema in oneOf [invalid-params]",
        ),
    ] {
        let r = app
            .post_as(&app.admin, "/api/v1/livechat/triggers", body.clone())
            .await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.body["error"], err, "{body}");
    }
    for bad in [
        json!([{"name": "invalid"}]),
        json!([{"name": "send-message", "params": {"sender": "invalid", "msg": "m"}}]),
        json!([{"name": "send-message", "params": {"sender": "custom", "msg": "test", "name": {}}}]),
        json!([{"name": "use-external-service", "params": {"serviceTimeout": 5000, "serviceFallbackMessage": "x"}}]),
        json!([{"name": "use-external-service", "params": {"serviceUrl": "u", "serviceFallbackMessage": "x"}}]),
        json!([{"name": "use-external-service", "params": {"serviceUrl": "u", "serviceTimeout": 5000}}]),
        json!([1]),
    ] {
        let r = app
            .post_as(
                &app.admin,
                "/api/v1/livechat/triggers",
                with("actions", bad.clone()),
            )
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
    let r = app.get_as(&app.admin, "/api/v1/livechat/triggers").await;
    assert_eq!(r.body["total"], 0, "nothing invalid was stored");
}
