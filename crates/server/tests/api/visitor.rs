use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn register_creates_then_updates_by_token() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "t1"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = &r.body["visitor"];
    assert_eq!(
        v["username"], "guest-2",
        "the hidden counter starts at 1 and is incremented first"
    );
    assert_eq!(v["token"], "t1");
    assert_eq!(v["status"], "online");
    assert_eq!(v["_id"].as_str().unwrap().len(), 24);
    assert!(
        v["_id"]
            .as_str()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
    );
    assert_iso(&v["ts"]);
    assert_iso(&v["_updatedAt"]);
    let id = v["_id"].clone();

    let r = app
        .post("/api/v1/livechat/visitor", json!({"visitor": {"token": "t1", "name": "Mary", "email": " Mary@Example.COM ", "phone": "+1 555"}}))
        .await;
    let v = &r.body["visitor"];
    assert_eq!(v["_id"], id, "same visitor");
    assert_eq!(v["username"], "guest-2");
    assert_eq!(v["name"], "Mary");
    assert_eq!(v["visitorEmails"], json!([{"address": "mary@example.com"}]));
    assert_eq!(v["phone"], json!([{"phoneNumber": "+1 555"}]));

    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "t2"}}),
        )
        .await;
    assert_eq!(r.body["visitor"]["username"], "guest-3");
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "t3", "username": "custom-name"}}),
        )
        .await;
    assert_eq!(r.body["visitor"]["username"], "custom-name");

    let r = app.get("/api/v1/livechat/visitor/t1").await;
    assert_eq!(r.body["visitor"]["name"], "Mary");
}

#[tokio::test]
async fn register_finds_existing_visitor_by_phone_and_email() {
    let app = TestApp::spawn().await;
    let a = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "old", "phone": "12345"}}),
        )
        .await;
    let b = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "new", "phone": "12345"}}),
        )
        .await;
    assert_eq!(a.body["visitor"]["_id"], b.body["visitor"]["_id"]);
    assert_eq!(
        b.body["visitor"]["token"], "old",
        "upstream keeps the first token"
    );
    let c = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "e1", "email": "x@example.com"}}),
        )
        .await;
    let d = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "e2", "email": "X@example.com"}}),
        )
        .await;
    assert_eq!(c.body["visitor"]["_id"], d.body["visitor"]["_id"]);
}

#[tokio::test]
async fn register_validates_input() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({}), "Match error: Missing key 'visitor'"),
        (
            json!({"visitor": {}}),
            "Match error: Missing key 'token' in field visitor",
        ),
        (
            json!({"visitor": {"token": 5}}),
            "Match error: Expected string, got number in field visitor.token",
        ),
        (
            json!({"visitor": {"token": "t"}, "extra": 1}),
            "Match error: Unknown key 'extra'",
        ),
        (
            json!({"visitor": {"token": "t", "customFields": [{"key": "a"}]}}),
            "Match error: Missing key 'value' in field visitor.customFields[0]",
        ),
    ];
    for (body, error) in cases {
        let r = app.post("/api/v1/livechat/visitor", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(
            r.text,
            format!("{{\"success\":false,\"error\":{}}}", json!(error)),
            "{body}"
        );
    }
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "  "}}),
        )
        .await;
    assert_eq!(
        r.body["error"],
        "Token cannot be empty [error-invalid-token]"
    );
    assert_eq!(r.body["errorType"], "error-invalid-token");
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "t", "email": "not-an-email"}}),
        )
        .await;
    assert_eq!(r.body["errorType"], "error-invalid-email");
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "t", "department": "nope"}}),
        )
        .await;
    assert_eq!(
        r.body["error"],
        "The provided department is invalid [error-invalid-department]"
    );
    assert!(
        app.get("/api/v1/livechat/visitor/t").await.status == 400,
        "nothing stored by failed calls"
    );
}

#[tokio::test]
async fn register_with_department_by_name_or_id() {
    let app = TestApp::spawn().await;
    let d = app
        .post_as(&app.admin, "/api/v1/livechat/department", json!({
            "department": {"enabled": true, "name": "Sales", "email": "s@x.com", "showOnRegistration": true, "showOnOfflineForm": true}
        }))
        .await;
    let id = d.body["department"]["_id"].clone();
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "a", "department": "Sales"}}),
        )
        .await;
    assert_eq!(r.body["visitor"]["department"], id);
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "b", "department": id}}),
        )
        .await;
    assert_eq!(r.body["visitor"]["department"], id);
}

#[tokio::test]
async fn get_unknown_visitor_is_invalid_token() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/livechat/visitor/nobody").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"[invalid-token]","errorType":"invalid-token"}"#
    );
}

