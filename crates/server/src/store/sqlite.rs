//! The embedded store: SQLite in WAL mode through sqlx.
//!
//! Writes go through a pool of exactly one connection, so write transactions queue in
//! order instead of failing with `SQLITE_BUSY`; reads use their own pool and never block
//! writers. `synchronous=FULL` makes every acknowledged commit durable.

use super::*;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Connection, Row, SqliteConnection, SqlitePool};
use std::panic::AssertUnwindSafe;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

pub struct SqliteStore {
    read: SqlitePool,
    writer: Writer,
    /// Holds the file of a `sqlite::memory:` database for the store's lifetime.
    _memory: Option<tempfile::TempDir>,
}

type Conn = SqliteConnection;

fn to_doc<T: Serialize>(v: &T) -> StoreResult<String> {
    Ok(serde_json::to_string(v)?)
}

fn from_doc<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    Ok(serde_json::from_str(s)?)
}

fn unique_violation(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Some(d.message().to_string()),
        _ => None,
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and applies the migrations.
    /// `sqlite::memory:` is a private file that disappears with the store, so that the
    /// writer and the readers share one database.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let (url, tmp) = if memory {
            let dir = tempfile::tempdir().map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
            (
                format!("sqlite://{}", dir.path().join("memory.db").display()),
                Some(dir),
            )
        } else {
            (url.to_string(), None)
        };
        let opts = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if memory {
                SqliteSynchronous::Off
            } else {
                SqliteSynchronous::Full
            })
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-16000")
            .pragma("temp_store", "memory");
        if let Some(parent) = file_parent(&url) {
            let _ = std::fs::create_dir_all(parent);
        }
        let mut conn = SqliteConnection::connect_with(&opts).await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&mut conn)
            .await
            .map_err(|e| StoreError::Db(e.into()))?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(opts)
            .await?;
        Ok(SqliteStore {
            read,
            writer: Writer::start(conn),
            _memory: tmp,
        })
    }

    async fn rconn(&self) -> StoreResult<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
        Ok(self.read.acquire().await?)
    }
}

type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, (bool, Deliver)> + Send>;

/// Group commit. One task owns the only writing connection; write operations queue up and
/// every batch of them runs in one transaction, each inside its own savepoint (a failed
/// operation rolls back alone). Results are handed back only after COMMIT returned, so an
/// acknowledged write is on disk, and one fsync serves the whole batch.
struct Writer {
    jobs: mpsc::Sender<Job>,
}

const MAX_BATCH: usize = 256;

impl Writer {
    fn start(conn: SqliteConnection) -> Self {
        let (tx, rx) = mpsc::channel::<Job>(4096);
        tokio::spawn(Self::run_loop(conn, rx));
        Writer { jobs: tx }
    }

    async fn run_loop(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
        let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let mut delivers: Vec<Deliver> = Vec::with_capacity(batch.len());
            if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await {
                let e = e.to_string();
                for job in batch.drain(..) {
                    // Run nothing; tell each waiter the transaction could not start.
                    drop(job);
                    tracing::error!(error = %e, "cannot begin a write transaction");
                }
                continue;
            }
            for job in batch.drain(..) {
                let sp = sqlx::query("SAVEPOINT op").execute(&mut conn).await.is_ok();
                let (ok, deliver) = job(&mut conn).await;
                if sp {
                    if !ok {
                        let _ = sqlx::query("ROLLBACK TO op").execute(&mut conn).await;
                    }
                    let _ = sqlx::query("RELEASE op").execute(&mut conn).await;
                }
                delivers.push(deliver);
            }
            let commit = sqlx::query("COMMIT")
                .execute(&mut conn)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
            if commit.is_err() {
                let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
            }
            for d in delivers {
                d(commit.clone());
            }
        }
    }

    async fn run<R, F>(&self, f: F) -> StoreResult<R>
    where
        R: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, StoreResult<R>> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<StoreResult<R>>();
        let job: Job = Box::new(move |c| {
            Box::pin(async move {
                let r = AssertUnwindSafe(f(c))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| Err(StoreError::Closed("a write operation panicked")));
                let ok = r.is_ok();
                let deliver: Deliver = Box::new(move |commit| {
                    let out = match commit {
                        Ok(()) => r,
                        Err(e) if ok => Err(StoreError::Db(sqlx::Error::Protocol(format!(
                            "commit failed: {e}"
                        )))),
                        Err(_) => r,
                    };
                    let _ = tx.send(out);
                });
                (ok, deliver)
            })
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Closed("the writer has stopped"))?;
        rx.await
            .map_err(|_| StoreError::Closed("the write was not carried out"))?
    }
}

fn file_parent(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    std::path::Path::new(path).parent().map(|p| p.to_path_buf())
}

// ---------------------------------------------------------------------------------------
// Per-collection row helpers (shared by reads and transactions).

async fn one_doc<T: DeserializeOwned>(
    c: &mut Conn,
    sql: &str,
    binds: &[&str],
) -> StoreResult<Option<T>> {
    let mut q = sqlx::query(AssertSqlSafe(sql.to_owned()));
    for b in binds {
        q = q.bind(*b);
    }
    match q.fetch_optional(&mut *c).await? {
        Some(row) => Ok(Some(from_doc(row.get::<&str, _>(0))?)),
        None => Ok(None),
    }
}

