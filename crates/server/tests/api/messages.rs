//! The conversation: messages, history, metrics, the queue and closing.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

async fn open_room(app: &TestApp, token: &str) -> String {
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": token, "name": "Mary"}}),
    )
    .await;
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"]["_id"].as_str().unwrap().to_string()
}

async fn say(app: &TestApp, token: &str, rid: &str, msg: &str) -> Resp {
    app.post(
        "/api/v1/livechat/message",
        json!({"token": token, "rid": rid, "msg": msg}),
    )
    .await
}

async fn reply(app: &TestApp, agent: &Creds, rid: &str, msg: &str) -> Resp {
    app.post_as(
        agent,
        "/api/v1/chat.sendMessage",
        json!({"message": {"rid": rid, "msg": msg}}),
    )
    .await
}

async fn room_doc(app: &TestApp, token: &str) -> Value {
    app.room(token).await.body["room"].clone()
}

#[tokio::test]
async fn a_whole_conversation() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane.doe").await;
    let rid = open_room(&app, "tok").await;

    let r = say(&app, "tok", &rid, "Hello *there* https://rocket.chat").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = &r.body["message"];
    let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "_id",
            "rid",
            "msg",
            "token",
            "alias",
            "ts",
            "u",
            "_updatedAt",
            "urls",
            "mentions",
            "channels",
            "md"
        ]
    );
    assert_eq!(m["token"], "tok");
    assert_eq!(m["alias"], "Mary");
    assert_eq!(m["u"]["username"], "guest-2");
    assert_eq!(m["u"]["name"], "Mary");
    assert_eq!(m["urls"], json!([{"url": "https://rocket.chat"}]));
    assert_eq!(m["mentions"], json!([]));
    assert_eq!(m["md"][0]["type"], "PARAGRAPH");
    assert_eq!(m["md"][0]["value"][1]["type"], "BOLD");
    assert_eq!(m["_id"].as_str().unwrap().len(), 17);
    let room = room_doc(&app, "tok").await;
    assert_eq!(room["msgs"], 4);
    assert_eq!(room["lm"], m["ts"]);
    assert_eq!(room["lastMessage"], *m);
    assert_eq!(room["v"]["lastMessageTs"], m["ts"]);
    assert_eq!(room["waitingResponse"], true);
    assert_eq!(room["metrics"]["v"]["lq"], m["ts"]);

    let r = reply(&app, &agent, &rid, "Hi Mary, how can I help?").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let a = &r.body["message"];
    assert_eq!(a["u"]["_id"], agent.id.as_str());
    assert_eq!(a["u"]["name"], "Name jane.doe");
    assert!(a.get("token").is_none() && a.get("alias").is_none());
    let room = room_doc(&app, "tok").await;
    assert_eq!(room["msgs"], 5);
    assert!(room.get("waitingResponse").is_none(), "answered");
    assert_eq!(room["responseBy"]["_id"], agent.id.as_str());
    assert_eq!(room["responseBy"]["firstResponseTs"], a["ts"]);
    assert_eq!(room["metrics"]["response"]["total"], 1);
    assert_eq!(room["metrics"]["servedBy"]["lr"], a["ts"]);
    assert_eq!(
        room["metrics"]["reaction"]["fd"],
        room["metrics"]["response"]["fd"]
    );
    assert_eq!(
        room["v"]["activity"][0].as_str().unwrap().len(),
        7,
        "YYYY-MM"
    );

    // History: newest first, system messages included.
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=tok"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let texts: Vec<&str> = r.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["msg"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Hi Mary, how can I help?",
            "Hello *there* https://rocket.chat",
            "",
            "connected",
            ""
        ]
    );
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=tok&limit=1&offset=1"
        ))
        .await;
    assert_eq!(
        r.body["messages"][0]["msg"],
        "Hello *there* https://rocket.chat"
    );
    assert!(r.body.get("unreadNotLoaded").is_none());

    // The visitor closes; the next get-or-create starts a new room.
    let r = app
        .post(
            "/api/v1/livechat/room.close",
            json!({"rid": rid, "token": "tok"}),
        )
        .await;
    assert_eq!(
        r.text,
        format!(r#"{{"rid":"{rid}","comment":"Closed by visitor","success":true}}"#)
    );
    let again = app.room("tok").await;
    assert_eq!(again.body["newRoom"], true);
    assert_ne!(again.body["room"]["_id"], rid.as_str());
    let r = app
        .get(&format!("/api/v1/livechat/room?token=tok&rid={rid}"))
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    let r = say(&app, "tok", &rid, "still there?").await;
    assert_eq!(r.text, r#"{"success":false,"error":"room-closed"}"#);
    let r = app
        .post(
            "/api/v1/livechat/room.close",
            json!({"rid": rid, "token": "tok"}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"room-closed"}"#);
    let r = reply(&app, &agent, &rid, "hello?").await;
    assert_eq!(r.status, 400);
    // History of the closed room still works and ends with the closing message.
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=tok"
        ))
        .await;
    let last = &r.body["messages"][0];
    assert_eq!(last["t"], "livechat-close");
    assert_eq!(last["msg"], "Closed by visitor");
    assert_eq!(last["token"], "tok");
    assert_eq!(last["u"]["username"], "guest-2");
    let stored: String = app.db_one("SELECT doc FROM rooms WHERE id = ?1", &[&rid]);
    let stored: Value = serde_json::from_str(&stored).unwrap();
    assert!(
        stored.get("open").is_none(),
        "open is removed, not set false"
    );
    assert_eq!(stored["closer"], "visitor");
    assert_eq!(stored["closedBy"]["username"], "guest-2");
    assert_eq!(stored["v"]["status"], "offline");
    assert_iso(&stored["closedAt"]);
    assert!(stored["metrics"]["chatDuration"].is_number());
    assert_eq!(
        app.db_one::<i64>("SELECT COUNT(*) FROM inquiries WHERE rid = ?1", &[&rid]),
        0
    );
    assert_eq!(
        app.db_one::<i64>("SELECT COUNT(*) FROM subscriptions WHERE rid = ?1", &[&rid]),
        0
    );
}

