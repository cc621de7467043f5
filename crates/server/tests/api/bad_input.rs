//! Bad input gets a Rocket.Chat-shaped 4xx: never a 500, never a half-written state.

use crate::helpers::*;
use reqwest::Method;
use serde_json::Value;

const POSTS: &[&str] = &[
    "/api/v1/login",
    "/api/v1/users.create",
    "/api/v1/users.delete",
    "/api/v1/users.setStatus",
    "/api/v1/settings/Livechat_enabled",
    "/api/v1/livechat/visitor",
    "/api/v1/livechat/visitor.status",
    "/api/v1/livechat/users/agent",
    "/api/v1/livechat/agent.status",
    "/api/v1/livechat/department",
    "/api/v1/livechat/department/xyz/agents",
    "/api/v1/livechat/message",
    "/api/v1/livechat/messages",
    "/api/v1/livechat/room.close",
    "/api/v1/livechat/room.closeByUser",
    "/api/v1/livechat/room.forward",
    "/api/v1/livechat/room.transfer",
    "/api/v1/livechat/room.saveInfo",
    "/api/v1/livechat/inquiries.take",
    "/api/v1/livechat/inquiries.returnAsInquiry",
    "/api/v1/chat.sendMessage",
    // issue 8a
    "/api/v1/livechat/room.survey",
    "/api/v1/livechat/custom.field",
    "/api/v1/livechat/custom.fields",
    "/api/v1/livechat/custom-fields.save",
    "/api/v1/livechat/custom-fields.delete",
    "/api/v1/livechat/triggers",
    "/api/v1/livechat/page.visited",
    "/api/v1/livechat/upload/xyz",
    // issue 8b
    "/api/v1/livechat/offline.message",
    "/api/v1/livechat/transcript",
    "/api/v1/livechat/webhook.test",
];

async fn raw(app: &TestApp, method: Method, path: &str, body: Vec<u8>, auth: bool) -> (u16, Value) {
    let mut r = app
        .http
        .request(method, format!("{}{}", app.base, path))
        .header("Content-Type", "application/json")
        .body(body);
    if auth {
        r = r
            .header("X-User-Id", &app.admin.id)
            .header("X-Auth-Token", &app.admin.token);
    }
    let res = r.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}")),
    )
}

#[tokio::test]
async fn malformed_json_wrong_shapes_and_huge_bodies() {
    let app = TestApp::spawn().await;
    let bodies: Vec<Vec<u8>> = vec![
        b"{not json".to_vec(),
        b"[1,2,3]".to_vec(),
        b"\"string\"".to_vec(),
        b"{\"visitor\": 5, \"token\": [], \"value\": {}, \"username\": 7, \"department\": []}"
            .to_vec(),
        vec![0xff, 0xfe, 0x00],
        format!("{{\"pad\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)).into_bytes(),
    ];
    for path in POSTS {
        for body in &bodies {
            for auth in [false, true] {
                let (status, json) = raw(&app, Method::POST, path, body.clone(), auth).await;
                assert!((400..500).contains(&status), "{path} → {status} {json}");
                assert_eq!(json["success"], false, "{path}: {json}");
            }
        }
    }
    // The admin and the settings are intact.
    assert_eq!(
        app.get_as(&app.admin, "/api/v1/settings/Livechat_enabled")
            .await
            .body["value"],
        true
    );
}

#[tokio::test]
async fn unknown_ids_and_missing_auth() {
    let app = TestApp::spawn().await;
    for (m, path) in [
        (Method::GET, "/api/v1/me"),
        (Method::GET, "/api/v1/users.info?userId=x"),
        (Method::GET, "/api/v1/settings/Livechat_enabled"),
        (Method::GET, "/api/v1/livechat/users/agent"),
        (Method::GET, "/api/v1/livechat/department"),
        (Method::DELETE, "/api/v1/livechat/department/x"),
        (Method::GET, "/api/v1/livechat/config/routing"),
    ] {
        let r = app.req(m, path, None, None).await;
        assert_eq!(r.status, 401, "{path}");
        assert_eq!(r.body["error"], "You must be logged in to do this.");
    }
    for path in [
        "/api/v1/livechat/visitor/nope",
        "/api/v1/livechat/agent.info/nope/nope",
        "/api/v1/livechat/room?token=nope",
        "/api/v1/livechat/room?token=nope&rid=nope",
        "/api/v1/users.info?userId=nope",
    ] {
        let r = app.get_as(&app.admin, path).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        assert_eq!(r.body["success"], false);
    }
    let r = app.get("/api/v1/nothing-here").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["success"], false);
    let r = app.get("/api/v1/livechat/room?token=%ZZ%").await;
    assert!(r.status.is_client_error());
}
