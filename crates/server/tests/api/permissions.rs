//! Upstream's permission model: `permissions.listAll`, `permissions.update`, `roles.list`,
//! and routes answering 403 once a permission is taken from a role (admins included).

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

fn roles_of(list: &Value, id: &str) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["_id"] == id)
        .unwrap_or_else(|| panic!("no permission {id}"))["roles"]
        .clone()
}

async fn update(app: &TestApp, who: &Creds, body: Value) -> Resp {
    app.post_as(who, "/api/v1/permissions.update", body).await
}

async fn set_roles(app: &TestApp, id: &str, roles: &[&str]) {
    let r = update(
        app,
        &app.admin,
        json!({"permissions": [{"_id": id, "roles": roles}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn list_all_answers_upstreams_defaults() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/api/v1/permissions.listAll").await.status, 401);
    let r = app.get_as(&app.admin, "/api/v1/permissions.listAll").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["remove"], json!([]));
    let update = &r.body["update"];
    assert_eq!(update.as_array().unwrap().len(), 171 + 11);
    let first = &update[0];
    assert_eq!(first["_id"], "access-permissions");
    assert_iso(&first["_updatedAt"]);
    assert_eq!(
        roles_of(update, "view-l-room"),
        json!([
            "livechat-manager",
            "livechat-monitor",
            "livechat-agent",
            "admin"
        ])
    );
    assert_eq!(
        roles_of(update, "transfer-livechat-guest"),
        json!(["livechat-manager", "livechat-monitor", "admin"])
    );
    // Any logged-in user may read them, as upstream.
    let agent = app.create_agent("agent1").await;
    let r = app.get_as(&agent, "/api/v1/permissions.listAll").await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn list_all_since_a_date() {
    let app = TestApp::spawn_with_clock("2024-05-01T10:00:00.000Z").await;
    let since = |d: &str| format!("/api/v1/permissions.listAll?updatedSince={d}");
    let r = app
        .get_as(&app.admin, &since("2024-05-01T09:00:00.000Z"))
        .await;
    assert_eq!(r.body["update"].as_array().unwrap().len(), 171 + 11);
    app.set_time("2024-05-01T11:00:00.000Z");
    set_roles(&app, "view-livechat-webhooks", &["admin"]).await;
    let r = app
        .get_as(&app.admin, &since("2024-05-01T10:30:00.000Z"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["update"],
        json!([{"_id": "view-livechat-webhooks", "roles": ["admin"], "_updatedAt": "2024-05-01T11:00:00.000Z"}])
    );
    assert_eq!(r.body["remove"], json!([]));
    // `Date.parse` forms other than ISO with a zone.
    let r = app.get_as(&app.admin, &since("2024-05-02")).await;
    assert_eq!(r.body["update"], json!([]));
    let r = app.get_as(&app.admin, &since("not-a-date")).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"The \"updatedSince\" query parameter must be a valid date. [error-roomId-param-invalid]","errorType":"error-roomId-param-invalid"}"#
    );
}

#[tokio::test]
async fn update_errors_in_upstreams_order_and_change_nothing() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let one = |id: &str, roles: Value| json!({"permissions": [{"_id": id, "roles": roles}]});
    // No `access-permissions`: refused before the body is looked at.
    let r = update(&app, &agent, json!({"nonsense": true})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Editing permissions is not allowed","errorType":"error-edit-permissions-not-allowed"}"#
    );
    let invalid_body = r#"{"success":false,"error":"Invalid body params","errorType":"error-invalid-body-params"}"#;
    for body in [
        json!({}),
        json!({"permissions": "view-l-room"}),
        json!({"permissions": [{"_id": "view-l-room"}]}),
        json!({"permissions": [{"_id": "view-l-room", "roles": ["admin"], "x": 1}]}),
        json!({"permissions": [], "extra": 1}),
        one("view-l-room", json!(["admin", "admin"])),
        one("view-l-room", json!("admin")),
        one("view-l-room", json!([{}])),
    ] {
        let r = update(&app, &app.admin, body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.text.as_str()),
            (400, invalid_body),
            "{body}"
        );
    }
    let r = update(
        &app,
        &app.admin,
        json!({"permissions": [
            {"_id": "view-l-room", "roles": []},
            {"_id": "no-such-permission", "roles": []},
        ]}),
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Invalid permission","errorType":"error-invalid-permission"}"#
    );
    let r = update(
        &app,
        &app.admin,
        one("view-l-room", json!(["admin", "wizard"])),
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"Invalid role","errorType":"error-invalid-role"}"#
    );
    // None of the refused updates changed anything.
    let r = app.get_as(&app.admin, "/api/v1/permissions.listAll").await;
    assert_eq!(
        roles_of(&r.body["update"], "view-l-room"),
        json!([
            "livechat-manager",
            "livechat-monitor",
            "livechat-agent",
            "admin"
        ])
    );
    // An empty list is a valid update of nothing.
    let r = update(&app, &app.admin, json!({"permissions": []})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["permissions"].as_array().unwrap().len(), 171 + 11);
}

