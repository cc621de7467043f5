//! The scenarios. The clock moves between steps that could otherwise tie (the queue is
//! oldest first, and routing orders read times), so every run writes the same documents.

use super::harness::Env;
use ferrochat::domain::departments::DepartmentAgentInput;
use ferrochat::domain::rooms::{RoomRequest, RoomSource};
use ferrochat::model::{Department, Room, User};
use serde_json::{Value, json};

const SEC: i64 = 1000;

async fn room(env: &mut Env, step: &str, token: &str, agent: Option<&str>) -> Option<Room> {
    env.tick(SEC);
    let r = env
        .lc
        .get_or_create_room(RoomRequest {
            token: token.into(),
            agent_id: agent.map(str::to_string),
            source: RoomSource::Widget {
                host: Some("https://example.com".into()),
            },
        })
        .await;
    let room = r.as_ref().ok().map(|(r, _)| r.clone());
    env.record(step, r, |(r, created)| {
        json!({"servedBy": r.served_by.as_ref().map(|s| s.username.clone()), "created": created})
    });
    room
}

async fn dept(
    env: &Env,
    name: &str,
    agents: &[(&User, i64, i64)],
    fallback: Option<&str>,
) -> Department {
    let mut data = serde_json::Map::new();
    data.insert("enabled".into(), json!(true));
    data.insert("name".into(), json!(name));
    data.insert("showOnRegistration".into(), json!(true));
    data.insert("email".into(), json!(format!("{name}@example.com")));
    data.insert("showOnOfflineForm".into(), json!(true));
    if let Some(f) = fallback {
        data.insert("fallbackForwardDepartment".into(), json!(f));
    }
    let inputs = agents
        .iter()
        .map(|(u, count, order)| DepartmentAgentInput {
            agent_id: u.id.clone(),
            username: Some(u.username.clone()),
            count: Some(*count),
            order: Some(*order),
        })
        .collect();
    env.lc
        .save_department(None, &data, Some((inputs, Vec::new())))
        .await
        .unwrap()
}

async fn unavailable(env: &Env, agent: &User) {
    env.lc
        .set_agent_status(agent, &agent.id, Some("not-available"))
        .await
        .unwrap();
}

async fn inquiry_id(env: &Env, rid: &str) -> String {
    env.lc.store.inquiry_by_room(rid).await.unwrap().unwrap().id
}

fn unit(_: &()) -> Value {
    Value::Null
}

/// Auto_Selection: the least `livechatCount` takes the chat, ties by username.
pub async fn auto_selection_least_assigned(env: &mut Env) {
    for a in ["carol", "alice", "bob"] {
        env.agent(a).await;
    }
    for (i, t) in ["v1", "v2", "v3", "v4", "v5"].iter().enumerate() {
        env.visitor(t, None).await;
        room(env, &format!("room {i}"), t, None).await;
    }
    // An existing open room is answered as it is.
    room(env, "again", "v1", None).await;
}

/// Load_Balancing: the fewest open chats now; a closed chat frees its agent.
pub async fn load_balancing_fewest_open_chats(env: &mut Env) {
    env.set("Livechat_Routing_Method", json!("Load_Balancing"))
        .await;
    let alice = env.agent("alice").await;
    let bob = env.agent("bob").await;
    let mut rooms = Vec::new();
    for t in ["v1", "v2", "v3"] {
        env.visitor(t, None).await;
        rooms.push(room(env, t, t, None).await.unwrap());
    }
    // Alice (two chats) closes one; Bob (one) and Alice tie, Alice first by name.
    let first = rooms.iter().find(|r| r.served_by_id() == Some(&alice.id));
    let rid = first.unwrap().id.clone();
    env.tick(SEC);
    let r = env
        .lc
        .close_by_user(&alice, &rid, Some("done".into()), None)
        .await;
    env.record("close", r, unit);
    env.visitor("v4", None).await;
    room(env, "v4", "v4", None).await;
    unavailable(env, &bob).await;
    env.visitor("v5", None).await;
    room(env, "v5 (bob away)", "v5", None).await;
}

/// Load_Rotation: the agent idle longest (`lastRoutingTime`) takes the chat.
pub async fn load_rotation_longest_idle(env: &mut Env) {
    env.set("Livechat_Routing_Method", json!("Load_Rotation"))
        .await;
    for a in ["alice", "bob", "carol"] {
        env.agent(a).await;
    }
    for t in ["v1", "v2", "v3", "v4"] {
        env.visitor(t, None).await;
        room(env, t, t, None).await;
    }
}

