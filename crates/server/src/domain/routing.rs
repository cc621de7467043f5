//! Routing: which agent takes a chat, and what taking it, forwarding it or returning it to
//! the queue writes. Upstream: the routing methods' `getNextAgent`, and `RoutingManager`'s
//! `delegateInquiry`, `takeInquiry`, `assignAgent` and `unassignAgent`, with `Helper`'s
//! `forwardRoomToAgent`/`forwardRoomToDepartment`.
//!
//! Plain functions over the rows a unit of work read ([`Rows`]); they return what to write
//! ([`Writes`]) and how it went. The engines run them inside their transaction.

use crate::ids::Ids;
use crate::model::*;
use crate::store::unit::{
    AgentCounters, AgentsAsk, Candidate, Pool, Put, Rows, Subscriber, Writes,
};
use crate::time::Ts;

/// How to choose among available agents (`Livechat_Routing_Method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentOrder {
    /// `Auto_Selection`: least `livechatCount` (department agents: least `count`, then
    /// `order`), ties by username; the chosen agent's counter goes up.
    LeastAssigned,
    /// `Load_Balancing`: fewest open chats now.
    LeastBusy,
    /// `Load_Rotation`: longest since the last assignment.
    LongestIdle,
}

/// How many open chats an agent may serve at once (upstream Enterprise's
/// `getMaxNumberSimultaneousChat`): the department's limit, else the agent's own
/// (`livechat.maxNumberSimultaneousChat`), else the general `Livechat_maximum_chats_per_agent`.
/// 0 or `None` at a level: no limit there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChatLimit {
    pub department: Option<i64>,
    pub general: Option<i64>,
}

fn positive(m: Option<i64>) -> Option<i64> {
    m.filter(|m| *m > 0)
}

impl ChatLimit {
    /// The general limit alone, for tests and callers without a department.
    pub fn general(m: i64) -> ChatLimit {
        ChatLimit {
            department: None,
            general: Some(m),
        }
    }

    /// The limit for this agent.
    pub fn of(&self, c: &Candidate) -> Option<i64> {
        positive(self.department)
            .or(positive(c.max_chats))
            .or(positive(self.general))
    }

    /// Whether every candidate's open chats are needed (an agent with a limit of its own is
    /// counted anyway).
    fn counts_all(&self) -> bool {
        positive(self.department).is_some() || positive(self.general).is_some()
    }
}

/// Which agents count as available (spec §4.5) and how to pick one.
#[derive(Clone, Debug)]
pub struct AgentQuery {
    pub department: Option<String>,
    pub ignore_agent: Option<String>,
    /// `Livechat_enabled_when_agent_idle`: `away` agents still count.
    pub idle_ok: bool,
    pub order: AgentOrder,
    /// Maximum simultaneous open chats per agent; `None`: unlimited, whatever the agents'
    /// own limits (availability checks, forced moves).
    pub max_chats: Option<ChatLimit>,
}

impl AgentQuery {
    fn limit(&self, c: &Candidate) -> Option<i64> {
        self.max_chats.and_then(|l| l.of(c))
    }

    /// The candidates to read for this query, with `also` (a preferred agent).
    pub fn ask(&self, also: Option<&str>) -> AgentsAsk {
        AgentsAsk {
            pool: Some(match &self.department {
                Some(d) => Pool::Department(d.clone()),
                None => Pool::All,
            }),
            available_only: true,
            ids: also.into_iter().map(str::to_string).collect(),
            open_chats: self.max_chats.is_some_and(|l| l.counts_all())
                || self.order == AgentOrder::LeastBusy,
        }
    }
}

/// An agent who can take chats now: an active agent, available for livechat, not offline
/// (nor away unless idle agents count), under the chat limit.
pub fn is_available(c: &Candidate, q: &AgentQuery) -> bool {
    c.has_role("livechat-agent")
        && c.active
        && c.status_livechat.as_deref() == Some("available")
        && c.status != "offline"
        && q.ignore_agent.as_deref() != Some(c.id.as_str())
        && (q.idle_ok || c.status_connection.as_deref() != Some("away"))
        && q.limit(c).is_none_or(|m| c.open_chats < m)
}

