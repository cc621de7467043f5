//! Invariants under concurrency, enforced by the store.

use crate::helpers::*;
use futures::future::join_all;
use serde_json::Value;
use std::collections::HashMap;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_get_or_create_calls_make_one_room() {
    let app = &TestApp::spawn().await;
    app.create_agent("agent1").await;
    app.visitor("same-token").await;
    let calls = (0..200).map(|_| app.room("same-token"));
    let results = join_all(calls).await;
    let mut ids = std::collections::HashSet::new();
    let mut created = 0;
    for r in &results {
        assert_eq!(r.status, 200, "{}", r.text);
        ids.insert(r.body["room"]["_id"].as_str().unwrap().to_string());
        if r.body["newRoom"] == Value::Bool(true) {
            created += 1;
        }
    }
    assert_eq!(ids.len(), 1, "one room");
    assert_eq!(created, 1, "newRoom:true exactly once");
    let rooms: i64 = app.db_one("SELECT COUNT(*) FROM rooms", &[]);
    let inquiries: i64 = app.db_one("SELECT COUNT(*) FROM inquiries", &[]);
    assert_eq!((rooms, inquiries), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_new_visitors_are_balanced_over_three_agents() {
    let app = &TestApp::spawn().await;
    let agents = [
        app.create_agent("a1").await,
        app.create_agent("a2").await,
        app.create_agent("a3").await,
    ];
    join_all((0..100).map(|i| async move { app.visitor(&format!("v{i}")).await })).await;
    let rooms = join_all((0..100).map(|i| async move { app.room(&format!("v{i}")).await })).await;
    let mut per_agent: HashMap<String, i64> = HashMap::new();
    for r in &rooms {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["newRoom"], true);
        *per_agent
            .entry(
                r.body["room"]["servedBy"]["_id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
            .or_default() += 1;
    }
    assert_eq!(per_agent.values().sum::<i64>(), 100);
    for a in &agents {
        let served = per_agent.get(&a.id).copied().unwrap_or(0);
        assert!(
            (33..=34).contains(&served),
            "{} served {served}",
            a.username
        );
        let me = app.get_as(a, "/api/v1/me").await;
        assert_eq!(
            me.body["livechatCount"].as_i64(),
            Some(served),
            "counter equals assignments"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_rooms_never_exceed_the_chat_limit() {
    let app = &TestApp::spawn().await;
    let agents = [app.create_agent("a1").await, app.create_agent("a2").await];
    app.set_setting("Livechat_maximum_chats_per_agent", serde_json::json!(5))
        .await;
    join_all((0..30).map(|i| async move { app.visitor(&format!("v{i}")).await })).await;
    let rooms = join_all((0..30).map(|i| async move { app.room(&format!("v{i}")).await })).await;
    let mut per_agent: HashMap<String, i64> = HashMap::new();
    let mut unassigned = 0;
    for r in &rooms {
        assert_eq!(r.status, 200, "{}", r.text);
        match r.body["room"]["servedBy"]["_id"].as_str() {
            Some(id) => *per_agent.entry(id.to_string()).or_default() += 1,
            None => unassigned += 1,
        }
    }
    for a in &agents {
        assert_eq!(
            per_agent.get(&a.id).copied(),
            Some(5),
            "{} filled to the limit, never above",
            a.username
        );
    }
    assert_eq!(unassigned, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_rooms_three_agents_limit_twenty_and_the_queue_drains() {
    let app = &TestApp::spawn().await;
    let agents = [
        app.create_agent("a1").await,
        app.create_agent("a2").await,
        app.create_agent("a3").await,
    ];
    app.set_setting("Livechat_maximum_chats_per_agent", serde_json::json!(20))
        .await;
    join_all((0..100).map(|i| async move { app.visitor(&format!("v{i}")).await })).await;
    let rooms = join_all((0..100).map(|i| async move { app.room(&format!("v{i}")).await })).await;
    let mut per_agent: HashMap<String, i64> = HashMap::new();
    let mut waiting = Vec::new();
    for (i, r) in rooms.iter().enumerate() {
        assert_eq!(r.status, 200, "{}", r.text);
        match r.body["room"]["servedBy"]["_id"].as_str() {
            Some(id) => *per_agent.entry(id.to_string()).or_default() += 1,
            None => waiting.push((
                format!("v{i}"),
                r.body["room"]["_id"].as_str().unwrap().to_string(),
            )),
        }
    }
    for a in &agents {
        assert_eq!(
            per_agent.get(&a.id).copied(),
            Some(20),
            "{} at its limit, not above",
            a.username
        );
    }
    assert_eq!(waiting.len(), 40);
    let queued = app
        .get_as(&agents[0], "/api/v1/livechat/inquiries.queued?count=100")
        .await;
    assert_eq!(queued.body["total"], 40, "the queue holds the rest");
    // Closing ten chats at once lets exactly ten waiting chats in, oldest first.
    let served: Vec<(String, String)> = rooms
        .iter()
        .enumerate()
        .filter(|(_, r)| r.body["room"]["servedBy"].is_object())
        .take(10)
        .map(|(i, r)| {
            (
                format!("v{i}"),
                r.body["room"]["_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    join_all(served.iter().map(|(token, rid)| async move {
        let r = app
            .post(
                "/api/v1/livechat/room.close",
                serde_json::json!({"rid": rid, "token": token}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }))
    .await;
    let queued = app
        .get_as(&agents[0], "/api/v1/livechat/inquiries.queued?count=100")
        .await;
    assert_eq!(queued.body["total"], 30);
    let open: i64 = app.db_one(
        "SELECT COUNT(*) FROM rooms WHERE open = 1 AND served_by IS NOT NULL",
        &[],
    );
    assert_eq!(open, 60, "every agent is back at its limit");
    for a in &agents {
        let n: i64 = app.db_one(
            "SELECT COUNT(*) FROM rooms WHERE open = 1 AND served_by = ?1",
            &[&a.id],
        );
        assert!(n <= 20, "{} has {n}", a.username);
    }
}
