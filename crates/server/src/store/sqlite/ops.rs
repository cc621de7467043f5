//! Row helpers shared by the subject modules below, which hold the SQL of each operation;
//! `store::forward` implements `Store` with them.

use super::{Conn, SqliteStore};
use crate::model::*;
use crate::store::columns::{like_escape, roles_col, roles_of};
use crate::store::*;
use crate::time::Ts;
use rusqlite::{OptionalExtension, Params, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn to_doc<T: Serialize>(v: &T) -> StoreResult<String> {
    Ok(serde_json::to_string(v)?)
}

fn from_doc<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    Ok(serde_json::from_str(s)?)
}

fn one_doc<T: DeserializeOwned>(c: &Conn, sql: &str, p: impl Params) -> StoreResult<Option<T>> {
    let mut st = c.prepare_cached(sql)?;
    let doc: Option<String> = st.query_row(p, |r| r.get(0)).optional()?;
    doc.map(|d| from_doc(&d)).transpose()
}

fn many_docs<T: DeserializeOwned>(c: &Conn, sql: &str, p: impl Params) -> StoreResult<Vec<T>> {
    let mut st = c.prepare_cached(sql)?;
    let docs = st
        .query_map(p, |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    docs.iter().map(|d| from_doc(d)).collect()
}

fn load<T: DeserializeOwned>(c: &Conn, table: &str, id: &str) -> StoreResult<Option<T>> {
    one_doc(c, &format!("SELECT doc FROM {table} WHERE id = ?1"), [id])
}

fn put_user(c: &Conn, u: &User, insert: bool, password_hash: Option<&str>) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO users (id, username, email, roles, is_agent, active, status, status_connection,
            status_livechat, livechat_count, last_routing_time, doc, password_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    } else {
        "UPDATE users SET username = ?2, email = ?3, roles = ?4, is_agent = ?5, active = ?6, status = ?7,
            status_connection = ?8, status_livechat = ?9, livechat_count = ?10, last_routing_time = ?11,
            doc = ?12, password_hash = COALESCE(?13, password_hash)
         WHERE id = ?1"
    };
    c.prepare_cached(sql)?.execute(params![
        u.id,
        u.username,
        u.first_email().map(|e| e.to_lowercase()),
        roles_col(&u.roles),
        u.has_role("livechat-agent"),
        u.active,
        u.status,
        u.status_connection,
        u.status_livechat,
        u.livechat_count.unwrap_or(0),
        u.last_routing_time.map(|t| t.millis()),
        to_doc(u)?,
        password_hash,
    ])?;
    Ok(())
}

fn put_visitor(c: &Conn, v: &Visitor, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO visitors (id, token, phone, email, doc) VALUES (?1, ?2, ?3, ?4, ?5)"
    } else {
        "UPDATE visitors SET token = ?2, phone = ?3, email = ?4, doc = ?5 WHERE id = ?1"
    };
    c.prepare_cached(sql)?.execute(params![
        v.id,
        v.token,
        v.first_phone(),
        v.first_email().map(|e| e.to_lowercase()),
        to_doc(v)?
    ])?;
    Ok(())
}

fn put_room(c: &Conn, r: &Room, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO rooms (id, token, open, department_id, served_by, ts, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    } else {
        "UPDATE rooms SET token = ?2, open = ?3, department_id = ?4, served_by = ?5, ts = ?6, doc = ?7 WHERE id = ?1"
    };
    c.prepare_cached(sql)?.execute(params![
        r.id,
        r.v.token,
        r.is_open().then_some(1),
        r.department_id,
        r.served_by_id(),
        r.ts.millis(),
        to_doc(r)?
    ])?;
    Ok(())
}

fn put_inquiry(c: &Conn, i: &Inquiry, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO inquiries (id, rid, status, department, ts, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    } else {
        "UPDATE inquiries SET rid = ?2, status = ?3, department = ?4, ts = ?5, doc = ?6 WHERE id = ?1"
    };
    c.prepare_cached(sql)?.execute(params![
        i.id,
        i.rid,
        i.status,
        i.department,
        i.ts.millis(),
        to_doc(i)?
    ])?;
    Ok(())
}

fn insert_message(c: &Conn, m: &Message) -> StoreResult<()> {
    c.prepare_cached("INSERT INTO messages (id, rid, ts, t, hidden, token, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
        .execute(params![m.id, m.rid, m.ts.millis(), m.t, m.hidden, m.token, to_doc(m)?])?;
    Ok(())
}

fn put_department(c: &Conn, d: &Department, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO departments (id, name, enabled, doc) VALUES (?1, ?2, ?3, ?4)"
    } else {
        "UPDATE departments SET name = ?2, enabled = ?3, doc = ?4 WHERE id = ?1"
    };
    c.prepare_cached(sql)?
        .execute(params![d.id, d.name, d.enabled, to_doc(d)?])?;
    Ok(())
}

