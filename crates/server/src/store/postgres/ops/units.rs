//! Units of work in one transaction: rows locked in a fixed order (inquiry, room, contact,
//! waiting navigation, then the routing lock before reading agents), the rule, its writes
//! (one statement).

use super::*;
use crate::store::unit::*;
use sqlx::Row;

const CANDIDATE_COLS: &str = "u.id, u.username, u.doc->>'name', u.roles, u.active, u.status,
    u.status_connection, u.status_livechat, u.livechat_count, u.last_routing_time,
    (CASE WHEN json_typeof(u.doc->'livechat'->'maxNumberSimultaneousChat') = 'number'
        THEN (u.doc->'livechat'->>'maxNumberSimultaneousChat')::numeric::bigint END)";
/// An agent with a limit of its own: its open chats are counted even when nothing else
/// needs them.
const OWN_OPEN_CHATS: &str = "(CASE WHEN json_typeof(u.doc->'livechat'->'maxNumberSimultaneousChat') = 'number'
        AND (u.doc->'livechat'->>'maxNumberSimultaneousChat')::numeric > 0
        THEN (SELECT COUNT(*) FROM rooms r WHERE r.served_by = u.id AND r.open = 1) ELSE 0::bigint END)";
const OPEN_CHATS: &str = "(SELECT COUNT(*) FROM rooms r WHERE r.served_by = u.id AND r.open = 1)";

fn candidate(r: &sqlx::postgres::PgRow) -> Result<Candidate, sqlx::Error> {
    let roles: String = r.try_get(3)?;
    let seat_id: Option<String> = r.try_get(12)?;
    Ok(Candidate {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        name: r.try_get(2)?,
        roles: roles_of(&roles),
        active: r.try_get(4)?,
        status: r.try_get(5)?,
        status_connection: r.try_get(6)?,
        status_livechat: r.try_get(7)?,
        livechat_count: r.try_get(8)?,
        last_routing_time: r.try_get::<Option<i64>, _>(9)?.map(Ts::from_millis),
        open_chats: r.try_get(11)?,
        max_chats: r.try_get(10)?,
        seat: match seat_id {
            Some(id) => Some(Seat {
                id,
                count: r.try_get(13)?,
                order: r.try_get(14)?,
            }),
            None => None,
        },
    })
}

pub(super) async fn candidates(c: &mut Conn, ask: &AgentsAsk) -> StoreResult<Vec<Candidate>> {
    let open = if ask.open_chats {
        OPEN_CHATS
    } else {
        OWN_OPEN_CHATS
    };
    let available = if ask.available_only {
        " AND u.status_livechat = 'available'"
    } else {
        ""
    };
    let rows = match &ask.pool {
        Some(Pool::Department(d)) => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {CANDIDATE_COLS}, {open}, da.id, da.count, da.ord
                 FROM department_agents da JOIN users u ON u.id = da.agent_id
                 WHERE da.department_id = $1{available}"
            )))
            .bind(d.clone())
            .fetch_all(&mut *c)
            .await?
        }
        Some(Pool::All) => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {CANDIDATE_COLS}, {open}, NULL::text, NULL::bigint, NULL::bigint
                 FROM users u WHERE u.is_agent{available}"
            )))
            .fetch_all(&mut *c)
            .await?
        }
        None => Vec::new(),
    };
    let mut out = rows.iter().map(candidate).collect::<Result<Vec<_>, _>>()?;
    for id in &ask.ids {
        if out.iter().any(|c| &c.id == id) {
            continue;
        }
        let one = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CANDIDATE_COLS}, {open}, NULL::text, NULL::bigint, NULL::bigint
             FROM users u WHERE u.id = $1"
        )))
        .bind(id.clone())
        .fetch_optional(&mut *c)
        .await?;
        if let Some(r) = one {
            out.push(candidate(&r)?);
        }
    }
    Ok(out)
}

async fn subscribers(c: &mut Conn, rid: &str) -> StoreResult<Vec<Subscriber>> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT s.doc::text, u.doc->>'name' FROM subscriptions s
         LEFT JOIN users u ON u.id = s.user_id
         WHERE s.rid = $1 ORDER BY s.doc->>'ts', s.user_id",
    )
    .bind(rid.to_owned())
    .fetch_all(&mut *c)
    .await?;
    rows.into_iter()
        .map(|(doc, name)| {
            Ok(Subscriber {
                sub: from_doc(&doc)?,
                name,
            })
        })
        .collect()
}

async fn inquiry_of_room(c: &mut Conn, rid: &str) -> StoreResult<Option<Inquiry>> {
    opt_doc(
        scalar("SELECT doc::text FROM inquiries WHERE rid = $1 FOR UPDATE")
            .bind(rid.to_owned())
            .fetch_optional(&mut *c)
            .await?,
    )
}

