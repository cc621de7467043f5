//! Agent-side room endpoints.

use crate::helpers::*;
use serde_json::{Value, json};

async fn served(app: &TestApp, token: &str) -> Value {
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": token, "name": "Mary"}}),
    )
    .await;
    app.room(token).await.body["room"].clone()
}

#[tokio::test]
async fn rooms_list_with_filters() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let r1 = served(&app, "t1").await;
    let r2 = served(&app, "t2").await;
    let rid1 = r1["_id"].as_str().unwrap().to_string();
    app.post(
        "/api/v1/livechat/room.close",
        json!({"rid": rid1, "token": "t1"}),
    )
    .await;
    let all = app.get_as(&app.admin, "/api/v1/livechat/rooms").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.body["total"], 2);
    assert_eq!(all.body["rooms"][0]["_id"], r2["_id"], "newest first");
    let open = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?open=true")
        .await;
    assert_eq!(open.body["total"], 1);
    assert_eq!(open.body["rooms"][0]["_id"], r2["_id"]);
    let closed = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?open=false")
        .await;
    assert_eq!(closed.body["rooms"][0]["_id"], rid1.as_str());
    let by_agent = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/rooms?agents[]={}", a.id),
        )
        .await;
    assert_eq!(by_agent.body["total"], 2);
    let none = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?agents[]=nobody")
        .await;
    assert_eq!(none.body["total"], 0);
    let page = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?count=1&offset=1")
        .await;
    assert_eq!(
        (
            page.body["count"].clone(),
            page.body["offset"].clone(),
            page.body["total"].clone()
        ),
        (json!(1), json!(1), json!(2))
    );
    let created = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?createdAt=%7B%22start%22%3A%222000-01-01T00%3A00%3A00.000Z%22%7D")
        .await;
    assert_eq!(created.body["total"], 2);
    // Agents without view-livechat-rooms may not list everyone's rooms…
    assert_eq!(app.get_as(&a, "/api/v1/livechat/rooms").await.status, 403);
    let other = &app.admin.id;
    assert_eq!(
        app.get_as(&a, &format!("/api/v1/livechat/rooms?agents[]={other}"))
            .await
            .status,
        403
    );
    assert_eq!(
        app.get_as(
            &a,
            &format!("/api/v1/livechat/rooms?agents[]={}&agents[]={other}", a.id)
        )
        .await
        .status,
        403
    );
    // …but their own (upstream's agent access: `agents` is exactly themselves).
    let own = app
        .get_as(&a, &format!("/api/v1/livechat/rooms?agents[]={}", a.id))
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    let as_admin = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/rooms?agents[]={}", a.id),
        )
        .await;
    assert_eq!(own.body["total"], as_admin.body["total"]);
    assert_eq!(own.body["rooms"], as_admin.body["rooms"]);
}

