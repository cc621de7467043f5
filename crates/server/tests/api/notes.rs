//! Issue 16: internal notes (a Ferrochat addition). Agents and managers read a note; the
//! visitor never does, by any way it has: the widget's history and room, the visitor's
//! `stream-room-messages` and `livechat:loadHistory`, one message by id, the transcript
//! e-mail, and the CRM webhooks.

use crate::delivery_support::*;
use crate::helpers::*;
use crate::realtime::{Ddp, visitor_args};
use serde_json::{Value, json};

const NOTE: &str = "internal: customer seems upset, offer refund";

/// The conversation's texts (system messages other than notes left out).
fn texts(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|m| m["t"].is_null() || m["t"] == "livechat_internal_note")
        .map(|m| m["msg"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A method over `method.call(Anon)`, answering its frame.
async fn method(app: &TestApp, who: Option<&Creds>, name: &str, params: Value) -> Value {
    let message = json!({"msg": "method", "id": "1", "method": name, "params": params});
    let body = json!({"message": message.to_string()});
    let r = match who {
        Some(c) => {
            app.post_as(c, &format!("/api/v1/method.call/{name}"), body)
                .await
        }
        None => {
            app.post(&format!("/api/v1/method.callAnon/{name}"), body)
                .await
        }
    };
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap()
}

/// The next `stream-room-messages` message (other frames skipped).
async fn next_message(d: &mut Ddp) -> Value {
    loop {
        let f = d.recv().await;
        if f["collection"] == "stream-room-messages" {
            return f["fields"]["args"][0].clone();
        }
    }
}

#[tokio::test]
async fn notes_reach_agents_and_never_the_visitor() {
    let smtp = Smtp::start().await;
    let app = TestApp::spawn().await;
    Smtp::configure(&app, smtp.port).await;
    let rx = Receiver::start(&[]).await;
    app.set_setting("Livechat_webhookUrl", rx.url.clone().into())
        .await;
    for s in ["visitor_message", "agent_message", "close"] {
        app.set_setting(&format!("Livechat_webhook_on_{s}"), true.into())
            .await;
    }
    let agent = app.create_agent("agent1").await;
    let manager = app.create_user("boss", &[]).await;
    app.post_as(
        &app.admin,
        "/api/v1/livechat/users/manager",
        json!({"username": "boss"}),
    )
    .await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "tok", "name": "Mary"}}),
    )
    .await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "tok", "rid": rid, "msg": "Hello?"}),
    )
    .await;

    // The visitor and the agent listen on the room's messages.
    let mut v = Ddp::open(&app).await;
    v.call("livechat:setUpConnection", json!([{"token": "tok"}]))
        .await;
    let r = v
        .sub("stream-room-messages", json!([rid, visitor_args("tok")]))
        .await;
    assert_eq!(r["msg"], "ready");
    let mut a = Ddp::open(&app).await;
    a.call("login", json!([{"resume": agent.token}])).await;
    let r = a
        .sub(
            "stream-room-messages",
            json!([rid, {"useCollection": false, "args": []}]),
        )
        .await;
    assert_eq!(r["msg"], "ready");
    let room_before = app.room("tok").await.body["room"].clone();

    // Writing one: agents of the room (and managers) only.
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/notes",
            json!({"rid": rid, "msg": NOTE}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let note = r.body["message"].clone();
    assert_eq!(note["t"], "livechat_internal_note");
    assert_eq!(note["msg"], NOTE);
    assert_eq!(note["rid"], rid.as_str());
    assert_eq!(note["u"]["username"], "agent1");
    assert!(note["md"].is_array(), "{note}");
    let note_id = note["_id"].as_str().unwrap().to_string();
    let other = app.create_agent("agent2").await;
    let r = app
        .post_as(
            &other,
            "/api/v1/livechat/notes",
            json!({"rid": rid, "msg": "x"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .post("/api/v1/livechat/notes", json!({"rid": rid, "msg": "x"}))
        .await;
    assert_eq!(r.status, 401);
    let r = app
        .post_as(&agent, "/api/v1/livechat/notes", json!({"rid": rid}))
        .await;
    assert_eq!(r.status, 400);
    let r = app
        .post_as(
            &manager,
            "/api/v1/livechat/notes",
            json!({"rid": rid, "msg": "manager note"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The agent's stream carries both notes; then the agent answers.
    assert_eq!(next_message(&mut a).await["msg"], NOTE);
    assert_eq!(next_message(&mut a).await["msg"], "manager note");
    let r = app
        .post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "How can I help?"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(next_message(&mut a).await["msg"], "How can I help?");
    // The visitor's stream: the answer is the first thing it hears, no note before it.
    assert_eq!(next_message(&mut v).await["msg"], "How can I help?");

    // The note changed nothing the visitor sees on the room, and was not an answer.
    let room = app.room("tok").await.body["room"].clone();
    assert_eq!(room_before["lastMessage"]["msg"], "Hello?");
    assert_eq!(
        room["msgs"].as_i64().unwrap(),
        room_before["msgs"].as_i64().unwrap() + 1,
        "the answer counts, the notes do not"
    );
    assert_eq!(room["lastMessage"]["msg"], "How can I help?");
    let config = app.get("/api/v1/livechat/config?token=tok").await;
    assert!(!config.text.contains(NOTE), "{}", config.text);

    // The visitor's history, both ways, and the note by id.
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=tok"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(texts(&r.body["messages"]), ["How can I help?", "Hello?"]);
    let f = method(
        &app,
        None,
        "livechat:loadHistory",
        json!([{"token": "tok", "rid": rid}]),
    )
    .await;
    assert!(!f.to_string().contains(NOTE), "{f}");
    assert!(f.to_string().contains("How can I help?"), "{f}");
    let r = app
        .get(&format!(
            "/api/v1/livechat/message/{note_id}?token=tok&rid={rid}"
        ))
        .await;
    assert!(!r.text.contains(NOTE), "{}", r.text);

    // Agents' reads carry the notes: loadHistory and the room's messages.
    for who in [&agent, &manager, &app.admin] {
        let f = method(&app, Some(who), "loadHistory", json!([rid, null, 50])).await;
        let msgs = texts(&f["result"]["messages"]);
        assert_eq!(
            msgs,
            ["How can I help?", "manager note", NOTE, "Hello?"],
            "{f}"
        );
    }
    let r = app
        .get_as(&agent, &format!("/api/v1/livechat/{rid}/messages"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        texts(&r.body["messages"]),
        ["How can I help?", "manager note", NOTE, "Hello?"]
    );
    assert_eq!(r.body["total"], 4);
    let r = app
        .get_as(
            &agent,
            &format!("/api/v1/livechat/{rid}/messages?count=1&offset=1"),
        )
        .await;
    assert_eq!(texts(&r.body["messages"]), ["manager note"]);
    let r = app
        .get_as(
            &agent,
            &format!("/api/v1/livechat/{rid}/messages?searchTerm=REFUND"),
        )
        .await;
    assert_eq!(texts(&r.body["messages"]), [NOTE]);

    // The transcript e-mail and the webhooks, after the chat closes.
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "bye"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(
            "/api/v1/livechat/transcript",
            json!({"token": "tok", "rid": rid, "email": "mary@example.org"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mails = smtp.wait_mails(1).await;
    let body = mail_text(&mails[0]);
    assert!(body.contains("How can I help?"), "{body}");
    assert!(!body.contains("customer seems upset"), "{body}");
    assert!(!body.contains("manager note"), "{body}");
    let close = rx.wait_delivered("LivechatSession").await;
    assert!(close.body["messages"].is_array(), "{}", close.body);
    outbox_settled(&app).await;
    let hits = rx.hits();
    assert!(hits.len() >= 3, "{}", hits.len());
    for h in hits {
        let text = h.body.to_string();
        assert!(!text.contains("customer seems upset"), "{text}");
        assert!(!text.contains("manager note"), "{text}");
    }

    // A closed chat's history for its visitor: still no note.
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=tok"
        ))
        .await;
    assert!(!r.text.contains(NOTE), "{}", r.text);
}