async fn rows(c: &mut Conn, ask: &Ask) -> StoreResult<Rows> {
    let mut rows = Rows::default();
    match (&ask.inquiry, &ask.room) {
        (Some(InquiryKey::Id(id)), _) => rows.inquiry = load(c, id, true).await?,
        (Some(InquiryKey::OfRoom), Some(RoomKey::Id(rid))) => {
            rows.inquiry = inquiry_of_room(c, rid).await?;
        }
        _ => {}
    }
    rows.room = match &ask.room {
        Some(RoomKey::Id(id)) => load(c, id, true).await?,
        Some(RoomKey::OpenOfToken(t)) => opt_doc(
            scalar("SELECT doc::text FROM rooms WHERE token = $1 AND open = 1 FOR UPDATE")
                .bind(t.clone())
                .fetch_optional(&mut *c)
                .await?,
        )?,
        Some(RoomKey::OfInquiry) => match rows.inquiry.as_ref().map(|i| i.rid.clone()) {
            Some(rid) => load(c, &rid, true).await?,
            None => None,
        },
        None => None,
    };
    if matches!(ask.inquiry, Some(InquiryKey::OfRoom))
        && !matches!(ask.room, Some(RoomKey::Id(_)))
        && let Some(rid) = rows.room.as_ref().map(|r| r.id.clone())
    {
        rows.inquiry = inquiry_of_room(c, &rid).await?;
    }
    if let (true, Some(rid)) = (ask.subscriptions, rows.room.as_ref().map(|r| r.id.clone())) {
        rows.subscribers = subscribers(c, &rid).await?;
    }
    if let Some(id) = &ask.contact {
        rows.contact = load(c, id, true).await?;
    }
    if let Some(token) = &ask.pending_navigation {
        rows.pending_navigation = from_docs(
            scalar(
                "SELECT doc::text FROM navigation_pending WHERE token = $1 ORDER BY seq FOR UPDATE",
            )
            .bind(token.clone())
            .fetch_all(&mut *c)
            .await?,
        )?;
    }
    // Last: every other routing decision waits while this unit holds the lock.
    if let Some(a) = &ask.agents {
        // The choice reads every candidate's counters and open chats.
        routing_lock(c).await?;
        rows.agents = candidates(c, a).await?;
    }
    Ok(rows)
}

/// The rows of `ferrochat_apply`'s first argument (migration 0010): each write with the
/// columns its table keeps beside the document; `doc` is the document's place (from 1) in
/// the second argument. Empty parts are left out.
mod args {
    use serde::Serialize;

    #[derive(Serialize, Default)]
    pub struct Writes<'a> {
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub rooms: Vec<RoomRow<'a>>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub inquiries: Vec<InquiryRow<'a>>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub inquiries_removed: &'a [String],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub subscriptions_removed: &'a [(String, String)],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub subscriptions: Vec<SubscriptionRow<'a>>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub messages: Vec<MessageRow<'a>>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub agents: Vec<AgentRow<'a>>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub seats: &'a [(String, i64)],
        #[serde(skip_serializing_if = "Option::is_none")]
        pub visitor_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub last_chat: Option<&'a crate::model::LastChat>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        pub contacts: Vec<ContactRow<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub navigation_taken: Option<&'a str>,
    }

    #[derive(Serialize)]
    pub struct RoomRow<'a> {
        pub insert: bool,
        pub id: &'a str,
        pub token: &'a str,
        pub open: Option<i16>,
        pub department_id: Option<&'a str>,
        pub served_by: Option<&'a str>,
        pub ts: i64,
        pub doc: usize,
    }

    #[derive(Serialize)]
    pub struct InquiryRow<'a> {
        pub insert: bool,
        pub id: &'a str,
        pub rid: &'a str,
        pub status: &'a str,
        pub department: Option<&'a str>,
        pub ts: i64,
        pub doc: usize,
    }

    #[derive(Serialize)]
    pub struct SubscriptionRow<'a> {
        pub insert: bool,
        pub id: &'a str,
        pub rid: &'a str,
        pub user_id: &'a str,
        pub doc: usize,
    }

    #[derive(Serialize)]
    pub struct MessageRow<'a> {
        pub id: &'a str,
        pub rid: &'a str,
        pub ts: i64,
        pub t: Option<&'a str>,
        pub hidden: bool,
        pub token: Option<&'a str>,
        pub doc: usize,
    }

    #[derive(Serialize)]
    pub struct AgentRow<'a> {
        pub agent_id: &'a str,
        pub livechat_count: Option<i64>,
        pub last_routing_time: Option<i64>,
        pub last_routing_time_iso: Option<String>,
    }

    #[derive(Serialize)]
    pub struct ContactRow<'a> {
        pub id: &'a str,
        pub name: &'a str,
        pub doc: usize,
    }
}