async fn many_docs<T: DeserializeOwned>(
    c: &mut Conn,
    sql: &str,
    binds: &[&str],
) -> StoreResult<Vec<T>> {
    let mut q = sqlx::query(AssertSqlSafe(sql.to_owned()));
    for b in binds {
        q = q.bind(*b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    rows.iter().map(|r| from_doc(r.get::<&str, _>(0))).collect()
}

fn roles_col(roles: &[String]) -> String {
    format!(",{},", roles.join(","))
}

async fn put_user(
    c: &mut Conn,
    u: &User,
    insert: bool,
    password_hash: Option<&str>,
) -> StoreResult<()> {
    let doc = to_doc(u)?;
    let email = u.first_email().map(|e| e.to_lowercase());
    let sql = if insert {
        "INSERT INTO users (id, username, email, roles, is_agent, active, status, status_connection,
            status_livechat, livechat_count, last_routing_time, doc, password_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    } else {
        "UPDATE users SET username = ?2, email = ?3, roles = ?4, is_agent = ?5, active = ?6, status = ?7,
            status_connection = ?8, status_livechat = ?9, livechat_count = ?10, last_routing_time = ?11,
            doc = ?12
         WHERE id = ?1"
    };
    let r = sqlx::query(sql)
        .bind(&u.id)
        .bind(&u.username)
        .bind(email)
        .bind(roles_col(&u.roles))
        .bind(u.has_role("livechat-agent"))
        .bind(u.active)
        .bind(&u.status)
        .bind(&u.status_connection)
        .bind(&u.status_livechat)
        .bind(u.livechat_count.unwrap_or(0))
        .bind(u.last_routing_time.map(|t| t.millis()))
        .bind(doc)
        .bind(password_hash)
        .execute(&mut *c)
        .await;
    match r {
        Ok(_) => Ok(()),
        Err(e) => match unique_violation(&e) {
            Some(m) if m.contains("email") => Err(StoreError::Duplicate("email")),
            Some(_) => Err(StoreError::Duplicate("username")),
            None => Err(e.into()),
        },
    }
}

async fn put_visitor(c: &mut Conn, v: &Visitor, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO visitors (id, token, phone, email, doc) VALUES (?1, ?2, ?3, ?4, ?5)"
    } else {
        "UPDATE visitors SET token = ?2, phone = ?3, email = ?4, doc = ?5 WHERE id = ?1"
    };
    let r = sqlx::query(sql)
        .bind(&v.id)
        .bind(&v.token)
        .bind(v.first_phone())
        .bind(v.first_email().map(|e| e.to_lowercase()))
        .bind(to_doc(v)?)
        .execute(&mut *c)
        .await;
    match r {
        Ok(_) => Ok(()),
        Err(e) if unique_violation(&e).is_some() => Err(StoreError::Duplicate("token")),
        Err(e) => Err(e.into()),
    }
}

async fn put_room(c: &mut Conn, r: &Room, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO rooms (id, token, open, department_id, served_by, ts, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    } else {
        "UPDATE rooms SET token = ?2, open = ?3, department_id = ?4, served_by = ?5, ts = ?6, doc = ?7 WHERE id = ?1"
    };
    let res = sqlx::query(sql)
        .bind(&r.id)
        .bind(&r.v.token)
        .bind(r.is_open())
        .bind(&r.department_id)
        .bind(r.served_by_id())
        .bind(r.ts.millis())
        .bind(to_doc(r)?)
        .execute(&mut *c)
        .await;
    match res {
        Ok(_) => Ok(()),
        Err(e) if unique_violation(&e).is_some() => Err(StoreError::Duplicate("open room")),
        Err(e) => Err(e.into()),
    }
}

async fn put_inquiry(c: &mut Conn, i: &Inquiry, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO inquiries (id, rid, status, department, ts, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    } else {
        "UPDATE inquiries SET rid = ?2, status = ?3, department = ?4, ts = ?5, doc = ?6 WHERE id = ?1"
    };
    sqlx::query(sql)
        .bind(&i.id)
        .bind(&i.rid)
        .bind(&i.status)
        .bind(&i.department)
        .bind(i.ts.millis())
        .bind(to_doc(i)?)
        .execute(&mut *c)
        .await?;
    Ok(())
}

async fn insert_message(c: &mut Conn, m: &Message) -> StoreResult<()> {
    sqlx::query("INSERT INTO messages (id, rid, ts, t, hidden, token, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(&m.id)
        .bind(&m.rid)
        .bind(m.ts.millis())
        .bind(&m.t)
        .bind(m.hidden)
        .bind(&m.token)
        .bind(to_doc(m)?)
        .execute(&mut *c)
        .await?;
    Ok(())
}

async fn put_department(c: &mut Conn, d: &Department, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO departments (id, name, enabled, doc) VALUES (?1, ?2, ?3, ?4)"
    } else {
        "UPDATE departments SET name = ?2, enabled = ?3, doc = ?4 WHERE id = ?1"
    };
    sqlx::query(sql)
        .bind(&d.id)
        .bind(&d.name)
        .bind(d.enabled)
        .bind(to_doc(d)?)
        .execute(&mut *c)
        .await?;
    Ok(())
}

fn department_agent_from_row(r: &sqlx::sqlite::SqliteRow) -> DepartmentAgent {
    DepartmentAgent {
        id: r.get("id"),
        agent_id: r.get("agent_id"),
        department_id: r.get("department_id"),
        department_enabled: r.get("department_enabled"),
        username: r.get("username"),
        count: r.get("count"),
        order: r.get("ord"),
        updated_at: Ts::from_millis(r.get("updated_at")),
    }
}

const DEPT_AGENT_COLS: &str =
    "id, agent_id, department_id, department_enabled, username, count, ord, updated_at";

/// The availability filter of spec §4.5 over `users u`, with the open-chat limit.
fn availability_sql(q: &AgentQuery) -> String {
    let mut s = String::from(
        "u.is_agent = 1 AND u.active = 1 AND u.status_livechat = 'available' AND u.status <> 'offline'",
    );
    if !q.idle_ok {
        s.push_str(" AND COALESCE(u.status_connection, '') <> 'away'");
    }
    if q.max_chats.is_some_and(|m| m > 0) {
        s.push_str(
            " AND (SELECT COUNT(*) FROM rooms r WHERE r.served_by = u.id AND r.open = 1) < ?2",
        );
    }
    s
}

async fn load<T: DeserializeOwned>(c: &mut Conn, table: &str, id: &str) -> StoreResult<Option<T>> {
    one_doc(c, &format!("SELECT doc FROM {table} WHERE id = ?1"), &[id]).await
}

/// Chooses an agent for `q` and applies the routing method's bookkeeping (counters,
/// last routing time) in the caller's transaction.
async fn pick_agent(c: &mut Conn, q: &AgentQuery, now: Ts) -> StoreResult<Option<SelectedAgent>> {
    let avail = availability_sql(q);
    let ignore = q.ignore_agent.clone().unwrap_or_default();
    let max = q.max_chats.unwrap_or(0);
    let order = match q.order {
        AgentOrder::LeastAssigned => {
            if q.department.is_some() {
                "da.count, da.ord, u.username"
            } else {
                "u.livechat_count, u.username"
            }
        }
        AgentOrder::LeastBusy => {
            "(SELECT COUNT(*) FROM rooms r2 WHERE r2.served_by = u.id AND r2.open = 1), u.username"
        }
        AgentOrder::LongestIdle => "COALESCE(u.last_routing_time, 0), u.username",
    };
    let row = if let Some(dept) = &q.department {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT u.id, u.username, da.id FROM department_agents da JOIN users u ON u.id = da.agent_id
             WHERE da.department_id = ?3 AND u.id <> ?1 AND {avail} ORDER BY {order} LIMIT 1"
        )))
        .bind(&ignore)
        .bind(max)
        .bind(dept)
        .fetch_optional(&mut *c)
        .await?
    } else {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT u.id, u.username, NULL FROM users u WHERE u.id <> ?1 AND {avail} ORDER BY {order} LIMIT 1"
        )))
        .bind(&ignore)
        .bind(max)
        .fetch_optional(&mut *c)
        .await?
    };
    let Some(row) = row else { return Ok(None) };
    let agent = SelectedAgent {
        agent_id: row.get(0),
        username: row.get(1),
    };
    let dept_agent_id: Option<String> = row.get(2);
    match q.order {
        AgentOrder::LeastAssigned => {
            if let Some(da) = dept_agent_id {
                sqlx::query("UPDATE department_agents SET count = count + 1 WHERE id = ?1")
                    .bind(da)
                    .execute(&mut *c)
                    .await?;
            } else {
                bump_user(c, &agent.agent_id, |u| {
                    u.livechat_count = Some(u.livechat_count.unwrap_or(0) + 1)
                })
                .await?;
            }
        }
        AgentOrder::LongestIdle => {
            bump_user(c, &agent.agent_id, |u| u.last_routing_time = Some(now)).await?;
        }
        AgentOrder::LeastBusy => {}
    }
    Ok(Some(agent))
}

