//! Units of work in one transaction: rows locked in a fixed order (inquiry, room, then the
//! routing lock before reading agents), the rule, its writes.

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
    if let Some(a) = &ask.agents {
        // The choice reads every candidate's counters and open chats.
        routing_lock(c).await?;
        rows.agents = candidates(c, a).await?;
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
    Ok(rows)
}

async fn apply(c: &mut Conn, w: &Writes) -> StoreResult<()> {
    for p in &w.rooms {
        match p {
            // A concurrent creator for the same token that committed first makes this
            // insert fail on `rooms_token_open`: the unit runs again and finds that room.
            Put::Insert(r) => match run(c, put_room(r, true)).await {
                Err(StoreError::Duplicate("open room")) => {
                    return Err(StoreError::Conflict(
                        "open room created concurrently".into(),
                    ));
                }
                other => other.map(|_| ())?,
            },
            Put::Update(r) => run(c, put_room(r, false)).await.map(|_| ())?,
        }
    }
    for p in &w.inquiries {
        match p {
            Put::Insert(i) => run(c, put_inquiry(i, true)).await?,
            Put::Update(i) => run(c, put_inquiry(i, false)).await?,
        };
    }
    for rid in &w.inquiries_removed {
        q_exec(
            c,
            sql_q("DELETE FROM inquiries WHERE rid = $1").bind(rid.clone()),
        )
        .await?;
    }
    for (rid, user) in &w.subscriptions_removed {
        q_exec(
            c,
            sql_q("DELETE FROM subscriptions WHERE rid = $1 AND user_id = $2")
                .bind(rid.clone())
                .bind(user.clone()),
        )
        .await?;
    }
    for p in &w.subscriptions {
        match p {
            Put::Insert(s) => run(c, insert_subscription(s)).await?,
            Put::Update(s) => {
                q_exec(
                    c,
                    sql_q(
                        "UPDATE subscriptions SET doc = $3::json WHERE rid = $1 AND user_id = $2",
                    )
                    .bind(s.rid.clone())
                    .bind(s.u.id.clone())
                    .bind(to_doc(s)?),
                )
                .await?
            }
        };
    }
    for m in &w.messages {
        run(c, insert_message(m)).await?;
    }
    for a in &w.agents {
        if let Some(n) = a.livechat_count {
            q_exec(
                c,
                sql_q("UPDATE users SET livechat_count = $2,
                    doc = jsonb_set(doc::jsonb, '{livechatCount}', to_jsonb($2::bigint))::json WHERE id = $1")
                .bind(a.agent_id.clone())
                .bind(n),
            )
            .await?;
        }
        if let Some(t) = a.last_routing_time {
            q_exec(
                c,
                sql_q("UPDATE users SET last_routing_time = $2,
                    doc = jsonb_set(doc::jsonb, '{lastRoutingTime}', to_jsonb($3::text))::json WHERE id = $1")
                .bind(a.agent_id.clone())
                .bind(t.millis())
                .bind(t.iso()),
            )
            .await?;
        }
    }
    for (seat, count) in &w.seats {
        q_exec(
            c,
            sql_q("UPDATE department_agents SET count = $2 WHERE id = $1")
                .bind(seat.clone())
                .bind(*count),
        )
        .await?;
    }
    if let Some((visitor_id, last_chat)) = &w.visitor_last_chat {
        q_exec(
            c,
            sql_q("UPDATE visitors SET doc = jsonb_set(doc::jsonb, '{lastChat}', $2::jsonb)::json WHERE id = $1")
                .bind(visitor_id.clone())
                .bind(to_doc(last_chat)?),
        )
        .await?;
    }
    for contact in &w.contacts {
        run(c, contact.put()).await?;
    }
    if let Some(token) = &w.navigation_taken {
        q_exec(
            c,
            sql_q("DELETE FROM navigation_pending WHERE token = $1").bind(token.clone()),
        )
        .await?;
    }
    Ok(())
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