#[tokio::test]
async fn visitor_message_errors() {
    let app = TestApp::spawn().await;
    app.create_agent("a").await;
    let rid = open_room(&app, "tok").await;
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid}),
        )
        .await;
    assert_eq!(
        r.body["error"],
        "must have required property 'msg' [invalid-params]"
    );
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid, "msg": "x", "extra": 1}),
        )
        .await;
    assert_eq!(
        r.body["error"],
        "must NOT have additional properties [invalid-params]"
    );
    assert_eq!(
        say(&app, "nope", &rid, "x").await.text,
        r#"{"success":false,"error":"invalid-token"}"#
    );
    app.visitor("other").await;
    assert_eq!(
        say(&app, "other", &rid, "x").await.text,
        r#"{"success":false,"error":"invalid-room"}"#
    );
    app.set_setting("Livechat_enable_message_character_limit", json!(true))
        .await;
    app.set_setting("Livechat_message_character_limit", json!(5))
        .await;
    assert_eq!(
        say(&app, "tok", &rid, "123456").await.text,
        r#"{"success":false,"error":"message-length-exceeds-character-limit"}"#
    );
    assert_eq!(say(&app, "tok", &rid, "12345").await.status, 200);
    // A client-chosen id is kept; sending it twice stores nothing twice.
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid, "msg": "hi", "_id": "myOwnId12345678ab"}),
        )
        .await;
    assert_eq!(r.body["message"]["_id"], "myOwnId12345678ab");
    let msgs_before = room_doc(&app, "tok").await["msgs"].clone();
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid, "msg": "hi", "_id": "myOwnId12345678ab"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        room_doc(&app, "tok").await["msgs"],
        msgs_before,
        "nothing half-written"
    );
}

