//! `livechat/queue`: open chats per agent and department, as managers see them.

use crate::helpers::*;
use serde_json::{Value, json};

async fn queue(app: &TestApp, query: &str) -> Resp {
    app.get_as(&app.admin, &format!("/api/v1/livechat/queue{query}"))
        .await
}

/// (username, department name or null, chats) of each line.
fn lines(r: &Resp) -> Vec<(String, Value, i64)> {
    r.body["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["user"]["username"].as_str().unwrap().to_string(),
                l["department"]["name"].clone(),
                l["chats"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn chat(app: &TestApp, token: &str, department: Option<&str>) {
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
    assert!(r.body["room"]["servedBy"].is_object(), "{}", r.text);
}

async fn set_available(app: &TestApp, who: &Creds, available: bool) {
    let status = if available {
        "available"
    } else {
        "not-available"
    };
    let r = app
        .post_as(
            who,
            "/api/v1/livechat/agent.status",
            json!({ "status": status }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn open_chats_are_counted_per_agent_and_department() {
    let app = TestApp::spawn().await;
    let r = queue(&app, "").await;
    assert_eq!(
        r.body,
        json!({"queue": [], "count": 0, "offset": 0, "total": 0, "success": true})
    );
    let a1 = app.create_agent("a1").await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": {"enabled": true, "name": "Sales", "email": "s@x.com",
                   "showOnRegistration": false, "showOnOfflineForm": false},
                   "agents": [{"agentId": a1.id, "count": 0, "order": 0}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sales = r.body["department"]["_id"].as_str().unwrap().to_string();
    chat(&app, "v1", Some(&sales)).await;
    chat(&app, "v2", Some(&sales)).await;
    chat(&app, "v3", None).await;
    // a2 joins Sales and takes the next Sales chat while a1 is away.
    let a2 = app.create_agent("a2").await;
    let r = app
        .post_as(
            &app.admin,
            &format!("/api/v1/livechat/department/{sales}/agents"),
            json!({"upsert": [{"agentId": a2.id, "username": "a2", "count": 0, "order": 0}], "remove": []}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    set_available(&app, &a1, false).await;
    chat(&app, "v4", Some(&sales)).await;
    set_available(&app, &a1, true).await;

    let r = queue(&app, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        lines(&r),
        vec![
            ("a1".into(), json!("Sales"), 2),
            ("a1".into(), Value::Null, 1),
            ("a2".into(), json!("Sales"), 1),
        ]
    );
    let first = &r.body["queue"][0];
    assert_eq!(first["user"]["_id"], a1.id.as_str());
    assert_eq!(first["user"]["status"], "online");
    assert_eq!(first["department"]["_id"], sales.as_str());
    assert_eq!(
        r.body["queue"][1]["department"],
        json!({"_id": null, "name": null})
    );
    assert_eq!(
        (r.body["count"].clone(), r.body["total"].clone()),
        (json!(3), json!(3))
    );

    let r = queue(&app, &format!("?agentId={}", a2.id)).await;
    assert_eq!(lines(&r), vec![("a2".into(), json!("Sales"), 1)]);
    let r = queue(&app, "?agentId=another-agent").await;
    assert_eq!(
        (r.body["total"].clone(), r.body["count"].clone()),
        (json!(0), json!(0))
    );
    let r = queue(&app, &format!("?departmentId={sales}")).await;
    assert_eq!(
        lines(&r),
        vec![
            ("a1".into(), json!("Sales"), 2),
            ("a2".into(), json!("Sales"), 1)
        ]
    );
    let r = queue(&app, "?departmentId=no-chats").await;
    assert_eq!(r.body["total"], 0);
    let r = queue(&app, "?count=1&offset=1").await;
    assert_eq!(lines(&r), vec![("a1".into(), Value::Null, 1)]);
    assert_eq!(
        (
            r.body["count"].clone(),
            r.body["offset"].clone(),
            r.body["total"].clone()
        ),
        (json!(1), json!(1), json!(3))
    );
    let r = queue(&app, &format!("?sort={}", urlencode(r#"{"chats":1}"#))).await;
    assert_eq!(lines(&r).last().unwrap().2, 2);

    // Agents away do not count unless asked for; a closed chat leaves the queue.
    set_available(&app, &a2, false).await;
    let r = queue(&app, "").await;
    assert_eq!(r.body["total"], 2);
    let r = queue(&app, "?includeOfflineAgents=true").await;
    assert_eq!(r.body["total"], 3);
    let room = app.room("v4").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": room, "comment": "done"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = queue(&app, "?includeOfflineAgents=true").await;
    assert_eq!(r.body["total"], 2);
}

#[tokio::test]
async fn only_those_who_may_see_rooms_read_the_queue() {
    let app = TestApp::spawn().await;
    let user = app.create_user("plain", &[]).await;
    let r = app.get_as(&user, "/api/v1/livechat/queue").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(app.get("/api/v1/livechat/queue").await.status, 401);
    let r = queue(&app, "?count=x").await;
    assert_eq!(r.status, 400, "{}", r.text);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