#[tokio::test]
async fn room_messages_join_and_visitor_rooms() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let room = served(&app, "tok").await;
    let rid = room["_id"].as_str().unwrap().to_string();
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "tok", "rid": rid, "msg": "first question"}),
    )
    .await;
    let r = app
        .get_as(&a, &format!("/api/v1/livechat/{rid}/messages"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The conversation only: the system messages of the routing (`uj`, `command`…) are
    // left out, as upstream's `findLivechatClosedMessages`.
    assert_eq!(r.body["total"], 1, "{}", r.text);
    assert_eq!(r.body["messages"][0]["msg"], "first question");
    assert!(r.body["messages"][0].get("t").is_none());
    let r = app
        .get_as(
            &a,
            &format!("/api/v1/livechat/{rid}/messages?searchTerm=question"),
        )
        .await;
    assert_eq!(r.body["total"], 1);
    let b = app.create_agent("b").await;
    let r = app
        .get_as(&b, &format!("/api/v1/livechat/{rid}/messages"))
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"error-not-allowed"}"#);
    let r = app
        .get_as(&b, &format!("/api/v1/livechat/room.join?roomId={rid}"))
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"error-not-allowed"}"#);
    // A manager joins: subscription, usersCount, `uj`.
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/room.join?roomId={rid}"),
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    assert_eq!(app.room("tok").await.body["room"]["usersCount"], 3);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/room.join?roomId=nope")
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"error-invalid-room"}"#);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/visitor/tok/room")
        .await;
    assert_eq!(r.body["rooms"][0]["_id"], rid.as_str());
    assert_eq!(r.body["rooms"][0]["servedBy"]["_id"], a.id.as_str());
    assert_eq!(
        app.get_as(&a, "/api/v1/livechat/visitor/tok/room")
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn save_info_and_bulk_messages() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    let room = served(&app, "tok").await;
    let rid = room["_id"].as_str().unwrap().to_string();
    let serving = if room["servedBy"]["_id"] == a.id.as_str() {
        &a
    } else {
        &b
    };
    let other = if serving.id == a.id { &b } else { &a };
    let vid = room["v"]["_id"].clone();
    let body = json!({
        "roomData": {"_id": rid, "topic": "billing", "tags": ["vip"], "livechatData": {"order": "42"}},
        "guestData": {"_id": vid, "name": "Mary Jane", "email": "MJ@example.com", "phone": "555-1234"}
    });
    let r = app
        .post_as(other, "/api/v1/livechat/room.saveInfo", body.clone())
        .await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (403, r#"{"success":false,"error":"error-not-allowed"}"#)
    );
    let r = app
        .post_as(serving, "/api/v1/livechat/room.saveInfo", body)
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let room = app.room("tok").await.body["room"].clone();
    assert_eq!(room["topic"], "billing");
    assert_eq!(room["tags"], json!(["vip"]));
    assert_eq!(room["livechatData"]["order"], "42");
    assert_eq!(room["fname"], "Mary Jane");
    let v = app.get("/api/v1/livechat/visitor/tok").await.body["visitor"].clone();
    assert_eq!(v["name"], "Mary Jane");
    assert_eq!(v["visitorEmails"][0]["address"], "mj@example.com");
    assert_eq!(v["phone"][0]["phoneNumber"], "555-1234");
    let r = app
        .post_as(
            serving,
            "/api/v1/livechat/room.saveInfo",
            json!({"roomData": {"_id": rid}}),
        )
        .await;
    assert_eq!(
        r.body["error"],
        "must have required property 'guestData' [invalid-params]"
    );

    // Bulk: an unknown token is registered and gets one room for all its messages.
    let r = app
        .post_as(&app.admin, "/api/v1/livechat/messages", json!({"visitor": {"token": "integration"}, "messages": [{"msg": "one"}, {"msg": "two"}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let msgs = r.body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["msg"], "one");
    assert!(msgs[0]["username"].as_str().unwrap().starts_with("guest-"));
    assert_iso(&msgs[1]["ts"]);
    let rooms: i64 = app.db_one(
        "SELECT COUNT(*) FROM rooms WHERE token = 'integration'",
        &[],
    );
    assert_eq!(rooms, 1);
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/messages",
            json!({"visitor": {"token": "x"}, "messages": []}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        app.post(
            "/api/v1/livechat/messages",
            json!({"visitor": {"token": "x"}, "messages": [{"msg": "a"}]})
        )
        .await
        .status,
        401
    );
}

#[tokio::test]
async fn rooms_list_refuses_malformed_filters_and_matches_custom_fields() {
    let app = TestApp::spawn().await;
    app.create_agent("a").await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/custom-fields.save",
            json!({"customFieldId": null, "customFieldData": {"field": "order_id", "label": "Order", "scope": "room", "visibility": "visible"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r1 = served(&app, "t1").await;
    let r2 = served(&app, "t2").await;
    for (token, value) in [("t1", "AB-42"), ("t2", "CD-7")] {
        let r = app
            .post(
                "/api/v1/livechat/custom.field",
                json!({"token": token, "key": "order_id", "value": value, "overwrite": true}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    async fn list(app: &TestApp, q: &str) -> Resp {
        app.get_as(&app.admin, &format!("/api/v1/livechat/rooms?{q}"))
            .await
    }
    for (q, err) in [
        (
            "createdAt=%7B%22start%22%3A%22yesterday%22%7D",
            r#"The "createdAt.start" query parameter must be a valid date."#,
        ),
        (
            "createdAt=%7B%22start%22%3A%222024-01-01%22%2C%22end%22%3A%22nope%22%7D",
            r#"The "createdAt.end" query parameter must be a valid date."#,
        ),
        (
            "closedAt=%7B%22start%22%3A%22x%22%7D",
            r#"The "closedAt.start" query parameter must be a valid date."#,
        ),
        (
            "customFields=%7Bnot-json",
            r#"The "customFields" query parameter must be a valid JSON."#,
        ),
        (
            "customFields=%5B1%5D",
            r#"The "customFields" query parameter must be a valid JSON."#,
        ),
        (
            "customFields=null",
            r#"The "customFields" query parameter must be a valid JSON."#,
        ),
    ] {
        let r = list(&app, q).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
        assert_eq!(r.body, json!({"success": false, "error": err}), "{q}");
    }
    // Dates as `Date.parse` reads them are fine.
    let r = list(&app, "createdAt=%7B%22start%22%3A%222000-01-01%22%2C%22end%22%3A%222999-01-01T00%3A00%3A00Z%22%7D").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["total"], 2);

    // `customFields` filters on the rooms' `livechatData`, case-insensitively, in part.
    let r = list(&app, "customFields=%7B%22order_id%22%3A%22ab-4%22%7D").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["rooms"][0]["_id"], r1["_id"]);
    let r = list(&app, "customFields=%7B%22order_id%22%3A%22CD-7%22%7D").await;
    assert_eq!(r.body["rooms"][0]["_id"], r2["_id"]);
    let r = list(&app, "customFields=%7B%22order_id%22%3A%22%25%22%7D").await;
    assert_eq!(r.body["total"], 0, "LIKE wildcards are literal");
    let r = list(&app, "customFields=%7B%7D").await;
    assert_eq!(r.body["total"], 2);
}

#[tokio::test]
async fn rooms_list_checks_filter_types_and_open_means_served() {
    let app = TestApp::spawn().await;
    // Manual selection: both chats wait in the queue; the agent takes one.
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let a = app.create_agent("a").await;
    let queued = served(&app, "q1").await;
    assert!(queued["servedBy"].is_null(), "{queued}");
    let open = served(&app, "s1").await;
    let rid = open["_id"].as_str().unwrap();
    let inquiry = app
        .get_as(
            &a,
            &format!("/api/v1/livechat/inquiries.getOne?roomId={rid}"),
        )
        .await
        .body["inquiry"]["_id"]
        .clone();
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": inquiry}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = |q: &'static str| {
        let app = &app;
        async move {
            app.get_as(&app.admin, &format!("/api/v1/livechat/rooms{q}"))
                .await
        }
    };
    let ids = |r: &Resp| -> Vec<Value> {
        r.body["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["_id"].clone())
            .collect()
    };
    assert_eq!(ids(&list("?open=true").await), vec![open["_id"].clone()]);
    assert_eq!(
        ids(&list("?queued=true").await),
        vec![queued["_id"].clone()]
    );
    assert_eq!(
        ids(&list("?queued=true&open=true").await),
        vec![queued["_id"].clone()]
    );
    assert_eq!(list("").await.body["total"], 2);

    for (q, error) in [
        ("?agents=invalid", "must be array [invalid-params]"),
        ("?tags=invalid", "must be array [invalid-params]"),
        ("?roomName[]=invalid", "must be string [invalid-params]"),
        ("?departmentId[]=marcos", "must be string [invalid-params]"),
        (
            "?open[]=true",
            "must be string\n must be boolean\n must match exactly one schema in oneOf [invalid-params]",
        ),
    ] {
        let r = list(q).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
        assert_eq!(r.body["error"], error, "{q}");
        assert_eq!(r.body["errorType"], "invalid-params", "{q}");
    }
    // Without view-livechat-rooms: upstream's `API.v1.unauthorized()`.
    let r = app.get_as(&a, "/api/v1/livechat/rooms").await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (403, r#"{"success":false,"error":"unauthorized"}"#)
    );
}

#[tokio::test]
async fn room_filters_list_the_sources_rooms_came_from() {
    let app = TestApp::spawn().await;
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/rooms/filters")
        .await;
    assert_eq!(r.text, r#"{"filters":[],"success":true}"#);
    app.create_agent("a").await;
    // Two rooms from the API, one from the widget (its cookies say so).
    served(&app, "a1").await;
    served(&app, "a2").await;
    app.visitor("w1").await;
    let r = app
        .http
        .get(format!("{}/api/v1/livechat/room?token=w1", app.base))
        .header("Cookie", "rc_room_type=l; rc_is_widget=t")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/rooms/filters")
        .await;
    assert_eq!(
        r.body["filters"],
        json!([{"type": "api"}, {"type": "widget"}])
    );
    let user = app.create_user("plain", &[]).await;
    assert_eq!(
        app.get_as(&user, "/api/v1/livechat/rooms/filters")
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn room_messages_keep_the_closing_message() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let room = served(&app, "tok").await;
    let rid = room["_id"].as_str().unwrap().to_string();
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "tok", "rid": rid, "msg": "hello"}),
    )
    .await;
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "solved"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .get_as(&a, &format!("/api/v1/livechat/{rid}/messages"))
        .await;
    assert_eq!(r.body["total"], 2, "{}", r.text);
    assert_eq!(r.body["messages"][0]["t"], "livechat-close");
    assert_eq!(r.body["messages"][0]["msg"], "solved");
    assert_eq!(r.body["messages"][1]["msg"], "hello");
}

#[tokio::test]
async fn unread_counters_and_read() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let room = served(&app, "tok").await;
    let rid = room["_id"].as_str().unwrap().to_string();
    let sub = |who: Creds| {
        let app = &app;
        let path = format!("/api/v1/subscriptions.getOne?roomId={rid}");
        async move { app.get_as(&who, &path).await.body["subscription"].clone() }
    };
    // The assignment starts at one unread.
    assert_eq!(sub(a.clone()).await["unread"], 1);
    for msg in ["one", "two"] {
        app.post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid, "msg": msg}),
        )
        .await;
    }
    let s = sub(a.clone()).await;
    assert_eq!(
        (s["unread"].clone(), s["alert"].clone()),
        (json!(3), json!(true))
    );
    // The agent's own message does not count for itself.
    let r = app
        .post_as(
            &a,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "hi"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(sub(a.clone()).await["unread"], 3);
    // Read: cleared.
    let r = app
        .post_as(&a, "/api/v1/subscriptions.read", json!({"rid": rid}))
        .await;
    assert_eq!(r.body, json!({"success": true}));
    let s = sub(a.clone()).await;
    assert_eq!(
        (s["unread"].clone(), s["alert"].clone()),
        (json!(0), json!(false))
    );
    // Mentions only: a visitor's message counts nothing.
    app.set_setting("Unread_Count_Omni", json!("mentions_only"))
        .await;
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "tok", "rid": rid, "msg": "three"}),
    )
    .await;
    assert_eq!(sub(a.clone()).await["unread"], 0);
    // Bad input; another's room: nothing to read.
    let r = app
        .post_as(&a, "/api/v1/subscriptions.read", json!({}))
        .await;
    assert_eq!(r.status, 400);
    let r = app.get_as(&a, "/api/v1/subscriptions.getOne").await;
    assert_eq!(r.status, 400);
    let b = app.create_agent("b").await;
    assert_eq!(sub(b).await, Value::Null);
}