/// The available agents of the query's pool, by username.
pub fn available<'a>(q: &AgentQuery, agents: &'a [Candidate]) -> Vec<&'a Candidate> {
    let mut out: Vec<&Candidate> = agents
        .iter()
        .filter(|c| (q.department.is_none() || c.seat.is_some()) && is_available(c, q))
        .collect();
    out.sort_by_key(|c| c.username.to_ascii_lowercase());
    out
}

/// The routing method's choice (`getNextAgent`), without its bookkeeping.
pub fn next_agent<'a>(q: &AgentQuery, agents: &'a [Candidate]) -> Option<&'a Candidate> {
    available(q, agents).into_iter().min_by_key(|c| {
        let (a, b) = match (q.order, &c.seat) {
            (AgentOrder::LeastAssigned, Some(seat)) if q.department.is_some() => {
                (seat.count, seat.order)
            }
            (AgentOrder::LeastAssigned, _) => (c.livechat_count, 0),
            (AgentOrder::LeastBusy, _) => (c.open_chats, 0),
            (AgentOrder::LongestIdle, _) => (c.last_routing_time.map_or(0, Ts::millis), 0),
        };
        (a, b, c.username.to_ascii_lowercase())
    })
}

/// The routing method's bookkeeping for a chosen agent: the least-assigned counter (the
/// department's when routing in one), or the last routing time.
fn routed(c: &Candidate, q: &AgentQuery, now: Ts, w: &mut Writes) {
    match q.order {
        AgentOrder::LeastAssigned => match &c.seat {
            Some(seat) if q.department.is_some() => w.seats.push((seat.id.clone(), seat.count + 1)),
            _ => w.agents.push(AgentCounters {
                agent_id: c.id.clone(),
                livechat_count: Some(c.livechat_count + 1),
                last_routing_time: None,
            }),
        },
        AgentOrder::LongestIdle => w.agents.push(AgentCounters {
            agent_id: c.id.clone(),
            livechat_count: None,
            last_routing_time: Some(now),
        }),
        AgentOrder::LeastBusy => {}
    }
}

/// `agent.next`: the next agent, with the routing method's bookkeeping (upstream moves the
/// counter even though no chat is assigned).
pub fn next(q: &AgentQuery, rows: &Rows, now: Ts) -> (Writes, Option<SelectedAgent>) {
    let mut w = Writes::default();
    let agent = next_agent(q, &rows.agents).map(|c| {
        routed(c, q, now, &mut w);
        selected(c)
    });
    (w, agent)
}

fn selected(c: &Candidate) -> SelectedAgent {
    SelectedAgent {
        agent_id: c.id.clone(),
        username: c.username.clone(),
    }
}

/// Who should take a chat.
#[derive(Clone, Debug)]
pub enum Choice {
    /// A named agent (manual take, transfer to an agent).
    Agent(SelectedAgent),
    /// The preferred agent if available, else the routing method's choice.
    Route {
        preferred: Option<SelectedAgent>,
        query: AgentQuery,
    },
}

impl Choice {
    /// The candidates to read for this choice; `open_chats` when a limit applies.
    pub fn ask(&self, max_chats: Option<ChatLimit>) -> AgentsAsk {
        match self {
            Choice::Agent(a) => AgentsAsk {
                pool: None,
                available_only: false,
                ids: vec![a.agent_id.clone()],
                open_chats: max_chats.is_some_and(|l| l.counts_all()),
            },
            Choice::Route { preferred, query } => {
                query.ask(preferred.as_ref().map(|p| p.agent_id.as_str()))
            }
        }
    }
}

/// Why nobody takes the chat.
enum NotChosen {
    RoomClosed,
    /// The named agent serves it already.
    Unchanged,
    AtLimit,
    NoAgent,
    /// The named agent is gone.
    Unavailable,
}

