//! Row helpers and the `Store` implementation; each operation mirrors its SQLite twin in
//! `store/sqlite/ops.rs` (same ordering, tie breaks, `None` results and errors).

use super::{Conn, PgQuery, PgStore, in_tx};
use crate::model::*;
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

fn roles_col(roles: &[String]) -> String {
    format!(",{},", roles.join(","))
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
    Ok(sql_q(sql)
        .bind(r.id.clone())
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
    Ok(sql_q("INSERT INTO messages (id, rid, ts, t, hidden, token, doc) VALUES ($1, $2, $3, $4, $5, $6, $7::json)")
        .bind(m.id.clone())
        .bind(m.rid.clone())
        .bind(m.ts.millis())
        .bind(m.t.clone())
        .bind(m.hidden)
        .bind(m.token.clone())
        .bind(to_doc(m)?))
}

fn update_message(m: &Message) -> StoreResult<PgQuery> {
    Ok(sql_q("UPDATE messages SET rid = $2, ts = $3, t = $4, hidden = $5, token = $6, doc = $7::json WHERE id = $1")
        .bind(m.id.clone())
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

fn insert_subscription(s: &Subscription) -> StoreResult<PgQuery> {
    Ok(
        sql_q("INSERT INTO subscriptions (id, rid, user_id, doc) VALUES ($1, $2, $3, $4::json)")
            .bind(s.id.clone())
            .bind(s.rid.clone())
            .bind(s.u.id.clone())
            .bind(to_doc(s)?),
    )
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

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

mod extras;
mod outbox;
mod permissions;
mod work;

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

#[async_trait]
impl Store for PgStore {
    async fn insert_user(&self, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
        q_exec_pool(&self.pool, put_user(user, true, password_hash)?).await?;
        Ok(())
    }
    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        opt_doc(
            scalar("SELECT doc::text FROM users WHERE lower(username) = lower($1)")
                .bind(username.to_owned())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        opt_doc(
            scalar("SELECT doc::text FROM users WHERE lower(email) = $1")
                .bind(email.to_lowercase())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>> {
        Ok(
            scalar::<Option<String>>("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id.to_owned())
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }
    async fn set_password_hash(&self, user_id: &str, hash: &str) -> StoreResult<()> {
        q_exec_pool(
            &self.pool,
            sql_q("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(user_id.to_owned())
                .bind(hash.to_owned()),
        )
        .await?;
        Ok(())
    }
    async fn modify_user(&self, id: &str, f: Modify<User>) -> StoreResult<Option<User>> {
        in_tx!(self, |c| modify_in_tx(c, id, &*f).await)
    }
    async fn delete_user(&self, id: &str) -> StoreResult<bool> {
        in_tx!(self, |c| {
            q_exec(
                c,
                sql_q("DELETE FROM login_tokens WHERE user_id = $1").bind(id.to_owned()),
            )
            .await?;
            let depts: Vec<String> =
                scalar("DELETE FROM department_agents WHERE agent_id = $1 RETURNING department_id")
                    .bind(id.to_owned())
                    .fetch_all(&mut *c)
                    .await?;
            for d in depts {
                refresh_num_agents(c, &d).await?;
            }
            Ok(q_exec(
                c,
                sql_q("DELETE FROM users WHERE id = $1").bind(id.to_owned()),
            )
            .await?
                > 0)
        })
    }
    async fn count_users_with_role(&self, role: &str) -> StoreResult<i64> {
        Ok(
            scalar("SELECT COUNT(*) FROM users WHERE strpos(roles, $1) > 0")
                .bind(format!(",{role},"))
                .fetch_one(&self.pool)
                .await?,
        )
    }
    async fn list_users(&self, uq: &UserQuery) -> StoreResult<(Vec<User>, i64)> {
        let mut wh = vec!["1 = 1".to_string()];
        if uq.role.is_some() {
            wh.push("strpos(roles, $1) > 0".into());
        } else {
            wh.push("$1::text IS NULL".into());
        }
        if uq.text.is_some() {
            wh.push("(username ILIKE $2 OR (doc->>'name') ILIKE $2 OR email ILIKE $2)".into());
        } else {
            wh.push("$2::text IS NULL".into());
        }
        if uq.only_available {
            wh.push("status_livechat = 'available'".into());
        }
        if uq.not_offline {
            wh.push("(status <> 'offline' OR strpos(roles, ',bot,') > 0)".into());
        }
        if uq.exclude_id.is_some() {
            wh.push("id <> $3".into());
        } else {
            wh.push("$3::text IS NULL".into());
        }
        let wh = wh.join(" AND ");
        let order = order_by(
            &uq.sort,
            &[
                ("username", "lower(username)"),
                ("name", "(doc->>'name') COLLATE \"C\""),
                ("status", "status"),
                ("statusLivechat", "status_livechat"),
                ("livechatCount", "livechat_count"),
                ("_id", "id"),
            ],
            "lower(username) ASC",
        );
        let role = uq.role.as_ref().map(|r| format!(",{r},"));
        let text = uq.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
        let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM users WHERE {wh}"))
            .bind(role.clone())
            .bind(text.clone())
            .bind(uq.exclude_id.clone())
            .fetch_one(&self.pool)
            .await?;
        let users: Vec<String> = dyn_scalar(format!(
            "SELECT doc::text FROM users WHERE {wh} ORDER BY {order} LIMIT $4 OFFSET $5"
        ))
        .bind(role)
        .bind(text)
        .bind(uq.exclude_id.clone())
        .bind(limit_of(uq.count))
        .bind(uq.offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((from_docs(users)?, total))
    }
    async fn insert_login_token(&self, user_id: &str, hashed: &str, when: Ts) -> StoreResult<()> {
        q_exec_pool(
            &self.pool,
            sql_q("INSERT INTO login_tokens (hashed, user_id, created_at) VALUES ($1, $2, $3)")
                .bind(hashed.to_owned())
                .bind(user_id.to_owned())
                .bind(when.millis()),
        )
        .await?;
        Ok(())
    }
    async fn user_by_login_token(
        &self,
        hashed: &str,
        issued_since: Ts,
    ) -> StoreResult<Option<User>> {
        opt_doc(
            scalar("SELECT u.doc::text FROM login_tokens t JOIN users u ON u.id = t.user_id WHERE t.hashed = $1 AND t.created_at >= $2")
                .bind(hashed.to_owned())
                .bind(issued_since.millis())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn delete_login_token(&self, hashed: &str) -> StoreResult<()> {
        q_exec_pool(
            &self.pool,
            sql_q("DELETE FROM login_tokens WHERE hashed = $1").bind(hashed.to_owned()),
        )
        .await?;
        Ok(())
    }

    async fn settings(&self) -> StoreResult<Vec<(String, Value)>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, value FROM settings")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(k, v)| Ok((k, serde_json::from_str(&v)?)))
            .collect()
    }
    async fn put_setting(&self, id: &str, value: &Value) -> StoreResult<()> {
        q_exec_pool(
            &self.pool,
            sql_q("INSERT INTO settings (id, value) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET value = excluded.value")
                .bind(id.to_owned())
                .bind(serde_json::to_string(value)?),
        )
        .await?;
        Ok(())
    }
    async fn incr_setting(&self, id: &str, default: i64) -> StoreResult<i64> {
        // One statement: the row lock of the upsert makes concurrent increments queue.
        // A value that is not an integer counts as 0, as SQLite's CAST does.
        let v: String = scalar(
            "INSERT INTO settings (id, value) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE
             SET value = ((CASE WHEN settings.value ~ '^-?[0-9]{1,18}$' THEN settings.value::bigint ELSE 0 END) + 1)::text
             RETURNING value",
        )
        .bind(id.to_owned())
        .bind((default + 1).to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(v.parse().unwrap_or(default + 1))
    }

    async fn permissions(&self) -> StoreResult<Vec<Permission>> {
        permissions::permissions(&self.pool).await
    }
    async fn seed_permissions(&self, defaults: &[Permission]) -> StoreResult<()> {
        permissions::seed_permissions(&self.pool, defaults).await
    }
    async fn set_permission_roles(
        &self,
        changes: &[(String, Vec<String>)],
        at: Ts,
    ) -> StoreResult<()> {
        in_tx!(self, |c| permissions::set_permission_roles(c, changes, at)
            .await)
    }
    async fn roles(&self) -> StoreResult<Vec<Role>> {
        permissions::roles(&self.pool).await
    }
    async fn seed_roles(&self, defaults: &[Role]) -> StoreResult<()> {
        permissions::seed_roles(&self.pool, defaults).await
    }

    async fn visitor(&self, id: &str) -> StoreResult<Option<Visitor>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn visitor_by_token(&self, token: &str) -> StoreResult<Option<Visitor>> {
        opt_doc(
            scalar("SELECT doc::text FROM visitors WHERE token = $1")
                .bind(token.to_owned())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn visitor_by_phone(&self, phone: &str) -> StoreResult<Option<Visitor>> {
        opt_doc(
            scalar("SELECT doc::text FROM visitors WHERE phone = $1 LIMIT 1")
                .bind(phone.to_owned())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn visitor_by_email(&self, email: &str) -> StoreResult<Option<Visitor>> {
        opt_doc(
            scalar("SELECT doc::text FROM visitors WHERE email = $1 LIMIT 1")
                .bind(email.to_lowercase())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn insert_visitor(&self, v: &Visitor) -> StoreResult<()> {
        q_exec_pool(&self.pool, put_visitor(v, true)?).await?;
        Ok(())
    }
    async fn modify_visitor(&self, id: &str, f: Modify<Visitor>) -> StoreResult<Option<Visitor>> {
        in_tx!(self, |c| modify_in_tx(c, id, &*f).await)
    }
    async fn remove_visitor_data(&self, token: &str, anonymised: &Visitor) -> StoreResult<()> {
        in_tx!(self, |c| {
            for sql in [
                "DELETE FROM messages WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
                "DELETE FROM messages WHERE rid IS NULL AND token = $1",
                "DELETE FROM navigation_pending WHERE token = $1",
                "DELETE FROM uploads WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
                "DELETE FROM subscriptions WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
                "DELETE FROM inquiries WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
                "DELETE FROM rooms WHERE token = $1",
            ] {
                q_exec(c, sql_q(sql).bind(token.to_owned())).await?;
            }
            run(c, put_visitor(anonymised, false)).await?;
            Ok(())
        })
    }

    async fn room(&self, id: &str) -> StoreResult<Option<Room>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn open_room_by_token(&self, token: &str) -> StoreResult<Option<Room>> {
        opt_doc(
            scalar(OPEN_ROOM_BY_TOKEN)
                .bind(token.to_owned())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn open_room_json(
        &self,
        token: &str,
    ) -> StoreResult<Option<Box<serde_json::value::RawValue>>> {
        let doc: Option<String> = scalar(OPEN_ROOM_BY_TOKEN)
            .bind(token.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(doc
            .map(serde_json::value::RawValue::from_string)
            .transpose()?)
    }
    async fn room_by_token(&self, token: &str, rid: Option<&str>) -> StoreResult<Option<Room>> {
        let doc: Option<String> = match rid {
            Some(rid) => {
                scalar("SELECT doc::text FROM rooms WHERE id = $1 AND token = $2")
                    .bind(rid.to_owned())
                    .bind(token.to_owned())
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => {
                scalar("SELECT doc::text FROM rooms WHERE token = $1 ORDER BY open IS NULL, ts DESC LIMIT 1")
                    .bind(token.to_owned())
                    .fetch_optional(&self.pool)
                    .await?
            }
        };
        opt_doc(doc)
    }
    async fn visitor_exists(&self, token: &str) -> StoreResult<bool> {
        Ok(
            scalar("SELECT EXISTS (SELECT 1 FROM visitors WHERE token = $1)")
                .bind(token.to_owned())
                .fetch_one(&self.pool)
                .await?,
        )
    }
    async fn room_of_token_exists(&self, token: &str, rid: &str) -> StoreResult<bool> {
        Ok(
            scalar("SELECT EXISTS (SELECT 1 FROM rooms WHERE id = $1 AND token = $2)")
                .bind(rid.to_owned())
                .bind(token.to_owned())
                .fetch_one(&self.pool)
                .await?,
        )
    }
    async fn open_rooms_by_token(&self, token: &str) -> StoreResult<Vec<Room>> {
        from_docs(
            scalar(OPEN_ROOM_BY_TOKEN)
                .bind(token.to_owned())
                .fetch_all(&self.pool)
                .await?,
        )
    }
    async fn modify_room(&self, id: &str, f: Modify<Room>) -> StoreResult<Option<Room>> {
        in_tx!(self, |c| modify_in_tx(c, id, &*f).await)
    }

    async fn unit(&self, ask: unit::Ask, rule: unit::Rule) -> StoreResult<()> {
        self.run_unit(&ask, &rule).await
    }
    async fn agents(&self, ask: &unit::AgentsAsk) -> StoreResult<Vec<unit::Candidate>> {
        let mut c = self.pool.acquire().await?;
        work::candidates(&mut c, ask).await
    }

    async fn inquiry(&self, id: &str) -> StoreResult<Option<Inquiry>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn inquiry_by_room(&self, rid: &str) -> StoreResult<Option<Inquiry>> {
        opt_doc(
            scalar("SELECT doc::text FROM inquiries WHERE rid = $1")
                .bind(rid.to_owned())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn modify_inquiry(&self, id: &str, f: Modify<Inquiry>) -> StoreResult<Option<Inquiry>> {
        in_tx!(self, |c| modify_in_tx(c, id, &*f).await)
    }
    async fn list_inquiries(
        &self,
        status: Option<&str>,
        departments: Option<&[String]>,
        offset: i64,
        count: i64,
    ) -> StoreResult<(Vec<Inquiry>, i64)> {
        let depts = departments.map(<[String]>::to_vec);
        let wh = "($1::text IS NULL OR status = $1)
                  AND ($2::text[] IS NULL OR department IS NULL OR department = ANY($2))";
        let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM inquiries WHERE {wh}"))
            .bind(status.map(str::to_owned))
            .bind(depts.clone())
            .fetch_one(&self.pool)
            .await?;
        let list: Vec<String> = dyn_scalar(format!(
            "SELECT doc::text FROM inquiries WHERE {wh} ORDER BY ts, id LIMIT $3 OFFSET $4"
        ))
        .bind(status.map(str::to_owned))
        .bind(depts)
        .bind(limit_of(count))
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((from_docs(list)?, total))
    }

    async fn append_message(
        &self,
        msg: Message,
        room_update: Modify<Room>,
    ) -> StoreResult<Option<Room>> {
        in_tx!(self, |c| {
            let exists: bool = scalar("SELECT EXISTS (SELECT 1 FROM messages WHERE id = $1)")
                .bind(msg.id.clone())
                .fetch_one(&mut *c)
                .await?;
            if exists {
                return Ok(None);
            }
            let room = modify_in_tx(c, &msg.rid, &*room_update).await?;
            if room.is_some() {
                match run(c, insert_message(&msg)).await {
                    // Inserted by a concurrent request after our check: as if it existed.
                    Err(StoreError::Duplicate("id")) => {
                        return Err(StoreError::Conflict("message inserted concurrently".into()));
                    }
                    other => other?,
                };
            }
            Ok(room)
        })
    }
    async fn message(&self, id: &str) -> StoreResult<Option<Message>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn modify_message(&self, id: &str, f: Modify<Message>) -> StoreResult<Option<Message>> {
        in_tx!(self, |c| modify_in_tx(c, id, &*f).await)
    }
    async fn delete_message(&self, id: &str) -> StoreResult<bool> {
        in_tx!(self, |c| {
            let Some(m) = load::<Message>(c, id, true).await? else {
                return Ok(false);
            };
            q_exec(
                c,
                sql_q("DELETE FROM messages WHERE id = $1").bind(id.to_owned()),
            )
            .await?;
            if let Some(mut room) = load::<Room>(c, &m.rid, true).await?
                && room
                    .last_message
                    .as_ref()
                    .and_then(|l| l.get("_id"))
                    .and_then(Value::as_str)
                    == Some(id)
            {
                let last: Option<Message> = opt_doc(
                    scalar(
                        "SELECT doc::text FROM messages WHERE rid = $1 AND t IS NULL AND NOT hidden
                         ORDER BY ts DESC, seq DESC LIMIT 1",
                    )
                    .bind(m.rid.clone())
                    .fetch_optional(&mut *c)
                    .await?,
                )?;
                room.last_message = last.map(|l| serde_json::to_value(l).unwrap_or_default());
                run(c, put_room(&room, false)).await?;
            }
            Ok(true)
        })
    }
    async fn history(
        &self,
        rid: &str,
        end: Option<Ts>,
        limit: i64,
        offset: i64,
        hidden_types: &[String],
    ) -> StoreResult<Vec<Box<serde_json::value::RawValue>>> {
        let docs: Vec<String> = scalar(
            "SELECT doc::text FROM messages WHERE rid = $1 AND NOT hidden AND ts < $2
               AND (t IS NULL OR t <> ALL($3))
             ORDER BY ts DESC, seq DESC LIMIT $4 OFFSET $5",
        )
        .bind(rid.to_owned())
        .bind(end.map_or(i64::MAX, |e| e.millis()))
        .bind(hidden_types.to_vec())
        .bind(limit_of(limit))
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        docs.into_iter()
            .map(|d| Ok(serde_json::value::RawValue::from_string(d)?))
            .collect()
    }
    async fn room_messages(
        &self,
        rid: &str,
        search: Option<&str>,
        offset: i64,
        count: i64,
    ) -> StoreResult<(Vec<Message>, i64)> {
        let like = search.map(|t| format!("%{}%", like_escape(t)));
        let total: i64 = scalar(
            "SELECT COUNT(*) FROM messages WHERE rid = $1 AND ($2::text IS NULL OR (doc->>'msg') ILIKE $2)",
        )
        .bind(rid.to_owned())
        .bind(like.clone())
        .fetch_one(&self.pool)
        .await?;
        let list: Vec<String> = scalar(
            "SELECT doc::text FROM messages WHERE rid = $1 AND ($2::text IS NULL OR (doc->>'msg') ILIKE $2)
             ORDER BY ts DESC, seq DESC LIMIT $3 OFFSET $4",
        )
        .bind(rid.to_owned())
        .bind(like)
        .bind(limit_of(count))
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((from_docs(list)?, total))
    }
    async fn list_rooms(&self, rq: &RoomQuery) -> StoreResult<(Vec<Room>, i64)> {
        let mut wh = vec!["1 = 1".to_string()];
        let mut args: Vec<Arg> = Vec::new();
        let mut arg = |v: Arg| {
            args.push(v);
            format!("${}", args.len())
        };
        if !rq.agents.is_empty() {
            let p = arg(Arg::Texts(rq.agents.clone()));
            wh.push(format!("served_by = ANY({p})"));
        }
        if let Some(d) = &rq.department_id {
            let p = arg(Arg::Text(d.clone()));
            wh.push(format!("department_id = {p}"));
        }
        match rq.open {
            Some(true) => wh.push("open = 1".into()),
            Some(false) => wh.push("open IS NULL".into()),
            None => {}
        }
        if let Some(n) = &rq.name {
            let p = arg(Arg::Text(format!("%{}%", like_escape(n))));
            wh.push(format!("(doc->>'fname') ILIKE {p}"));
        }
        if let Some(t) = rq.created.0 {
            let p = arg(Arg::Int(t.millis()));
            wh.push(format!("ts >= {p}"));
        }
        if let Some(t) = rq.created.1 {
            let p = arg(Arg::Int(t.millis()));
            wh.push(format!("ts <= {p}"));
        }
        if rq.closed.0.is_some() || rq.closed.1.is_some() {
            wh.push("(doc->>'closedAt') IS NOT NULL".into());
            if let Some(t) = rq.closed.0 {
                let p = arg(Arg::Text(t.iso()));
                wh.push(format!("(doc->>'closedAt') COLLATE \"C\" >= {p}"));
            }
            if let Some(t) = rq.closed.1 {
                let p = arg(Arg::Text(t.iso()));
                wh.push(format!("(doc->>'closedAt') COLLATE \"C\" <= {p}"));
            }
        }
        if !rq.tags.is_empty() {
            let p = arg(Arg::Texts(rq.tags.clone()));
            wh.push(format!(
                "EXISTS (SELECT 1 FROM json_array_elements_text(CASE WHEN json_typeof(doc->'tags') = 'array'
                    THEN doc->'tags' END) t(v) WHERE t.v = ANY({p}))"
            ));
        }
        if rq.queued {
            wh.push("open = 1 AND served_by IS NULL".into());
        }
        let wh = wh.join(" AND ");
        let order = order_by(
            &rq.sort,
            &[
                ("ts", "ts"),
                ("fname", "(doc->>'fname') COLLATE \"C\""),
                ("closedAt", "(doc->>'closedAt') COLLATE \"C\""),
                ("_updatedAt", "(doc->>'_updatedAt') COLLATE \"C\""),
                ("lm", "(doc->>'lm') COLLATE \"C\""),
                (
                    "msgs",
                    "(CASE WHEN json_typeof(doc->'msgs') = 'number' THEN (doc->>'msgs')::numeric END)",
                ),
            ],
            "ts DESC",
        );
        let total: i64 = bind_args(
            dyn_scalar(format!("SELECT COUNT(*) FROM rooms WHERE {wh}")),
            &args,
        )
        .fetch_one(&self.pool)
        .await?;
        let n = args.len();
        let rooms: Vec<String> = bind_args(
            dyn_scalar(format!(
                "SELECT doc::text FROM rooms WHERE {wh} ORDER BY {order} LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            )),
            &args,
        )
        .bind(limit_of(rq.count))
        .bind(rq.offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((from_docs(rooms)?, total))
    }
    async fn messages_of_room(&self, rid: &str) -> StoreResult<Vec<Message>> {
        from_docs(
            scalar("SELECT doc::text FROM messages WHERE rid = $1 ORDER BY ts, seq")
                .bind(rid.to_owned())
                .fetch_all(&self.pool)
                .await?,
        )
    }
    async fn subscriptions_of_room(&self, rid: &str) -> StoreResult<Vec<Subscription>> {
        from_docs(
            scalar("SELECT doc::text FROM subscriptions WHERE rid = $1")
                .bind(rid.to_owned())
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn insert_department(&self, d: &Department) -> StoreResult<()> {
        q_exec_pool(&self.pool, put_department(d, true)?).await?;
        Ok(())
    }
    async fn department(&self, id: &str) -> StoreResult<Option<Department>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn department_by_name(&self, name: &str) -> StoreResult<Option<Department>> {
        opt_doc(
            scalar("SELECT doc::text FROM departments WHERE name = $1 LIMIT 1")
                .bind(name.to_owned())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn modify_department(
        &self,
        id: &str,
        f: Modify<Department>,
    ) -> StoreResult<Option<Department>> {
        in_tx!(self, |c| {
            let out = modify_in_tx(c, id, &*f).await?;
            if let Some(d) = &out {
                q_exec(
                    c,
                    sql_q("UPDATE department_agents SET department_enabled = $2 WHERE department_id = $1")
                        .bind(d.id.clone())
                        .bind(d.enabled),
                )
                .await?;
            }
            Ok(out)
        })
    }
    async fn delete_department(&self, id: &str) -> StoreResult<bool> {
        in_tx!(self, |c| {
            q_exec(
                c,
                sql_q("DELETE FROM department_agents WHERE department_id = $1").bind(id.to_owned()),
            )
            .await?;
            Ok(q_exec(
                c,
                sql_q("DELETE FROM departments WHERE id = $1").bind(id.to_owned()),
            )
            .await?
                > 0)
        })
    }
    async fn list_departments(&self, dq: &DepartmentQuery) -> StoreResult<(Vec<Department>, i64)> {
        let mut wh = vec![
            if dq.text.is_some() {
                "name ILIKE $1"
            } else {
                "$1::text IS NULL"
            }
            .to_string(),
            if dq.enabled.is_some() {
                "enabled = $2"
            } else {
                "$2::boolean IS NULL"
            }
            .to_string(),
            if dq.exclude_id.is_some() {
                "id <> $3"
            } else {
                "$3::text IS NULL"
            }
            .to_string(),
        ];
        if dq.ids.is_some() {
            wh.push("id = ANY($4)".into());
        } else {
            wh.push("$4::text[] IS NULL".into());
        }
        let wh = wh.join(" AND ");
        let text = dq.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
        let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM departments WHERE {wh}"))
            .bind(text.clone())
            .bind(dq.enabled)
            .bind(dq.exclude_id.clone())
            .bind(dq.ids.clone())
            .fetch_one(&self.pool)
            .await?;
        let ds: Vec<String> = dyn_scalar(format!(
            "SELECT doc::text FROM departments WHERE {wh} ORDER BY name LIMIT $5 OFFSET $6"
        ))
        .bind(text)
        .bind(dq.enabled)
        .bind(dq.exclude_id.clone())
        .bind(dq.ids.clone())
        .bind(limit_of(dq.count))
        .bind(dq.offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((from_docs(ds)?, total))
    }
    async fn departments_with_agents(&self) -> StoreResult<Vec<Department>> {
        from_docs(
            scalar(
                "SELECT doc::text FROM departments d WHERE enabled
                 AND EXISTS (SELECT 1 FROM department_agents da WHERE da.department_id = d.id) ORDER BY name",
            )
            .fetch_all(&self.pool)
            .await?,
        )
    }
    async fn department_agents(&self, department_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
        let rows: Vec<DeptAgentRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {DEPT_AGENT_COLS} FROM department_agents WHERE department_id = $1 ORDER BY username, department_id"
        )))
        .bind(department_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(dept_agent).collect())
    }
    async fn agent_departments(&self, agent_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
        let rows: Vec<DeptAgentRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {DEPT_AGENT_COLS} FROM department_agents WHERE agent_id = $1 ORDER BY username, department_id"
        )))
        .bind(agent_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(dept_agent).collect())
    }
    async fn update_department_agents(
        &self,
        department_id: &str,
        upsert: &[DepartmentAgent],
        remove: &[String],
    ) -> StoreResult<()> {
        in_tx!(self, |c| {
            // The department's row first: concurrent edits of one department queue here.
            q_exec(
                c,
                sql_q("SELECT 1 FROM departments WHERE id = $1 FOR UPDATE")
                    .bind(department_id.to_owned()),
            )
            .await?;
            for agent_id in remove {
                q_exec(
                    c,
                    sql_q(
                        "DELETE FROM department_agents WHERE department_id = $1 AND agent_id = $2",
                    )
                    .bind(department_id.to_owned())
                    .bind(agent_id.clone()),
                )
                .await?;
            }
            for a in upsert {
                q_exec(
                    c,
                    sql_q("INSERT INTO department_agents (id, agent_id, department_id, username, count, ord, department_enabled, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (department_id, agent_id) DO UPDATE SET username = excluded.username,
                        count = excluded.count, ord = excluded.ord, department_enabled = excluded.department_enabled,
                        updated_at = excluded.updated_at")
                    .bind(a.id.clone())
                    .bind(a.agent_id.clone())
                    .bind(department_id.to_owned())
                    .bind(a.username.clone())
                    .bind(a.count)
                    .bind(a.order)
                    .bind(a.department_enabled)
                    .bind(a.updated_at.millis()),
                )
                .await?;
            }
            refresh_num_agents(c, department_id).await
        })
    }

    // presence shared by several instances (issue 7b)
    async fn presence_connect(
        &self,
        instance: &str,
        conn: u64,
        user_id: &str,
        now: Ts,
    ) -> StoreResult<bool> {
        in_tx!(self, |c| extras::presence_connect(
            c, instance, conn, user_id, now
        )
        .await)
    }
    async fn presence_disconnect(&self, instance: &str, conn: u64) -> StoreResult<Option<String>> {
        in_tx!(self, |c| extras::presence_disconnect(c, instance, conn)
            .await)
    }
    async fn presence_count(&self, user_id: &str) -> StoreResult<i64> {
        Ok(
            scalar("SELECT COUNT(*) FROM presence_connections WHERE user_id = $1")
                .bind(user_id.to_owned())
                .fetch_one(&self.pool)
                .await?,
        )
    }
    async fn instance_heartbeat(&self, instance: &str, now: Ts) -> StoreResult<bool> {
        in_tx!(self, |c| extras::instance_heartbeat(c, instance, now).await)
    }
    async fn expire_instances(&self, cutoff: Ts) -> StoreResult<Vec<String>> {
        in_tx!(self, |c| extras::expire_instances(c, cutoff).await)
    }

    // issue 8a: custom fields, triggers, navigation history, uploads
    async fn custom_field(&self, id: &str) -> StoreResult<Option<CustomField>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn custom_fields(&self, scope: Option<&str>) -> StoreResult<Vec<CustomField>> {
        extras::custom_fields(&self.pool, scope).await
    }
    async fn list_custom_fields(
        &self,
        text: Option<&str>,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<CustomField>, i64)> {
        extras::list_custom_fields(&self.pool, text, offset, count, sort).await
    }
    async fn insert_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        extras::insert_custom_field(&self.pool, f).await
    }
    async fn modify_custom_field(
        &self,
        id: &str,
        f: Modify<CustomField>,
    ) -> StoreResult<Option<CustomField>> {
        in_tx!(self, |c| modify_in_tx(c, id, &*f).await)
    }
    async fn delete_custom_field(&self, id: &str) -> StoreResult<bool> {
        extras::delete_by_id(&self.pool, "custom_fields", id).await
    }
    async fn trigger(&self, id: &str) -> StoreResult<Option<Trigger>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn list_triggers(
        &self,
        enabled_only: bool,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<Trigger>, i64)> {
        extras::list_triggers(&self.pool, enabled_only, offset, count, sort).await
    }
    async fn put_trigger(&self, t: &Trigger) -> StoreResult<()> {
        extras::put_trigger(&self.pool, t).await
    }
    async fn delete_trigger(&self, id: &str) -> StoreResult<bool> {
        extras::delete_by_id(&self.pool, "triggers", id).await
    }
    async fn insert_pending_navigation(
        &self,
        token: &str,
        expire_at: i64,
        msg: &Message,
    ) -> StoreResult<()> {
        extras::insert_pending_navigation(&self.pool, token, expire_at, msg).await
    }
    async fn attach_pending_navigation(
        &self,
        token: &str,
        rid: &str,
        now_ms: i64,
    ) -> StoreResult<Vec<Message>> {
        in_tx!(self, |c| extras::attach_pending_navigation(
            c, token, rid, now_ms
        )
        .await)
    }
    async fn purge_pending_navigation(&self, now_ms: i64) -> StoreResult<u64> {
        extras::purge_pending_navigation(&self.pool, now_ms).await
    }
    async fn insert_upload_message(
        &self,
        upload: &Upload,
        msg: Message,
        room_update: Modify<Room>,
    ) -> StoreResult<Option<Room>> {
        in_tx!(self, |c| extras::insert_upload_message(
            c,
            upload,
            &msg,
            &*room_update
        )
        .await)
    }
    async fn upload(&self, id: &str) -> StoreResult<Option<Upload>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, id, false).await
    }
    async fn uploads_of_token(&self, token: &str) -> StoreResult<Vec<Upload>> {
        from_docs(
            scalar("SELECT doc::text FROM uploads WHERE rid IN (SELECT id FROM rooms WHERE token = $1)")
                .bind(token.to_owned())
                .fetch_all(&self.pool)
                .await?,
        )
    }

    // outbox (issue 8b)
    async fn outbox_enqueue(&self, item: &OutboxItem) -> StoreResult<()> {
        outbox::enqueue(&self.pool, item).await
    }
    async fn outbox_claim(
        &self,
        now: Ts,
        lease_ms: i64,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<OutboxItem>> {
        outbox::claim(&self.pool, now, lease_ms, owner, limit).await
    }
    async fn outbox_finish(
        &self,
        id: &str,
        owner: &str,
        outcome: &OutboxOutcome,
    ) -> StoreResult<bool> {
        outbox::finish(&self.pool, id, owner, outcome).await
    }
    async fn outbox_next_due(&self) -> StoreResult<Option<Ts>> {
        outbox::next_due(&self.pool).await
    }
    async fn outbox_stats(&self) -> StoreResult<OutboxStats> {
        outbox::stats(&self.pool).await
    }
}

async fn q_exec_pool(pool: &sqlx::PgPool, query: PgQuery) -> StoreResult<u64> {
    Ok(query.execute(pool).await?.rows_affected())
}