/// `ferrochat_apply`'s two arguments: the rows, and the documents they point to.
fn apply_args(w: &Writes) -> StoreResult<(String, Vec<String>)> {
    use args::*;
    let mut docs = Vec::new();
    let mut doc = |d: String| {
        docs.push(d);
        docs.len()
    };
    let mut a = args::Writes {
        inquiries_removed: &w.inquiries_removed,
        subscriptions_removed: &w.subscriptions_removed,
        seats: &w.seats,
        visitor_id: w.visitor_last_chat.as_ref().map(|(v, _)| v.as_str()),
        last_chat: w.visitor_last_chat.as_ref().map(|(_, l)| l),
        navigation_taken: w.navigation_taken.as_deref(),
        ..Default::default()
    };
    for p in &w.rooms {
        let r = p.doc();
        a.rooms.push(RoomRow {
            insert: matches!(p, Put::Insert(_)),
            id: &r.id,
            token: &r.v.token,
            open: r.is_open().then_some(1),
            department_id: r.department_id.as_deref(),
            served_by: r.served_by_id(),
            ts: r.ts.millis(),
            doc: doc(to_doc(r)?),
        });
    }
    for p in &w.inquiries {
        let i = p.doc();
        a.inquiries.push(InquiryRow {
            insert: matches!(p, Put::Insert(_)),
            id: &i.id,
            rid: &i.rid,
            status: &i.status,
            department: i.department.as_deref(),
            ts: i.ts.millis(),
            doc: doc(to_doc(i)?),
        });
    }
    for p in &w.subscriptions {
        let s = p.doc();
        a.subscriptions.push(SubscriptionRow {
            insert: matches!(p, Put::Insert(_)),
            id: &s.id,
            rid: &s.rid,
            user_id: &s.u.id,
            doc: doc(to_doc(s)?),
        });
    }
    for m in &w.messages {
        a.messages.push(MessageRow {
            id: &m.id,
            rid: &m.rid,
            ts: m.ts.millis(),
            t: m.t.as_deref(),
            hidden: m.hidden,
            token: m.token.as_deref(),
            doc: doc(to_doc(m)?),
        });
    }
    a.agents = w
        .agents
        .iter()
        .map(|x| AgentRow {
            agent_id: &x.agent_id,
            livechat_count: x.livechat_count,
            last_routing_time: x.last_routing_time.map(|t| t.millis()),
            last_routing_time_iso: x.last_routing_time.map(|t| t.iso()),
        })
        .collect();
    for d in &w.contacts {
        a.contacts.push(ContactRow {
            id: &d.id,
            name: &d.name,
            doc: doc(to_doc(d)?),
        });
    }
    Ok((serde_json::to_string(&a)?, docs))
}

/// The writes in one statement (see migration 0010), in `Writes`' order.
async fn apply(c: &mut Conn, w: &Writes) -> StoreResult<()> {
    if w.is_empty() {
        return Ok(());
    }
    let (rows, docs) = apply_args(w)?;
    let q = sql_q("SELECT ferrochat_apply($1::jsonb, $2)")
        .bind(rows)
        .bind(docs);
    match q_exec(c, q).await {
        // A concurrent creator for the same token that committed first makes the room's
        // insert fail on `rooms_token_open`: the unit runs again and finds that room.
        Err(StoreError::Duplicate("open room"))
            if w.rooms.iter().any(|p| matches!(p, Put::Insert(_))) =>
        {
            Err(StoreError::Conflict(
                "open room created concurrently".into(),
            ))
        }
        other => other.map(|_| ()),
    }
}

impl PgStore {
    /// One unit in one transaction, run again on a conflict; a unit that read agents holds
    /// the routing lock and answers once its commit is on disk (see `routing_lock`).
    pub(super) async fn run_unit(&self, ask: &Ask, rule: &Rule) -> StoreResult<()> {
        let out = in_tx!(self, |c| {
            let rows = rows(c, ask).await?;
            let writes = rule(rows).map_err(StoreError::Rejected)?;
            apply(c, &writes).await
        });
        if ask.agents.is_some() {
            self.durable().await?;
        }
        out
    }
}

pub(super) async fn unit(s: &PgStore, ask: unit::Ask, rule: unit::Rule) -> StoreResult<()> {
    s.run_unit(&ask, &rule).await
}

pub(super) async fn agents(
    s: &PgStore,
    ask: &unit::AgentsAsk,
) -> StoreResult<Vec<unit::Candidate>> {
    let mut c = s.pool.acquire().await?;
    candidates(&mut c, ask).await
}
