//! `GET /metrics` (issue 17): every family an operator alerts on, with figures that match
//! the chats they describe; who may scrape.

use crate::helpers::*;
use crate::realtime::{Ddp, visitor_args};
use ferrochat::time::Ts;
use serde_json::json;
use std::collections::BTreeMap;

/// Series of a scrape: `name{labels}` → value, labels as written.
fn parse(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("a sample line");
            (series.to_string(), value.parse().expect("a number"))
        })
        .collect()
}

/// The sum of the samples of `name` whose labels contain every one of `with`.
fn sum(m: &BTreeMap<String, f64>, name: &str, with: &[&str]) -> f64 {
    m.iter()
        .filter(|(k, _)| {
            let (n, labels) = k.split_once('{').unwrap_or((k.as_str(), ""));
            n == name && with.iter().all(|w| labels.contains(w))
        })
        .map(|(_, v)| v)
        .sum()
}

fn families(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect()
}

async fn scrape(app: &TestApp) -> (String, BTreeMap<String, f64>) {
    let r = app.get("/metrics").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
    );
    let m = parse(&r.text);
    (r.text, m)
}

const START: &str = "2026-01-05T10:00:00.000Z";

#[tokio::test]
async fn a_scrape_during_a_chat_shows_every_family() {
    let app = TestApp::spawn_with_clock(START).await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let agent = app.create_agent("ann").await;
    let token = "visitor-token-4711";
    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": token, "name": "Mary"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rid = r.body["room"]["_id"].as_str().unwrap().to_string();
    assert!(r.body["room"]["servedBy"].is_null(), "{}", r.text);
    // The visitor's socket: a method call and a subscription.
    let mut d = Ddp::open(&app).await;
    let setup = d
        .call("livechat:setUpConnection", json!([{"token": token}]))
        .await;
    assert!(setup["error"].is_null(), "{setup}");
    let sub = d
        .sub("stream-room-messages", json!([rid, visitor_args(token)]))
        .await;
    assert_eq!(sub["msg"], "ready", "{sub}");
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": token, "rid": rid, "msg": "Hello?"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    app.set_time("2026-01-05T10:00:45.000Z");
    let (text, m) = scrape(&app).await;
    assert_eq!(
        sum(&m, "ferrochat_livechat_queue_waiting_chats", &[]),
        1.0,
        "{text}"
    );
    assert_eq!(
        sum(
            &m,
            "ferrochat_livechat_queue_oldest_waiting_seconds",
            &["department_id=\"\""]
        ),
        45.0,
        "{text}"
    );
    assert_eq!(sum(&m, "ferrochat_livechat_open_chats", &[]), 1.0);
    assert_eq!(sum(&m, "ferrochat_livechat_agents_available", &[]), 1.0);
    assert_eq!(sum(&m, "ferrochat_livechat_business_open", &[]), 1.0);
    assert!(sum(&m, "ferrochat_ddp_connections", &[]) >= 1.0, "{text}");
    assert!(sum(&m, "ferrochat_ddp_subscriptions", &[]) >= 1.0, "{text}");
    assert_eq!(
        sum(
            &m,
            "ferrochat_ddp_method_calls_total",
            &["method=\"livechat:setUpConnection\"", "outcome=\"ok\""]
        ),
        1.0,
        "{text}"
    );

    // The agent takes the chat and answers 45 s after the visitor wrote.
    let r = app
        .get_as(&agent, "/api/v1/livechat/inquiries.queued")
        .await;
    let inquiry = r.body["inquiries"][0]["_id"].as_str().unwrap().to_string();
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": inquiry}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "Hi Mary"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token={token}"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let (text, m) = scrape(&app).await;
    for family in [
        "ferrochat_livechat_queue_waiting_chats",
        "ferrochat_livechat_queue_oldest_waiting_seconds",
        "ferrochat_livechat_open_chats",
        "ferrochat_livechat_agents_available",
        "ferrochat_livechat_business_open",
        "ferrochat_messages_total",
        "ferrochat_livechat_rooms_created_total",
        "ferrochat_livechat_first_response_seconds",
        "ferrochat_ddp_connections",
        "ferrochat_ddp_subscriptions",
        "ferrochat_ddp_method_calls_total",
        "ferrochat_ddp_method_duration_seconds",
        "ferrochat_outbox_pending",
        "ferrochat_outbox_dead",
        "ferrochat_outbox_oldest_pending_seconds",
        "ferrochat_http_requests_total",
        "ferrochat_http_request_duration_seconds",
        "ferrochat_db_pool_connections",
        "ferrochat_db_pool_max_connections",
        "ferrochat_bus_connected",
        "ferrochat_realtime_logged_in_connections",
        "ferrochat_password_checks_total",
    ] {
        assert!(
            families(&text).iter().any(|f| f == family),
            "{family} missing:\n{text}"
        );
    }
    assert_eq!(sum(&m, "ferrochat_livechat_queue_waiting_chats", &[]), 0.0);
    assert_eq!(sum(&m, "ferrochat_livechat_rooms_created_total", &[]), 1.0);
    assert_eq!(
        sum(&m, "ferrochat_messages_total", &["sender=\"visitor\""]),
        1.0
    );
    assert_eq!(
        sum(&m, "ferrochat_messages_total", &["sender=\"agent\""]),
        1.0
    );
    // At least the chat's start.
    assert!(sum(&m, "ferrochat_messages_total", &["sender=\"system\""]) >= 1.0);
    assert_eq!(
        sum(&m, "ferrochat_livechat_first_response_seconds_count", &[]),
        1.0,
        "{text}"
    );
    assert_eq!(
        sum(&m, "ferrochat_livechat_first_response_seconds_sum", &[]),
        45.0,
        "{text}"
    );
    assert!(
        sum(
            &m,
            "ferrochat_livechat_first_response_seconds_bucket",
            &["le=\"60\""]
        ) == 1.0
            && sum(
                &m,
                "ferrochat_livechat_first_response_seconds_bucket",
                &["le=\"30\""]
            ) == 0.0,
        "{text}"
    );
    // Requests by route template and status; the room id and the token never show.
    assert_eq!(
        sum(
            &m,
            "ferrochat_http_requests_total",
            &[
                "route=\"/api/v1/livechat/room\"",
                "status=\"200\"",
                "method=\"GET\""
            ]
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        sum(
            &m,
            "ferrochat_http_requests_total",
            &["route=\"/api/v1/livechat/messages.history/{rid}\""]
        ),
        1.0,
        "{text}"
    );
    assert!(
        sum(
            &m,
            "ferrochat_http_request_duration_seconds_count",
            &["route=\"/api/v1/chat.sendMessage\""]
        ) == 1.0,
        "{text}"
    );
    assert!(!text.contains(&rid) && !text.contains(token), "{text}");
    assert!(sum(&m, "ferrochat_db_pool_max_connections", &[]) >= 1.0);

    // Closing: nothing open, nothing waiting.
    let r = app
        .post(
            "/api/v1/livechat/room.close",
            json!({"rid": rid, "token": token}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, m) = scrape(&app).await;
    assert_eq!(sum(&m, "ferrochat_livechat_open_chats", &[]), 0.0);
    assert_eq!(sum(&m, "ferrochat_livechat_queue_waiting_chats", &[]), 0.0);
    assert!(sum(&m, "ferrochat_messages_total", &["sender=\"system\""]) >= 2.0);
}

/// The queue figures are the queue's: per department, how many wait and since when,
/// checked against `livechat/inquiries.queued`.
#[tokio::test]
async fn queue_figures_match_the_queue() {
    let app = TestApp::spawn_with_clock(START).await;
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let agent = app.create_agent("ann").await;
    let mut departments = Vec::new();
    for name in ["Sales", "Support"] {
        let r = app
            .post_as(
                &app.admin,
                "/api/v1/livechat/department",
                json!({"department": {"enabled": true, "name": name, "email": "d@x.com",
                       "showOnRegistration": true, "showOnOfflineForm": true},
                       "agents": [{"agentId": agent.id}]}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        departments.push(r.body["department"]["_id"].as_str().unwrap().to_string());
    }
    // Chats arrive over time: two in Sales, one in Support, two asking for none (routing
    // may still give them one).
    let arrivals = [
        ("2026-01-05T10:00:00.000Z", "v1", Some(&departments[0])),
        ("2026-01-05T10:01:00.000Z", "v2", None),
        ("2026-01-05T10:02:30.000Z", "v3", Some(&departments[1])),
        ("2026-01-05T10:03:00.000Z", "v4", Some(&departments[0])),
        ("2026-01-05T10:04:00.000Z", "v5", None),
    ];
    for (at, token, department) in arrivals {
        app.set_time(at);
        let mut v = json!({"token": token});
        if let Some(d) = department {
            v["department"] = json!(d);
        }
        let r = app
            .post("/api/v1/livechat/visitor", json!({ "visitor": v }))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app.room(token).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // One of the Sales chats is taken.
    let now = "2026-01-05T10:10:00.000Z";
    app.set_time(now);
    let queued = app
        .get_as(&app.admin, "/api/v1/livechat/inquiries.queued")
        .await;
    let v1 = queued.body["inquiries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["v"]["token"] == "v1")
        .unwrap()["_id"]
        .clone();
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/inquiries.take",
            json!({"inquiryId": v1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // What the queue says, per department: how many, and the oldest one's age.
    let queued = app
        .get_as(&app.admin, "/api/v1/livechat/inquiries.queued?count=100")
        .await;
    let mut expected: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let now = Ts::parse_iso(now).unwrap();
    for i in queued.body["inquiries"].as_array().unwrap() {
        let department = i["department"].as_str().unwrap_or("").to_string();
        let age = now.secs_since(Ts::parse_iso(i["ts"].as_str().unwrap()).unwrap());
        let e = expected.entry(department).or_insert((0.0, 0.0));
        e.0 += 1.0;
        e.1 = e.1.max(age);
    }
    assert_eq!(expected.values().map(|e| e.0).sum::<f64>(), 4.0);
    // Chats in no department always show (0 when none waits).
    expected.entry(String::new()).or_insert((0.0, 0.0));

    let (text, m) = scrape(&app).await;
    let mut seen: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (series, value) in &m {
        for (family, slot) in [
            ("ferrochat_livechat_queue_waiting_chats{", 0),
            ("ferrochat_livechat_queue_oldest_waiting_seconds{", 1),
        ] {
            if let Some(labels) = series.strip_prefix(family) {
                let id = labels
                    .split("department_id=\"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap()
                    .to_string();
                let e = seen.entry(id).or_insert((0.0, 0.0));
                if slot == 0 {
                    e.0 = *value;
                } else {
                    e.1 = *value;
                }
            }
        }
    }
    assert_eq!(seen, expected, "{text}");
    // The department's name is there for people.
    assert!(
        text.contains(&format!(
            "ferrochat_livechat_queue_waiting_chats{{department_id=\"{}\",department=\"Sales\"}} ",
            departments[0]
        )),
        "{text}"
    );
    assert_eq!(sum(&m, "ferrochat_livechat_open_chats", &[]), 5.0);
}

#[tokio::test]
async fn a_metrics_token_is_asked_for_when_set() {
    let app = TestApp::spawn_configured(|c| c.metrics_token = Some("scrape-secret".into())).await;
    let r = app.get("/metrics").await;
    assert_eq!(r.status, 401);
    let with = |auth: &'static str| {
        app.http
            .get(format!("{}/metrics", app.base))
            .header("authorization", auth)
            .send()
    };
    assert_eq!(with("Bearer wrong").await.unwrap().status(), 401);
    assert_eq!(with("scrape-secret").await.unwrap().status(), 401);
    let r = with("Bearer scrape-secret").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("ferrochat_livechat_open_chats")
    );
    // The health probe stays open.
    assert_eq!(app.get("/health").await.status, 200);
}

#[tokio::test]
async fn metrics_can_be_served_apart_from_the_api() {
    let app = TestApp::spawn_configured(|c| {
        c.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    assert_eq!(app.get("/metrics").await.status, 404);
    let base = app.metrics_base.clone().expect("a metrics address");
    let r = app
        .http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("ferrochat_http_requests_total"), "{text}");
    // The API is not served there.
    let r = app
        .http
        .get(format!("{base}/api/info"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/info").await;
    let id = r.headers["x-request-id"].to_str().unwrap().to_string();
    assert!(!id.is_empty());
    assert_ne!(
        app.get("/api/info").await.headers["x-request-id"],
        id.as_str()
    );
    // A client's own id is echoed; one that could disturb a log line is replaced.
    let ask = |id: &'static str| {
        app.http
            .get(format!("{}/api/v1/no-such-route", app.base))
            .header("x-request-id", id)
            .send()
    };
    let r = ask("client-id-42").await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["x-request-id"], "client-id-42");
    let r = ask("a b\"c").await.unwrap();
    assert_ne!(r.headers()["x-request-id"], "a b\"c");
    let (_, m) = scrape(&app).await;
    assert!(
        sum(
            &m,
            "ferrochat_http_requests_total",
            &["route=\"unmatched\"", "status=\"404\""]
        ) >= 2.0
    );
}

#[tokio::test]
async fn a_cross_origin_page_may_send_and_read_the_request_id() {
    let app = TestApp::spawn().await;
    let pre = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/livechat/config", app.base),
        )
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-request-id")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success());
    let allowed = pre.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("x-request-id"), "{allowed}");
    let r = app
        .http
        .get(format!("{}/api/v1/livechat/config", app.base))
        .header("origin", "https://shop.example")
        .header("x-request-id", "page-7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "page-7");
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
}