#[tokio::test]
async fn delete_visitor_rules_and_cascade() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    let r = app
        .req(
            Method::DELETE,
            "/api/v1/livechat/visitor/nobody",
            None,
            None,
        )
        .await;
    assert_eq!(r.body["errorType"], "invalid-token");

    app.visitor("t1").await;
    let room = app.room("t1").await.body["room"].clone();
    let r = app
        .req(Method::DELETE, "/api/v1/livechat/visitor/t1", None, None)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "Cannot remove visitors with opened rooms [visitor-has-open-rooms]"
    );
    assert_eq!(
        app.room("t1").await.body["room"]["_id"],
        room["_id"],
        "nothing removed"
    );

    app.set_setting(
        "Livechat_Allow_collect_and_store_HTTP_header_informations",
        json!(true),
    )
    .await;
    let r = app
        .req(Method::DELETE, "/api/v1/livechat/visitor/t1", None, None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["visitor"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["_id", "ts"]
    );
    assert_iso(&r.body["visitor"]["ts"]);
    assert_eq!(
        app.get("/api/v1/livechat/visitor/t1").await.body["errorType"],
        "invalid-token"
    );
    assert_eq!(app.room("t1").await.body["error"], "invalid-token");
    let rooms: i64 = app.db_one("SELECT COUNT(*) FROM rooms", &[]);
    let msgs: i64 = app.db_one("SELECT COUNT(*) FROM messages", &[]);
    let subs: i64 = app.db_one("SELECT COUNT(*) FROM subscriptions", &[]);
    let inq: i64 = app.db_one("SELECT COUNT(*) FROM inquiries", &[]);
    assert_eq!((rooms, msgs, subs, inq), (0, 0, 0, 0));
    let doc: String = app.db_one("SELECT doc FROM visitors", &[]);
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["disabled"], true);
    assert!(
        doc.get("token").is_none() && doc.get("username").is_none(),
        "personal data removed: {doc}"
    );
}

#[tokio::test]
async fn visitor_status_updates_open_rooms() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    app.visitor("t1").await;
    app.room("t1").await;
    let r = app
        .post(
            "/api/v1/livechat/visitor.status",
            json!({"token": "t1", "status": "away"}),
        )
        .await;
    assert_eq!(r.text, r#"{"token":"t1","status":"away","success":true}"#);
    assert_eq!(app.room("t1").await.body["room"]["v"]["status"], "away");
    let r = app
        .post(
            "/api/v1/livechat/visitor.status",
            json!({"token": "nobody", "status": "away"}),
        )
        .await;
    assert_eq!(r.body["errorType"], "invalid-token");
    let r = app
        .post("/api/v1/livechat/visitor.status", json!({"token": "t1"}))
        .await;
    assert_eq!(r.body["error"], "Match error: Missing key 'status'");
}

#[tokio::test]
async fn call_status_is_set_on_the_visitors_own_room_only() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    app.visitor("v1").await;
    app.visitor("v2").await;
    let rid = app.room("v1").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = app.room("v2").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = app
        .post(
            "/api/v1/livechat/visitor.callStatus",
            json!({"token": "v1", "callStatus": "declined", "rid": rid, "callId": "c1"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.text,
        r#"{"token":"v1","callStatus":"declined","success":true}"#
    );
    let room = app.room("v1").await;
    assert_eq!(room.body["room"]["callStatus"], "declined");

    // Unknown token: upstream's `Meteor.Error('invalid-token')`.
    let r = app
        .post(
            "/api/v1/livechat/visitor.callStatus",
            json!({"token": "nobody", "callStatus": "ended", "rid": rid, "callId": "c1"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"[invalid-token]","errorType":"invalid-token"}"#
    );
    // Another visitor's room is refused and left alone.
    let r = app
        .post(
            "/api/v1/livechat/visitor.callStatus",
            json!({"token": "v1", "callStatus": "ended", "rid": other, "callId": "c1"}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    assert!(
        app.room("v2").await.body["room"]
            .get("callStatus")
            .is_none()
    );
    // Every field is a required string (Meteor `check`).
    let r = app
        .post(
            "/api/v1/livechat/visitor.callStatus",
            json!({"token": "v1", "callStatus": "ended", "rid": rid}),
        )
        .await;
    assert_eq!(r.body["error"], "Match error: Missing key 'callId'");
    let r = app
        .post(
            "/api/v1/livechat/visitor.callStatus",
            json!({"token": "v1", "callStatus": 1, "rid": rid, "callId": "c"}),
        )
        .await;
    assert_eq!(
        r.body["error"],
        "Match error: Expected string, got number in field callStatus"
    );
}
