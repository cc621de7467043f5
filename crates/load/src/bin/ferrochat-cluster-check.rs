//! The multi-instance check (issue 7): two running Ferrochat instances A and B sharing one
//! database and one NATS, driven like clients would.
//!
//! 1. realtime across instances: a visitor on A and an agent on B hear each other's
//!    messages and typing, the assignment and a forward, both ways;
//! 2. 500 concurrent get-or-create calls for one token, split across A and B → one room;
//! 3. 200 rooms created across both against agents with a chat limit → nobody above it;
//! 4. A killed with SIGKILL mid-load → B keeps serving, A's agent goes offline after the
//!    presence timeout, and every message acknowledged (200) is in the history.
//!
//! `ferrochat-cluster-check --a http://127.0.0.1:PORT_A --b http://127.0.0.1:PORT_B --kill-pid PID_A`

use clap::Parser;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message as WsMessage;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    a: String,
    #[arg(long)]
    b: String,
    /// Instance A's process, killed with SIGKILL in the last phase.
    #[arg(long = "kill-pid")]
    kill_pid: u32,
    #[arg(long, default_value = "admin:admin")]
    admin: String,
    /// The instances' PRESENCE_TIMEOUT (seconds): how long A's agent may stay online.
    #[arg(long = "presence-timeout", default_value_t = 3)]
    presence_timeout: u64,
    /// Chat limit per agent in the routing phase.
    #[arg(long = "chat-limit", default_value_t = 3)]
    chat_limit: i64,
}

type Creds = (String, String);

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
}

struct Resp {
    status: u16,
    body: Value,
}

