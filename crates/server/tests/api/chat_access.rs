//! Issue 13, item 5: an agent acts on the chats it serves and on the waiting chats it may
//! take; managers on all; anyone else gets 403 `error-not-allowed` (stricter than upstream).

use crate::helpers::*;
use crate::realtime::Ddp;
use reqwest::Method;
use serde_json::{Value, json};

const NOT_ALLOWED: &str = r#"{"success":false,"error":"error-not-allowed"}"#;

fn refused(r: &Resp, route: &str) {
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (403, NOT_ALLOWED),
        "{route}"
    );
}

fn done(r: &Resp, route: &str) {
    assert_eq!(r.status, 200, "{route}: {}", r.text);
}

async fn room_of(app: &TestApp, token: &str, department: Option<&str>) -> Value {
    let mut v = json!({"token": token, "name": "Mary"});
    if let Some(d) = department {
        v["department"] = json!(d);
    }
    let r = app
        .post("/api/v1/livechat/visitor", json!({ "visitor": v }))
        .await;
    done(&r, "visitor");
    let r = app.room(token).await;
    done(&r, "room");
    r.body["room"].clone()
}

#[tokio::test]
async fn agent_side_routes_act_on_own_chats_only() {
    let app = TestApp::spawn().await;
    app.grant("transfer-livechat-guest", "livechat-agent").await;
    app.grant("send-omnichannel-chat-transcript", "livechat-agent")
        .await;
    let a = app.create_agent("a").await;
    let room = room_of(&app, "tok", None).await;
    let rid = room["_id"].as_str().unwrap().to_string();
    assert_eq!(room["servedBy"]["_id"], a.id.as_str());
    let b = app.create_agent("b").await;
    let admin = app.admin.clone();

    // inquiries.getOne: the visitor's token stays with those who may act on the chat.
    let get_one = format!("/api/v1/livechat/inquiries.getOne?roomId={rid}");
    refused(&app.get_as(&b, &get_one).await, "getOne");
    let r = app.get_as(&a, &get_one).await;
    assert_eq!(r.body["inquiry"]["v"]["token"], "tok", "{}", r.text);
    done(&app.get_as(&admin, &get_one).await, "getOne");

    // Reading the room's messages, joining it.
    let messages = format!("/api/v1/livechat/{rid}/messages");
    refused(&app.get_as(&b, &messages).await, "messages");
    done(&app.get_as(&a, &messages).await, "messages");
    done(&app.get_as(&admin, &messages).await, "messages");
    let join = format!("/api/v1/livechat/room.join?roomId={rid}");
    refused(&app.get_as(&b, &join).await, "join");
    done(&app.get_as(&admin, &join).await, "join");

    // Answering.
    let send = |m: &str| json!({"message": {"rid": rid, "msg": m}});
    refused(
        &app.post_as(&b, "/api/v1/chat.sendMessage", send("x")).await,
        "chat.sendMessage",
    );
    done(
        &app.post_as(&a, "/api/v1/chat.sendMessage", send("hi"))
            .await,
        "chat.sendMessage",
    );
    done(
        &app.post_as(&admin, "/api/v1/chat.sendMessage", send("hello"))
            .await,
        "chat.sendMessage",
    );

    // room.saveInfo.
    let info =
        json!({"roomData": {"_id": rid, "topic": "t"}, "guestData": {"_id": room["v"]["_id"]}});
    refused(
        &app.post_as(&b, "/api/v1/livechat/room.saveInfo", info.clone())
            .await,
        "saveInfo",
    );
    done(
        &app.post_as(&a, "/api/v1/livechat/room.saveInfo", info.clone())
            .await,
        "saveInfo",
    );
    done(
        &app.post_as(&admin, "/api/v1/livechat/room.saveInfo", info)
            .await,
        "saveInfo",
    );

    // Transcript requests (and their withdrawal).
    let transcript = format!("/api/v1/livechat/transcript/{rid}");
    let req = json!({"email": "v@example.com", "subject": "chat"});
    refused(
        &app.post_as(&b, &transcript, req.clone()).await,
        "transcript",
    );
    done(
        &app.post_as(&a, &transcript, req.clone()).await,
        "transcript",
    );
    refused(
        &app.req(Method::DELETE, &transcript, Some(&b), None).await,
        "cancel transcript",
    );
    done(
        &app.req(Method::DELETE, &transcript, Some(&admin), None)
            .await,
        "cancel transcript",
    );
    done(&app.post_as(&admin, &transcript, req).await, "transcript");
    done(
        &app.req(Method::DELETE, &transcript, Some(&a), None).await,
        "cancel transcript",
    );

    // room.forward: b may not take a's chat by forwarding it to itself.
    let forward = |to: &Creds| json!({"roomId": rid, "userId": to.id});
    refused(
        &app.post_as(&b, "/api/v1/livechat/room.forward", forward(&b))
            .await,
        "forward",
    );
    done(
        &app.post_as(&a, "/api/v1/livechat/room.forward", forward(&b))
            .await,
        "forward",
    );
    // b serves it now; a no longer acts on it; a manager brings it back.
    refused(
        &app.post_as(&a, "/api/v1/livechat/room.forward", forward(&a))
            .await,
        "forward",
    );
    done(
        &app.post_as(&admin, "/api/v1/livechat/room.forward", forward(&a))
            .await,
        "forward",
    );

    // room.closeByUser (agent side).
    let close = json!({"rid": rid, "comment": "bye"});
    refused(
        &app.post_as(&b, "/api/v1/livechat/room.closeByUser", close.clone())
            .await,
        "closeByUser",
    );

    // inquiries.returnAsInquiry.
    let back = json!({"roomId": rid});
    refused(
        &app.post_as(
            &b,
            "/api/v1/livechat/inquiries.returnAsInquiry",
            back.clone(),
        )
        .await,
        "returnAsInquiry",
    );
    done(
        &app.post_as(&a, "/api/v1/livechat/room.closeByUser", close)
            .await,
        "closeByUser",
    );

    // A manager returns and closes another chat.
    let other = room_of(&app, "tok2", None).await;
    let rid2 = other["_id"].as_str().unwrap();
    let r = app
        .post_as(
            &admin,
            "/api/v1/livechat/inquiries.returnAsInquiry",
            json!({"roomId": rid2}),
        )
        .await;
    assert_eq!(r.text, r#"{"result":true,"success":true}"#);
    done(
        &app.post_as(
            &admin,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid2, "comment": "bye"}),
        )
        .await,
        "closeByUser",
    );
    // And the serving agent returns its own.
    let third = room_of(&app, "tok3", None).await;
    let rid3 = third["_id"].as_str().unwrap();
    let serving = if third["servedBy"]["_id"] == a.id.as_str() {
        &a
    } else {
        &b
    };
    let stranger = if serving.id == a.id { &b } else { &a };
    refused(
        &app.post_as(
            stranger,
            "/api/v1/livechat/inquiries.returnAsInquiry",
            json!({"roomId": rid3}),
        )
        .await,
        "returnAsInquiry",
    );
    let r = app
        .post_as(
            serving,
            "/api/v1/livechat/inquiries.returnAsInquiry",
            json!({"roomId": rid3}),
        )
        .await;
    done(&r, "returnAsInquiry");
}

