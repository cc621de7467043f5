//! Forwarding to an agent or a department, the visitor's department switch, the queue.

use crate::helpers::*;
use serde_json::{Value, json};

async fn served_room(app: &TestApp, token: &str) -> Value {
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": token, "name": "Mary"}}),
    )
    .await;
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"].clone()
}

fn msgs_of(app: &TestApp, rid: &str) -> Vec<Value> {
    app.db_all::<String>(
        "SELECT doc FROM messages WHERE rid = ?1 ORDER BY ts, rowid",
        &[rid],
    )
    .iter()
    .map(|d| serde_json::from_str(d).unwrap())
    .collect()
}

#[tokio::test]
async fn forward_to_an_agent() {
    let app = TestApp::spawn().await;
    app.grant("transfer-livechat-guest", "livechat-agent").await;
    let a = app.create_agent("a").await;
    let room = served_room(&app, "tok").await;
    let rid = room["_id"].as_str().unwrap().to_string();
    assert_eq!(room["servedBy"]["_id"], a.id.as_str());
    let b = app.create_agent("b").await;
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "userId": a.id}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-selected-agent-room-agent-are-same"}"#
    );
    app.post_as(
        &b,
        "/api/v1/livechat/agent.status",
        json!({"status": "not-available"}),
    )
    .await;
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "userId": b.id}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-user-is-offline"}"#
    );
    app.post_as(
        &b,
        "/api/v1/livechat/agent.status",
        json!({"status": "available"}),
    )
    .await;
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "userId": b.id, "comment": "over to you"}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let room = app.room("tok").await.body["room"].clone();
    assert_eq!(room["servedBy"]["_id"], b.id.as_str());
    assert_eq!(room["usersCount"], 2, "the visitor and the new agent");
    let subs: Vec<String> = app.db_all("SELECT user_id FROM subscriptions WHERE rid = ?1", &[&rid]);
    assert_eq!(subs, std::slice::from_ref(&b.id));
    let types: Vec<String> = msgs_of(&app, &rid)
        .iter()
        .map(|m| m["t"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        types,
        [
            "livechat-started",
            "command",
            "uj",
            "command",
            "uj",
            "livechat_transfer_history",
            "ul"
        ]
    );
    let history = msgs_of(&app, &rid)[5].clone();
    assert_eq!(history["transferData"]["scope"], "agent");
    assert_eq!(history["transferData"]["comment"], "over to you");
    assert_eq!(
        history["transferData"]["transferredBy"]["userType"],
        "agent"
    );
    assert_eq!(history["transferData"]["transferredTo"]["username"], "b");
    assert_eq!(room["msgs"], 7);
    // Errors on the room.
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/room.forward",
            json!({"roomId": "nope", "userId": b.id}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"error-invalid-room"}"#);
    app.post(
        "/api/v1/livechat/room.close",
        json!({"rid": rid, "token": "tok"}),
    )
    .await;
    let r = app
        .post_as(
            &b,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "userId": a.id}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"This_conversation_is_already_closed"}"#
    );
    let user = app.create_user("plain", &[]).await;
    assert_eq!(
        app.post_as(
            &user,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "userId": a.id})
        )
        .await
        .status,
        403
    );
}

#[tokio::test]
async fn forward_to_a_department() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    let room = served_room(&app, "tok").await;
    let rid = room["_id"].as_str().unwrap().to_string();
    let serving = room["servedBy"]["_id"].as_str().unwrap().to_string();
    let other = if serving == a.id { &b } else { &a };
    let d = app
        .post_as(&app.admin, "/api/v1/livechat/department", json!({
            "department": {"enabled": true, "name": "Sales", "email": "s@x.com", "showOnRegistration": false, "showOnOfflineForm": false},
            "agents": [{"agentId": other.id}]
        }))
        .await;
    let dept = d.body["department"]["_id"].as_str().unwrap().to_string();
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "departmentId": "nope"}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-invalid-department"}"#
    );
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "departmentId": dept}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let room = app.room("tok").await.body["room"].clone();
    assert_eq!(room["departmentId"], dept.as_str());
    assert_eq!(room["servedBy"]["_id"], other.id.as_str());
    let inquiry = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/inquiries.getOne?roomId={rid}"),
        )
        .await;
    assert_eq!(inquiry.body["inquiry"]["department"], dept.as_str());
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "departmentId": dept}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-forwarding-chat-same-department"}"#
    );
    // A department without an available agent refuses the chat (it stays where it was).
    let empty = app
        .post_as(&app.admin, "/api/v1/livechat/department", json!({
            "department": {"enabled": true, "name": "Empty", "email": "e@x.com", "showOnRegistration": false, "showOnOfflineForm": false}
        }))
        .await
        .body["department"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "departmentId": empty}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-no-agents-online-in-department"}"#
    );
    assert_eq!(
        app.room("tok").await.body["room"]["departmentId"],
        dept.as_str()
    );
}