impl Api {
    async fn req(
        &self,
        method: reqwest::Method,
        url: String,
        auth: Option<&Creds>,
        body: Option<Value>,
    ) -> Result<Resp, String> {
        let mut r = self.http.request(method, url);
        if let Some((id, token)) = auth {
            r = r.header("X-User-Id", id).header("X-Auth-Token", token);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| e.to_string())?;
        Ok(Resp {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        })
    }
    async fn get(&self, base: &str, path: &str, auth: Option<&Creds>) -> Result<Resp, String> {
        self.req(reqwest::Method::GET, format!("{base}{path}"), auth, None)
            .await
    }
    async fn post(
        &self,
        base: &str,
        path: &str,
        auth: Option<&Creds>,
        body: Value,
    ) -> Result<Resp, String> {
        self.req(
            reqwest::Method::POST,
            format!("{base}{path}"),
            auth,
            Some(body),
        )
        .await
    }
    /// A call that must succeed.
    async fn ok(&self, base: &str, path: &str, auth: Option<&Creds>, body: Option<Value>) -> Value {
        let method = if body.is_some() {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let r = self
            .req(method, format!("{base}{path}"), auth, body)
            .await
            .unwrap_or_else(|e| fail(&format!("{path}: {e}")));
        if r.status != 200 {
            fail(&format!("{path}: {} {}", r.status, r.body));
        }
        r.body
    }
    async fn login(&self, base: &str, user: &str, pass: &str) -> Creds {
        let b = self
            .ok(
                base,
                "/api/v1/login",
                None,
                Some(json!({"user": user, "password": pass})),
            )
            .await;
        (
            b["data"]["userId"].as_str().unwrap_or_default().into(),
            b["data"]["authToken"].as_str().unwrap_or_default().into(),
        )
    }
}

fn fail(why: &str) -> ! {
    eprintln!("FAIL: {why}");
    println!(
        "multi-instance: {} passed, 1 failed",
        PASSED.load(Ordering::Relaxed)
    );
    std::process::exit(1)
}

static PASSED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn check(cond: bool, what: &str) {
    if cond {
        PASSED.fetch_add(1, Ordering::Relaxed);
        println!("ok: {what}");
    } else {
        fail(what);
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Ddp {
    ws: Socket,
    next: u32,
}

impl Ddp {
    async fn open(base: &str) -> Ddp {
        let url = format!("{}/websocket", base.replacen("http://", "ws://", 1));
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .unwrap_or_else(|e| fail(&format!("websocket: {e}")));
        let mut d = Ddp { ws, next: 0 };
        d.recv().await;
        d.send(json!({"msg": "connect", "version": "1", "support": ["1"]}))
            .await;
        let c = d.recv().await;
        check(c["msg"] == "connected", "DDP connected");
        d
    }
    async fn send(&mut self, v: Value) {
        if self
            .ws
            .send(WsMessage::Text(v.to_string().into()))
            .await
            .is_err()
        {
            fail("websocket send");
        }
    }
    async fn recv(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .unwrap_or_else(|_| fail("no realtime frame within 10 s"));
            match frame {
                Some(Ok(WsMessage::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                    if v["msg"] == "ping" {
                        self.send(json!({"msg": "pong"})).await;
                        continue;
                    }
                    return v;
                }
                Some(Ok(_)) => continue,
                _ => fail("websocket closed"),
            }
        }
    }
    /// The next stream event (`changed`), skipping method results.
    async fn event(&mut self) -> Value {
        loop {
            let v = self.recv().await;
            if v["msg"] == "changed" {
                return v;
            }
        }
    }
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = format!("m{}", self.next);
        self.send(json!({"msg": "method", "method": method, "params": params, "id": id}))
            .await;
        loop {
            let v = self.recv().await;
            if v["msg"] == "result" && v["id"] == id.as_str() {
                return v;
            }
        }
    }
    async fn sub(&mut self, name: &str, params: Value) {
        self.next += 1;
        let id = format!("s{}", self.next);
        self.send(json!({"msg": "sub", "id": id, "name": name, "params": params}))
            .await;
        loop {
            let v = self.recv().await;
            if v["msg"] == "ready" && v["subs"][0] == id.as_str() {
                return;
            }
            if v["msg"] == "nosub" && v["id"] == id.as_str() {
                fail(&format!("subscription {name} refused: {v}"));
            }
        }
    }
}

async fn make_agent(api: &Api, base: &str, admin: &Creds, name: &str) -> Creds {
    api.ok(
        base,
        "/api/v1/users.create",
        Some(admin),
        Some(json!({"username": name, "email": format!("{name}@cluster.test"), "password": "pass", "name": name})),
    )
    .await;
    api.ok(
        base,
        "/api/v1/livechat/users/agent",
        Some(admin),
        Some(json!({"username": name})),
    )
    .await;
    let c = api.login(base, name, "pass").await;
    api.ok(
        base,
        "/api/v1/users.setStatus",
        Some(&c),
        Some(json!({"status": "online"})),
    )
    .await;
    api.ok(
        base,
        "/api/v1/livechat/agent.status",
        Some(&c),
        Some(json!({"status": "available"})),
    )
    .await;
    c
}

async fn set_setting(api: &Api, base: &str, admin: &Creds, id: &str, value: Value) {
    api.ok(
        base,
        &format!("/api/v1/settings/{id}"),
        Some(admin),
        Some(json!({"value": value})),
    )
    .await;
}

async fn status_of(api: &Api, base: &str, admin: &Creds, username: &str) -> Value {
    api.ok(
        base,
        &format!("/api/v1/users.info?username={username}"),
        Some(admin),
        None,
    )
    .await["user"]["status"]
        .clone()
}

fn visitor_args(token: &str) -> Value {
    json!({"useCollection": false, "args": [{"token": token, "visitorToken": token}]})
}

async fn new_room(api: &Api, base: &str, token: &str) -> Result<String, String> {
    let r = api
        .post(
            base,
            "/api/v1/livechat/visitor",
            None,
            json!({"visitor": {"token": token}}),
        )
        .await?;
    if r.status != 200 {
        return Err(format!("visitor: {} {}", r.status, r.body));
    }
    let r = api
        .get(base, &format!("/api/v1/livechat/room?token={token}"), None)
        .await?;
    match r.body["room"]["_id"].as_str() {
        Some(rid) if r.status == 200 => Ok(rid.to_string()),
        _ => Err(format!("room: {} {}", r.status, r.body)),
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let api = Api {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    };
    let (a, b) = (args.a.as_str(), args.b.as_str());
    let (au, ap) = args.admin.split_once(':').unwrap_or(("admin", "admin"));
    let admin_a = api.login(a, au, ap).await;
    let admin_b = api.login(b, au, ap).await;
    for base in [a, b] {
        let h = api.ok(base, "/health", None, None).await;
        check(
            h["bus"]["kind"] == "nats" && h["bus"]["connected"] == true,
            &format!("{base} is on the NATS bus: {}", h["bus"]),
        );
    }

    // 1. Realtime across instances.
    let rt = make_agent(&api, a, &admin_a, "rt-agent").await;
    let mut agent = Ddp::open(b).await;
    let login = agent.call("login", json!([{"resume": rt.1}])).await;
    check(
        login["result"]["id"] == rt.0.as_str(),
        "agent logged in on B",
    );
    agent
        .sub(
            "stream-notify-user",
            json!([format!("{}/subscriptions-changed", rt.0), {"useCollection": false, "args": []}]),
        )
        .await;
    let rid = new_room(&api, a, "rt-visitor")
        .await
        .unwrap_or_else(|e| fail(&e));
    let ev = agent.event().await;
    check(
        ev["fields"]["args"][0] == "inserted" && ev["fields"]["args"][1]["rid"] == rid.as_str(),
        "assignment made on A reaches the agent on B",
    );
    let mut visitor = Ddp::open(a).await;
    visitor
        .call("livechat:setUpConnection", json!([{"token": "rt-visitor"}]))
        .await;
    visitor
        .sub(
            "stream-room-messages",
            json!([rid, visitor_args("rt-visitor")]),
        )
        .await;
    visitor
        .sub(
            "stream-notify-room",
            json!([format!("{rid}/typing"), visitor_args("rt-visitor")]),
        )
        .await;
    visitor
        .sub(
            "stream-livechat-room",
            json!([rid, visitor_args("rt-visitor")]),
        )
        .await;
    let none = json!({"useCollection": false, "args": []});
    agent
        .sub("stream-room-messages", json!([rid, none.clone()]))
        .await;
    agent
        .sub(
            "stream-notify-room",
            json!([format!("{rid}/user-activity"), none.clone()]),
        )
        .await;
    api.ok(
        a,
        "/api/v1/livechat/message",
        None,
        Some(json!({"token": "rt-visitor", "rid": rid, "msg": "visitor on A"})),
    )
    .await;
    let ev = agent.event().await;
    check(
        ev["fields"]["args"][0]["msg"] == "visitor on A",
        "visitor's message (A) reaches the agent (B)",
    );
    api.ok(
        b,
        "/api/v1/chat.sendMessage",
        Some(&rt),
        Some(json!({"message": {"rid": rid, "msg": "agent on B"}})),
    )
    .await;
    let mut got = false;
    for _ in 0..4 {
        if visitor.event().await["fields"]["args"][0]["msg"] == "agent on B" {
            got = true;
            break;
        }
    }
    check(got, "agent's message (B) reaches the visitor (A)");
    visitor
        .call(
            "stream-notify-room",
            json!([format!("{rid}/typing"), "guest", true, {"token": "rt-visitor"}]),
        )
        .await;
    let mut got = false;
    for _ in 0..4 {
        let ev = agent.event().await;
        if ev["fields"]["eventName"] == format!("{rid}/user-activity") {
            got = ev["fields"]["args"][1] == json!(["user-typing"]);
            break;
        }
    }
    check(got, "visitor typing (A) reaches the agent (B)");
    agent
        .call(
            "stream-notify-room",
            json!([
                format!("{rid}/user-activity"),
                "rt-agent",
                ["user-typing"],
                {}
            ]),
        )
        .await;
    let mut got = false;
    for _ in 0..4 {
        let ev = visitor.event().await;
        if ev["fields"]["eventName"] == format!("{rid}/typing") {
            got = ev["fields"]["args"] == json!(["rt-agent", true]);
            break;
        }
    }
    check(got, "agent typing (B) reaches the visitor (A)");
    let rt2 = make_agent(&api, b, &admin_b, "rt-agent2").await;
    // Upstream gives `transfer-livechat-guest` to managers, monitors and admins only; an operator
    // who lets agents forward grants it, as here (on B: the change must hold on A too).
    api.ok(
        b,
        "/api/v1/permissions.update",
        Some(&admin_b),
        Some(json!({"permissions": [{
            "_id": "transfer-livechat-guest",
            "roles": ["livechat-manager", "livechat-monitor", "admin", "livechat-agent"]
        }]})),
    )
    .await;
    api.ok(
        b,
        "/api/v1/livechat/room.forward",
        Some(&rt),
        Some(json!({"roomId": rid, "userId": rt2.0})),
    )
    .await;
    let mut got = false;
    for _ in 0..8 {
        let ev = visitor.event().await;
        if ev["collection"] == "stream-livechat-room"
            && ev["fields"]["args"][0]["type"] == "agentData"
        {
            got = ev["fields"]["args"][0]["data"]["username"] == "rt-agent2";
            break;
        }
    }
    check(
        got,
        "forward made on B reaches the visitor on A (agentData)",
    );
    api.ok(
        a,
        "/api/v1/livechat/room.close",
        None,
        Some(json!({"rid": rid, "token": "rt-visitor"})),
    )
    .await;
    drop(visitor);
    drop(agent);

    // 2. 500 concurrent get-or-create calls for one token, split across A and B.
    api.ok(
        a,
        "/api/v1/livechat/visitor",
        None,
        Some(json!({"visitor": {"token": "race"}})),
    )
    .await;
    let calls = (0..500).map(|i| {
        let api = api.clone();
        let base = if i % 2 == 0 { a } else { b }.to_string();
        async move {
            api.get(&base, "/api/v1/livechat/room?token=race", None)
                .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let mut rids = HashSet::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(r) if r.status == 200 => {
                rids.insert(r.body["room"]["_id"].as_str().unwrap_or("").to_string());
            }
            Ok(r) => errors.push(format!("{} {}", r.status, r.body)),
            Err(e) => errors.push(e),
        }
    }
    check(
        errors.is_empty(),
        &format!(
            "500 get-or-create calls answered 200 (errors: {:?})",
            errors.first()
        ),
    );
    let open = api
        .ok(
            b,
            "/api/v1/livechat/rooms?open=true&count=1000",
            Some(&admin_b),
            None,
        )
        .await;
    let race_rooms = open["rooms"]
        .as_array()
        .map(|rs| rs.iter().filter(|r| r["v"]["token"] == "race").count())
        .unwrap_or(0);
    check(
        rids.len() == 1 && race_rooms == 1,
        &format!(
            "one open room for the token ({} distinct ids answered, {} stored)",
            rids.len(),
            race_rooms
        ),
    );
    let race_rid = rids.into_iter().next().unwrap_or_default();
    api.ok(
        b,
        "/api/v1/livechat/room.close",
        None,
        Some(json!({"rid": race_rid, "token": "race"})),
    )
    .await;

    // 3. 200 rooms across both instances against agents with a chat limit.
    for c in [&rt, &rt2] {
        api.ok(
            a,
            "/api/v1/livechat/agent.status",
            Some(c),
            Some(json!({"status": "not-available"})),
        )
        .await;
    }
    set_setting(
        &api,
        a,
        &admin_a,
        "Livechat_maximum_chats_per_agent",
        json!(args.chat_limit),
    )
    .await;
    let mut limited = Vec::new();
    for i in 0..4 {
        let base = if i % 2 == 0 { a } else { b };
        limited.push(make_agent(&api, base, &admin_a, &format!("limited-{i}")).await);
    }
    // The setting was written on A; B must have re-read it before it routes.
    let mut b_sees_limit = false;
    for _ in 0..100 {
        let s = api
            .ok(
                b,
                "/api/v1/settings/Livechat_maximum_chats_per_agent",
                Some(&admin_b),
                None,
            )
            .await;
        if s["value"] == json!(args.chat_limit) {
            b_sees_limit = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check(b_sees_limit, "the chat limit set on A is seen by B");
    let sem = Arc::new(tokio::sync::Semaphore::new(32));
    let creations = (0..200).map(|i| {
        let (api, sem) = (api.clone(), sem.clone());
        let base = if i % 2 == 0 { a } else { b }.to_string();
        async move {
            let _p = sem.acquire().await;
            new_room(&api, &base, &format!("load-{i}")).await
        }
    });
    let created = futures::future::join_all(creations).await;
    let failed: Vec<&String> = created.iter().filter_map(|r| r.as_ref().err()).collect();
    check(
        failed.is_empty(),
        &format!(
            "200 rooms created across A and B (errors: {:?})",
            failed.first()
        ),
    );
    let load_rooms: Vec<(String, String)> = created
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| r.ok().map(|rid| (rid, format!("load-{i}"))))
        .collect();
    // Open rooms per agent, as the database has them (any instance answers the same).
    let mut per_agent: HashMap<String, i64> = HashMap::new();
    for c in limited.iter().chain([&rt, &rt2]) {
        let r = api
            .ok(
                b,
                &format!("/api/v1/livechat/rooms?open=true&agents[]={}&count=1", c.0),
                Some(&admin_b),
                None,
            )
            .await;
        per_agent.insert(c.0.clone(), r["total"].as_i64().unwrap_or(-1));
    }
    let over: Vec<_> = per_agent
        .iter()
        .filter(|(_, n)| **n > args.chat_limit)
        .collect();
    check(
        over.is_empty(),
        &format!(
            "no agent above the limit of {} ({per_agent:?})",
            args.chat_limit
        ),
    );
    let served: i64 = limited
        .iter()
        .map(|c| per_agent.get(&c.0).copied().unwrap_or(0))
        .sum();
    check(
        served == 4 * args.chat_limit,
        &format!("every limited agent's slots are used ({served} served)"),
    );

    // 4. Kill A mid-load.
    let doomed = make_agent(&api, a, &admin_a, "on-a").await;
    let mut on_a = Ddp::open(a).await;
    on_a.call("login", json!([{"resume": doomed.1}])).await;
    check(
        status_of(&api, b, &admin_b, "on-a").await == "online",
        "the agent connected to A is online",
    );
    let killed = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(acks::Acks::default());
    let workers = (0..16).map(|w| {
        let (api, killed, acked) = (api.clone(), killed.clone(), acked.clone());
        let rooms = load_rooms.clone();
        let (a, b) = (a.to_string(), b.to_string());
        async move {
            let mut b_errors = Vec::new();
            let mut b_after_kill = 0u32;
            for n in 0..200usize {
                let (rid, token) = &rooms[(w * 13 + n) % rooms.len()];
                let base = if n % 2 == 0 { &a } else { &b };
                let killed_before = killed.load(Ordering::Relaxed);
                let r = api
                    .post(
                        base,
                        "/api/v1/livechat/message",
                        None,
                        json!({"token": token, "rid": rid, "msg": format!("w{w} n{n}")}),
                    )
                    .await;
                match r {
                    Ok(r) if r.status == 200 => {
                        let id = r.body["message"]["_id"].as_str().unwrap_or("").to_string();
                        acked.push(rid.clone(), id);
                        if base == &b && killed_before {
                            b_after_kill += 1;
                        }
                    }
                    Ok(r) if base == &b => b_errors.push(format!("{} {}", r.status, r.body)),
                    Err(e) if base == &b => b_errors.push(e),
                    _ => {}
                }
            }
            (b_errors, b_after_kill)
        }
    });
    let load = tokio::spawn(futures::future::join_all(workers));
    // Mid-load: once a few hundred messages went through.
    let start = Instant::now();
    while acked.len() < 300 && start.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let kill = std::process::Command::new("kill")
        .args(["-9", &args.kill_pid.to_string()])
        .status();
    killed.store(true, Ordering::Relaxed);
    let killed_at = Instant::now();
    check(
        kill.map(|s| s.success()).unwrap_or(false),
        &format!(
            "instance A (pid {}) killed with SIGKILL after {} acknowledged messages",
            args.kill_pid,
            acked.len()
        ),
    );
    let outcomes = load.await.unwrap_or_default();
    let b_errors: Vec<String> = outcomes.iter().flat_map(|o| o.0.clone()).collect();
    let b_after: u32 = outcomes.iter().map(|o| o.1).sum();
    check(
        b_errors.is_empty() && b_after > 0,
        &format!(
            "B kept serving: {b_after} messages acknowledged by B after the kill, {} B errors {:?}",
            b_errors.len(),
            b_errors.first()
        ),
    );
    drop(on_a);
    // A's agent: online until the presence timeout passes, then offline (expired by B).
    let deadline = Duration::from_secs(args.presence_timeout * 3 + 10);
    let mut status = Value::Null;
    while killed_at.elapsed() < deadline {
        status = status_of(&api, b, &admin_b, "on-a").await;
        if status == "offline" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check(
        status == "offline",
        &format!(
            "A's agent went offline {:.1} s after the kill (presence timeout {} s)",
            killed_at.elapsed().as_secs_f64(),
            args.presence_timeout
        ),
    );
    // Every acknowledged message is in its room's history (read through B).
    let by_room = acked.by_room();
    let mut missing = 0usize;
    for (rid, ids) in &by_room {
        let token = &load_rooms
            .iter()
            .find(|(r, _)| r == rid)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        let h = api
            .ok(
                b,
                &format!("/api/v1/livechat/messages.history/{rid}?token={token}&limit=1000"),
                None,
                None,
            )
            .await;
        let stored: HashSet<&str> = h["messages"]
            .as_array()
            .map(|ms| ms.iter().filter_map(|m| m["_id"].as_str()).collect())
            .unwrap_or_default();
        missing += ids
            .iter()
            .filter(|id| !stored.contains(id.as_str()))
            .count();
    }
    check(
        missing == 0,
        &format!(
            "all {} acknowledged messages are in the history ({missing} missing)",
            acked.len()
        ),
    );
    let h = api.ok(b, "/health", None, None).await;
    println!("B /health after the run: {h}");
    println!(
        "multi-instance: {} passed, 0 failed",
        PASSED.load(Ordering::Relaxed)
    );
}

/// Acknowledged messages, shared by the load workers.
mod acks {
    use std::collections::HashMap;
    use std::sync::Mutex;

    #[derive(Default)]
    pub struct Acks(Mutex<Vec<(String, String)>>);

    impl Acks {
        pub fn push(&self, rid: String, id: String) {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((rid, id));
        }
        pub fn len(&self) -> usize {
            self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
        }
        pub fn by_room(&self) -> HashMap<String, Vec<String>> {
            let mut m: HashMap<String, Vec<String>> = HashMap::new();
            for (rid, id) in self.0.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                m.entry(rid.clone()).or_default().push(id.clone());
            }
            m
        }
    }
}
