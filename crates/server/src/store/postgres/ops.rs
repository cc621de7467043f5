//! Row helpers shared by the subject modules below, which hold the SQL of each operation;
//! `store::forward` implements `Store` with them. Each operation answers as its SQLite
//! counterpart does (same ordering, tie breaks, `None` results and errors).

use super::{Conn, PgQuery, PgStore, in_tx};
use crate::model::*;
use crate::store::columns::{like_escape, roles_col, roles_of};
use crate::store::*;
use crate::time::Ts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::AssertSqlSafe;

fn to_doc<T: Serialize>(v: &T) -> StoreResult<String> {
    Ok(serde_json::to_string(v)?)
}

fn from_doc<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    Ok(serde_json::from_str(s)?)
}

fn from_docs<T: DeserializeOwned>(v: Vec<String>) -> StoreResult<Vec<T>> {
    v.iter().map(|d| from_doc(d)).collect()
}

fn opt_doc<T: DeserializeOwned>(d: Option<String>) -> StoreResult<Option<T>> {
    d.map(|d| from_doc(&d)).transpose()
}

fn sql_q(sql: &'static str) -> PgQuery {
    sqlx::query(sql)
}

fn scalar<O>(
    sql: &'static str,
) -> sqlx::query::QueryScalar<'static, sqlx::Postgres, O, sqlx::postgres::PgArguments>
where
    (O,): for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    sqlx::query_scalar(sql)
}

fn dyn_scalar<O>(
    sql: String,
) -> sqlx::query::QueryScalar<'static, sqlx::Postgres, O, sqlx::postgres::PgArguments>
where
    (O,): for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    sqlx::query_scalar(AssertSqlSafe(sql))
}

/// The document with that id (`lock`: its row locked until the transaction ends).
async fn load<T: Doc>(c: &mut Conn, id: &str, lock: bool) -> StoreResult<Option<T>> {
    let sql = if lock { T::LOAD_LOCKED } else { T::LOAD };
    let doc: Option<String> = scalar(sql)
        .bind(id.to_owned())
        .fetch_optional(&mut *c)
        .await?;
    opt_doc(doc)
}

fn put_user(u: &User, insert: bool, password_hash: Option<&str>) -> StoreResult<PgQuery> {
    let sql = if insert {
        "INSERT INTO users (id, username, email, roles, is_agent, active, status, status_connection,
            status_livechat, livechat_count, last_routing_time, doc, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::json, $13)"
    } else {
        "UPDATE users SET username = $2, email = $3, roles = $4, is_agent = $5, active = $6, status = $7,
            status_connection = $8, status_livechat = $9, livechat_count = $10, last_routing_time = $11,
            doc = $12::json, password_hash = COALESCE($13, password_hash)
         WHERE id = $1"
    };
    Ok(sql_q(sql)
        .bind(u.id.clone())
        .bind(u.username.clone())
        .bind(u.first_email().map(|e| e.to_lowercase()))
        .bind(roles_col(&u.roles))
        .bind(u.has_role("livechat-agent"))
        .bind(u.active)
        .bind(u.status.clone())
        .bind(u.status_connection.clone())
        .bind(u.status_livechat.clone())
        .bind(u.livechat_count.unwrap_or(0))
        .bind(u.last_routing_time.map(|t| t.millis()))
        .bind(to_doc(u)?)
        .bind(password_hash.map(str::to_owned)))
}

fn put_visitor(v: &Visitor, insert: bool) -> StoreResult<PgQuery> {
    let sql = if insert {
        "INSERT INTO visitors (id, token, phone, email, doc) VALUES ($1, $2, $3, $4, $5::json)"
    } else {
        "UPDATE visitors SET token = $2, phone = $3, email = $4, doc = $5::json WHERE id = $1"
    };
    Ok(sql_q(sql)
        .bind(v.id.clone())
        .bind(v.token.clone())
        .bind(v.first_phone().map(|p| p.to_string()))
        .bind(v.first_email().map(|e| e.to_lowercase()))
        .bind(to_doc(v)?))
}

fn put_room(r: &Room, insert: bool) -> StoreResult<PgQuery> {
    let sql = if insert {
        "INSERT INTO rooms (id, token, open, department_id, served_by, ts, doc) VALUES ($1, $2, $3, $4, $5, $6, $7::json)"
    } else {
        "UPDATE rooms SET token = $2, open = $3, department_id = $4, served_by = $5, ts = $6, doc = $7::json WHERE id = $1"
    };
    bind_room(sql_q(sql), r)
}