#[tokio::test]
async fn visitor_switches_department_and_agents_return_chats() {
    let app = TestApp::spawn().await;
    let first = app.create_agent("first").await;
    let a = app.create_agent("a").await;
    let d = app
        .post_as(&app.admin, "/api/v1/livechat/department", json!({
            "department": {"enabled": true, "name": "Support", "email": "s@x.com", "showOnRegistration": false, "showOnOfflineForm": false},
            "agents": [{"agentId": a.id}]
        }))
        .await;
    let dept = d.body["department"]["_id"].as_str().unwrap().to_string();
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "tok"}}),
    )
    .await;
    let r = app
        .get(&format!(
            "/api/v1/livechat/room?token=tok&agentId={}",
            first.id
        ))
        .await;
    assert_eq!(r.body["room"]["servedBy"]["_id"], first.id.as_str());
    let rid = r.body["room"]["_id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/livechat/room.transfer",
            json!({"rid": rid, "token": "tok", "department": dept}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["room"]["departmentId"], dept.as_str());
    let history = msgs_of(&app, &rid)
        .into_iter()
        .find(|m| m["t"] == "livechat_transfer_history")
        .unwrap();
    assert_eq!(
        history["transferData"]["transferredBy"]["userType"],
        "visitor"
    );
    assert_eq!(history["token"], "tok");
    assert_eq!(history["transferData"]["nextDepartment"]["name"], "Support");
    let r = app
        .post(
            "/api/v1/livechat/room.transfer",
            json!({"rid": rid, "token": "nope", "department": dept}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-token"}"#);

    // Back to the queue.
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/inquiries.returnAsInquiry",
            json!({"roomId": rid}),
        )
        .await;
    assert_eq!(r.text, r#"{"result":true,"success":true}"#);
    let room = app.room("tok").await.body["room"].clone();
    assert!(room.get("servedBy").is_none());
    assert_eq!(room["usersCount"], 1);
    let q = app.get_as(&a, "/api/v1/livechat/inquiries.queued").await;
    assert_eq!(q.body["inquiries"][0]["rid"], rid.as_str());
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/inquiries.returnAsInquiry",
            json!({"roomId": rid}),
        )
        .await;
    assert_eq!(
        r.text, r#"{"result":false,"success":true}"#,
        "not served: nothing to return"
    );
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/inquiries.returnAsInquiry",
            json!({"roomId": "nope"}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-room-not-found"}"#
    );
    // And an agent takes it again from the queue.
    let id = q.body["inquiries"][0]["_id"].clone();
    assert_eq!(
        app.post_as(
            &a,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": id})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.room("tok").await.body["room"]["servedBy"]["_id"],
        a.id.as_str()
    );
}

#[tokio::test]
async fn transfer_history_lists_the_rooms_transfers() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let room = served_room(&app, "tok").await;
    let rid = room["_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/livechat/transfer.history/{rid}");
    let r = app.get_as(&app.admin, &path).await;
    assert_eq!(
        r.body,
        json!({"history": [], "count": 0, "offset": 0, "total": 0, "success": true})
    );
    let b = app.create_agent("b").await;
    for (to, comment) in [(&b, "over to you"), (&a, "and back")] {
        let r = app
            .post_as(
                &app.admin,
                "/api/v1/livechat/room.forward",
                json!({"roomId": rid, "userId": to.id, "comment": comment}),
            )
            .await;
        assert_eq!(r.text, r#"{"success":true}"#);
    }
    let r = app.get_as(&app.admin, &path).await;
    assert_eq!(r.body["total"], 2, "{}", r.text);
    let h = &r.body["history"];
    assert_eq!(
        (h[0]["comment"].clone(), h[1]["comment"].clone()),
        (json!("over to you"), json!("and back")),
        "oldest first"
    );
    assert_eq!(h[0]["scope"], "agent");
    assert_eq!(h[0]["transferredTo"]["username"], "b");
    assert!(h[0]["transferredBy"].is_object());
    assert_iso(&h[0]["ts"]);
    let r = app
        .get_as(
            &app.admin,
            &format!("{path}?count=1&sort=%7B%22ts%22%3A-1%7D"),
        )
        .await;
    assert_eq!(r.body["history"][0]["comment"], "and back");
    assert_eq!(
        (r.body["count"].clone(), r.body["total"].clone()),
        (json!(1), json!(2))
    );

    let r = app
        .get_as(&app.admin, "/api/v1/livechat/transfer.history/nope")
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    let r = app.get_as(&a, &path).await;
    assert_eq!(r.status, 403, "agents lack view-livechat-rooms: {}", r.text);
}
