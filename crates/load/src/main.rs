//! Opens N visitor WebSockets against a running Ferrochat, each subscribed to its own room,
//! then posts agent replies through REST at a fixed rate and measures how long each takes to
//! reach its visitor's socket. Reports the server's resident memory with the sockets open.
//!
//! `ferrochat-load --url http://127.0.0.1:3000 --sockets 10000 --rate 2000 --seconds 10 --pid PID`

use clap::Parser;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Semaphore, mpsc};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    /// Admin credentials (`user:password`) used to set up an agent.
    #[arg(long, default_value = "admin:admin")]
    admin: String,
    /// Visitor sockets to open (each with its own room).
    #[arg(long, default_value_t = 1000)]
    sockets: usize,
    /// Agent replies per second.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// How long to send replies.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Local source addresses 127.0.0.1..=127.0.0.N (about 28,000 sockets each).
    #[arg(long, default_value_t = 8)]
    sources: u8,
    /// The server's pid, to read its resident memory.
    #[arg(long)]
    pid: Option<u32>,
    /// With `--rate 0`: keep the sockets open (idle) this many seconds after they are all
    /// subscribed, so that a script can measure the servers while several load processes
    /// hold their sockets at once.
    #[arg(long, default_value_t = 0)]
    hold: u64,
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: Option<&(String, String)>,
        body: Option<Value>,
    ) -> Value {
        let mut r = self
            .http
            .request(method, format!("{}/api/v1/{path}", self.base));
        if let Some((id, token)) = auth {
            r = r.header("X-User-Id", id).header("X-Auth-Token", token);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.expect("request");
        res.json().await.unwrap_or(Value::Null)
    }
    async fn login(&self, user: &str, password: &str) -> (String, String) {
        let r = self
            .call(
                reqwest::Method::POST,
                "login",
                None,
                Some(json!({"user": user, "password": password})),
            )
            .await;
        (
            r["data"]["userId"].as_str().expect("login").to_string(),
            r["data"]["authToken"].as_str().expect("login").to_string(),
        )
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let api = Arc::new(Api {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(128)
            .build()
            .unwrap(),
        base: args.url.trim_end_matches('/').to_string(),
    });
    let (admin_user, admin_pass) = args.admin.split_once(':').expect("--admin user:password");
    let admin = api.login(admin_user, admin_pass).await;

    // One agent serves every room (no chat limit is set).
    let stamp = std::process::id();
    let agent_name = format!("load-agent-{stamp}");
    api.call(reqwest::Method::POST, "users.create", Some(&admin), Some(json!({
        "username": agent_name, "email": format!("{agent_name}@load.test"), "password": "load", "name": "Load Agent"
    }))).await;
    api.call(
        reqwest::Method::POST,
        "livechat/users/agent",
        Some(&admin),
        Some(json!({"username": agent_name})),
    )
    .await;
    let agent = api.login(&agent_name, "load").await;
    api.call(
        reqwest::Method::POST,
        "users.setStatus",
        Some(&agent),
        Some(json!({"status": "online"})),
    )
    .await;

    // Visitors and their rooms.
    let t = Instant::now();
    let gate = Arc::new(Semaphore::new(64));
    let mut jobs = Vec::with_capacity(args.sockets);
    for i in 0..args.sockets {
        let (api, gate) = (api.clone(), gate.clone());
        jobs.push(tokio::spawn(async move {
            let _p = gate.acquire().await.unwrap();
            let token = format!("load-{stamp}-{i}");
            api.call(
                reqwest::Method::POST,
                "livechat/visitor",
                None,
                Some(json!({"visitor": {"token": token}})),
            )
            .await;
            let r = api
                .call(
                    reqwest::Method::GET,
                    &format!("livechat/room?token={token}"),
                    None,
                    None,
                )
                .await;
            (token, r["room"]["_id"].as_str().expect("room").to_string())
        }));
    }
    let mut rooms = Vec::with_capacity(args.sockets);
    for j in jobs {
        rooms.push(j.await.unwrap());
    }
    println!(
        "rooms: {} in {:.1}s",
        rooms.len(),
        t.elapsed().as_secs_f64()
    );

    // Sockets, each subscribed to its room; received frames report (message id, instant).
    let host: SocketAddr = args
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("--url http://IP:PORT");
    let ws_url = format!("ws://{host}/websocket");
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<(String, Instant)>();
    let t = Instant::now();
    let open_gate = Arc::new(Semaphore::new(256));
    let mut opened = Vec::with_capacity(rooms.len());
    for (i, (token, rid)) in rooms.iter().cloned().enumerate() {
        let (gate, seen, url) = (open_gate.clone(), seen_tx.clone(), ws_url.clone());
        let source = IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            0,
            1 + (i % args.sources.max(1) as usize) as u8,
        ));
        opened.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await.unwrap();
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(SocketAddr::new(source, 0)).unwrap();
            let stream = socket.connect(host).await.expect("connect");
            // Small buffers: the load generator holds as many sockets as the server.
            let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
                .read_buffer_size(4 * 1024)
                .write_buffer_size(4 * 1024);
            let (mut ws, _) =
                tokio_tungstenite::client_async_with_config(url, stream, Some(config))
                    .await
                    .expect("handshake");
            ws.send(Message::Text(
                json!({"msg": "connect", "version": "1", "support": ["1"]})
                    .to_string()
                    .into(),
            ))
            .await
            .unwrap();
            ws.send(Message::Text(
                json!({"msg": "sub", "id": "s", "name": "stream-room-messages",
                "params": [rid, {"useCollection": false, "args": [{"visitorToken": token}]}]})
                .to_string()
                .into(),
            ))
            .await
            .unwrap();
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m
                    && t.contains("\"ready\"")
                {
                    break;
                }
            }
            drop(permit);
            tokio::spawn(async move {
                while let Some(Ok(m)) = ws.next().await {
                    let Message::Text(t) = m else { continue };
                    if t.contains("\"ping\"") {
                        let _ = ws.send(Message::Text(r#"{"msg":"pong"}"#.into())).await;
                        continue;
                    }
                    if let Ok(v) = serde_json::from_str::<Value>(&t)
                        && let Some(text) = v["fields"]["args"][0]["msg"].as_str()
                        && let Some(id) = text.strip_prefix("load:")
                    {
                        let _ = seen.send((id.to_string(), Instant::now()));
                    }
                }
            });
        }));
    }
    for o in opened {
        o.await.unwrap();
    }
    println!(
        "sockets: {} open and subscribed in {:.1}s",
        rooms.len(),
        t.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    if let Some(pid) = args.pid
        && let Some(kib) = rss_kib(pid)
    {
        println!(
            "server RSS with {} idle subscribed sockets: {:.1} MiB",
            rooms.len(),
            kib as f64 / 1024.0
        );
    }

    if args.rate == 0 {
        tokio::time::sleep(Duration::from_secs(args.hold)).await;
        return;
    }

    // Agent replies at a fixed rate, each to a room in turn.
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let total = args.rate * args.seconds;
    let interval = Duration::from_secs_f64(1.0 / args.rate as f64);
    let send_gate = Arc::new(Semaphore::new(256));
    let start = Instant::now();
    let mut sends = Vec::with_capacity(total as usize);
    for n in 0..total {
        let due = start + interval * n as u32;
        tokio::time::sleep_until(due.into()).await;
        let (api, agent, sent, gate) =
            (api.clone(), agent.clone(), sent.clone(), send_gate.clone());
        let rid = rooms[n as usize % rooms.len()].1.clone();
        sends.push(tokio::spawn(async move {
            let _p = gate.acquire().await.unwrap();
            let id = n.to_string();
            sent.lock().await.insert(id.clone(), Instant::now());
            api.call(
                reqwest::Method::POST,
                "chat.sendMessage",
                Some(&agent),
                Some(json!({"message": {"rid": rid, "msg": format!("load:{id}")}})),
            )
            .await;
        }));
    }
    for s in sends {
        s.await.unwrap();
    }
    let offered = start.elapsed();
    // Collect deliveries (give stragglers two seconds).
    let mut latencies = Vec::with_capacity(total as usize);
    let deadline = Instant::now() + Duration::from_secs(2);
    while latencies.len() < total as usize {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, seen_rx.recv()).await {
            Ok(Some((id, at))) => {
                if let Some(t0) = sent.lock().await.get(&id) {
                    latencies.push(at.duration_since(*t0).as_secs_f64() * 1000.0);
                }
            }
            _ => break,
        }
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "agent replies: {total} sent in {:.1}s ({:.0}/s), {} delivered; delivery latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        offered.as_secs_f64(),
        total as f64 / offered.as_secs_f64(),
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
}