#[tokio::test]
async fn all_subscriptions_and_those_changed_since() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let first = served(&app, "t1").await["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = served(&app, "t2").await["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let all = app.get_as(&a, "/api/v1/subscriptions.get").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.body["remove"], json!([]));
    let update = all.body["update"].as_array().unwrap();
    let rids: Vec<&str> = update.iter().map(|s| s["rid"].as_str().unwrap()).collect();
    assert_eq!(
        rids,
        [second.as_str(), first.as_str()],
        "newest change first"
    );
    assert!(
        update
            .iter()
            .all(|s| s["t"] == "l" && s["u"]["_id"] == a.id.as_str())
    );

    // Only what changed after the given time: a message in the first room.
    let since = update[0]["_updatedAt"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "t1", "rid": first, "msg": "again"}),
    )
    .await;
    let changed = app
        .get_as(
            &a,
            &format!("/api/v1/subscriptions.get?updatedSince={since}"),
        )
        .await;
    let update = changed.body["update"].as_array().unwrap().clone();
    assert_eq!(update.len(), 1, "{}", changed.text);
    assert_eq!(update[0]["rid"], first.as_str());
    assert_eq!(update[0]["unread"], 2);

    let bad = app
        .get_as(&a, "/api/v1/subscriptions.get?updatedSince=yesterday")
        .await;
    assert_eq!(
        bad.text,
        r#"{"success":false,"error":"The \"lastUpdate\" query parameter must be a valid date. [error-roomId-param-invalid]","errorType":"error-roomId-param-invalid"}"#
    );
    // Somebody else's are not listed.
    let b = app.create_agent("b").await;
    assert_eq!(
        app.get_as(&b, "/api/v1/subscriptions.get").await.body["update"],
        json!([])
    );
}