#[tokio::test]
async fn get_edit_delete_own_messages() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("a").await;
    let rid = open_room(&app, "tok").await;
    let mid = say(&app, "tok", &rid, "typo").await.body["message"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .get(&format!(
            "/api/v1/livechat/message/{mid}?token=tok&rid={rid}"
        ))
        .await;
    assert_eq!(r.body["message"]["msg"], "typo");
    assert_eq!(
        app.get(&format!(
            "/api/v1/livechat/message/nope?token=tok&rid={rid}"
        ))
        .await
        .text,
        r#"{"success":false,"error":"invalid-message"}"#
    );
    let r = app
        .req(
            Method::PUT,
            &format!("/api/v1/livechat/message/{mid}"),
            None,
            Some(json!({"token": "tok", "rid": rid, "msg": "fixed *now*"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["message"]["msg"], "fixed *now*");
    assert_eq!(r.body["message"]["editedBy"]["username"], "guest-2");
    assert_iso(&r.body["message"]["editedAt"]);
    assert_eq!(
        r.body["message"]["md"][0]["value"][1]["type"], "BOLD",
        "md re-parsed"
    );
    // Not the author: refused.
    let amid = reply(&app, &agent, &rid, "agent's").await.body["message"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .req(
            Method::PUT,
            &format!("/api/v1/livechat/message/{amid}"),
            None,
            Some(json!({"token": "tok", "rid": rid, "msg": "hack"})),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-action-not-allowed"}"#
    );
    app.set_setting("Message_AllowEditing", json!(false)).await;
    let r = app
        .req(
            Method::PUT,
            &format!("/api/v1/livechat/message/{mid}"),
            None,
            Some(json!({"token": "tok", "rid": rid, "msg": "again"})),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-action-not-allowed"}"#
    );
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/livechat/message/{mid}"),
            None,
            Some(json!({"token": "tok", "rid": rid})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["message"]["_id"], mid.as_str());
    assert_iso(&r.body["message"]["ts"]);
    assert_eq!(
        app.get(&format!(
            "/api/v1/livechat/message/{mid}?token=tok&rid={rid}"
        ))
        .await
        .body["error"],
        "invalid-message"
    );
    app.set_setting("Message_AllowDeleting", json!(false)).await;
    let mid2 = say(&app, "tok", &rid, "keep").await.body["message"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/livechat/message/{mid2}"),
            None,
            Some(json!({"token": "tok", "rid": rid})),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-action-not-allowed"}"#
    );
}

#[tokio::test]
async fn agent_closes_with_comment_and_metrics() {
    let app = TestApp::spawn_with_clock("2024-01-01T10:00:00.000Z").await;
    let agent = app.create_agent("a").await;
    let other = app.create_agent("b").await;
    let rid = open_room(&app, "tok").await;
    let serving = room_doc(&app, "tok").await["servedBy"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (closer, stranger) = if serving == agent.id {
        (&agent, &other)
    } else {
        (&other, &agent)
    };
    let r = app
        .post_as(
            closer,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-comment-is-required"}"#
    );
    let r = app
        .post_as(
            stranger,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "x"}),
        )
        .await;
    // Stricter than upstream (issue 13): not the stranger's chat.
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (403, r#"{"success":false,"error":"error-not-allowed"}"#)
    );
    let r = app
        .post_as(
            closer,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": "nope", "comment": "x"}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"error-invalid-room"}"#);
    app.set_time("2024-01-01T10:02:30.250Z");
    let r = app
        .post_as(
            closer,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "solved", "tags": ["billing"]}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":true}"#);
    let stored: Value =
        serde_json::from_str(&app.db_one::<String>("SELECT doc FROM rooms WHERE id = ?1", &[&rid]))
            .unwrap();
    assert_eq!(stored["closer"], "user");
    assert_eq!(stored["closedBy"]["_id"], closer.id.as_str());
    assert_eq!(stored["closedAt"], "2024-01-01T10:02:30.250Z");
    assert_eq!(stored["metrics"]["chatDuration"], 150.25);
    assert_eq!(stored["metrics"]["serviceTimeDuration"], 150.25);
    assert_eq!(stored["tags"], json!(["billing"]));
    let r = app
        .post_as(
            closer,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "x"}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-room-already-closed"}"#
    );
    // Admins (close-others-livechat-room) may close anyone's room; visitors may be refused.
    let rid2 = open_room(&app, "tok2").await;
    assert_eq!(
        app.post_as(
            &app.admin,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid2, "comment": "bye"})
        )
        .await
        .status,
        200
    );
    app.set_setting(
        "Omnichannel_allow_visitors_to_close_conversation",
        json!(false),
    )
    .await;
    let rid3 = open_room(&app, "tok3").await;
    let r = app
        .post(
            "/api/v1/livechat/room.close",
            json!({"rid": rid3, "token": "tok3"}),
        )
        .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-not-allowed-to-close-conversation"}"#
    );
}