#[tokio::test]
async fn waiting_chats_of_other_departments_stay_hidden() {
    let app = TestApp::spawn().await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let a = app.create_agent("a").await;
    let b = app.create_agent("b").await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": {"enabled": true, "name": "sales", "email": "s@x.com",
                   "showOnRegistration": true, "showOnOfflineForm": true},
                   "agents": [{"agentId": a.id}]}),
        )
        .await;
    done(&r, "department");
    let dept = r.body["department"]["_id"].as_str().unwrap().to_string();
    let room = room_of(&app, "tok", Some(&dept)).await;
    let rid = room["_id"].as_str().unwrap().to_string();
    assert!(room["servedBy"].is_null());
    let get_one = format!("/api/v1/livechat/inquiries.getOne?roomId={rid}");

    // b is not of `sales`: no token, no listing, no taking, no watching.
    refused(&app.get_as(&b, &get_one).await, "getOne");
    for path in [
        "/api/v1/livechat/inquiries.queued".to_string(),
        format!("/api/v1/livechat/inquiries.queued?department={dept}"),
        format!("/api/v1/livechat/inquiries.queuedForUser?department={dept}"),
    ] {
        let r = app.get_as(&b, &path).await;
        assert_eq!(r.body["total"], 0, "{path}: {}", r.text);
    }
    let inquiry = app.get_as(&a, &get_one).await.body["inquiry"].clone();
    assert_eq!(inquiry["v"]["token"], "tok");
    let inquiry_id = inquiry["_id"].as_str().unwrap().to_string();
    let mut d = Ddp::open(&app).await;
    d.call("login", json!([{"resume": b.token}])).await;
    assert_eq!(
        d.sub(
            "stream-livechat-inquiry-queue-observer",
            json!([inquiry_id, {"useCollection": false, "args": []}])
        )
        .await["msg"],
        "nosub"
    );
    let messages = format!("/api/v1/livechat/{rid}/messages");
    refused(&app.get_as(&b, &messages).await, "messages");
    refused(
        &app.post_as(
            &b,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": inquiry_id}),
        )
        .await,
        "take",
    );
    // a (of `sales`) and a manager see it; a takes it.
    let r = app.get_as(&a, "/api/v1/livechat/inquiries.queued").await;
    assert_eq!(r.body["total"], 1, "{}", r.text);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/inquiries.queued")
        .await;
    assert_eq!(r.body["total"], 1, "{}", r.text);
    done(&app.get_as(&a, &messages).await, "messages (preview)");
    let mut w = Ddp::open(&app).await;
    w.call("login", json!([{"resume": a.token}])).await;
    assert_eq!(
        w.sub(
            "stream-livechat-inquiry-queue-observer",
            json!([inquiry_id, {"useCollection": false, "args": []}])
        )
        .await["msg"],
        "ready"
    );
    done(
        &app.post_as(
            &a,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": inquiry_id}),
        )
        .await,
        "take",
    );
}
