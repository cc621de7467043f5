//! What one WebSocket may cost the server: frames, ids and names, subscriptions and the
//! outbound queue are bounded; typing goes out under the connection's own name only.

use crate::helpers::*;
use crate::realtime::{Ddp, visitor_args};
use futures::StreamExt;
use serde_json::json;

#[tokio::test]
async fn an_oversized_frame_closes_the_connection() {
    let app = TestApp::spawn().await;
    let mut d = Ddp::open(&app).await;
    let big = "x".repeat(300 * 1024);
    d.send(json!({"msg": "method", "method": "login", "params": [big], "id": "1"}))
        .await;
    assert!(d.closed().await, "a 300 KiB frame was taken");
    // A real client's largest call still passes.
    let mut d = Ddp::open(&app).await;
    d.send(json!({"msg": "ping", "id": "x".repeat(100)})).await;
    assert_eq!(d.recv().await["msg"], "pong");
}

#[tokio::test]
async fn long_ids_and_names_are_refused() {
    let app = TestApp::spawn().await;
    let mut d = Ddp::open(&app).await;
    let long = "i".repeat(10_000);
    for frame in [
        json!({"msg": "method", "method": "login", "params": [], "id": long}),
        json!({"msg": "method", "method": long, "params": [], "id": "1"}),
        json!({"msg": "sub", "name": "stream-room-messages", "params": [], "id": long}),
        json!({"msg": "sub", "name": long, "params": [], "id": "2"}),
    ] {
        d.send(frame).await;
        assert_eq!(
            d.recv().await,
            json!({"msg": "error", "reason": "Bad request"})
        );
    }
}

#[tokio::test]
async fn subscriptions_per_connection_are_capped() {
    let app = TestApp::spawn().await;
    app.create_agent("jane").await;
    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut d = Ddp::open(&app).await;
    d.call("livechat:setUpConnection", json!([{"token": "tok"}]))
        .await;
    for i in 0..512 {
        d.send(
            json!({"msg": "sub", "id": format!("s{i}"), "name": "stream-room-messages",
                      "params": [rid, visitor_args("tok")]}),
        )
        .await;
        assert_eq!(d.recv().await["msg"], "ready", "sub #{i}");
    }
    let r = d
        .sub("stream-room-messages", json!([rid, visitor_args("tok")]))
        .await;
    assert_eq!(r["msg"], "nosub");
    assert_eq!(r["error"]["error"], "too-many-subscriptions");
    // Taking one away makes room again.
    d.send(json!({"msg": "unsub", "id": "s0"})).await;
    assert_eq!(d.recv().await["msg"], "nosub");
    let r = d
        .sub("stream-room-messages", json!([rid, visitor_args("tok")]))
        .await;
    assert_eq!(r["msg"], "ready");
}

#[tokio::test]
async fn a_consumer_that_does_not_read_is_let_go() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    app.visitor("tok").await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A visitor socket that subscribes, then never reads again (a small receive buffer so
    // the kernel holds little for it).
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket
        .connect(app.base.trim_start_matches("http://").parse().unwrap())
        .await
        .unwrap();
    let url = format!("{}/websocket", app.base.replacen("http://", "ws://", 1));
    let (mut ws, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let send = |v: serde_json::Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({"msg": "connect", "version": "1", "support": ["1"]}),
    ))
    .await
    .unwrap();
    ws.send(send(
        json!({"msg": "sub", "id": "m", "name": "stream-room-messages",
                        "params": [rid, visitor_args("tok")]}),
    ))
    .await
    .unwrap();
    loop {
        let f = ws.next().await.unwrap().unwrap();
        if f.to_text().unwrap().contains("ready") {
            break;
        }
    }
    // 4,000-character messages: the queue's byte bound (1 MiB) goes long before its
    // frame count (1,024) would.
    let text = "y".repeat(4000);
    let mut sent = 0;
    let metric = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("ferrochat_realtime_slow_consumers_dropped_total{"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    while metric(&app.get("/metrics").await.text) == 0 {
        assert!(sent < 1000, "still queued after {sent} messages");
        for _ in 0..20 {
            let r = app
                .post_as(
                    &agent,
                    "/api/v1/chat.sendMessage",
                    json!({"message": {"rid": rid, "msg": text}}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            sent += 1;
        }
    }
    // The socket ends once what was already sent is read.
    let mut ended = false;
    while let Ok(Some(f)) =
        tokio::time::timeout(std::time::Duration::from_secs(10), ws.next()).await
    {
        if matches!(f, Err(_) | Ok(Message::Close(_))) {
            ended = true;
            break;
        }
    }
    assert!(
        ended || ws.next().await.is_none(),
        "the slow socket stayed open"
    );
}

#[tokio::test]
async fn typing_goes_out_under_the_connections_own_name() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("jane").await;
    let v = app.visitor("tok").await;
    let own = v["username"].as_str().unwrap().to_string();
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut agent_ws = Ddp::open(&app).await;
    agent_ws
        .call("login", json!([{"resume": agent.token}]))
        .await;
    agent_ws
        .sub(
            "stream-notify-room",
            json!([format!("{rid}/typing"), {"useCollection": false, "args": []}]),
        )
        .await;
    let mut visitor = Ddp::open(&app).await;
    visitor
        .call("livechat:setUpConnection", json!([{"token": "tok"}]))
        .await;
    visitor
        .sub(
            "stream-notify-room",
            json!([format!("{rid}/typing"), visitor_args("tok")]),
        )
        .await;
    // A visitor claiming to be the agent types as itself.
    visitor
        .call(
            "stream-notify-room",
            json!([format!("{rid}/typing"), "jane", true, {"token": "tok"}]),
        )
        .await;
    let ev = agent_ws.recv().await;
    assert_eq!(ev["fields"]["args"], json!([own, true]));
    // An agent may not type under another name (upstream refuses it too).
    let r = agent_ws
        .call(
            "stream-notify-room",
            json!([format!("{rid}/typing"), own, true]),
        )
        .await;
    assert_eq!(r["error"]["error"], "not-allowed");
    assert!(visitor.quiet(200).await);
}