#[tokio::test]
async fn closing_frees_the_agents_chat_limit() {
    let app = TestApp::spawn().await;
    app.create_agent("a").await;
    app.set_setting("Livechat_maximum_chats_per_agent", json!(1))
        .await;
    let rid = open_room(&app, "t1").await;
    app.visitor("t2").await;
    assert!(
        app.room("t2").await.body["room"].get("servedBy").is_none(),
        "at the limit"
    );
    app.post(
        "/api/v1/livechat/room.close",
        json!({"rid": rid, "token": "t1"}),
    )
    .await;
    // The freed place goes to the chat that was waiting, not to a newcomer.
    assert!(
        app.room("t2").await.body["room"]["servedBy"].is_object(),
        "the waiting chat is served"
    );
    app.visitor("t3").await;
    assert!(
        app.room("t3").await.body["room"].get("servedBy").is_none(),
        "the newcomer waits"
    );
    // An agent becoming available drains the queue too.
    let b = app.create_agent("b").await;
    assert_eq!(
        app.room("t3").await.body["room"]["servedBy"]["_id"],
        b.id.as_str()
    );
}

#[tokio::test]
async fn the_queue_and_taking_an_inquiry() {
    let app = TestApp::spawn().await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let rid = open_room(&app, "tok").await;
    let r = app.get_as(&a, "/api/v1/livechat/inquiries.queued").await;
    assert_eq!(r.body["total"], 1);
    let inq = r.body["inquiries"][0].clone();
    assert_eq!(inq["rid"], rid.as_str());
    assert_eq!(inq["status"], "queued");
    let r = app
        .get_as(
            &a,
            &format!("/api/v1/livechat/inquiries.getOne?roomId={rid}"),
        )
        .await;
    assert_eq!(r.body["inquiry"]["_id"], inq["_id"]);
    let id = inq["_id"].as_str().unwrap().to_string();
    // Two agents race for it: exactly one wins.
    let (ra, rb) = tokio::join!(
        app.post_as(
            &a,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": id})
        ),
        app.post_as(
            &b,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": id})
        ),
    );
    let wins = [&ra, &rb].iter().filter(|r| r.status == 200).count();
    assert_eq!(wins, 1, "{} / {}", ra.text, rb.text);
    let loser = if ra.status == 200 { &rb } else { &ra };
    assert_eq!(
        loser.body["error"],
        "Inquiry already taken [error-inquiry-taken]"
    );
    let room = room_doc(&app, "tok").await;
    assert_eq!(room["usersCount"], 2);
    assert_eq!(
        app.get_as(&a, "/api/v1/livechat/inquiries.queued")
            .await
            .body["total"],
        0
    );
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": "nope"}),
        )
        .await;
    assert_eq!(r.body["error"], "Inquiry not found [error-not-found]");
    assert_eq!(r.body["details"], json!({"method": "livechat:takeInquiry"}));
    // An unavailable agent cannot take.
    open_room(&app, "tok2").await;
    let id2 = app
        .get_as(&a, "/api/v1/livechat/inquiries.queued")
        .await
        .body["inquiries"][0]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post_as(
        &b,
        "/api/v1/livechat/agent.status",
        json!({"status": "not-available"}),
    )
    .await;
    let r = app
        .post_as(
            &b,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": id2}),
        )
        .await;
    assert_eq!(r.body["errorType"], "error-agent-status-service-offline");
    let r = app
        .post_as(
            &a,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": id2, "userId": "nobody"}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"The user is invalid"}"#);
}

