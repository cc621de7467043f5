//! Several instances sharing one store and a NATS bus (issue 7b): a visitor on one
//! instance and an agent on another hear each other in realtime; settings, presence and
//! the queue stay right across instances.

use crate::helpers::*;
use crate::realtime::Ddp;
use serde_json::{Value, json};
use std::time::Duration;

fn visitor_args(token: &str) -> Value {
    json!({"useCollection": false, "args": [{"token": token, "visitorToken": token}]})
}

async fn status_of(app: &TestApp, username: &str) -> Value {
    app.get_as(
        &app.admin,
        &format!("/api/v1/users.info?username={username}"),
    )
    .await
    .body["user"]["status"]
        .clone()
}

/// Polls (bounded) until the user's status is `want`; returns the last status seen.
async fn wait_status(app: &TestApp, username: &str, want: &str) -> Value {
    let mut status = Value::Null;
    for _ in 0..200 {
        status = status_of(app, username).await;
        if status == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    status
}

async fn agent_socket(app: &TestApp, agent: &Creds) -> Ddp {
    let mut d = Ddp::open(app).await;
    let login = d.call("login", json!([{"resume": agent.token}])).await;
    assert_eq!(login["result"]["id"], agent.id.as_str(), "{login}");
    d
}

#[tokio::test]
async fn visitor_and_agent_on_different_instances_hear_each_other() {
    let cluster = TestCluster::spawn(2, 30).await;
    let (a, b) = (&cluster.apps[0], &cluster.apps[1]);
    let jane = a.create_agent("jane").await;
    // The agent's socket is on B, watching its own subscriptions.
    let mut agent = agent_socket(b, &jane).await;
    let sub = agent
        .sub(
            "stream-notify-user",
            json!([format!("{}/subscriptions-changed", jane.id), {"useCollection": false, "args": []}]),
        )
        .await;
    assert_eq!(sub["msg"], "ready", "{sub}");

    // The visitor starts on A; routing (on A) assigns jane, and B tells her at once.
    a.visitor("tok").await;
    let room = a.room("tok").await;
    let rid = room.body["room"]["_id"].as_str().unwrap().to_string();
    assert_eq!(room.body["room"]["servedBy"]["_id"], jane.id.as_str());
    let ev = agent.recv().await;
    assert_eq!(ev["collection"], "stream-notify-user");
    assert_eq!(ev["fields"]["args"][0], "inserted");
    assert_eq!(ev["fields"]["args"][1]["rid"], rid.as_str());

    let mut visitor = Ddp::open(a).await;
    visitor
        .call("livechat:setUpConnection", json!([{"token": "tok"}]))
        .await;
    for (stream, event) in [
        ("stream-room-messages", rid.clone()),
        ("stream-livechat-room", rid.clone()),
        ("stream-notify-room", format!("{rid}/typing")),
    ] {
        let r = visitor
            .sub(stream, json!([event, visitor_args("tok")]))
            .await;
        assert_eq!(r["msg"], "ready", "{stream}: {r}");
    }
    for (stream, event) in [
        ("stream-room-messages", rid.clone()),
        ("stream-notify-room", format!("{rid}/user-activity")),
    ] {
        let r = agent
            .sub(stream, json!([event, {"useCollection": false, "args": []}]))
            .await;
        assert_eq!(r["msg"], "ready", "{stream}: {r}");
    }

    // Visitor (A) → agent (B); the visitor hears its own message once, not once per path.
    let sent = a
        .post(
            "/api/v1/livechat/message",
            json!({"token": "tok", "rid": rid, "msg": "hello from A"}),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let ev = agent.recv().await;
    assert_eq!(ev["fields"]["eventName"], rid.as_str());
    assert_eq!(ev["fields"]["args"][0]["msg"], "hello from A");
    assert!(ev["fields"]["args"][0]["ts"]["$date"].is_i64(), "{ev}");
    // …and its subscription counts the message as unread.
    let ev = agent.recv().await;
    assert_eq!(
        ev["fields"]["eventName"],
        format!("{}/subscriptions-changed", jane.id)
    );
    assert_eq!(ev["fields"]["args"][0], "updated");
    assert_eq!(ev["fields"]["args"][1]["unread"], 2);
    assert_eq!(
        visitor.recv().await["fields"]["args"][0]["msg"],
        "hello from A"
    );

    // Agent (B) → visitor (A).
    let sent = b
        .post_as(
            &jane,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "hello from B"}}),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let ev = visitor.recv().await;
    assert_eq!(ev["fields"]["args"][0]["msg"], "hello from B");
    assert_eq!(ev["fields"]["args"][0]["_id"], sent.body["message"]["_id"]);
    assert_eq!(
        agent.recv().await["fields"]["args"][0]["msg"],
        "hello from B"
    );

    // Typing, both ways, never echoed to the writer (its connection number may exist on
    // the other instance too: the origin is per instance).
    visitor
        .call(
            "stream-notify-room",
            json!([format!("{rid}/typing"), "guest", true, {"token": "tok"}]),
        )
        .await;
    let ev = agent.recv().await;
    assert_eq!(ev["fields"]["eventName"], format!("{rid}/user-activity"));
    // Under the visitor's own username, whatever name the client gave.
    let own = a.get("/api/v1/livechat/visitor/tok").await.body["visitor"]["username"].clone();
    assert_eq!(ev["fields"]["args"], json!([own, ["user-typing"], {}]));
    agent
        .call(
            "stream-notify-room",
            json!([format!("{rid}/user-activity"), "jane", ["user-typing"], {}]),
        )
        .await;
    let ev = visitor.recv().await;
    assert_eq!(ev["fields"]["eventName"], format!("{rid}/typing"));
    assert_eq!(ev["fields"]["args"], json!(["jane", true]));
    assert!(visitor.quiet(300).await, "no echo, no duplicate");
    assert!(agent.quiet(300).await, "no echo, no duplicate");

    // Assignment from B reaches the visitor on A: jane forwards the chat to joe.
    let joe = b.create_agent("joe").await;
    b.grant("transfer-livechat-guest", "livechat-agent").await;
    let r = b
        .post_as(
            &jane,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "userId": joe.id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut agent_data = Value::Null;
    for _ in 0..10 {
        let ev = visitor.recv().await;
        if ev["collection"] == "stream-livechat-room"
            && ev["fields"]["args"][0]["type"] == "agentData"
        {
            agent_data = ev["fields"]["args"][0].clone();
            break;
        }
    }
    assert_eq!(agent_data["data"]["username"], "joe", "{agent_data}");
}

#[tokio::test]
async fn a_setting_changed_on_one_instance_is_seen_by_the_other() {
    let cluster = TestCluster::spawn(2, 30).await;
    let (a, b) = (&cluster.apps[0], &cluster.apps[1]);
    let title = |r: &Resp| r.body["config"]["theme"]["title"].clone();
    assert_eq!(
        title(&b.get("/api/v1/livechat/config").await),
        "Rocket.Chat"
    );
    a.set_setting("Livechat_title", json!("Support from A"))
        .await;
    let mut seen = Value::Null;
    for _ in 0..200 {
        seen = title(&b.get("/api/v1/livechat/config").await);
        if seen == "Support from A" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(seen, "Support from A");
    // And back the other way, with a setting the routing reads.
    b.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    a.create_agent("jane").await;
    let mut routed_manually = false;
    for i in 0..200 {
        let token = format!("tok{i}");
        a.visitor(&token).await;
        let room = a.room(&token).await;
        if room.body["room"]["servedBy"].is_null() {
            routed_manually = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(routed_manually, "A never saw Manual_Selection set on B");
}

#[tokio::test]
async fn presence_spans_instances_and_dead_instances_expire() {
    let cluster = TestCluster::spawn(2, 1).await;
    let (a, b) = (&cluster.apps[0], &cluster.apps[1]);
    let jane = a.create_agent("jane").await;
    a.post_as(
        &jane,
        "/api/v1/users.setStatus",
        json!({"status": "offline"}),
    )
    .await;
    a.post_as(
        &jane,
        "/api/v1/users.setStatus",
        json!({"status": "online"}),
    )
    .await;
    // One socket on each instance: closing one keeps her online, closing both doesn't.
    let on_a = agent_socket(a, &jane).await;
    let mut on_b = agent_socket(b, &jane).await;
    assert_eq!(status_of(b, "jane").await, "online");
    drop(on_b);
    // Another round trip on A's socket after B saw the close (B's close is handled
    // when B reads it; wait for the connection count, not for time).
    let mut conns = Value::Null;
    for _ in 0..200 {
        conns = b.get("/health").await.body["connections"].clone();
        if conns == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(conns, 0);
    assert_eq!(
        status_of(a, "jane").await,
        "online",
        "a socket is left on A"
    );
    drop(on_a);
    assert_eq!(wait_status(b, "jane", "offline").await, "offline");

    // An instance that stops heartbeating (killed) while jane is connected to it: her
    // socket on B closing leaves her online (she is still on that instance); after the
    // presence timeout a surviving instance expires it, and she goes offline.
    on_b = agent_socket(b, &jane).await;
    assert_eq!(status_of(a, "jane").await, "online");
    let dead = "dead-instance";
    let now = ferrochat::time::Ts::from_millis(chrono_now_ms());
    cluster.store.instance_heartbeat(dead, now).await.unwrap();
    cluster
        .store
        .presence_connect(dead, 7, &jane.id, now)
        .await
        .unwrap();
    drop(on_b);
    let mut conns = Value::Null;
    for _ in 0..200 {
        conns = b.get("/health").await.body["connections"].clone();
        if conns == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(conns, 0);
    assert_eq!(
        status_of(a, "jane").await,
        "online",
        "still connected to the silent instance"
    );
    assert_eq!(wait_status(a, "jane", "offline").await, "offline");
    assert_eq!(
        cluster.store.presence_count(&jane.id).await.unwrap(),
        0,
        "the dead instance's connection was removed"
    );
    let expired = |app: &TestApp| {
        let app_base = app.base.clone();
        async move {
            reqwest::get(format!("{app_base}/health"))
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["presence"]["expiredUsers"]
                .as_u64()
                .unwrap()
        }
    };
    // The instance counts the expiry once its round has finished, just after her status
    // changed: wait for the count, not for time.
    let mut total = 0;
    for _ in 0..200 {
        total = expired(a).await + expired(b).await;
        if total > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(total, 1, "exactly one instance expired her");
    // Expiring again (as every instance does) changes nothing: one instance won.
    let again = cluster
        .store
        .expire_instances(ferrochat::time::Ts::from_millis(1))
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn health(app: &TestApp) -> Value {
    app.get("/health").await.body
}

/// Polls `/health` (bounded) until `pred` holds; returns the last answer.
async fn wait_health(app: &TestApp, pred: impl Fn(&Value) -> bool) -> Value {
    let mut h = Value::Null;
    for _ in 0..400 {
        h = health(app).await;
        if pred(&h) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    h
}

#[tokio::test]
async fn the_bus_survives_a_nats_outage() {
    // A broker of the test's own, so the test can take it away and bring it back.
    let nats = crate::nats_broker::Broker::start().await;
    let port = nats.port;
    let cluster = TestCluster::spawn_on(2, 30, &nats.url()).await;
    let (a, b) = (&cluster.apps[0], &cluster.apps[1]);
    let jane = a.create_agent("jane").await;
    a.visitor("tok").await;
    let rid = a.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut visitor = Ddp::open(a).await;
    visitor
        .call("livechat:setUpConnection", json!([{"token": "tok"}]))
        .await;
    let r = visitor
        .sub("stream-room-messages", json!([rid, visitor_args("tok")]))
        .await;
    assert_eq!(r["msg"], "ready");
    let say = |app: &TestApp, text: &str| {
        let (app_base, http) = (app.base.clone(), app.http.clone());
        let body = json!({"message": {"rid": rid, "msg": text}});
        let (id, token) = (jane.id.clone(), jane.token.clone());
        async move {
            let r = http
                .post(format!("{app_base}/api/v1/chat.sendMessage"))
                .header("X-User-Id", id)
                .header("X-Auth-Token", token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
    };
    say(b, "before").await;
    assert_eq!(visitor.recv().await["fields"]["args"][0]["msg"], "before");

    // NATS goes away: both instances notice, and each still delivers its own events.
    nats.stop();
    let h = wait_health(a, |h| h["bus"]["connected"] == false).await;
    assert_eq!(h["bus"]["connected"], false, "{h}");
    assert_eq!(h["status"], "degraded", "{h}");
    wait_health(b, |h| h["bus"]["connected"] == false).await;
    say(a, "during, from A").await;
    assert_eq!(
        visitor.recv().await["fields"]["args"][0]["msg"],
        "during, from A",
        "local delivery works without NATS"
    );
    // A setting changed meanwhile on B: A re-reads its settings once NATS is back.
    b.set_setting("Livechat_title", json!("Changed during the outage"))
        .await;

    // NATS is back: the client reconnects by itself, re-subscribes, counts the reconnect.
    let _nats = crate::nats_broker::Broker::start_on(port).await;
    for app in [a, b] {
        let h = wait_health(app, |h| {
            h["bus"]["connected"] == true && h["bus"]["reconnects"].as_u64() >= Some(1)
        })
        .await;
        assert_eq!(h["bus"]["connected"], true, "{h}");
        assert!(h["bus"]["reconnects"].as_u64() >= Some(1), "{h}");
        assert_eq!(h["status"], "ok", "{h}");
    }
    let metrics = a.get("/metrics").await.text;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("ferrochat_bus_reconnects_total{") && !l.ends_with(" 0")),
        "{metrics}"
    );
    // Events from B reach A's sockets again (skipping any event B had queued meanwhile).
    say(b, "after").await;
    let mut seen = Vec::new();
    loop {
        let m = visitor.recv().await["fields"]["args"][0]["msg"].clone();
        seen.push(m.clone());
        if m == "after" {
            break;
        }
        assert!(seen.len() < 5, "{seen:?}");
    }
    let mut title = Value::Null;
    for _ in 0..200 {
        title = a.get("/api/v1/livechat/config").await.body["config"]["theme"]["title"].clone();
        if title == "Changed during the outage" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(title, "Changed during the outage");
}
