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