/// The seed document's room, replayed: the same timestamps give the same metrics, to the
/// millisecond. (Upstream computes with the handling time, not the message's `ts`, so the
/// script gives both.)
#[tokio::test]
async fn seed_metrics_replayed() {
    let clock = Arc::new(ScriptClock::new("2021-07-09T20:00:00.000Z"));
    let app = TestApp::spawn_scripted(clock.clone()).await;
    let jane = app.create_agent("jane.doe").await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "8s7e9ony6ctl27e1qf8kue", "name": "Mary"}}),
    )
    .await;
    clock.script(&["2021-07-09T20:12:19.795Z"]);
    let rid = app.room("8s7e9ony6ctl27e1qf8kue").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = "8s7e9ony6ctl27e1qf8kue";
    clock.script(&["2021-07-09T20:12:20.555Z", "2021-07-09T20:12:20.555Z"]);
    assert_eq!(say(&app, token, &rid, "hello").await.status, 200);
    let inquiry = app
        .get_as(&jane, "/api/v1/livechat/inquiries.queued")
        .await
        .body["inquiries"][0]["_id"]
        .clone();
    clock.script(&["2021-07-09T20:19:29.422Z"]);
    let r = app
        .post_as(
            &jane,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": inquiry}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // (Each agent request reads the clock once first: its login token's expiry.)
    clock.script(&[
        "2021-07-09T20:19:52.900Z",
        "2021-07-09T20:19:52.900Z",
        "2021-07-09T20:19:53.243Z",
    ]);
    assert_eq!(reply(&app, &jane, &rid, "hi").await.status, 200);
    clock.script(&["2021-07-09T20:19:52.950Z", "2021-07-09T20:19:52.950Z"]);
    assert_eq!(say(&app, token, &rid, "c").await.status, 200);
    clock.script(&[
        "2021-07-09T20:19:53.077Z",
        "2021-07-09T20:19:53.077Z",
        "2021-07-09T20:19:53.135Z",
    ]);
    assert_eq!(reply(&app, &jane, &rid, "ok").await.status, 200);
    clock.script(&["2021-07-09T20:20:58.755Z", "2021-07-09T20:20:58.755Z"]);
    assert_eq!(say(&app, token, &rid, "d").await.status, 200);

    let room = room_doc(&app, token).await;
    let seed = json!({
        "reaction": {"fd": "2021-07-09T20:19:53.243Z", "ft": 23.821, "tt": 24.006},
        "response": {"avg": 226.4365, "fd": "2021-07-09T20:19:53.243Z", "ft": 452.688, "total": 2, "tt": 452.873},
        "v": {"lq": "2021-07-09T20:20:58.755Z"},
        "servedBy": {"lr": "2021-07-09T20:19:53.077Z"}
    });
    assert_eq!(room["metrics"], seed);
    assert_eq!(
        serde_json::to_string(&room["metrics"]).unwrap(),
        serde_json::to_string(&seed).unwrap(),
        "same keys in the same order"
    );
    assert_eq!(room["servedBy"]["ts"], "2021-07-09T20:19:29.422Z");
    assert_eq!(room["servedBy"]["username"], "jane.doe");
    assert_eq!(room["ts"], "2021-07-09T20:12:19.795Z");
    assert_eq!(room["lm"], "2021-07-09T20:20:58.755Z");
    assert_eq!(room["v"]["lastMessageTs"], "2021-07-09T20:20:58.755Z");
    assert_eq!(room["waitingResponse"], true);
    assert_eq!(room["fname"], "Mary");
    let last = &room["lastMessage"];
    assert_eq!(last["msg"], "d");
    assert_eq!(last["alias"], "Mary");
    assert_eq!(last["token"], token);
    assert_eq!(
        last["md"],
        json!([{"type": "PARAGRAPH", "value": [{"type": "PLAIN_TEXT", "value": "d"}]}])
    );
}