fn insert_subscription(c: &Conn, s: &Subscription) -> StoreResult<()> {
    c.prepare_cached("INSERT INTO subscriptions (id, rid, user_id, doc) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![s.id, s.rid, s.u.id, to_doc(s)?])?;
    Ok(())
}

const DEPT_AGENT_COLS: &str =
    "id, agent_id, department_id, department_enabled, username, count, ord, updated_at";

fn department_agents_where(c: &Conn, filter: &str, arg: &str) -> StoreResult<Vec<DepartmentAgent>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {DEPT_AGENT_COLS} FROM department_agents WHERE {filter} ORDER BY username, department_id"
    ))?;
    let rows = st
        .query_map([arg], |r| {
            Ok(DepartmentAgent {
                id: r.get(0)?,
                agent_id: r.get(1)?,
                department_id: r.get(2)?,
                department_enabled: r.get(3)?,
                username: r.get(4)?,
                count: r.get(5)?,
                order: r.get(6)?,
                updated_at: Ts::from_millis(r.get(7)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A document kept in its own table, written through its `put_*` function.
trait DocRow: DeserializeOwned + Serialize + Send + Sized {
    const TABLE: &'static str;
    fn put(c: &Conn, d: &Self) -> StoreResult<()>;
    /// The values of the indexed columns; when a change leaves them alone only the
    /// document is rewritten (an UPDATE that sets an indexed column rewrites its index entry).
    fn index_key(&self) -> Option<String> {
        None
    }
}

impl Room {
    fn index_key_of(&self) -> String {
        format!(
            "{}|{}|{:?}|{:?}|{}",
            self.v.token,
            self.is_open(),
            self.department_id,
            self.served_by_id(),
            self.ts.millis()
        )
    }
}

macro_rules! doc_row {
    ($t:ty, $table:literal, $put:expr) => {
        impl DocRow for $t {
            const TABLE: &'static str = $table;
            fn put(c: &Conn, d: &Self) -> StoreResult<()> {
                $put(c, d)
            }
        }
    };
}

doc_row!(User, "users", |c, d| put_user(c, d, false, None));
doc_row!(Visitor, "visitors", |c, d| put_visitor(c, d, false));
impl DocRow for Room {
    const TABLE: &'static str = "rooms";
    fn put(c: &Conn, d: &Self) -> StoreResult<()> {
        put_room(c, d, false)
    }
    fn index_key(&self) -> Option<String> {
        Some(self.index_key_of())
    }
}
doc_row!(Inquiry, "inquiries", |c, d| put_inquiry(c, d, false));
doc_row!(Department, "departments", |c, d| put_department(
    c, d, false
));
doc_row!(Message, "messages", update_message);

fn update_message(c: &Conn, m: &Message) -> StoreResult<()> {
    c.prepare_cached(
        "UPDATE messages SET rid = ?2, ts = ?3, t = ?4, hidden = ?5, token = ?6, doc = ?7 WHERE id = ?1",
    )?
    .execute(params![m.id, m.rid, m.ts.millis(), m.t, m.hidden, m.token, to_doc(m)?])?;
    Ok(())
}

/// Read, change and write one document inside the caller's transaction.
fn modify_in_tx<T: DocRow>(c: &Conn, id: &str, f: &ModifyFn<T>) -> StoreResult<Option<T>> {
    let Some(mut doc) = load::<T>(c, T::TABLE, id)? else {
        return Ok(None);
    };
    let before = doc.index_key();
    f(&mut doc).map_err(StoreError::Rejected)?;
    if before.is_some() && before == doc.index_key() {
        c.prepare_cached(&format!("UPDATE {} SET doc = ?2 WHERE id = ?1", T::TABLE))?
            .execute(params![id, to_doc(&doc)?])?;
    } else {
        T::put(c, &doc)?;
    }
    Ok(Some(doc))
}

fn refresh_num_agents(c: &Conn, department_id: &str) -> StoreResult<()> {
    let n: i64 = c
        .prepare_cached("SELECT COUNT(*) FROM department_agents WHERE department_id = ?1")?
        .query_row([department_id], |r| r.get(0))?;
    if let Some(mut d) = load::<Department>(c, "departments", department_id)? {
        d.num_agents = n;
        put_department(c, &d, false)?;
    }
    Ok(())
}

/// `ORDER BY` from a client's sort, through a whitelist of field → column.
fn order_by(sort: &[(String, bool)], columns: &[(&str, &str)], default: &str) -> String {
    let order: Vec<String> = sort
        .iter()
        .filter_map(|(f, asc)| {
            let col = columns.iter().find(|(name, _)| name == f)?.1;
            Some(format!("{col} {}", if *asc { "ASC" } else { "DESC" }))
        })
        .collect();
    if order.is_empty() {
        default.to_string()
    } else {
        order.join(", ")
    }
}

mod agent_tools;
mod analytics;
mod business_hours;
mod contacts;
mod custom_fields;
mod departments;
mod figures;
mod inquiries;
mod messages;
mod navigation;
mod outbox;
mod permissions;
mod presence;
mod rooms;
mod settings;
mod triggers;
mod units;
mod uploads;
mod users;
mod visitors;

const OPEN_ROOM_BY_TOKEN: &str = "SELECT doc FROM rooms WHERE token = ?1 AND open = 1";

crate::store::forward::forward_store!(SqliteStore);
