//! Slow and idle connections cannot hold the server: half-sent heads, stalled bodies and
//! idle keep-alive connections are cut off, a normal client is served meanwhile, and a
//! WebSocket is left to DDP's own heartbeat.

use crate::delivery_support::eventually;
use crate::helpers::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server with short timeouts (seconds): head, body, idle.
async fn app(header: u64, body: u64, idle: u64, max_connections: usize) -> TestApp {
    TestApp::spawn_configured(move |c| {
        c.http_header_timeout = header;
        c.http_body_timeout = body;
        c.http_idle_timeout = idle;
        c.max_connections = max_connections;
    })
    .await
}

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// Until the server closes it: true when it did (EOF or reset), whatever it sent first.
async fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(30), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn a_slowloris_is_cut_off_while_a_normal_client_is_served() {
    // The test process holds both ends of every connection.
    let _ = ferrochat::http::serve::raise_descriptor_limit();
    let app = app(1, 5, 60, 0).await;
    let target = addr(&app);
    let mut slow = Vec::new();
    for _ in 0..1000 {
        let mut s = TcpStream::connect(&target).await.unwrap();
        s.write_all(b"GET /api/info HTTP/1.1\r\nHost: x\r\nX-Slow:")
            .await
            .unwrap();
        slow.push(s);
    }
    // Served throughout.
    for _ in 0..3 {
        let r = app.get("/api/info").await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // Every half-sent head is cut off by the server.
    let closed = futures::future::join_all(slow.iter_mut().map(closed_by_server)).await;
    assert_eq!(
        closed.iter().filter(|c| !**c).count(),
        0,
        "connections the server kept"
    );
    let r = app.get("/api/info").await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_stalled_body_and_an_idle_connection_are_cut_off() {
    let app = app(5, 1, 1, 0).await;
    let target = addr(&app);
    // A body that stops half-way.
    let mut s = TcpStream::connect(&target).await.unwrap();
    s.write_all(b"POST /api/v1/livechat/visitor HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"visitor\":")
        .await
        .unwrap();
    assert!(closed_by_server(&mut s).await, "a stalled body is held");
    // A keep-alive connection that sends nothing after its request.
    let mut s = TcpStream::connect(&target).await.unwrap();
    s.write_all(b"GET /api/info HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_by_server(&mut s).await, "an idle connection is held");
}

#[tokio::test]
async fn connections_over_the_cap_wait_and_are_served() {
    let app = app(1, 5, 60, 20).await;
    let target = addr(&app);
    let mut slow = Vec::new();
    for _ in 0..40 {
        let mut s = TcpStream::connect(&target).await.unwrap();
        s.write_all(b"GET /api/info HTTP/1.1\r\n").await.unwrap();
        slow.push(s);
    }
    // Waits for a place (the slow ones are cut off one by one), then is answered.
    let r = eventually("an answer over the cap", || async {
        let r = reqwest::Client::new()
            .get(format!("{}/api/info", app.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        Some(r.status())
    })
    .await;
    assert_eq!(r, 200);
    let closed = futures::future::join_all(slow.iter_mut().map(closed_by_server)).await;
    assert!(closed.iter().all(|c| *c));
}

#[tokio::test]
async fn a_websocket_outlives_the_http_timeouts() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let app = app(1, 1, 1, 0).await;
    let url = format!("ws://{}/websocket", addr(&app));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let first = ws.next().await.unwrap().unwrap();
    assert!(first.to_text().unwrap().contains("server_id"));
    // Longer than every HTTP timeout of this server.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    ws.send(Message::Text(r#"{"msg":"ping","id":"p1"}"#.into()))
        .await
        .unwrap();
    let pong = ws.next().await.unwrap().unwrap();
    assert_eq!(pong.to_text().unwrap(), r#"{"msg":"pong","id":"p1"}"#);
}