#[tokio::test]
async fn a_link_to_a_message_of_the_room_quotes_it() {
    let app =
        TestApp::spawn_configured(|c| c.root_url = Some("https://chat.example.org".into())).await;
    let agent = app.create_agent("agent1").await;
    let rid = open_room(&app, "v1").await;
    let other = open_room(&app, "v2").await;
    let first = say(&app, "v1", &rid, "my order is **42**").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let first = first.body["message"].clone();
    let mid = first["_id"].as_str().unwrap();
    let elsewhere = say(&app, "v2", &other, "secret").await.body["message"]["_id"]
        .as_str()
        .unwrap()
        .to_string();

    // The widget quotes as `<Site_Url>/live/<rid>?msg=<id>`.
    let link = format!("https://chat.example.org/live/{rid}?msg={mid}");
    let r = say(&app, "v1", &rid, &format!("{link} any news?")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = &r.body["message"];
    let attachments = m["attachments"].as_array().expect("a quote attachment");
    assert_eq!(attachments.len(), 1, "{m}");
    let q = &attachments[0];
    assert_eq!(q["text"], "my order is **42**");
    assert_eq!(q["md"], first["md"]);
    assert_eq!(q["message_link"], link.as_str());
    assert_eq!(q["author_name"], "Mary", "the visitor's alias");
    assert_eq!(
        q["author_icon"],
        format!("/avatar/{}", first["u"]["username"].as_str().unwrap())
    );
    assert_eq!(q["attachments"], json!([]));
    assert_eq!(q["ts"], first["ts"]);
    assert_eq!(
        q.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "text",
            "md",
            "message_link",
            "author_name",
            "author_icon",
            "attachments",
            "ts"
        ]
    );
    assert_eq!(m["urls"][0]["url"], link.as_str());
    assert_eq!(m["urls"][0]["ignoreParse"], true);
    // Stored so: history shows the same quote.
    let h = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=v1&limit=10"
        ))
        .await;
    let stored = h.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["_id"] == m["_id"])
        .cloned()
        .unwrap();
    assert_eq!(stored["attachments"], m["attachments"]);

    // The agent quotes too (author: the username when there is no alias).
    let quoted_reply = format!(
        "https://chat.example.org/live/{rid}?msg={}",
        m["_id"].as_str().unwrap()
    );
    let r = reply(&app, &agent, &rid, &format!("see {quoted_reply}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let q = &r.body["message"]["attachments"][0];
    assert_eq!(q["message_link"], quoted_reply.as_str());
    // The quoted message's own quote keeps no deeper attachments (quote chain limit 2).
    assert_eq!(q["attachments"][0]["message_link"], link.as_str());
    assert!(q["attachments"][0].get("attachments").is_none());

    // Not quoted: another room's message, another site, no `msg`, an unknown id.
    for text in [
        format!("https://chat.example.org/live/{other}?msg={elsewhere}"),
        format!("https://elsewhere.example/live/{rid}?msg={mid}"),
        format!("https://chat.example.org/live/{rid}"),
        format!("https://chat.example.org/live/{rid}?msg=nope"),
    ] {
        let r = say(&app, "v1", &rid, &text).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(
            r.body["message"].get("attachments").is_none(),
            "{text}: {}",
            r.text
        );
    }
    let r = reply(&app, &agent, &rid, "plain").await;
    assert!(r.body["message"].get("attachments").is_none());

    // The link as a markdown label, as upstream's tests write a quote.
    let r = say(&app, "v1", &rid, &format!("[{link}](about that)")).await;
    let m = &r.body["message"];
    assert_eq!(m["urls"][0]["url"], link.as_str(), "{}", r.text);
    assert_eq!(m["attachments"][0]["message_link"], link.as_str());
    assert_eq!(m["attachments"][0]["text"], "my order is **42**");
}

#[tokio::test]
async fn an_edit_that_adds_a_message_link_quotes_it() {
    let app =
        TestApp::spawn_configured(|c| c.root_url = Some("https://chat.example.org".into())).await;
    app.create_agent("agent1").await;
    let rid = open_room(&app, "v1").await;
    let first = say(&app, "v1", &rid, "first").await.body["message"].clone();
    let second = say(&app, "v1", &rid, "typo").await.body["message"].clone();
    assert!(second.get("attachments").is_none());
    let link = format!(
        "https://chat.example.org/live/{rid}?msg={}",
        first["_id"].as_str().unwrap()
    );
    let path = format!(
        "/api/v1/livechat/message/{}",
        second["_id"].as_str().unwrap()
    );
    let edit = |text: String| {
        app.req(
            reqwest::Method::PUT,
            &path,
            None,
            Some(json!({"token": "v1", "rid": rid, "msg": text})),
        )
    };
    let r = edit(format!("as I said: {link}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let a = r.body["message"]["attachments"].as_array().unwrap().clone();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0]["text"], "first");
    assert_eq!(a[0]["message_link"], link.as_str());
    assert_eq!(r.body["message"]["urls"][0]["ignoreParse"], true);
    // The same link again replaces its quote rather than adding one.
    let r = edit(format!("{link} (again)")).await;
    assert_eq!(
        r.body["message"]["attachments"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn agents_edit_and_delete_their_messages() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let rid = open_room(&app, "v1").await;
    let visitor_msg = say(&app, "v1", &rid, "hello").await.body["message"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mine = reply(&app, &agent, &rid, "Hi, how can I **help**?").await;
    let mid = mine.body["message"]["_id"].as_str().unwrap().to_string();
    let update = |who: &Creds, body: Value| {
        let (app, who) = (&app, who.clone());
        async move { app.post_as(&who, "/api/v1/chat.update", body).await }
    };
    let delete = |who: &Creds, body: Value| {
        let (app, who) = (&app, who.clone());
        async move { app.post_as(&who, "/api/v1/chat.delete", body).await }
    };

    // Its own message: edited, re-parsed, marked, heard by the visitor's history.
    let r = update(
        &agent,
        json!({"roomId": rid, "msgId": mid, "text": "Hi, how can I _help_?"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = &r.body["message"];
    assert_eq!(m["msg"], "Hi, how can I _help_?");
    assert_eq!(m["editedBy"]["username"], "agent1");
    assert_iso(&m["editedAt"]);
    assert_eq!(m["md"][0]["value"][1]["type"], "ITALIC", "{m}");
    let h = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=v1&limit=10"
        ))
        .await;
    assert!(h.text.contains("Hi, how can I _help_?"), "{}", h.text);

    // Not the visitor's message; not with editing off; errors as upstream.
    let r = update(
        &agent,
        json!({"roomId": rid, "msgId": visitor_msg, "text": "x"}),
    )
    .await;
    assert_eq!(
        r.body["errorType"], "error-action-not-allowed",
        "{}",
        r.text
    );
    let r = update(&agent, json!({"roomId": rid, "msgId": "nope", "text": "x"})).await;
    assert_eq!(r.body["error"], "No message found with the id of \"nope\".");
    let other = open_room(&app, "v2").await;
    let r = update(&agent, json!({"roomId": other, "msgId": mid, "text": "x"})).await;
    assert_eq!(
        r.body["error"],
        "The room id provided does not match where the message is from."
    );
    let r = update(&agent, json!({"roomId": rid, "msgId": mid})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "invalid-params");
    // Another agent cannot reach the chat at all.
    let bob = app.create_agent("bob").await;
    let r = update(&bob, json!({"roomId": rid, "msgId": mid, "text": "x"})).await;
    assert_eq!(r.status, 403);
    app.set_setting("Message_AllowEditing", json!(false)).await;
    let r = update(
        &agent,
        json!({"roomId": rid, "msgId": mid, "text": "again"}),
    )
    .await;
    assert_eq!(r.body["errorType"], "error-action-not-allowed");

    // Deleting: the visitor's message needs delete-message; its own goes, with lastMessage.
    let r = delete(&agent, json!({"roomId": rid, "msgId": visitor_msg})).await;
    assert_eq!(
        r.body["errorType"], "error-action-not-allowed",
        "{}",
        r.text
    );
    let r = delete(
        &agent,
        json!({"roomId": rid, "msgId": visitor_msg, "asUser": true}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]
            .as_str()
            .unwrap()
            .contains("force-delete-message")
    );
    let r = delete(&agent, json!({"roomId": rid, "msgId": mid})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["_id"], mid.as_str());
    assert_eq!(r.body["message"]["_id"], mid.as_str());
    let h = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=v1&limit=10"
        ))
        .await;
    assert!(!h.text.contains(&mid), "{}", h.text);
    assert_eq!(
        room_doc(&app, "v1").await["lastMessage"]["_id"],
        visitor_msg.as_str()
    );
    // The admin (delete-message) removes the visitor's.
    let r = delete(&app.admin, json!({"roomId": rid, "msgId": visitor_msg})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}