/// The agent who takes `room` (the routing bookkeeping goes into `w`).
fn choose<'a>(
    room: &Room,
    choice: &Choice,
    max_chats: Option<ChatLimit>,
    agents: &'a [Candidate],
    now: Ts,
    w: &mut Writes,
) -> Result<&'a Candidate, NotChosen> {
    if !room.is_open() {
        return Err(NotChosen::RoomClosed);
    }
    let find = |id: &str| agents.iter().find(|c| c.id == id);
    match choice {
        Choice::Agent(a) => {
            if room.served_by_id() == Some(a.agent_id.as_str()) {
                return Err(NotChosen::Unchanged);
            }
            let c = find(&a.agent_id).ok_or(NotChosen::Unavailable)?;
            match max_chats.and_then(|l| l.of(c)) {
                Some(m) if c.open_chats >= m => Err(NotChosen::AtLimit),
                _ => Ok(c),
            }
        }
        Choice::Route { preferred, query } => {
            let any = AgentQuery {
                ignore_agent: None,
                ..query.clone()
            };
            if let Some(c) = preferred
                .as_ref()
                .and_then(|p| find(&p.agent_id))
                .filter(|c| is_available(c, &any))
            {
                return Ok(c);
            }
            let c = next_agent(query, agents).ok_or(NotChosen::NoAgent)?;
            routed(c, query, now, w);
            Ok(c)
        }
    }
}

/// `takeInquiry` + `assignAgent` on the documents: the inquiry taken, `servedBy`,
/// `usersCount`, the agent's subscription and the `connected` and `uj` messages.
pub fn assign(
    inquiry: &mut Inquiry,
    room: &mut Room,
    agent: &Candidate,
    now: Ts,
    ids: &dyn Ids,
) -> (Subscription, [Message; 2]) {
    inquiry.status = inquiry_status::TAKEN.into();
    inquiry.taken_at = Some(now);
    inquiry.default_agent = None;
    inquiry.queued_at = None;
    inquiry.updated_at = now;
    room.served_by = Some(ServedBy {
        id: agent.id.clone(),
        username: agent.username.clone(),
        ts: now,
    });
    room.users_count += 1;
    room.msgs += 2;
    room.updated_at = now;
    let sub = Subscription {
        id: ids.id(),
        rid: room.id.clone(),
        name: inquiry.name.clone(),
        fname: inquiry.name.clone(),
        alert: true,
        open: true,
        unread: 1,
        user_mentions: 1,
        group_mentions: 0,
        u: UserRef {
            id: agent.id.clone(),
            username: agent.username.clone(),
            name: None,
        },
        t: "l".into(),
        desktop_notifications: "all".into(),
        mobile_push_notifications: "all".into(),
        email_notifications: "all".into(),
        v: inquiry.v.clone(),
        ts: now,
        department: inquiry.department.clone(),
        updated_at: now,
    };
    let u = UserRef {
        id: agent.id.clone(),
        username: agent.username.clone(),
        name: agent.name.clone(),
    };
    let msgs = [
        Message::system(ids.id(), "command", &room.id, "connected", u.clone(), now),
        Message::system(ids.id(), "uj", &room.id, "", u, now),
    ];
    (sub, msgs)
}

fn subscribed(subs: &[Subscriber], user_id: &str) -> bool {
    subs.iter().any(|s| s.sub.u.id == user_id)
}

/// A new room with its inquiry and first messages, routed at once when asked.
#[derive(Clone, Debug)]
pub struct NewRoom {
    pub room: Room,
    pub inquiry: Inquiry,
    pub messages: Vec<Message>,
    /// Route the new inquiry (status `ready`) with this chat limit; when nobody can take
    /// it, it waits in the queue.
    pub route: Option<(Choice, Option<ChatLimit>)>,
    /// The visitor's `lastChat`, written with the room.
    pub visitor_last_chat: Option<(String, LastChat)>,
}

#[derive(Clone, Debug)]
pub struct CreatedRoom {
    pub room: Room,
    /// false when the visitor already had an open room (nothing was written).
    pub created: bool,
    pub agent: Option<SelectedAgent>,
}