#[tokio::test]
async fn a_removed_permission_makes_routes_answer_403_for_everyone() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let queued = "/api/v1/livechat/inquiries.queued";
    assert_eq!(app.get_as(&agent, queued).await.status, 200);
    let r = update(
        &app,
        &app.admin,
        json!({"permissions": [{"_id": "view-l-room", "roles": []}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["success"], true);
    assert_eq!(roles_of(&r.body["permissions"], "view-l-room"), json!([]));
    for who in [&agent, &app.admin] {
        let r = app.get_as(who, queued).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(
            r.text,
            r#"{"success":false,"error":"User does not have the permissions required for this action [error-unauthorized]"}"#
        );
    }
    // Given back to agents only: the agent may, the admin (no longer holding it) may not.
    set_roles(&app, "view-l-room", &["livechat-agent"]).await;
    assert_eq!(app.get_as(&agent, queued).await.status, 200);
    assert_eq!(app.get_as(&app.admin, queued).await.status, 403);
    // Roles are replaced, not merged.
    set_roles(&app, "view-l-room", &["admin"]).await;
    assert_eq!(app.get_as(&agent, queued).await.status, 403);
    assert_eq!(app.get_as(&app.admin, queued).await.status, 200);
}

#[tokio::test]
async fn an_admins_change_survives_a_restart() {
    let app = TestApp::spawn().await;
    set_roles(&app, "close-livechat-room", &["admin"]).await;
    // What a restart does: seed upstream's defaults where missing, then load.
    let reloaded = ferrochat::domain::permissions::Permissions::load(
        &app.store,
        ferrochat::time::Ts::from_millis(0),
    )
    .await
    .unwrap();
    assert!(reloaded.role_has("admin", "close-livechat-room"));
    assert!(!reloaded.role_has("livechat-agent", "close-livechat-room"));
    assert!(reloaded.role_has("livechat-agent", "view-l-room"));
}

#[tokio::test]
async fn roles_list() {
    let app = TestApp::spawn().await;
    let r = app.get_as(&app.admin, "/api/v1/roles.list").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let roles = r.body["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 12);
    let admin = roles.iter().find(|r| r["_id"] == "admin").unwrap();
    assert_eq!(
        admin.to_string(),
        r#"{"_id":"admin","scope":"Users","description":"Admin","mandatory2fa":false,"name":"admin","protected":true}"#
    );
    assert!(
        roles
            .iter()
            .any(|r| r["_id"] == "moderator" && r["scope"] == "Subscriptions")
    );
    // Users are created with existing roles only.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.create",
            json!({"username": "u1", "email": "u1@example.com", "password": "p", "name": "U",
                   "roles": ["wizard"]}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["errorType"], "error-invalid-role");
}

#[tokio::test]
async fn a_change_on_one_instance_is_enforced_by_the_other() {
    let cluster = TestCluster::spawn(2, 30).await;
    let (a, b) = (&cluster.apps[0], &cluster.apps[1]);
    let agent = a.create_agent("agent1").await;
    let queued = "/api/v1/livechat/inquiries.queued";
    assert_eq!(b.get_as(&agent, queued).await.status, 200);
    set_roles(a, "view-l-room", &["admin"]).await;
    let mut status = 0;
    for _ in 0..200 {
        status = b.get_as(&agent, queued).await.status.as_u16();
        if status == 403 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        status, 403,
        "B never saw view-l-room taken from agents on A"
    );
}

#[tokio::test]
async fn api_bypass_rate_limit_holders_are_not_counted() {
    let app = TestApp::spawn_rate_limited().await;
    let agent = app.create_agent("agent1").await;
    let path = "/api/v1/livechat/inquiries.queued";
    // Upstream's default: 10 calls a minute per route and client, except for admins, bots
    // and apps (`api-bypass-rate-limit`).
    for _ in 0..15 {
        let r = app.get_as(&app.admin, path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.headers.get("x-ratelimit-limit").is_none());
    }
    for _ in 0..10 {
        assert_eq!(app.get_as(&agent, path).await.status, 200);
    }
    assert_eq!(app.get_as(&agent, path).await.status, 429);
    // Taken from admins: the admin is counted too (and the window is already used up).
    set_roles(&app, "api-bypass-rate-limit", &["bot", "app"]).await;
    let r = app.get_as(&app.admin, path).await;
    assert_eq!(r.status, 429, "{}", r.text);
}
