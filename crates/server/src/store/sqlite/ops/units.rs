//! Units of work on the writer thread: the rows an `Ask` names, the rule, its writes.

use super::*;
use crate::store::unit::*;

const CANDIDATE_COLS: &str =
    "u.id, u.username, json_extract(u.doc, '$.name'), u.roles, u.active, u.status,
    u.status_connection, u.status_livechat, u.livechat_count, u.last_routing_time,
    CAST(json_extract(u.doc, '$.livechat.maxNumberSimultaneousChat') AS INTEGER)";
const OPEN_CHATS: &str = "(SELECT COUNT(*) FROM rooms r WHERE r.served_by = u.id AND r.open = 1)";
/// An agent with a limit of its own: its open chats are counted even when nothing else
/// needs them.
const OWN_OPEN_CHATS: &str =
    "(CASE WHEN CAST(json_extract(u.doc, '$.livechat.maxNumberSimultaneousChat') AS INTEGER) > 0
    THEN (SELECT COUNT(*) FROM rooms r WHERE r.served_by = u.id AND r.open = 1) ELSE 0 END)";

fn candidate(r: &rusqlite::Row) -> rusqlite::Result<Candidate> {
    let roles: String = r.get(3)?;
    let seat_id: Option<String> = r.get(12)?;
    Ok(Candidate {
        id: r.get(0)?,
        username: r.get(1)?,
        name: r.get(2)?,
        roles: roles_of(&roles),
        active: r.get(4)?,
        status: r.get(5)?,
        status_connection: r.get(6)?,
        status_livechat: r.get(7)?,
        livechat_count: r.get(8)?,
        last_routing_time: r.get::<_, Option<i64>>(9)?.map(Ts::from_millis),
        open_chats: r.get(11)?,
        max_chats: r.get(10)?,
        seat: match seat_id {
            Some(id) => Some(Seat {
                id,
                count: r.get(13)?,
                order: r.get(14)?,
            }),
            None => None,
        },
    })
}