/// Upstream's `createLivechatRoom` + `createLivechatInquiry` + `delegateInquiry`: the room is
/// written once, already in its routed (or queued) state. `rows.room`: the visitor's open
/// room, if any.
pub fn create(rows: Rows, new: NewRoom, now: Ts, ids: &dyn Ids) -> (Writes, CreatedRoom) {
    if let Some(room) = rows.room {
        let created = CreatedRoom {
            room,
            created: false,
            agent: None,
        };
        return (Writes::default(), created);
    }
    let mut w = Writes::default();
    let (mut room, mut inquiry) = (new.room, new.inquiry);
    let mut assigned = None;
    if let Some((choice, max)) = &new.route {
        match choose(&room, choice, *max, &rows.agents, now, &mut w) {
            Ok(agent) => {
                let docs = assign(&mut inquiry, &mut room, agent, now, ids);
                assigned = Some((selected(agent), docs));
            }
            // Nobody can take it (all busy or at their limit): it waits in the queue.
            Err(_) => {
                inquiry.status = inquiry_status::QUEUED.into();
                inquiry.queued_at = Some(now);
                inquiry.updated_at = now;
            }
        }
    }
    w.rooms.push(Put::Insert(room.clone()));
    w.inquiries.push(Put::Insert(inquiry));
    w.messages.extend(new.messages);
    let agent = assigned.map(|(agent, (sub, msgs))| {
        w.subscriptions.push(Put::Insert(sub));
        w.messages.extend(msgs);
        agent
    });
    w.visitor_last_chat = new.visitor_last_chat;
    let created = CreatedRoom {
        room,
        created: true,
        agent,
    };
    (w, created)
}

