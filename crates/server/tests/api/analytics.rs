//! The manager's analytics: `livechat/analytics/dashboards/*`, `overview`, `agent-overview`,
//! their figures for a known day of chats, and who may read them.

use crate::helpers::*;
use serde_json::{Value, json};

const DAY: &str = "start=2024-01-01T00:00:00.000Z&end=2024-01-01T23:59:59.999Z";

async fn open_room(app: &TestApp, token: &str, department: Option<&str>) -> String {
    let mut v = json!({"token": token, "name": "Mary"});
    if let Some(d) = department {
        v["department"] = json!(d);
    }
    let r = app
        .post("/api/v1/livechat/visitor", json!({ "visitor": v }))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"]["_id"].as_str().unwrap().to_string()
}

async fn say(app: &TestApp, token: &str, rid: &str) {
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": token, "rid": rid, "msg": "hello"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn reply(app: &TestApp, agent: &Creds, rid: &str) {
    let r = app
        .post_as(
            agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "hi"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn get(app: &TestApp, path: &str) -> Value {
    let r = app.get_as(&app.admin, path).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.body
}

/// One day of chats (a Monday), on a clock the test moves:
/// - A: opened 10:00:00, the visitor writes at :01, the agent answers at :11 (first response
///   10 s, first reaction 11 s), the visitor writes at :21, the agent answers at :51 (mean
///   response 20 s); closed at 10:01:40 (100 s).
/// - B: opened 10:02:00, the visitor writes at :01, the agent answers at :05 (4 s, 5 s);
///   still open.
/// - C: opened at 10:03:00 once the agent went unavailable: waiting in the queue.
///
/// The agent is of the department Sales, which routing gives A and B.
async fn a_day_of_chats() -> (TestApp, Creds, String) {
    let app = TestApp::spawn_with_clock("2024-01-01T10:00:00.000Z").await;
    let ana = app.create_agent("ana").await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": {"enabled": true, "name": "Sales", "email": "s@x.com",
                   "showOnRegistration": true, "showOnOfflineForm": true},
                   "agents": [{"agentId": ana.id}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sales = r.body["department"]["_id"].as_str().unwrap().to_string();

    let a = open_room(&app, "a", Some(&sales)).await;
    for (t, visitor) in [
        ("10:00:01", true),
        ("10:00:11", false),
        ("10:00:21", true),
        ("10:00:51", false),
    ] {
        app.set_time(&format!("2024-01-01T{t}.000Z"));
        if visitor {
            say(&app, "a", &a).await;
        } else {
            reply(&app, &ana, &a).await;
        }
    }
    app.set_time("2024-01-01T10:01:40.000Z");
    let r = app
        .post_as(
            &ana,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": a, "comment": "done"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    app.set_time("2024-01-01T10:02:00.000Z");
    let b = open_room(&app, "b", None).await;
    app.set_time("2024-01-01T10:02:01.000Z");
    say(&app, "b", &b).await;
    app.set_time("2024-01-01T10:02:05.000Z");
    reply(&app, &ana, &b).await;

    app.set_time("2024-01-01T10:03:00.000Z");
    let r = app
        .post_as(
            &ana,
            "/api/v1/livechat/agent.status",
            json!({"status": "not-available"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.set_setting("Livechat_accept_chats_with_no_agents", json!(true))
        .await;
    open_room(&app, "c", None).await;
    (app, ana, sales)
}

fn totalizers(v: &Value) -> Vec<(String, Value)> {
    v["totalizers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["title"].as_str().unwrap().to_string(), t["value"].clone()))
        .collect()
}

fn pairs(list: &[(&str, Value)]) -> Vec<(String, Value)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

const D: &str = "/api/v1/livechat/analytics/dashboards";

#[tokio::test]
async fn dashboards_figures_of_a_day() {
    let (app, _, sales) = a_day_of_chats().await;

    let v = get(&app, &format!("{D}/conversation-totalizers?{DAY}")).await;
    // C has no message of its own, yet counts 1 (upstream's `$unwind` of an empty list).
    assert_eq!(
        totalizers(&v),
        pairs(&[
            ("Total_conversations", json!(3)),
            ("Open_conversations", json!(1)),
            ("On_Hold_conversations", json!(0)),
            ("Total_messages", json!(7)),
            ("Total_visitors", json!(3)),
        ])
    );
    let v = get(
        &app,
        &format!("{D}/conversation-totalizers?{DAY}&departmentId={sales}"),
    )
    .await;
    assert_eq!(
        totalizers(&v)[0],
        pairs(&[("Total_conversations", json!(2))])[0]
    );

    let v = get(&app, &format!("{D}/productivity-totalizers?{DAY}")).await;
    assert_eq!(
        totalizers(&v),
        pairs(&[
            ("Avg_response_time", json!("00:00:12")),
            ("Avg_first_response_time", json!("00:00:07")),
            ("Avg_reaction_time", json!("00:00:08")),
            ("Avg_of_waiting_time", json!("00:00:07")),
        ])
    );

    let v = get(&app, &format!("{D}/chats-totalizers?{DAY}")).await;
    assert_eq!(
        totalizers(&v),
        pairs(&[
            ("Total_abandoned_chats", json!(0)),
            ("Avg_of_abandoned_chats", json!("0%")),
            ("Avg_of_chat_duration_time", json!("00:01:40")),
        ])
    );

    // Service: from taking the chat to the agent's last message, 51 s and 5 s, rounded up.
    let v = get(&app, &format!("{D}/agents-productivity-totalizers?{DAY}")).await;
    assert_eq!(
        totalizers(&v),
        pairs(&[
            ("Busiest_time", json!("10AM - 11AM")),
            ("Avg_of_available_service_time", json!("00:00:00")),
            ("Avg_of_service_time", json!("00:00:28")),
        ])
    );

    let v = app
        .get_as(&app.admin, &format!("{D}/charts/chats?{DAY}"))
        .await;
    assert_eq!(
        v.text,
        r#"{"open":1,"closed":1,"queued":1,"onhold":0,"success":true}"#
    );
    let v = app
        .get_as(&app.admin, &format!("{D}/charts/chats-per-agent?{DAY}"))
        .await;
    assert_eq!(v.text, r#"{"ana":{"open":1,"closed":1},"success":true}"#);
    let v = app
        .get_as(
            &app.admin,
            &format!("{D}/charts/chats-per-department?{DAY}"),
        )
        .await;
    assert_eq!(v.text, r#"{"Sales":{"open":1,"closed":1},"success":true}"#);
    let v = app
        .get_as(&app.admin, &format!("{D}/charts/timings?{DAY}"))
        .await;
    assert_eq!(
        v.text,
        r#"{"response":{"avg":12,"longest":10},"reaction":{"avg":8,"longest":11},"chatDuration":{"avg":100,"longest":100},"success":true}"#
    );
    // The agent is online but not taking chats: offline for the dashboards.
    let v = app
        .get_as(
            &app.admin,
            &format!("{D}/charts/agents-status?{DAY}&departmentId={sales}"),
        )
        .await;
    assert_eq!(
        v.text,
        r#"{"offline":1,"away":0,"busy":0,"available":0,"success":true}"#
    );

    // Another day: nothing.
    let other = "start=2024-01-02T00:00:00.000Z&end=2024-01-02T23:59:59.999Z";
    let v = app
        .get_as(&app.admin, &format!("{D}/charts/timings?{other}"))
        .await;
    assert_eq!(
        v.text,
        r#"{"response":{"avg":0,"longest":0},"reaction":{"avg":0,"longest":0},"chatDuration":{"avg":0,"longest":0},"success":true}"#
    );
    let v = get(&app, &format!("{D}/conversation-totalizers?{other}")).await;
    assert_eq!(
        totalizers(&v)[0],
        pairs(&[("Total_conversations", json!(0))])[0]
    );
}

#[tokio::test]
async fn overviews_of_a_day() {
    let (app, _, _) = a_day_of_chats().await;
    let o = "/api/v1/livechat/analytics/overview";
    let r = app
        .get_as(
            &app.admin,
            &format!("{o}?from=2024-01-01&to=2024-01-02&name=Conversations"),
        )
        .await;
    assert_eq!(
        r.body,
        json!([
            {"title": "Total_conversations", "value": 3},
            {"title": "Open_conversations", "value": 1},
            {"title": "On_Hold_conversations", "value": 0},
            {"title": "Total_messages", "value": 7},
            {"title": "Busiest_day", "value": "Monday"},
            {"title": "Conversations_per_day", "value": "1.50"},
            {"title": "Busiest_time", "value": "10AM - 11AM"},
        ])
    );
    let r = app
        .get_as(
            &app.admin,
            &format!("{o}?from=2024-01-02&to=2024-01-02&name=Conversations"),
        )
        .await;
    assert_eq!(r.body[4], json!({"title": "Busiest_day", "value": "-"}));
    assert_eq!(r.body[6], json!({"title": "Busiest_time", "value": "-"}));
    let r = app
        .get_as(
            &app.admin,
            &format!("{o}?from=2024-01-01&to=2024-01-01&name=Productivity"),
        )
        .await;
    assert_eq!(
        r.body,
        json!([
            {"title": "Avg_response_time", "value": "00:00:12"},
            {"title": "Avg_first_response_time", "value": "00:00:07"},
            {"title": "Avg_reaction_time", "value": "00:00:08"},
        ])
    );

    let agent = |name: &'static str| {
        let app = &app;
        async move {
            let path = format!(
                "/api/v1/livechat/analytics/agent-overview?from=2024-01-01&to=2024-01-01&name={name}"
            );
            let v = get(app, &path).await;
            assert_eq!(
                v["head"],
                json!([{"name": "Agent"}, {"name": if name == "Total_conversations" { "%_of_conversations" } else { name }}])
            );
            v["data"].clone()
        }
    };
    let ana = |value: Value| json!([{ "name": "ana", "value": value }]);
    assert_eq!(agent("Total_conversations").await, ana(json!("100.00%")));
    assert_eq!(agent("Avg_chat_duration").await, ana(json!("00:01:40")));
    assert_eq!(agent("Total_messages").await, ana(json!(3)));
    assert_eq!(
        agent("Avg_first_response_time").await,
        ana(json!("00:00:07"))
    );
    assert_eq!(
        agent("Best_first_response_time").await,
        ana(json!("00:00:04"))
    );
    assert_eq!(agent("Avg_response_time").await, ana(json!("00:00:12")));
    assert_eq!(agent("Avg_reaction_time").await, ana(json!("00:00:08")));
    let r = app
        .get_as(
            &app.admin,
            "/api/v1/livechat/analytics/agent-overview?from=2024-01-02&to=2024-01-02&name=Avg_first_response_time",
        )
        .await;
    assert_eq!(r.body["data"], json!([]));
}

#[tokio::test]
async fn analytics_answers_and_refusals() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("bob").await;
    for path in [
        format!("{D}/conversation-totalizers?{DAY}"),
        format!("{D}/charts/agents-status"),
        "/api/v1/livechat/analytics/overview?from=2020-01-01&to=2020-01-02&name=Conversations"
            .to_string(),
        "/api/v1/livechat/analytics/agent-overview?from=2020-01-01&to=2020-01-02&name=Total_conversations"
            .to_string(),
    ] {
        let r = app.get_as(&agent, &path).await;
        assert_eq!(r.status, 403, "{path}: {}", r.text);
    }
    let r = app
        .get_as(
            &app.admin,
            &format!("{D}/chats-totalizers?start=yesterday&end=2024-01-01"),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (
            400,
            r#"{"success":false,"error":"The \"start\" query parameter must be a valid date."}"#
        )
    );
    let r = app
        .get_as(&app.admin, &format!("{D}/charts/timings?start=2024-01-01"))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "invalid-params");
    for o in ["overview", "agent-overview"] {
        let base = format!("/api/v1/livechat/analytics/{o}?from=2020-01-01&to=2020-01-02");
        let r = app.get_as(&app.admin, &format!("{base}&name=")).await;
        assert_eq!(
            (r.status.as_u16(), r.text.as_str()),
            (400, r#"{"success":false,"error":"invalid-chart-name"}"#)
        );
        let r = app.get_as(&app.admin, &format!("{base}&name=nope")).await;
        assert_eq!(r.text, r#"{"success":true}"#);
    }
    let r = app
        .get_as(
            &app.admin,
            "/api/v1/livechat/analytics/overview?from=2020-01-01&to=2020-01-02&name=Conversations",
        )
        .await;
    assert_eq!(
        r.body[0],
        json!({"title": "Total_conversations", "value": 0})
    );
    assert_eq!(
        r.body[5],
        json!({"title": "Conversations_per_day", "value": "0.00"})
    );
    let r = app
        .get_as(&app.admin, &format!("{D}/charts/agents-status"))
        .await;
    assert_eq!(
        r.text,
        r#"{"offline":0,"away":0,"busy":0,"available":1,"success":true}"#
    );
}