pub(super) fn candidates(c: &Conn, ask: &AgentsAsk) -> StoreResult<Vec<Candidate>> {
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
    let mut out = match &ask.pool {
        Some(Pool::Department(d)) => c
            .prepare_cached(&format!(
                "SELECT {CANDIDATE_COLS}, {open}, da.id, da.count, da.ord
                 FROM department_agents da JOIN users u ON u.id = da.agent_id
                 WHERE da.department_id = ?1{available}"
            ))?
            .query_map([d], candidate)?
            .collect::<Result<Vec<_>, _>>()?,
        Some(Pool::All) => c
            .prepare_cached(&format!(
                "SELECT {CANDIDATE_COLS}, {open}, NULL, NULL, NULL FROM users u WHERE u.is_agent = 1{available}"
            ))?
            .query_map([], candidate)?
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    for id in &ask.ids {
        if out.iter().any(|c| &c.id == id) {
            continue;
        }
        let one = c
            .prepare_cached(&format!(
                "SELECT {CANDIDATE_COLS}, {open}, NULL, NULL, NULL FROM users u WHERE u.id = ?1"
            ))?
            .query_row([id], candidate)
            .optional()?;
        out.extend(one);
    }
    Ok(out)
}

fn subscribers(c: &Conn, rid: &str) -> StoreResult<Vec<Subscriber>> {
    let rows: Vec<(String, Option<String>)> = c
        .prepare_cached(
            "SELECT s.doc, json_extract(u.doc, '$.name') FROM subscriptions s
             LEFT JOIN users u ON u.id = s.user_id
             WHERE s.rid = ?1 ORDER BY json_extract(s.doc, '$.ts'), s.user_id",
        )?
        .query_map([rid], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(doc, name)| {
            Ok(Subscriber {
                sub: from_doc(&doc)?,
                name,
            })
        })
        .collect()
}

fn rows(c: &Conn, ask: &Ask) -> StoreResult<Rows> {
    let mut rows = Rows::default();
    if let Some(InquiryKey::Id(id)) = &ask.inquiry {
        rows.inquiry = load(c, "inquiries", id)?;
    }
    rows.room = match &ask.room {
        Some(RoomKey::Id(id)) => load(c, "rooms", id)?,
        Some(RoomKey::OpenOfToken(t)) => one_doc(c, OPEN_ROOM_BY_TOKEN, [t])?,
        Some(RoomKey::OfInquiry) => match &rows.inquiry {
            Some(i) => load(c, "rooms", &i.rid)?,
            None => None,
        },
        None => None,
    };
    if let (Some(InquiryKey::OfRoom), Some(r)) = (&ask.inquiry, &rows.room) {
        rows.inquiry = one_doc(c, "SELECT doc FROM inquiries WHERE rid = ?1", [&r.id])?;
    }
    if let (true, Some(r)) = (ask.subscriptions, &rows.room) {
        rows.subscribers = subscribers(c, &r.id)?;
    }
    if let Some(a) = &ask.agents {
        rows.agents = candidates(c, a)?;
    }
    if let Some(id) = &ask.contact {
        rows.contact = load(c, "contacts", id)?;
    }
    if let Some(token) = &ask.pending_navigation {
        rows.pending_navigation = many_docs(
            c,
            "SELECT doc FROM navigation_pending WHERE token = ?1 ORDER BY rowid",
            [token],
        )?;
    }
    Ok(rows)
}

fn apply(c: &Conn, w: &Writes, before: Option<&Room>) -> StoreResult<()> {
    for p in &w.rooms {
        match p {
            Put::Insert(r) => put_room(c, r, true)?,
            // A change that leaves the indexed columns alone rewrites the document only.
            Put::Update(r)
                if before.is_some_and(|b| b.id == r.id && b.index_key_of() == r.index_key_of()) =>
            {
                c.prepare_cached("UPDATE rooms SET doc = ?2 WHERE id = ?1")?
                    .execute(params![r.id, to_doc(r)?])?;
            }
            Put::Update(r) => put_room(c, r, false)?,
        }
    }
    for p in &w.inquiries {
        match p {
            Put::Insert(i) => put_inquiry(c, i, true)?,
            Put::Update(i) => put_inquiry(c, i, false)?,
        }
    }
    for rid in &w.inquiries_removed {
        c.prepare_cached("DELETE FROM inquiries WHERE rid = ?1")?
            .execute([rid])?;
    }
    for (rid, user) in &w.subscriptions_removed {
        c.prepare_cached("DELETE FROM subscriptions WHERE rid = ?1 AND user_id = ?2")?
            .execute([rid, user])?;
    }
    for p in &w.subscriptions {
        match p {
            Put::Insert(s) => insert_subscription(c, s)?,
            Put::Update(s) => {
                c.prepare_cached(
                    "UPDATE subscriptions SET doc = ?3 WHERE rid = ?1 AND user_id = ?2",
                )?
                .execute(params![s.rid, s.u.id, to_doc(s)?])?;
            }
        }
    }
    for m in &w.messages {
        insert_message(c, m)?;
    }
    for a in &w.agents {
        if let Some(n) = a.livechat_count {
            c.prepare_cached(
                "UPDATE users SET livechat_count = ?2, doc = json_set(doc, '$.livechatCount', ?2) WHERE id = ?1",
            )?
            .execute(params![a.agent_id, n])?;
        }
        if let Some(t) = a.last_routing_time {
            c.prepare_cached(
                "UPDATE users SET last_routing_time = ?2, doc = json_set(doc, '$.lastRoutingTime', ?3) WHERE id = ?1",
            )?
            .execute(params![a.agent_id, t.millis(), t.iso()])?;
        }
    }
    for (seat, count) in &w.seats {
        c.prepare_cached("UPDATE department_agents SET count = ?2 WHERE id = ?1")?
            .execute(params![seat, count])?;
    }
    if let Some((visitor_id, last_chat)) = &w.visitor_last_chat {
        c.prepare_cached(
            "UPDATE visitors SET doc = json_set(doc, '$.lastChat', json(?2)) WHERE id = ?1",
        )?
        .execute(params![visitor_id, to_doc(last_chat)?])?;
    }
    for contact in &w.contacts {
        DocRow::put(c, contact)?;
    }
    if let Some(token) = &w.navigation_taken {
        c.prepare_cached("DELETE FROM navigation_pending WHERE token = ?1")?
            .execute([token])?;
    }
    Ok(())
}

/// One unit inside the writer's batch: read, decide, write.
pub(super) fn run(c: &Conn, ask: &Ask, rule: &Rule) -> StoreResult<()> {
    let rows = rows(c, ask)?;
    let before = rows.room.clone();
    let writes = rule(rows).map_err(StoreError::Rejected)?;
    apply(c, &writes, before.as_ref())
}

pub(super) async fn unit(s: &SqliteStore, ask: unit::Ask, rule: unit::Rule) -> StoreResult<()> {
    s.write(move |c| run(c, &ask, &rule)).await
}

pub(super) async fn agents(
    s: &SqliteStore,
    ask: &unit::AgentsAsk,
) -> StoreResult<Vec<unit::Candidate>> {
    s.read(|c| candidates(c, ask))
}