/// A take of a queued or ready inquiry.
#[derive(Clone, Debug)]
pub struct Take {
    pub choice: Choice,
    pub max_chats: Option<ChatLimit>,
    /// A manual take or a queue pass: refuse an inquiry already taken (one agent wins).
    pub require_untaken: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TakeOutcome {
    Taken {
        room: Room,
        agent: SelectedAgent,
    },
    /// The room is already served by this agent (nothing changed).
    Unchanged(Room),
    NoAgent(Room),
    RoomClosed,
    InquiryNotFound,
    AlreadyTaken,
    AgentUnavailable,
    AgentAtLimit,
}

/// Assigns an existing room: `rows` holds the inquiry, its room and the room's subscribers.
pub fn take(rows: Rows, t: &Take, now: Ts, ids: &dyn Ids) -> (Writes, TakeOutcome) {
    let mut w = Writes::default();
    let (Some(mut inquiry), Some(mut room)) = (rows.inquiry, rows.room) else {
        return (w, TakeOutcome::InquiryNotFound);
    };
    if t.require_untaken && inquiry.status == inquiry_status::TAKEN {
        return (w, TakeOutcome::AlreadyTaken);
    }
    let agent = match choose(&room, &t.choice, t.max_chats, &rows.agents, now, &mut w) {
        Ok(a) => a,
        Err(n) => {
            let outcome = match n {
                NotChosen::RoomClosed => TakeOutcome::RoomClosed,
                NotChosen::Unchanged => TakeOutcome::Unchanged(room),
                NotChosen::AtLimit => TakeOutcome::AgentAtLimit,
                NotChosen::NoAgent => TakeOutcome::NoAgent(room),
                NotChosen::Unavailable => TakeOutcome::AgentUnavailable,
            };
            return (w, outcome);
        }
    };
    let (sub, msgs) = assign(&mut inquiry, &mut room, agent, now, ids);
    w.inquiries.push(Put::Update(inquiry));
    if !subscribed(&rows.subscribers, &agent.id) {
        w.subscriptions.push(Put::Insert(sub));
    }
    w.rooms.push(Put::Update(room.clone()));
    w.messages.extend(msgs);
    let agent = selected(agent);
    (w, TakeOutcome::Taken { room, agent })
}

/// A transfer (upstream's `forwardRoomToAgent`, `forwardRoomToDepartment`,
/// `unassignAgent`).
#[derive(Clone, Debug)]
pub struct Transfer {
    /// `None`: return the chat to the queue.
    pub choice: Option<Choice>,
    pub department: Option<String>,
    pub max_chats: Option<ChatLimit>,
    /// The `livechat_transfer_history` message.
    pub history: Message,
    /// `Store_Last_Message`: the history message becomes the room's `lastMessage` (upstream
    /// sends it with `sendMessage`; the `uj`/`ul` around it are saved without).
    pub store_last_message: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TransferOutcome {
    Done(Box<Room>),
    RoomClosed,
    NoInquiry,
    /// Nobody (else) could take it; nothing changed but the routing bookkeeping.
    NoAgent,
    AgentAtLimit,
    SameAgent,
}

/// Moves an open room to another agent, department or back to the queue: `rows` holds the
/// room, its inquiry and its subscribers. The previous agents leave (subscription removed,
/// a `ul` message each, in the order they joined, as upstream's
/// `removeAllRoomSubscriptions` walks them) after the transfer history.
pub fn transfer(rows: Rows, t: &Transfer, now: Ts, ids: &dyn Ids) -> (Writes, TransferOutcome) {
    let mut w = Writes::default();
    let Some(mut room) = rows.room.filter(Room::is_open) else {
        return (w, TransferOutcome::RoomClosed);
    };
    let Some(mut inquiry) = rows.inquiry else {
        return (w, TransferOutcome::NoInquiry);
    };
    if let Some(d) = &t.department {
        room.department_id = Some(d.clone());
        inquiry.department = Some(d.clone());
    }
    let previous = room.served_by_id().map(str::to_string);
    let mut new_sub = None;
    let new_agent = match &t.choice {
        Some(choice) => {
            let agent = match choose(&room, choice, t.max_chats, &rows.agents, now, &mut w) {
                Ok(agent) => agent,
                Err(n) => {
                    let outcome = match n {
                        NotChosen::Unchanged => TransferOutcome::SameAgent,
                        NotChosen::AtLimit => TransferOutcome::AgentAtLimit,
                        NotChosen::RoomClosed => TransferOutcome::RoomClosed,
                        NotChosen::NoAgent | NotChosen::Unavailable => TransferOutcome::NoAgent,
                    };
                    return (w, outcome);
                }
            };
            if previous.as_deref() == Some(agent.id.as_str()) {
                return (w, TransferOutcome::NoAgent);
            }
            let (sub, msgs) = assign(&mut inquiry, &mut room, agent, now, ids);
            new_sub = Some(sub);
            w.messages.extend(msgs);
            Some(agent.id.clone())
        }
        None => {
            room.served_by = None;
            room.queued_at = Some(now);
            inquiry.status = inquiry_status::QUEUED.into();
            inquiry.queued_at = Some(now);
            inquiry.taken_at = None;
            inquiry.updated_at = now;
            None
        }
    };
    w.messages.push(t.history.clone());
    room.msgs += 1;
    if t.store_last_message {
        room.last_message = Some(serde_json::to_value(&t.history).unwrap_or_default());
    }
    for s in &rows.subscribers {
        if Some(&s.sub.u.id) == new_agent.as_ref() {
            if let Some(d) = &t.department {
                let mut kept = s.sub.clone();
                kept.department = Some(d.clone());
                w.subscriptions.push(Put::Update(kept));
            }
            continue;
        }
        w.subscriptions_removed
            .push((room.id.clone(), s.sub.u.id.clone()));
        room.users_count -= 1;
        let u = UserRef {
            id: s.sub.u.id.clone(),
            username: s.sub.u.username.clone(),
            name: s.name.clone(),
        };
        w.messages.push(Message::system(
            ids.id(),
            "ul",
            &room.id,
            &s.sub.u.username,
            u,
            now,
        ));
        room.msgs += 1;
    }
    room.updated_at = now;
    if let Some(sub) = new_sub.filter(|s| !subscribed(&rows.subscribers, &s.u.id)) {
        w.subscriptions.push(Put::Insert(sub));
    }
    w.rooms.push(Put::Update(room.clone()));
    w.inquiries.push(Put::Update(inquiry));
    (w, TransferOutcome::Done(Box::new(room)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SequentialIds;
    use crate::store::unit::Seat;

    fn t(ms: i64) -> Ts {
        Ts::from_millis(ms)
    }

    fn agent(id: &str, count: i64) -> Candidate {
        Candidate {
            id: id.into(),
            username: id.into(),
            name: Some(format!("{id} name")),
            roles: vec!["user".into(), "livechat-agent".into()],
            active: true,
            status: "online".into(),
            status_connection: Some("online".into()),
            status_livechat: Some("available".into()),
            livechat_count: count,
            last_routing_time: None,
            open_chats: 0,
            max_chats: None,
            seat: None,
        }
    }

    fn query(order: AgentOrder) -> AgentQuery {
        AgentQuery {
            department: None,
            ignore_agent: None,
            idle_ok: false,
            order,
            max_chats: None,
        }
    }

    fn room() -> Room {
        serde_json::from_value(serde_json::json!({
            "_id": "room1", "msgs": 1, "usersCount": 1, "fname": "Visitor", "t": "l",
            "ts": "2024-01-01T00:00:00.000Z", "v": {"_id": "v1", "username": "guest-1",
            "token": "tok", "status": "online"}, "cl": false, "open": true,
            "source": {"type": "widget"}, "_updatedAt": "2024-01-01T00:00:00.000Z"
        }))
        .unwrap()
    }

    fn inquiry() -> Inquiry {
        serde_json::from_value(serde_json::json!({
            "_id": "inq1", "rid": "room1", "name": "Visitor", "ts": "2024-01-01T00:00:00.000Z",
            "message": "", "status": "ready", "v": {"_id": "v1", "username": "guest-1",
            "token": "tok", "status": "online"}, "t": "l", "priorityWeight": 99,
            "estimatedWaitingTimeQueue": 9999999, "source": {"type": "widget"},
            "_updatedAt": "2024-01-01T00:00:00.000Z"
        }))
        .unwrap()
    }

    #[test]
    fn least_assigned_takes_the_lowest_counter_then_the_name() {
        let agents = vec![agent("carol", 1), agent("bob", 0), agent("alice", 0)];
        let q = query(AgentOrder::LeastAssigned);
        assert_eq!(next_agent(&q, &agents).unwrap().id, "alice");
        let (w, chosen) = next(
            &q,
            &Rows {
                agents,
                ..Default::default()
            },
            t(5),
        );
        assert_eq!(chosen.unwrap().agent_id, "alice");
        assert_eq!(w.agents[0].livechat_count, Some(1));
    }

    #[test]
    fn departments_order_by_their_own_counter_and_order() {
        let mut a = agent("alice", 0);
        a.seat = Some(Seat {
            id: "s-a".into(),
            count: 2,
            order: 0,
        });
        let mut b = agent("bob", 9);
        b.seat = Some(Seat {
            id: "s-b".into(),
            count: 1,
            order: 5,
        });
        // Loaded by id (a preferred agent), not in the department: never routed to.
        let c = agent("carl", 0);
        let q = AgentQuery {
            department: Some("d".into()),
            ..query(AgentOrder::LeastAssigned)
        };
        let rows = Rows {
            agents: vec![a, b, c],
            ..Default::default()
        };
        let (w, chosen) = next(&q, &rows, t(5));
        assert_eq!(chosen.unwrap().agent_id, "bob");
        assert_eq!(w.seats, vec![("s-b".to_string(), 2)]);
        assert!(w.agents.is_empty());
    }

    #[test]
    fn least_busy_and_longest_idle() {
        let mut a = agent("alice", 0);
        a.open_chats = 3;
        a.last_routing_time = Some(t(10));
        let mut b = agent("bob", 5);
        b.open_chats = 1;
        b.last_routing_time = Some(t(20));
        let agents = vec![a, b];
        assert_eq!(
            next_agent(&query(AgentOrder::LeastBusy), &agents)
                .unwrap()
                .id,
            "bob"
        );
        let (w, chosen) = next(
            &query(AgentOrder::LongestIdle),
            &Rows {
                agents,
                ..Default::default()
            },
            t(30),
        );
        assert_eq!(chosen.unwrap().agent_id, "alice");
        assert_eq!(w.agents[0].last_routing_time, Some(t(30)));
    }

    #[test]
    fn availability_rules() {
        let q = query(AgentOrder::LeastAssigned);
        let mut away = agent("a", 0);
        away.status_connection = Some("away".into());
        assert!(!is_available(&away, &q));
        assert!(is_available(
            &away,
            &AgentQuery {
                idle_ok: true,
                ..q.clone()
            }
        ));
        let mut offline = agent("b", 0);
        offline.status = "offline".into();
        assert!(!is_available(&offline, &q));
        let mut full = agent("c", 0);
        full.open_chats = 2;
        assert!(!is_available(
            &full,
            &AgentQuery {
                max_chats: Some(ChatLimit::general(2)),
                ..q.clone()
            }
        ));
        assert!(is_available(
            &full,
            &AgentQuery {
                max_chats: Some(ChatLimit::general(0)),
                ..q.clone()
            }
        ));
        // the agent's own limit comes before the general one, the department's before both
        full.max_chats = Some(3);
        assert!(is_available(
            &full,
            &AgentQuery {
                max_chats: Some(ChatLimit::general(2)),
                ..q.clone()
            }
        ));
        assert!(!is_available(
            &full,
            &AgentQuery {
                max_chats: Some(ChatLimit {
                    department: Some(2),
                    general: Some(5),
                }),
                ..q.clone()
            }
        ));
        full.max_chats = Some(2);
        assert!(!is_available(
            &full,
            &AgentQuery {
                max_chats: Some(ChatLimit::default()),
                ..q.clone()
            }
        ));
        assert!(is_available(
            &full,
            &AgentQuery {
                max_chats: None,
                ..q.clone()
            }
        ));
        let mut not_agent = agent("d", 0);
        not_agent.roles = vec!["user".into()];
        assert!(!is_available(&not_agent, &q));
        assert!(!is_available(
            &agent("e", 0),
            &AgentQuery {
                ignore_agent: Some("e".into()),
                ..q
            }
        ));
    }

    #[test]
    fn a_routed_room_is_written_once_assigned_or_queued() {
        let ids = SequentialIds::default();
        let new = |route| NewRoom {
            room: room(),
            inquiry: inquiry(),
            messages: vec![],
            route,
            visitor_last_chat: None,
        };
        let choice = Choice::Route {
            preferred: None,
            query: query(AgentOrder::LeastAssigned),
        };
        let rows = Rows {
            agents: vec![agent("alice", 0)],
            ..Default::default()
        };
        let (w, created) = create(rows, new(Some((choice.clone(), None))), t(7), &ids);
        assert_eq!(created.agent.unwrap().agent_id, "alice");
        let Put::Insert(r) = &w.rooms[0] else {
            panic!()
        };
        assert_eq!(r.served_by.as_ref().unwrap().id, "alice");
        assert_eq!((r.users_count, r.msgs), (2, 3));
        let Put::Insert(i) = &w.inquiries[0] else {
            panic!()
        };
        assert_eq!(i.status, "taken");
        assert_eq!(w.subscriptions.len(), 1);
        let types: Vec<_> = w.messages.iter().map(|m| m.t.clone().unwrap()).collect();
        assert_eq!(types, ["command", "uj"]);

        let (w, created) = create(Rows::default(), new(Some((choice, None))), t(7), &ids);
        assert!(created.agent.is_none());
        let Put::Insert(i) = &w.inquiries[0] else {
            panic!()
        };
        assert_eq!((i.status.as_str(), i.queued_at), ("queued", Some(t(7))));
        assert!(w.subscriptions.is_empty());

        let existing = Rows {
            room: Some(room()),
            ..Default::default()
        };
        let (w, created) = create(existing, new(None), t(7), &ids);
        assert!(!created.created && w.is_empty());
    }

    #[test]
    fn takes_refuse_a_taken_inquiry_and_a_full_agent() {
        let ids = SequentialIds::default();
        let mut taken = inquiry();
        taken.status = "taken".into();
        let take_by = |max| Take {
            choice: Choice::Agent(SelectedAgent {
                agent_id: "alice".into(),
                username: "alice".into(),
            }),
            max_chats: max,
            require_untaken: true,
        };
        let rows = |inq: Inquiry, open: i64| Rows {
            room: Some(room()),
            inquiry: Some(inq),
            agents: vec![Candidate {
                open_chats: open,
                ..agent("alice", 0)
            }],
            ..Default::default()
        };
        let (w, o) = take(rows(taken, 0), &take_by(None), t(1), &ids);
        assert_eq!((w.is_empty(), o), (true, TakeOutcome::AlreadyTaken));
        let (w, o) = take(
            rows(inquiry(), 2),
            &take_by(Some(ChatLimit::general(2))),
            t(1),
            &ids,
        );
        assert_eq!((w.is_empty(), o), (true, TakeOutcome::AgentAtLimit));
        let (w, o) = take(
            rows(inquiry(), 1),
            &take_by(Some(ChatLimit::general(2))),
            t(1),
            &ids,
        );
        assert!(matches!(o, TakeOutcome::Taken { .. }));
        assert_eq!(
            (w.rooms.len(), w.subscriptions.len(), w.messages.len()),
            (1, 1, 2)
        );
    }

    #[test]
    fn a_transfer_removes_the_previous_agents_in_the_order_they_joined() {
        let ids = SequentialIds::default();
        let mut r = room();
        r.served_by = Some(ServedBy {
            id: "zed".into(),
            username: "zed".into(),
            ts: t(0),
        });
        r.users_count = 3;
        let sub = |user: &str, at: i64| {
            let (mut inq, mut rm) = (inquiry(), room());
            let (mut s, _) = assign(&mut inq, &mut rm, &agent(user, 0), t(at), &ids);
            s.u.id = user.into();
            Subscriber {
                sub: s,
                name: Some(format!("{user} name")),
            }
        };
        let rows = Rows {
            room: Some(r),
            inquiry: Some(inquiry()),
            subscribers: vec![sub("zed", 0), sub("boss", 1)],
            agents: vec![agent("amy", 0)],
            ..Default::default()
        };
        let history = Message::system(
            "h".into(),
            "livechat_transfer_history",
            "room1",
            "",
            UserRef {
                id: "boss".into(),
                username: "boss".into(),
                name: None,
            },
            t(5),
        );
        let tr = Transfer {
            choice: Some(Choice::Agent(SelectedAgent {
                agent_id: "amy".into(),
                username: "amy".into(),
            })),
            department: None,
            max_chats: None,
            history,
            store_last_message: true,
        };
        let (w, o) = transfer(rows, &tr, t(5), &ids);
        let TransferOutcome::Done(room) = o else {
            panic!()
        };
        let types: Vec<_> = w
            .messages
            .iter()
            .map(|m| format!("{} {}", m.t.clone().unwrap(), m.msg))
            .collect();
        assert_eq!(
            types,
            [
                "command connected",
                "uj ",
                "livechat_transfer_history ",
                "ul zed",
                "ul boss"
            ]
        );
        assert_eq!(
            w.subscriptions_removed,
            [
                ("room1".into(), "zed".into()),
                ("room1".into(), "boss".into())
            ]
        );
        assert_eq!((room.users_count, room.msgs), (2, 1 + 2 + 1 + 2));
        assert_eq!(room.last_message.unwrap()["t"], "livechat_transfer_history");
        assert_eq!(room.served_by.unwrap().id, "amy");
    }
}