/// Binds a room's columns, in the order `put_room` names them, after `q`'s own parameters.
fn bind_room(q: PgQuery, r: &Room) -> StoreResult<PgQuery> {
    Ok(q.bind(r.id.clone())
        .bind(r.v.token.clone())
        .bind(r.is_open().then_some(1i16))
        .bind(r.department_id.clone())
        .bind(r.served_by_id().map(str::to_owned))
        .bind(r.ts.millis())
        .bind(to_doc(r)?))
}

fn put_inquiry(i: &Inquiry, insert: bool) -> StoreResult<PgQuery> {
    let sql = if insert {
        "INSERT INTO inquiries (id, rid, status, department, ts, doc) VALUES ($1, $2, $3, $4, $5, $6::json)"
    } else {
        "UPDATE inquiries SET rid = $2, status = $3, department = $4, ts = $5, doc = $6::json WHERE id = $1"
    };
    Ok(sql_q(sql)
        .bind(i.id.clone())
        .bind(i.rid.clone())
        .bind(i.status.clone())
        .bind(i.department.clone())
        .bind(i.ts.millis())
        .bind(to_doc(i)?))
}

fn insert_message(m: &Message) -> StoreResult<PgQuery> {
    bind_message(
        sql_q(
            "INSERT INTO messages (id, rid, ts, t, hidden, token, doc) VALUES ($1, $2, $3, $4, $5, $6, $7::json)",
        ),
        m,
    )
}

fn update_message(m: &Message) -> StoreResult<PgQuery> {
    bind_message(
        sql_q(
            "UPDATE messages SET rid = $2, ts = $3, t = $4, hidden = $5, token = $6, doc = $7::json WHERE id = $1",
        ),
        m,
    )
}

/// Binds a message's columns (id, rid, ts, t, hidden, token, doc) after `q`'s own parameters.
fn bind_message(q: PgQuery, m: &Message) -> StoreResult<PgQuery> {
    Ok(q.bind(m.id.clone())
        .bind(m.rid.clone())
        .bind(m.ts.millis())
        .bind(m.t.clone())
        .bind(m.hidden)
        .bind(m.token.clone())
        .bind(to_doc(m)?))
}

fn put_department(d: &Department, insert: bool) -> StoreResult<PgQuery> {
    let sql = if insert {
        "INSERT INTO departments (id, name, enabled, doc) VALUES ($1, $2, $3, $4::json)"
    } else {
        "UPDATE departments SET name = $2, enabled = $3, doc = $4::json WHERE id = $1"
    };
    Ok(sql_q(sql)
        .bind(d.id.clone())
        .bind(d.name.clone())
        .bind(d.enabled)
        .bind(to_doc(d)?))
}

async fn run(c: &mut Conn, query: StoreResult<PgQuery>) -> StoreResult<u64> {
    Ok(query?.execute(&mut *c).await?.rows_affected())
}

const DEPT_AGENT_COLS: &str =
    "id, agent_id, department_id, department_enabled, username, count, ord, updated_at";

type DeptAgentRow = (String, String, String, bool, String, i64, i64, i64);

fn dept_agent(r: DeptAgentRow) -> DepartmentAgent {
    DepartmentAgent {
        id: r.0,
        agent_id: r.1,
        department_id: r.2,
        department_enabled: r.3,
        username: r.4,
        count: r.5,
        order: r.6,
        updated_at: Ts::from_millis(r.7),
    }
}

/// Advisory lock key of routing decisions (`pg_advisory_xact_lock(class, key)`).
const ROUTING_LOCK: (i32, i32) = (0x4643_5254, 0); // "FCRT"

/// Serializes the decisions that depend on agents' open chats and counters, cluster-wide,
/// until the transaction ends: choosing an agent (its order reads every candidate's
/// counters) and assigning a room within a chat limit. Row locks on the chosen agent were
/// tried first: re-checking the choice after the lock needed a second agent's lock when
/// the order moved, and concurrent routers then deadlocked (measured: 109 deadlocks, each
/// a one-second stall, in one run of the suite); one lock taken first cannot deadlock.
///
/// A lock is released only after the commit's WAL flush (~3 ms of fsync on our disk), which
/// would cap routed rooms at one flush each. So the transaction that takes it commits
/// without waiting for the flush (`synchronous_commit = off`, lock released at once) and
/// the operation answers only after `durable()` (a synchronous commit, which flushes the
/// WAL up to and past ours): acknowledged still means on disk, and the flushes of
/// concurrent routers are shared. A crash before that flush loses this transaction and
/// everything after it in the WAL, so nothing durable ever depends on a lost assignment.
async fn routing_lock(c: &mut Conn) -> StoreResult<()> {
    sqlx::query(
        "SELECT pg_advisory_xact_lock($1, $2), set_config('synchronous_commit', 'off', true)",
    )
    .bind(ROUTING_LOCK.0)
    .bind(ROUTING_LOCK.1)
    .execute(&mut *c)
    .await?;
    Ok(())
}