async fn bump_user(c: &mut Conn, id: &str, f: impl FnOnce(&mut User)) -> StoreResult<()> {
    if let Some(mut u) = load::<User>(c, "users", id).await? {
        f(&mut u);
        put_user(c, &u, false, None).await?;
    }
    Ok(())
}

async fn agent_is_available(c: &mut Conn, agent_id: &str, q: &AgentQuery) -> StoreResult<bool> {
    let avail = availability_sql(q);
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT 1 FROM users u WHERE u.id = ?1 AND {avail}"
    )))
    .bind(agent_id)
    .bind(q.max_chats.unwrap_or(0))
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.is_some())
}

async fn open_chats(c: &mut Conn, agent_id: &str) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM rooms WHERE served_by = ?1 AND open = 1")
            .bind(agent_id)
            .fetch_one(&mut *c)
            .await?,
    )
}

/// Assigns the inquiry's room to an agent inside the caller's transaction (upstream's
/// `takeInquiry` + `assignAgent`): inquiry taken, subscription, `servedBy`, `usersCount`,
/// and the `command`/`connected` and `uj` messages.
async fn take_in_tx(
    c: &mut Conn,
    inquiry_id: &str,
    choice: &AgentChoice,
    a: &Assignment,
) -> StoreResult<TakeOutcome> {
    let Some(mut inquiry) = load::<Inquiry>(c, "inquiries", inquiry_id).await? else {
        return Ok(TakeOutcome::InquiryNotFound);
    };
    let Some(mut room) = load::<Room>(c, "rooms", &inquiry.rid).await? else {
        return Ok(TakeOutcome::InquiryNotFound);
    };
    if !room.is_open() {
        return Ok(TakeOutcome::RoomClosed);
    }
    let agent = match choice {
        AgentChoice::Agent(agent) => {
            if room.served_by_id() == Some(agent.agent_id.as_str()) {
                return Ok(TakeOutcome::Unchanged(room));
            }
            if let Some(max) = a.max_chats.filter(|m| *m > 0)
                && open_chats(c, &agent.agent_id).await? >= max
            {
                return Ok(TakeOutcome::AgentAtLimit);
            }
            agent.clone()
        }
        AgentChoice::Route { preferred, query } => {
            let preferred = match preferred {
                Some(p) if agent_is_available(c, &p.agent_id, query).await? => Some(p.clone()),
                _ => None,
            };
            match preferred {
                Some(p) => p,
                None => match pick_agent(c, query, a.now).await? {
                    Some(agent) => agent,
                    None => return Ok(TakeOutcome::NoAgent(room)),
                },
            }
        }
    };
    let Some(user) = load::<User>(c, "users", &agent.agent_id).await? else {
        return Ok(TakeOutcome::AgentUnavailable);
    };
    let now = a.now;
    inquiry.status = inquiry_status::TAKEN.into();
    inquiry.taken_at = Some(now);
    inquiry.default_agent = None;
    inquiry.queued_at = None;
    inquiry.updated_at = now;
    put_inquiry(c, &inquiry, false).await?;

    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM subscriptions WHERE rid = ?1 AND user_id = ?2")
            .bind(&room.id)
            .bind(&user.id)
            .fetch_optional(&mut *c)
            .await?;
    if exists.is_none() {
        let sub = Subscription {
            id: a.subscription_id.clone(),
            rid: room.id.clone(),
            name: inquiry.name.clone(),
            fname: inquiry.name.clone(),
            alert: true,
            open: true,
            unread: 1,
            user_mentions: 1,
            group_mentions: 0,
            u: UserRef {
                id: user.id.clone(),
                username: user.username.clone(),
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
        sqlx::query("INSERT INTO subscriptions (id, rid, user_id, doc) VALUES (?1, ?2, ?3, ?4)")
            .bind(&sub.id)
            .bind(&sub.rid)
            .bind(&user.id)
            .bind(to_doc(&sub)?)
            .execute(&mut *c)
            .await?;
    }

    room.served_by = Some(ServedBy {
        id: user.id.clone(),
        username: user.username.clone(),
        ts: now,
    });
    room.users_count += 1;
    room.msgs += 2;
    room.updated_at = now;
    put_room(c, &room, false).await?;
    let u = user.user_ref();
    insert_message(
        c,
        &Message::system(
            a.connected_msg_id.clone(),
            "command",
            &room.id,
            "connected",
            u.clone(),
            now,
        ),
    )
    .await?;
    insert_message(
        c,
        &Message::system(a.joined_msg_id.clone(), "uj", &room.id, "", u, now),
    )
    .await?;
    Ok(TakeOutcome::Taken {
        room,
        agent: SelectedAgent {
            agent_id: user.id,
            username: user.username,
        },
    })
}

/// A document kept in its own table, written through its `put_*` function.
trait DocRow: DeserializeOwned + Send + Sync + Sized {
    const TABLE: &'static str;
    fn put<'a>(
        c: &'a mut Conn,
        d: &'a Self,
    ) -> impl std::future::Future<Output = StoreResult<()>> + Send + 'a;
}

macro_rules! doc_row {
    ($t:ty, $table:literal, |$c:ident, $d:ident| $put:expr) => {
        impl DocRow for $t {
            const TABLE: &'static str = $table;
            fn put<'a>(
                $c: &'a mut Conn,
                $d: &'a Self,
            ) -> impl std::future::Future<Output = StoreResult<()>> + Send + 'a {
                $put
            }
        }
    };
}