#[tokio::test]
async fn a_waiting_chat_shows_its_last_message() {
    let app = TestApp::spawn().await;
    app.create_agent("a").await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let room = served(&app, "tok").await;
    let rid = room["_id"].as_str().unwrap().to_string();
    for msg in ["hello", "anyone there?"] {
        app.post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid, "msg": msg}),
        )
        .await;
    }
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/inquiries.getOne?roomId={rid}"),
        )
        .await;
    let inquiry = &r.body["inquiry"];
    assert_eq!(inquiry["status"], "queued", "{}", r.text);
    assert_eq!(inquiry["lastMessage"]["msg"], "anyone there?");
    assert_eq!(inquiry["lastMessage"]["token"], "tok");
}

#[tokio::test]
async fn history_search_by_visitor_name_email_or_message_text() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let mut rids = Vec::new();
    for (token, name, email, msg) in [
        (
            "t1",
            "Mary Visitor",
            "mary@shop.example",
            "Where is my ORDER?",
        ),
        (
            "t2",
            "John Doe",
            "john@elsewhere.example",
            "hello 100% sure",
        ),
    ] {
        app.post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": token, "name": name, "email": email}}),
        )
        .await;
        let rid = app.room(token).await.body["room"]["_id"]
            .as_str()
            .unwrap()
            .to_string();
        app.post(
            "/api/v1/livechat/message",
            json!({"token": token, "rid": rid, "msg": msg}),
        )
        .await;
        rids.push(rid);
    }
    let found = |text: &str| {
        let app = &app;
        let a = a.clone();
        let path = format!(
            "/api/v1/livechat/rooms?agents[]={}&searchText={}",
            a.id,
            urlencoding(text)
        );
        async move {
            let r = app.get_as(&a, &path).await;
            assert_eq!(r.status, 200, "{}", r.text);
            let mut ids: Vec<String> = r.body["rooms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["_id"].as_str().unwrap().to_string())
                .collect();
            ids.sort();
            ids
        }
    };
    let only = |i: usize| vec![rids[i].clone()];
    assert_eq!(found("mary").await, only(0), "visitor name, any case");
    assert_eq!(found("SHOP.example").await, only(0), "visitor e-mail");
    assert_eq!(found("my order").await, only(0), "message text");
    assert_eq!(
        found("100%").await,
        only(1),
        "% is a character, not a pattern"
    );
    assert_eq!(found("_").await, Vec::<String>::new());
    assert_eq!(found("nothing like it").await, Vec::<String>::new());
    let mut all = rids.clone();
    all.sort();
    assert_eq!(found("  ").await, all, "blank: no filter");
    let bad = app
        .get_as(
            &a,
            &format!("/api/v1/livechat/rooms?agents[]={}&searchText[]=x", a.id),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