impl PgStore {
    /// Waits until every transaction committed before now is on disk: an implicit
    /// transaction with an xid commits synchronously, flushing the WAL up to its record.
    async fn durable(&self) -> StoreResult<()> {
        sqlx::query("SELECT txid_current()")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

async fn q_exec(c: &mut Conn, query: PgQuery) -> StoreResult<u64> {
    Ok(query.execute(&mut *c).await?.rows_affected())
}

/// A document kept in its own table, read by id.
trait Doc: DeserializeOwned + Serialize + Send + Sync + Sized {
    const LOAD: &'static str;
    const LOAD_LOCKED: &'static str;
}

/// A document that `modify_in_tx` rewrites through its `put`.
trait DocRow: Doc {
    fn put(&self) -> StoreResult<PgQuery>;
}

macro_rules! doc_load {
    ($t:ty, $table:literal) => {
        impl Doc for $t {
            const LOAD: &'static str = concat!("SELECT doc::text FROM ", $table, " WHERE id = $1");
            const LOAD_LOCKED: &'static str = concat!(
                "SELECT doc::text FROM ",
                $table,
                " WHERE id = $1 FOR UPDATE"
            );
        }
    };
}

macro_rules! doc_row {
    ($t:ty, $table:literal, $put:expr) => {
        doc_load!($t, $table);
        impl DocRow for $t {
            fn put(&self) -> StoreResult<PgQuery> {
                $put(self)
            }
        }
    };
}

doc_row!(User, "users", |d| put_user(d, false, None));
doc_row!(Visitor, "visitors", |d| put_visitor(d, false));
doc_row!(Room, "rooms", |d| put_room(d, false));
doc_row!(Inquiry, "inquiries", |d| put_inquiry(d, false));
doc_row!(Department, "departments", |d| put_department(d, false));
doc_row!(Message, "messages", update_message);

/// Read (row locked), change and write one document inside the caller's transaction.
async fn modify_in_tx<T: DocRow>(
    c: &mut Conn,
    id: &str,
    f: &ModifyFn<T>,
) -> StoreResult<Option<T>> {
    let Some(mut doc) = load::<T>(c, id, true).await? else {
        return Ok(None);
    };
    f(&mut doc).map_err(StoreError::Rejected)?;
    run(c, doc.put()).await?;
    Ok(Some(doc))
}

async fn refresh_num_agents(c: &mut Conn, department_id: &str) -> StoreResult<()> {
    let n: i64 = scalar("SELECT COUNT(*) FROM department_agents WHERE department_id = $1")
        .bind(department_id.to_owned())
        .fetch_one(&mut *c)
        .await?;
    if let Some(mut d) = load::<Department>(c, department_id, true).await? {
        d.num_agents = n;
        run(c, put_department(&d, false)).await?;
    }
    Ok(())
}

/// `ORDER BY` from a client's sort, through a whitelist of field → column; NULLs sort as
/// in SQLite (first when ascending, last when descending).
fn order_by(sort: &[(String, bool)], columns: &[(&str, &str)], default: &str) -> String {
    let order: Vec<String> = sort
        .iter()
        .filter_map(|(f, asc)| {
            let col = columns.iter().find(|(name, _)| name == f)?.1;
            Some(format!(
                "{col} {}",
                if *asc {
                    "ASC NULLS FIRST"
                } else {
                    "DESC NULLS LAST"
                }
            ))
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

const OPEN_ROOM_BY_TOKEN: &str = "SELECT doc::text FROM rooms WHERE token = $1 AND open = 1";

/// A positional argument of a query built at run time.
enum Arg {
    Text(String),
    Int(i64),
    Texts(Vec<String>),
}

fn bind_args<'q, O>(
    mut query: sqlx::query::QueryScalar<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    args: &[Arg],
) -> sqlx::query::QueryScalar<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    for a in args {
        query = match a {
            Arg::Text(s) => query.bind(s.clone()),
            Arg::Int(i) => query.bind(*i),
            Arg::Texts(v) => query.bind(v.clone()),
        };
    }
    query
}

/// SQLite's `LIMIT -1` (no limit) is `LIMIT ALL` (NULL) here.
fn limit_of(count: i64) -> Option<i64> {
    (count > 0).then_some(count)
}

crate::store::forward::forward_store!(PgStore);

async fn q_exec_pool(pool: &sqlx::PgPool, query: PgQuery) -> StoreResult<u64> {
    Ok(query.execute(pool).await?.rows_affected())
}