/// Manual_Selection: chats wait in the queue; one agent takes, a second take fails.
pub async fn manual_selection_queue_and_take(env: &mut Env) {
    env.set("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    let alice = env.agent("alice").await;
    let bob = env.agent("bob").await;
    env.visitor("v1", None).await;
    env.visitor("v2", None).await;
    let r1 = room(env, "v1", "v1", None).await.unwrap();
    let r2 = room(env, "v2 prefers bob", "v2", Some(&bob.id))
        .await
        .unwrap();
    let (queued, total) = env.lc.queued_inquiries(None, None, 0, 10).await.unwrap();
    env.log.push(json!({
        "step": "queue",
        "ok": {"total": total, "rooms": queued.iter().map(|q| q.rid == r1.id).collect::<Vec<_>>()}
    }));
    let q1 = inquiry_id(env, &r1.id).await;
    env.tick(SEC);
    let r = env.lc.take_inquiry(&alice.id, &q1).await;
    env.record("alice takes v1", r, unit);
    env.tick(SEC);
    let r = env.lc.take_inquiry(&bob.id, &q1).await;
    env.record("bob takes v1", r, unit);
    unavailable(env, &bob).await;
    let q2 = inquiry_id(env, &r2.id).await;
    env.tick(SEC);
    let r = env.lc.take_inquiry(&bob.id, &q2).await;
    env.record("unavailable bob takes v2", r, unit);
}

/// A preferred agent who is available takes the chat; with nobody available the visitor
/// gets `no-agent-online`, unless chats are accepted without agents (then it queues).
pub async fn preferred_agent_and_no_agent_online(env: &mut Env) {
    env.agent("alice").await;
    let bob = env.agent("bob").await;
    env.visitor("v1", None).await;
    room(env, "v1 prefers bob", "v1", Some(&bob.id)).await;
    let alice = env.user_by_name("alice").await;
    unavailable(env, &alice).await;
    unavailable(env, &bob).await;
    env.visitor("v2", None).await;
    room(env, "v2, nobody", "v2", None).await;
    env.set("Livechat_accept_chats_with_no_agents", json!(true))
        .await;
    room(env, "v2, accepted without agents", "v2", None).await;
    env.set("Livechat_enabled_when_agent_idle", json!(true))
        .await;
    env.tick(SEC);
    let r = env
        .lc
        .set_agent_status(&alice, &alice.id, Some("available"))
        .await;
    env.record("alice available", r, |s| json!(s));
}

/// Department routing: the department's least `count`, then `order`; an offline
/// department hands its visitors to its fallback.
pub async fn department_routing_and_fallback(env: &mut Env) {
    let alice = env.agent("alice").await;
    let bob = env.agent("bob").await;
    let carol = env.agent("carol").await;
    let sales = dept(env, "sales", &[(&alice, 0, 2), (&bob, 0, 1)], None).await;
    let support = dept(env, "support", &[(&carol, 0, 0)], Some(&sales.id)).await;
    for t in ["v1", "v2", "v3"] {
        env.visitor(t, Some(&sales.id)).await;
        room(env, t, t, None).await;
    }
    unavailable(env, &carol).await;
    env.visitor("v4", Some(&support.id)).await;
    room(env, "v4 (support offline)", "v4", None).await;
}

/// `Livechat_maximum_chats_per_agent`: a full agent is skipped, a chat nobody can take
/// queues, and closing a chat routes the oldest waiting one.
pub async fn agent_limit_queues_and_close_routes_next(env: &mut Env) {
    env.set("Livechat_maximum_chats_per_agent", json!(1)).await;
    let alice = env.agent("alice").await;
    env.agent("bob").await;
    let mut rooms = Vec::new();
    for t in ["v1", "v2", "v3", "v4"] {
        env.visitor(t, None).await;
        rooms.push(room(env, t, t, None).await.unwrap());
    }
    let (queued, total) = env.lc.queued_inquiries(None, None, 0, 10).await.unwrap();
    env.log
        .push(json!({"step": "queued", "ok": {"total": total, "count": queued.len()}}));
    let alices = rooms
        .iter()
        .find(|r| r.served_by_id() == Some(&alice.id))
        .unwrap()
        .id
        .clone();
    env.tick(SEC);
    let r = env
        .lc
        .close_by_user(&alice, &alices, Some("done".into()), None)
        .await;
    env.record("alice closes", r, unit);
    // A manual take beyond the limit is refused.
    let bob = env.user_by_name("bob").await;
    let waiting = rooms.last().unwrap().id.clone();
    let q = inquiry_id(env, &waiting).await;
    env.tick(SEC);
    let r = env.lc.take_inquiry(&bob.id, &q).await;
    env.record("bob takes beyond his limit", r, unit);
}

/// Forwarding to an agent: the new agent's subscription, the history, and a `ul` for
/// each previous subscriber (the serving agent and a manager who joined), in the order
/// they joined the room.
pub async fn transfer_to_agent_with_a_second_subscriber(env: &mut Env) {
    let zed = env.agent("zed").await;
    let amy = env.agent("amy").await;
    let boss = env.user("boss", &["user", "livechat-manager"]).await;
    unavailable(env, &amy).await;
    env.visitor("v1", None).await;
    let r = room(env, "v1", "v1", None).await.unwrap();
    env.tick(SEC);
    let j = env.lc.join_room(&boss, &r.id).await;
    env.record("boss joins", j, unit);
    env.tick(SEC);
    let a = env
        .lc
        .set_agent_status(&amy, &amy.id, Some("available"))
        .await;
    env.record("amy available", a, |s| json!(s));
    env.tick(SEC);
    let f = env
        .lc
        .forward(
            &boss,
            &r.id,
            Some(amy.id.clone()),
            None,
            Some("to amy".into()),
        )
        .await;
    env.record("forward to amy", f, unit);
    env.tick(SEC);
    let f = env
        .lc
        .forward(&boss, &r.id, Some(amy.id.clone()), None, None)
        .await;
    env.record("forward to amy again", f, unit);
    let f = env
        .lc
        .forward(&boss, &r.id, Some(zed.id.clone()), None, None)
        .await;
    env.record("forward back to zed", f, unit);
}

/// Forwarding to a department (routed there, or queued when nobody is free there), the
/// visitor's department switch, and returning a chat to the queue.
pub async fn transfer_to_department_and_queue(env: &mut Env) {
    let alice = env.agent("alice").await;
    let bob = env.agent("bob").await;
    let carol = env.agent("carol").await;
    let boss = env.user("boss", &["user", "livechat-manager"]).await;
    let sales = dept(env, "sales", &[(&alice, 0, 0)], None).await;
    let support = dept(env, "support", &[(&bob, 0, 0)], None).await;
    let night = dept(env, "night", &[(&carol, 0, 0)], None).await;
    env.visitor("v1", Some(&sales.id)).await;
    let r = room(env, "v1", "v1", None).await.unwrap();
    env.tick(SEC);
    let f = env
        .lc
        .forward(
            &alice,
            &r.id,
            None,
            Some(support.id.clone()),
            Some("to support".into()),
        )
        .await;
    env.record("alice forwards to support", f, unit);
    env.tick(SEC);
    let q = env.lc.return_to_queue(&boss, &r.id, None).await;
    env.record("return to queue", q, |b| json!(b));
    unavailable(env, &carol).await;
    env.tick(SEC);
    let t = env.lc.transfer_by_visitor("v1", &r.id, &night.id).await;
    env.record("visitor moves to night (nobody there)", t, |r| {
        json!(r.as_ref().map(|r| r.served_by.is_some()))
    });
    env.tick(SEC);
    let f = env
        .lc
        .forward(&boss, &r.id, None, Some(support.id.clone()), None)
        .await;
    env.record("boss forwards to support", f, unit);
    env.tick(SEC);
    let q = env
        .lc
        .return_to_queue(&boss, &r.id, Some(sales.id.clone()))
        .await;
    env.record("return to the sales queue", q, |b| json!(b));
}

/// Messages: room bookkeeping, `lastMessage`, waiting response, `responseBy` and the
/// response and reaction metrics over a timeline.
pub async fn messages_and_response_metrics(env: &mut Env) {
    let alice = env.agent("alice").await;
    env.visitor("v1", None).await;
    let r = room(env, "v1", "v1", None).await.unwrap();
    let steps: &[(i64, &str, &str)] = &[
        (3, "visitor", "hello"),
        (2, "visitor", "anyone?"),
        (10, "agent", "hi, I am here"),
        (1, "agent", "how can I help? https://example.com/help"),
        (30, "visitor", "my order"),
        (20, "agent", "*on it*"),
    ];
    for (i, (secs, who, text)) in steps.iter().enumerate() {
        env.tick(secs * SEC);
        let id = Some(format!("message-{i}-{:0>10}", i));
        let step = format!("{who}: {text}");
        if *who == "visitor" {
            let m = env.lc.send_visitor_message("v1", &r.id, text, id).await;
            env.record(&step, m, |_| Value::Null);
        } else {
            let m = env.lc.send_agent_message(&alice, &r.id, text, id).await;
            env.record(&step, m, |_| Value::Null);
        }
    }
    let dup = env
        .lc
        .send_visitor_message("v1", &r.id, "again", Some("message-0-0000000000".into()))
        .await;
    env.record("duplicate id", dup, |_| Value::Null);
}

/// A visitor's edits and deletes; deleting the last message falls back to the newest
/// visible one.
pub async fn visitor_edits_and_deletes(env: &mut Env) {
    env.set("Message_AllowEditing", json!(true)).await;
    env.set("Message_AllowDeleting", json!(true)).await;
    env.agent("alice").await;
    env.visitor("v1", None).await;
    let r = room(env, "v1", "v1", None).await.unwrap();
    for (i, text) in ["one", "two", "three"].iter().enumerate() {
        env.tick(SEC);
        let m = env
            .lc
            .send_visitor_message("v1", &r.id, text, Some(format!("visitor-message-{i}")))
            .await;
        env.record(text, m, |_| Value::Null);
    }
    env.tick(SEC);
    let e = env
        .lc
        .edit_visitor_message("v1", &r.id, "visitor-message-0", "one, edited")
        .await;
    env.record("edit", e, |_| Value::Null);
    env.tick(SEC);
    let d = env
        .lc
        .delete_visitor_message("v1", &r.id, "visitor-message-2")
        .await;
    env.record("delete the last", d, |_| Value::Null);
}

/// `agent.next`: the routing counter moves without a room.
pub async fn next_agent_moves_the_counter(env: &mut Env) {
    env.agent("alice").await;
    env.agent("bob").await;
    env.visitor("v1", None).await;
    for i in 0..3 {
        env.tick(SEC);
        let n = env.lc.next_agent_for("v1", None).await;
        env.record(&format!("next {i}"), n, |v| {
            json!(v.as_ref().map(|v| v["username"].clone()))
        });
    }
    room(env, "v1", "v1", None).await;
    let n = env.lc.next_agent_for("v1", None).await;
    env.record("next with an open room", n, |v| json!(v));
}

/// Closing: by the visitor and by the agent (comment, tags, metrics, inquiry and
/// subscriptions gone); closing again fails.
pub async fn close_by_visitor_and_by_agent(env: &mut Env) {
    env.set(
        "Omnichannel_allow_visitors_to_close_conversation",
        json!(true),
    )
    .await;
    let alice = env.agent("alice").await;
    env.visitor("v1", None).await;
    env.visitor("v2", None).await;
    let r1 = room(env, "v1", "v1", None).await.unwrap();
    let r2 = room(env, "v2", "v2", None).await.unwrap();
    env.tick(5 * SEC);
    let m = env
        .lc
        .send_visitor_message("v1", &r1.id, "bye", Some("bye-message-00001".into()))
        .await;
    env.record("v1 says bye", m, |_| Value::Null);
    env.tick(5 * SEC);
    let c = env.lc.close_by_visitor("v1", &r1.id).await;
    env.record("v1 closes", c, |s| json!(s));
    env.tick(SEC);
    let c = env.lc.close_by_visitor("v1", &r1.id).await;
    env.record("v1 closes again", c, |s| json!(s));
    env.tick(7 * SEC);
    let c = env
        .lc
        .close_by_user(
            &alice,
            &r2.id,
            Some("solved".into()),
            Some(vec!["billing".into(), "vip".into()]),
        )
        .await;
    env.record("alice closes v2", c, unit);
    // A new chat after closing gets a new room.
    room(env, "v1 again", "v1", None).await;
}