doc_row!(User, "users", |c, d| put_user(c, d, false, None));
doc_row!(Visitor, "visitors", |c, d| put_visitor(c, d, false));
doc_row!(Room, "rooms", |c, d| put_room(c, d, false));
doc_row!(Inquiry, "inquiries", |c, d| put_inquiry(c, d, false));
doc_row!(Department, "departments", |c, d| put_department(
    c, d, false
));

/// Read, change and write one document inside the caller's transaction.
async fn modify_in_tx<T: DocRow>(
    c: &mut Conn,
    id: &str,
    f: &ModifyFn<T>,
) -> StoreResult<Option<T>> {
    let Some(mut doc) = load::<T>(c, T::TABLE, id).await? else {
        return Ok(None);
    };
    f(&mut doc).map_err(StoreError::Rejected)?;
    T::put(c, &doc).await?;
    Ok(Some(doc))
}

/// Runs `body` as one operation of the writer's next batch. Borrowed arguments are copied
/// first (`[strings]`, `[other references]`) so the operation can travel to the writer.
macro_rules! in_tx {
    ($self:ident, [$($s:ident),*], [$($r:ident),*], |$c:ident| $body:expr) => {{
        $( let $s: String = $s.to_owned(); )*
        $( let $r = $r.to_owned(); )*
        $self
            .writer
            .run(move |$c: &mut Conn| {
                Box::pin(async move {
                    $( let $s: &str = $s.as_str(); )*
                    $( let $r = &$r; )*
                    $body
                })
            })
            .await
    }};
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert_user(&self, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
        let password_hash = password_hash.map(str::to_owned);
        in_tx!(self, [], [user], |c| put_user(
            c,
            user,
            true,
            password_hash.as_deref()
        )
        .await)
    }
    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        load(&mut *self.rconn().await?, "users", id).await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        one_doc(
            &mut *self.rconn().await?,
            "SELECT doc FROM users WHERE username = ?1",
            &[username],
        )
        .await
    }
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let e = email.to_lowercase();
        one_doc(
            &mut *self.rconn().await?,
            "SELECT doc FROM users WHERE email = ?1",
            &[&e],
        )
        .await
    }
    async fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?1")
                .bind(user_id)
                .fetch_optional(&mut *self.rconn().await?)
                .await?
                .flatten(),
        )
    }
    async fn set_password_hash(&self, user_id: &str, hash: &str) -> StoreResult<()> {
        in_tx!(self, [user_id, hash], [], |c| {
            sqlx::query("UPDATE users SET password_hash = ?2 WHERE id = ?1")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    async fn modify_user(&self, id: &str, f: Modify<User>) -> StoreResult<Option<User>> {
        in_tx!(self, [id], [], |c| modify_in_tx(c, id, &*f).await)
    }
    async fn delete_user(&self, id: &str) -> StoreResult<bool> {
        in_tx!(self, [id], [], |c| async {
            sqlx::query("DELETE FROM login_tokens WHERE user_id = ?1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            let depts: Vec<String> = sqlx::query_scalar(
                "SELECT department_id FROM department_agents WHERE agent_id = ?1",
            )
            .bind(id)
            .fetch_all(&mut *c)
            .await?;
            sqlx::query("DELETE FROM department_agents WHERE agent_id = ?1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            for d in depts {
                refresh_num_agents(c, &d).await?;
            }
            let r = sqlx::query("DELETE FROM users WHERE id = ?1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() > 0)
        }
        .await)
    }
    async fn count_users_with_role(&self, role: &str) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE instr(roles, ?1) > 0")
                .bind(format!(",{role},"))
                .fetch_one(&mut *self.rconn().await?)
                .await?,
        )
    }
    async fn list_users(&self, q: &UserQuery) -> StoreResult<(Vec<User>, i64)> {
        let mut wh = vec!["1 = 1".to_string()];
        if q.role.is_some() {
            wh.push("instr(roles, ?1) > 0".into());
        }
        if q.text.is_some() {
            wh.push("(username LIKE ?2 ESCAPE '\\' OR json_extract(doc, '$.name') LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\')".into());
        }
        if q.only_available {
            wh.push("status_livechat = 'available'".into());
        }
        if q.exclude_id.is_some() {
            wh.push("id <> ?3".into());
        }
        let wh = wh.join(" AND ");
        let order: Vec<String> = q
            .sort
            .iter()
            .filter_map(|(f, asc)| {
                let col = match f.as_str() {
                    "username" => "username",
                    "name" => "json_extract(doc, '$.name')",
                    "status" => "status",
                    "statusLivechat" => "status_livechat",
                    "livechatCount" => "livechat_count",
                    "_id" => "id",
                    _ => return None,
                };
                Some(format!("{col} {}", if *asc { "ASC" } else { "DESC" }))
            })
            .collect();
        let order = if order.is_empty() {
            "username ASC".to_string()
        } else {
            order.join(", ")
        };
        let role = q.role.as_ref().map(|r| format!(",{r},"));
        let text = q.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
        let mut c = self.rconn().await?;
        let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM users WHERE {wh}"
        )))
        .bind(&role)
        .bind(&text)
        .bind(&q.exclude_id)
        .fetch_one(&mut *c)
        .await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT doc FROM users WHERE {wh} ORDER BY {order} LIMIT ?4 OFFSET ?5"
        )))
        .bind(&role)
        .bind(&text)
        .bind(&q.exclude_id)
        .bind(if q.count <= 0 { -1 } else { q.count })
        .bind(q.offset)
        .fetch_all(&mut *c)
        .await?;
        let users = rows
            .iter()
            .map(|r| from_doc(r.get::<&str, _>(0)))
            .collect::<StoreResult<_>>()?;
        Ok((users, total))
    }
    async fn insert_login_token(&self, user_id: &str, hashed: &str, when: Ts) -> StoreResult<()> {
        in_tx!(self, [user_id, hashed], [], |c| {
            sqlx::query(
                "INSERT INTO login_tokens (hashed, user_id, created_at) VALUES (?1, ?2, ?3)",
            )
            .bind(hashed)
            .bind(user_id)
            .bind(when.millis())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    async fn user_by_login_token(&self, hashed: &str) -> StoreResult<Option<User>> {
        one_doc(
            &mut *self.rconn().await?,
            "SELECT u.doc FROM login_tokens t JOIN users u ON u.id = t.user_id WHERE t.hashed = ?1",
            &[hashed],
        )
        .await
    }
    async fn delete_login_token(&self, hashed: &str) -> StoreResult<()> {
        in_tx!(self, [hashed], [], |c| {
            sqlx::query("DELETE FROM login_tokens WHERE hashed = ?1")
                .bind(hashed)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    async fn settings(&self) -> StoreResult<Vec<(String, Value)>> {
        let rows = sqlx::query("SELECT id, value FROM settings")
            .fetch_all(&mut *self.rconn().await?)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.get::<String, _>(0),
                    serde_json::from_str(r.get::<&str, _>(1))?,
                ))
            })
            .collect()
    }
    async fn put_setting(&self, id: &str, value: &Value) -> StoreResult<()> {
        let value = serde_json::to_string(value)?;
        in_tx!(self, [id, value], [], |c| {
            sqlx::query(
                "INSERT INTO settings (id, value) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET value = excluded.value",
            )
            .bind(id)
            .bind(value)
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }
    async fn incr_setting(&self, id: &str, default: i64) -> StoreResult<i64> {
        in_tx!(self, [id], [], |c| {
            let v: String = sqlx::query_scalar(
                "INSERT INTO settings (id, value) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE
                 SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT) RETURNING value",
            )
            .bind(id)
            .bind((default + 1).to_string())
            .fetch_one(&mut *c)
            .await?;
            Ok(v.parse().unwrap_or(default + 1))
        })
    }

    async fn visitor(&self, id: &str) -> StoreResult<Option<Visitor>> {
        load(&mut *self.rconn().await?, "visitors", id).await
    }
    async fn visitor_by_token(&self, token: &str) -> StoreResult<Option<Visitor>> {
        one_doc(
            &mut *self.rconn().await?,
            "SELECT doc FROM visitors WHERE token = ?1",
            &[token],
        )
        .await
    }
    async fn visitor_by_phone(&self, phone: &str) -> StoreResult<Option<Visitor>> {
        one_doc(
            &mut *self.rconn().await?,
            "SELECT doc FROM visitors WHERE phone = ?1 LIMIT 1",
            &[phone],
        )
        .await
    }
    async fn visitor_by_email(&self, email: &str) -> StoreResult<Option<Visitor>> {
        let e = email.to_lowercase();
        one_doc(
            &mut *self.rconn().await?,
            "SELECT doc FROM visitors WHERE email = ?1 LIMIT 1",
            &[&e],
        )
        .await
    }
    async fn insert_visitor(&self, v: &Visitor) -> StoreResult<()> {
        in_tx!(self, [], [v], |c| put_visitor(c, v, true).await)
    }
    async fn modify_visitor(&self, id: &str, f: Modify<Visitor>) -> StoreResult<Option<Visitor>> {
        in_tx!(self, [id], [], |c| modify_in_tx(c, id, &*f).await)
    }
    async fn remove_visitor_data(&self, token: &str, anonymised: &Visitor) -> StoreResult<()> {
        in_tx!(self, [token], [anonymised], |c| async {
            for sql in [
                "DELETE FROM messages WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
                "DELETE FROM messages WHERE rid IS NULL AND token = ?1",
                "DELETE FROM subscriptions WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
                "DELETE FROM inquiries WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
                "DELETE FROM rooms WHERE token = ?1",
            ] {
                sqlx::query(sql).bind(token).execute(&mut *c).await?;
            }
            put_visitor(c, anonymised, false).await
        }
        .await)
    }

    async fn room(&self, id: &str) -> StoreResult<Option<Room>> {
        load(&mut *self.rconn().await?, "rooms", id).await
    }
    async fn open_room_by_token(&self, token: &str) -> StoreResult<Option<Room>> {
        one_doc(
            &mut *self.rconn().await?,
            "SELECT doc FROM rooms WHERE token = ?1 AND open = 1",
            &[token],
        )
        .await
    }
    async fn open_room_json(
        &self,
        token: &str,
    ) -> StoreResult<Option<Box<serde_json::value::RawValue>>> {
        let doc: Option<String> =
            sqlx::query_scalar("SELECT doc FROM rooms WHERE token = ?1 AND open = 1")
                .bind(token)
                .fetch_optional(&mut *self.rconn().await?)
                .await?;
        Ok(match doc {
            Some(d) => Some(serde_json::value::RawValue::from_string(d)?),
            None => None,
        })
    }
    async fn room_by_token(&self, token: &str, rid: Option<&str>) -> StoreResult<Option<Room>> {
        let mut c = self.rconn().await?;
        match rid {
            Some(rid) => {
                one_doc(
                    &mut c,
                    "SELECT doc FROM rooms WHERE id = ?1 AND token = ?2",
                    &[rid, token],
                )
                .await
            }
            None => {
                one_doc(
                    &mut c,
                    "SELECT doc FROM rooms WHERE token = ?1 ORDER BY open DESC, ts DESC LIMIT 1",
                    &[token],
                )
                .await
            }
        }
    }
    async fn open_rooms_by_token(&self, token: &str) -> StoreResult<Vec<Room>> {
        many_docs(
            &mut *self.rconn().await?,
            "SELECT doc FROM rooms WHERE token = ?1 AND open = 1",
            &[token],
        )
        .await
    }
    async fn create_room(&self, new: NewRoom) -> StoreResult<CreatedRoom> {
        let token = new.room.v.token.clone();
        let res: StoreResult<CreatedRoom> = in_tx!(self, [], [], |c| async {
            if let Some(room) = one_doc::<Room>(
                c,
                "SELECT doc FROM rooms WHERE token = ?1 AND open = 1",
                &[new.room.v.token.as_str()],
            )
            .await?
            {
                return Ok(CreatedRoom {
                    room,
                    created: false,
                    agent: None,
                });
            }
            put_room(c, &new.room, true).await?;
            put_inquiry(c, &new.inquiry, true).await?;
            for m in &new.messages {
                insert_message(c, m).await?;
            }
            let mut room = new.room.clone();
            let mut agent = None;
            if let Some((choice, a)) = &new.route {
                match take_in_tx(c, &new.inquiry.id, choice, a).await? {
                    TakeOutcome::Taken { room: r, agent: ag } => {
                        room = r;
                        agent = Some(ag);
                    }
                    TakeOutcome::Unchanged(r) | TakeOutcome::NoAgent(r) => room = r,
                    _ => {}
                }
            }
            Ok(CreatedRoom {
                room,
                created: true,
                agent,
            })
        }
        .await);
        match res {
            // Lost a race the transaction could not see: the other request's room wins.
            Err(StoreError::Duplicate("open room")) => match self.open_room_by_token(&token).await?
            {
                Some(room) => Ok(CreatedRoom {
                    room,
                    created: false,
                    agent: None,
                }),
                None => Err(StoreError::Duplicate("open room")),
            },
            other => other,
        }
    }
    async fn modify_room(&self, id: &str, f: Modify<Room>) -> StoreResult<Option<Room>> {
        in_tx!(self, [id], [], |c| modify_in_tx(c, id, &*f).await)
    }
    async fn modify_open_rooms_by_token(
        &self,
        token: &str,
        f: Modify<Room>,
    ) -> StoreResult<Vec<Room>> {
        in_tx!(self, [token], [], |c| async {
            let rooms: Vec<Room> = many_docs(
                c,
                "SELECT doc FROM rooms WHERE token = ?1 AND open = 1",
                &[token],
            )
            .await?;
            let mut out = Vec::with_capacity(rooms.len());
            for mut r in rooms {
                f(&mut r).map_err(StoreError::Rejected)?;
                put_room(c, &r, false).await?;
                if let Some(mut inq) =
                    one_doc::<Inquiry>(c, "SELECT doc FROM inquiries WHERE rid = ?1", &[&r.id])
                        .await?
                {
                    inq.v = r.v.clone();
                    inq.name = r.fname.clone();
                    put_inquiry(c, &inq, false).await?;
                }
                out.push(r);
            }
            Ok(out)
        }
        .await)
    }

    async fn inquiry(&self, id: &str) -> StoreResult<Option<Inquiry>> {
        load(&mut *self.rconn().await?, "inquiries", id).await
    }
    async fn inquiry_by_room(&self, rid: &str) -> StoreResult<Option<Inquiry>> {
        one_doc(
            &mut *self.rconn().await?,
            "SELECT doc FROM inquiries WHERE rid = ?1",
            &[rid],
        )
        .await
    }
    async fn modify_inquiry(&self, id: &str, f: Modify<Inquiry>) -> StoreResult<Option<Inquiry>> {
        in_tx!(self, [id], [], |c| modify_in_tx(c, id, &*f).await)
    }
    async fn take_inquiry(
        &self,
        inquiry_id: &str,
        choice: &AgentChoice,
        a: &Assignment,
    ) -> StoreResult<TakeOutcome> {
        in_tx!(self, [inquiry_id], [choice, a], |c| take_in_tx(
            c, inquiry_id, choice, a
        )
        .await)
    }
    async fn next_agent(&self, q: &AgentQuery) -> StoreResult<Option<SelectedAgent>> {
        let now = Ts::from_millis(chrono::Utc::now().timestamp_millis());
        in_tx!(self, [], [q], |c| pick_agent(c, q, now).await)
    }
    async fn available_agents(&self, q: &AgentQuery) -> StoreResult<Vec<User>> {
        let avail = availability_sql(q);
        let mut c = self.rconn().await?;
        let rows = if let Some(d) = &q.department {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT u.doc FROM department_agents da JOIN users u ON u.id = da.agent_id
                 WHERE da.department_id = ?3 AND u.id <> ?1 AND {avail} ORDER BY u.username"
            )))
            .bind(q.ignore_agent.clone().unwrap_or_default())
            .bind(q.max_chats.unwrap_or(0))
            .bind(d)
            .fetch_all(&mut *c)
            .await?
        } else {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT u.doc FROM users u WHERE u.id <> ?1 AND {avail} ORDER BY u.username"
            )))
            .bind(q.ignore_agent.clone().unwrap_or_default())
            .bind(q.max_chats.unwrap_or(0))
            .fetch_all(&mut *c)
            .await?
        };
        rows.iter().map(|r| from_doc(r.get::<&str, _>(0))).collect()
    }

    async fn messages_of_room(&self, rid: &str) -> StoreResult<Vec<Message>> {
        many_docs(
            &mut *self.rconn().await?,
            "SELECT doc FROM messages WHERE rid = ?1 ORDER BY ts, rowid",
            &[rid],
        )
        .await
    }
    async fn subscriptions_of_room(&self, rid: &str) -> StoreResult<Vec<Subscription>> {
        many_docs(
            &mut *self.rconn().await?,
            "SELECT doc FROM subscriptions WHERE rid = ?1",
            &[rid],
        )
        .await
    }

    async fn insert_department(&self, d: &Department) -> StoreResult<()> {
        in_tx!(self, [], [d], |c| put_department(c, d, true).await)
    }
    async fn department(&self, id: &str) -> StoreResult<Option<Department>> {
        load(&mut *self.rconn().await?, "departments", id).await
    }
    async fn department_by_name(&self, name: &str) -> StoreResult<Option<Department>> {
        one_doc(
            &mut *self.rconn().await?,
            "SELECT doc FROM departments WHERE name = ?1 LIMIT 1",
            &[name],
        )
        .await
    }
    async fn modify_department(
        &self,
        id: &str,
        f: Modify<Department>,
    ) -> StoreResult<Option<Department>> {
        in_tx!(self, [id], [], |c| async {
            let out = modify_in_tx(c, id, &*f).await?;
            if let Some(d) = &out {
                sqlx::query(
                    "UPDATE department_agents SET department_enabled = ?2 WHERE department_id = ?1",
                )
                .bind(&d.id)
                .bind(d.enabled)
                .execute(&mut *c)
                .await?;
            }
            Ok(out)
        }
        .await)
    }
    async fn delete_department(&self, id: &str) -> StoreResult<bool> {
        in_tx!(self, [id], [], |c| async {
            sqlx::query("DELETE FROM department_agents WHERE department_id = ?1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            let r = sqlx::query("DELETE FROM departments WHERE id = ?1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() > 0)
        }
        .await)
    }
    async fn list_departments(&self, q: &DepartmentQuery) -> StoreResult<(Vec<Department>, i64)> {
        let mut wh = vec!["1 = 1".to_string()];
        if q.text.is_some() {
            wh.push("name LIKE ?1 ESCAPE '\\'".into());
        }
        if q.enabled.is_some() {
            wh.push("enabled = ?2".into());
        }
        if q.exclude_id.is_some() {
            wh.push("id <> ?3".into());
        }
        if let Some(ids) = &q.ids {
            let list: Vec<String> = ids
                .iter()
                .map(|i| format!("'{}'", i.replace('\'', "''")))
                .collect();
            wh.push(format!("id IN ({})", list.join(",")));
        }
        let wh = wh.join(" AND ");
        let text = q.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
        let mut c = self.rconn().await?;
        let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM departments WHERE {wh}"
        )))
        .bind(&text)
        .bind(q.enabled)
        .bind(&q.exclude_id)
        .fetch_one(&mut *c)
        .await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT doc FROM departments WHERE {wh} ORDER BY name LIMIT ?4 OFFSET ?5"
        )))
        .bind(&text)
        .bind(q.enabled)
        .bind(&q.exclude_id)
        .bind(if q.count <= 0 { -1 } else { q.count })
        .bind(q.offset)
        .fetch_all(&mut *c)
        .await?;
        let ds = rows
            .iter()
            .map(|r| from_doc(r.get::<&str, _>(0)))
            .collect::<StoreResult<_>>()?;
        Ok((ds, total))
    }
    async fn departments_with_agents(&self) -> StoreResult<Vec<Department>> {
        many_docs(
            &mut *self.rconn().await?,
            "SELECT doc FROM departments d WHERE enabled = 1
             AND EXISTS (SELECT 1 FROM department_agents da WHERE da.department_id = d.id) ORDER BY name",
            &[],
        )
        .await
    }
    async fn department_agents(&self, department_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DEPT_AGENT_COLS} FROM department_agents WHERE department_id = ?1 ORDER BY username"
        )))
        .bind(department_id)
        .fetch_all(&mut *self.rconn().await?)
        .await?;
        Ok(rows.iter().map(department_agent_from_row).collect())
    }
    async fn agent_departments(&self, agent_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DEPT_AGENT_COLS} FROM department_agents WHERE agent_id = ?1 ORDER BY department_id"
        )))
        .bind(agent_id)
        .fetch_all(&mut *self.rconn().await?)
        .await?;
        Ok(rows.iter().map(department_agent_from_row).collect())
    }
    async fn update_department_agents(
        &self,
        department_id: &str,
        upsert: &[DepartmentAgent],
        remove: &[String],
    ) -> StoreResult<()> {
        in_tx!(self, [department_id], [upsert, remove], |c| {
            async {
            for agent_id in remove {
                sqlx::query("DELETE FROM department_agents WHERE department_id = ?1 AND agent_id = ?2")
                    .bind(department_id)
                    .bind(agent_id)
                    .execute(&mut *c)
                    .await?;
            }
            for a in upsert {
                sqlx::query(
                    "INSERT INTO department_agents (id, agent_id, department_id, username, count, ord, department_enabled, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (department_id, agent_id) DO UPDATE SET username = excluded.username,
                        count = excluded.count, ord = excluded.ord, department_enabled = excluded.department_enabled,
                        updated_at = excluded.updated_at",
                )
                .bind(&a.id)
                .bind(&a.agent_id)
                .bind(department_id)
                .bind(&a.username)
                .bind(a.count)
                .bind(a.order)
                .bind(a.department_enabled)
                .bind(a.updated_at.millis())
                .execute(&mut *c)
                .await?;
            }
            refresh_num_agents(c, department_id).await
        }
        .await
        })
    }
}

async fn refresh_num_agents(c: &mut Conn, department_id: &str) -> StoreResult<()> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM department_agents WHERE department_id = ?1")
            .bind(department_id)
            .fetch_one(&mut *c)
            .await?;
    if let Some(mut d) = load::<Department>(c, "departments", department_id).await? {
        d.num_agents = n;
        put_department(c, &d, false).await?;
    }
    Ok(())
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
