use ferrochat::config::Config;
use ferrochat::time::{Clock, ManualClock, Ts};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASS: &str = "admin-pass";

/// A clock that answers a scripted list of times, one per read, then stays at the last:
/// for replaying timelines where a message's `ts` and the handling time differ.
pub struct ScriptClock {
    queue: std::sync::Mutex<(std::collections::VecDeque<Ts>, Ts)>,
}

impl ScriptClock {
    pub fn new(start: &str) -> Self {
        ScriptClock {
            queue: std::sync::Mutex::new((Default::default(), Ts::parse_iso(start).unwrap())),
        }
    }
    /// The next reads return these times in order.
    pub fn script(&self, times: &[&str]) {
        let mut q = self.queue.lock().unwrap();
        q.0.clear();
        for t in times {
            q.0.push_back(Ts::parse_iso(t).unwrap());
        }
    }
}

impl Clock for ScriptClock {
    fn now(&self) -> Ts {
        let mut q = self.queue.lock().unwrap();
        match q.0.pop_front() {
            Some(t) => {
                q.1 = t;
                t
            }
            None => q.1,
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub http: Client,
    pub admin: Creds,
    pub clock: Option<Arc<ManualClock>>,
    /// For waiting until background work (the outbox) has settled; assertions go through HTTP.
    pub store: ferrochat::store::SharedStore,
    /// For running one pass of a periodic job (the upload sweeper) on the test's clock.
    pub lc: ferrochat::domain::Livechat,
    pub files: ferrochat::files::SharedFiles,
    /// Where `/metrics` is served apart (`METRICS_BIND`), if it is.
    pub metrics_base: Option<String>,
    db: TestDb,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

#[derive(Clone, Debug)]
pub struct Creds {
    pub id: String,
    pub token: String,
    pub username: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(None).await
    }

    /// A server whose clock only moves when the test moves it.
    pub async fn spawn_with_clock(start: &str) -> TestApp {
        Self::spawn_with(Some(Arc::new(ManualClock::new(
            Ts::parse_iso(start).unwrap(),
        ))))
        .await
    }

    async fn spawn_with(clock: Option<Arc<ManualClock>>) -> TestApp {
        Self::spawn_opts(clock, true).await
    }

    /// A server on a scripted clock (see `ScriptClock`).
    pub async fn spawn_scripted(script: Arc<ScriptClock>) -> TestApp {
        Self::spawn_full(None, Some(script as Arc<dyn Clock>), true).await
    }

    /// A server with the REST rate limiter on (as in production).
    pub async fn spawn_rate_limited() -> TestApp {
        Self::spawn_opts(None, false).await
    }

    async fn spawn_opts(clock: Option<Arc<ManualClock>>, test_mode: bool) -> TestApp {
        let dynamic = clock.clone().map(|c| c as Arc<dyn Clock>);
        Self::spawn_full(clock, dynamic, test_mode).await
    }

    /// A server whose `LIVECHAT_WIDGET_DIR` is `widget_dir`.
    pub async fn spawn_with_widget(widget_dir: &std::path::Path) -> TestApp {
        let dir = widget_dir.to_path_buf();
        Self::spawn_configured(move |c| c.livechat_widget_dir = dir).await
    }

    async fn spawn_full(
        clock: Option<Arc<ManualClock>>,
        dynamic: Option<Arc<dyn Clock>>,
        test_mode: bool,
    ) -> TestApp {
        Self::spawn_inner(clock, dynamic, test_mode, |_| {}, |r| r).await
    }

    /// A server whose router the test wraps (e.g. in a layer that records matched routes).
    pub async fn spawn_wrapped(wrap: impl FnOnce(axum::Router) -> axum::Router) -> TestApp {
        Self::spawn_inner(None, None, true, |_| {}, wrap).await
    }

    /// A server whose process configuration the test adjusts (issue 8b: DNS server).
    pub async fn spawn_configured(f: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_inner(None, None, true, f, |r| r).await
    }

    /// A rate-limited server (as in production) whose configuration the test adjusts.
    pub async fn spawn_limited_configured(f: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_inner(None, None, false, f, |r| r).await
    }

    /// A server on a fresh SQLite file, whatever `TEST_DATABASE_URL` says.
    pub async fn spawn_sqlite() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::sqlite(&dir);
        Self::spawn_db(dir, db, None, None, true, |_| {}, |r| r).await
    }

    /// A server on a database made elsewhere (`fresh_pg_schema`), its files in `uploads`.
    pub async fn spawn_on(schema: PgSchema, uploads: std::path::PathBuf) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb {
            url: schema.url.clone(),
            path: String::new(),
            pg: Some((schema.base, schema.schema)),
            owns: true,
        };
        Self::spawn_db(
            dir,
            db,
            None,
            None,
            true,
            move |c| c.file_upload_path = Some(uploads),
            |r| r,
        )
        .await
    }

    async fn spawn_inner(
        clock: Option<Arc<ManualClock>>,
        dynamic: Option<Arc<dyn Clock>>,
        test_mode: bool,
        configure: impl FnOnce(&mut Config),
        wrap: impl FnOnce(axum::Router) -> axum::Router,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(&dir).await;
        Self::spawn_db(dir, db, clock, dynamic, test_mode, configure, wrap).await
    }

    async fn spawn_db(
        dir: tempfile::TempDir,
        db: TestDb,
        clock: Option<Arc<ManualClock>>,
        dynamic: Option<Arc<dyn Clock>>,
        test_mode: bool,
        configure: impl FnOnce(&mut Config),
        wrap: impl FnOnce(axum::Router) -> axum::Router,
    ) -> TestApp {
        let mut config = Config::for_tests(&db.url);
        config.test_mode = test_mode;
        config.admin_username = Some(ADMIN.into());
        config.admin_pass = Some(ADMIN_PASS.into());
        config.admin_email = Some("admin@example.com".into());
        config.file_upload_path = Some(dir.path().join("uploads"));
        configure(&mut config);
        let app = ferrochat::app::build(&config, dynamic).await.unwrap();
        let store = app.state.lc.store.clone();
        let (lc, files) = (app.state.lc.clone(), app.state.files.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let mut metrics_base = None;
        if let Some(router) = app.metrics_router {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            metrics_base = Some(format!("http://{}", listener.local_addr().unwrap()));
            tokio::spawn(ferrochat::app::serve(
                listener,
                router,
                app.limits,
                std::future::pending(),
            ));
        }
        tokio::spawn(ferrochat::app::serve(
            listener,
            wrap(app.router),
            app.limits,
            async {
                let _ = rx.await;
            },
        ));
        let http = Client::builder()
            .pool_max_idle_per_host(32)
            .build()
            .unwrap();
        let mut t = TestApp {
            base: format!("http://{addr}"),
            http,
            admin: Creds {
                id: String::new(),
                token: String::new(),
                username: ADMIN.into(),
            },
            clock,
            store,
            lc,
            files,
            metrics_base,
            db,
            _dir: dir,
            shutdown: Some(tx),
        };
        t.admin = t.login(ADMIN, ADMIN_PASS).await;
        t
    }

    pub async fn req(
        &self,
        method: Method,
        path: &str,
        auth: Option<&Creds>,
        body: Option<Value>,
    ) -> Resp {
        let mut r = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(a) = auth {
            r = r
                .header("X-User-Id", &a.id)
                .header("X-Auth-Token", &a.token);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            body,
            text,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.req(Method::GET, path, None, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.req(Method::POST, path, None, Some(body)).await
    }
    pub async fn get_as(&self, who: &Creds, path: &str) -> Resp {
        self.req(Method::GET, path, Some(who), None).await
    }
    pub async fn post_as(&self, who: &Creds, path: &str, body: Value) -> Resp {
        self.req(Method::POST, path, Some(who), Some(body)).await
    }

    pub async fn login(&self, user: &str, password: &str) -> Creds {
        let r = self
            .post("/api/v1/login", json!({"user": user, "password": password}))
            .await;
        assert_eq!(r.status, 200, "login failed: {}", r.text);
        Creds {
            id: r.body["data"]["userId"].as_str().unwrap().into(),
            token: r.body["data"]["authToken"].as_str().unwrap().into(),
            username: user.into(),
        }
    }

    pub async fn create_user(&self, username: &str, roles: &[&str]) -> Creds {
        let r = self
            .post_as(
                &self.admin,
                "/api/v1/users.create",
                json!({
                    "username": username,
                    "email": format!("{username}@example.com"),
                    "password": "pass",
                    "name": format!("Name {username}"),
                    "roles": if roles.is_empty() { vec!["user"] } else { roles.to_vec() },
                }),
            )
            .await;
        assert_eq!(r.status, 200, "users.create: {}", r.text);
        self.login(username, "pass").await
    }

    /// A livechat agent that is online and available, as upstream's tests prepare one.
    pub async fn create_agent(&self, username: &str) -> Creds {
        let c = self.create_user(username, &[]).await;
        let r = self
            .post_as(
                &self.admin,
                "/api/v1/livechat/users/agent",
                json!({"username": username}),
            )
            .await;
        assert_eq!(r.status, 200, "add agent: {}", r.text);
        self.make_available(&c).await;
        c
    }

    pub async fn make_available(&self, c: &Creds) {
        let r = self
            .post_as(c, "/api/v1/users.setStatus", json!({"status": "online"}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = self
            .post_as(
                c,
                "/api/v1/livechat/agent.status",
                json!({"status": "available"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    pub async fn set_setting(&self, id: &str, value: Value) {
        let r = self
            .post_as(
                &self.admin,
                &format!("/api/v1/settings/{id}"),
                json!({"value": value}),
            )
            .await;
        assert_eq!(r.status, 200, "setting {id}: {}", r.text);
    }

    /// Gives `permission` to `role` too, as an admin does through `permissions.update`
    /// (upstream's defaults keep e.g. forwarding and transcripts from plain agents).
    pub async fn grant(&self, permission: &str, role: &str) {
        let all = self
            .get_as(&self.admin, "/api/v1/permissions.listAll")
            .await;
        let mut roles: Vec<Value> = all.body["update"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["_id"] == permission)
            .unwrap_or_else(|| panic!("no permission {permission}"))["roles"]
            .as_array()
            .unwrap()
            .clone();
        if !roles.iter().any(|r| r == role) {
            roles.push(json!(role));
        }
        let r = self
            .post_as(
                &self.admin,
                "/api/v1/permissions.update",
                json!({"permissions": [{"_id": permission, "roles": roles}]}),
            )
            .await;
        assert_eq!(r.status, 200, "grant {permission}: {}", r.text);
    }

    pub async fn visitor(&self, token: &str) -> Value {
        let r = self
            .post(
                "/api/v1/livechat/visitor",
                json!({"visitor": {"token": token}}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body["visitor"].clone()
    }

    /// Where this server keeps uploaded files (`FILE_UPLOAD_PATH`).
    pub fn upload_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("uploads")
    }

    pub async fn room(&self, token: &str) -> Resp {
        self.get(&format!("/api/v1/livechat/room?token={token}"))
            .await
    }

    /// One value from the test's database (white-box checks of what was stored). The SQL
    /// is SQLite's; on PostgreSQL it goes through `pg_dialect`.
    pub fn db_one<T: DbValue>(&self, sql: &str, args: &[&str]) -> T {
        let mut rows = self.db_all::<T>(sql, args);
        assert!(!rows.is_empty(), "no row for {sql}");
        rows.swap_remove(0)
    }

    pub fn db_all<T: DbValue>(&self, sql: &str, args: &[&str]) -> Vec<T> {
        match &self.db.pg {
            None => {
                let c = rusqlite::Connection::open(&self.db.path).unwrap();
                let mut st = c.prepare(sql).unwrap();
                st.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
                    .unwrap()
                    .collect::<Result<Vec<T>, _>>()
                    .unwrap()
            }
            Some(_) => {
                let (url, sql) = (self.db.url.clone(), pg_dialect(sql));
                let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                // The test's runtime is busy running this test: query from a thread of our own.
                std::thread::spawn(move || {
                    block_on(async move {
                        use sqlx::Connection;
                        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                        let mut q = sqlx::query_scalar::<_, T>(sqlx::AssertSqlSafe(sql));
                        for a in args {
                            q = q.bind(a);
                        }
                        q.fetch_all(&mut c).await.unwrap()
                    })
                })
                .join()
                .unwrap()
            }
        }
    }

    /// The stored messages of type `t` in room `rid` (system messages no agent route lists,
    /// as upstream's `livechat/:rid/messages` leaves them out), oldest first.
    pub fn stored_messages(&self, rid: &str, t: &str) -> Vec<Value> {
        self.db_all::<String>(
            "SELECT CAST(doc AS TEXT) FROM messages WHERE rid = ?1 AND t = ?2 ORDER BY ts",
            &[rid, t],
        )
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
    }

    /// The `DATABASE_URL` this server runs on (a second store can open it).
    pub fn database_url(&self) -> String {
        self.db.url.clone()
    }

    pub fn set_time(&self, iso: &str) {
        self.clock
            .as_ref()
            .expect("no manual clock")
            .set(Ts::parse_iso(iso).unwrap());
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A value `db_one`/`db_all` can read from either store.
pub trait DbValue:
    rusqlite::types::FromSql
    + for<'r> sqlx::Decode<'r, sqlx::Postgres>
    + sqlx::Type<sqlx::Postgres>
    + Send
    + Unpin
    + 'static
{
}
impl DbValue for i64 {}
impl DbValue for String {}

/// The test's own database: a fresh SQLite file, or, when `TEST_DATABASE_URL` names a
/// PostgreSQL server, a fresh schema there (dropped at the end), so tests run in parallel.
struct TestDb {
    url: String,
    path: String,
    /// (server URL, schema)
    pg: Option<(String, String)>,
    /// Drops the schema at its end (one of the apps sharing a database does).
    owns: bool,
}

/// A fresh, empty PostgreSQL schema on `TEST_DATABASE_URL`'s server (dropped by the app that
/// `spawn_on` opens on it); `None` without `TEST_DATABASE_URL`.
pub struct PgSchema {
    pub url: String,
    base: String,
    schema: String,
}

pub async fn fresh_pg_schema() -> Option<PgSchema> {
    let base = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|b| !b.is_empty())?;
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL {base}: {e}"));
    drop_schemas_of_dead_runs(&mut c).await;
    // Named after this process, so a later run can drop what a killed one left.
    let schema = format!(
        "t{}_{}",
        std::process::id(),
        ferrochat::ids::random_id().to_lowercase()
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut c)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(PgSchema {
        url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
        base,
        schema,
    })
}

impl TestDb {
    async fn new(dir: &tempfile::TempDir) -> TestDb {
        match fresh_pg_schema().await {
            Some(s) => TestDb {
                url: s.url,
                path: dir.path().join("test.db").display().to_string(),
                pg: Some((s.base, s.schema)),
                owns: true,
            },
            None => Self::sqlite(dir),
        }
    }

    fn sqlite(dir: &tempfile::TempDir) -> TestDb {
        let path = dir.path().join("test.db").display().to_string();
        TestDb {
            url: format!("sqlite://{path}"),
            path,
            pg: None,
            owns: true,
        }
    }

    /// The same database, for another app.
    fn shared(&self) -> TestDb {
        TestDb {
            url: self.url.clone(),
            path: self.path.clone(),
            pg: self.pg.clone(),
            owns: false,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.pg.take().filter(|_| self.owns) {
            // Not joined: the server's last transactions run on the test's runtime, which
            // must not be blocked while DROP SCHEMA waits for their locks.
            std::thread::spawn(move || {
                block_on(async move {
                    use sqlx::Connection;
                    if let Ok(mut c) = sqlx::PgConnection::connect(&base).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP SCHEMA IF EXISTS {schema} CASCADE"
                        )))
                        .execute(&mut c)
                        .await;
                    }
                })
            });
        }
    }
}

/// Drops the schemas of test processes that are gone (killed before their drops ran).
async fn drop_schemas_of_dead_runs(c: &mut sqlx::PgConnection) {
    static ONCE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    ONCE.get_or_init(|| async {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace WHERE nspname ~ '^t[0-9]+_'",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap_or_default();
        for name in names {
            let pid = name[1..].split('_').next().unwrap_or("");
            if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {name} CASCADE"
                )))
                .execute(&mut *c)
                .await;
            }
        }
    })
    .await;
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The tests' white-box SQL is written for SQLite; the few differences, for PostgreSQL:
/// `?N` parameters, the `seq` column standing for `rowid`, and `json` documents read as text.
fn pg_dialect(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '?' && chars.peek().is_some_and(|c| c.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(ch);
        }
    }
    out.replace("rowid", "seq")
        .replace("SELECT doc ", "SELECT doc::text ")
        .replace("|| doc ", "|| doc::text ")
}

pub fn assert_iso(v: &Value) {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not a date string: {v}"));
    assert!(
        Ts::parse_iso(s).is_some() && s.ends_with('Z') && s.len() == 24,
        "not ISO with ms: {s}"
    );
}

/// Several instances in one process: apps sharing one store and one NATS bus (the
/// harness's own broker, or the server at `NATS_TEST_URL`), on a subject prefix of their
/// own so that parallel tests never hear each other.
pub struct TestCluster {
    pub apps: Vec<TestApp>,
    pub store: ferrochat::store::SharedStore,
    broker: Option<crate::nats_broker::Broker>,
}

impl TestCluster {
    pub async fn spawn(n: usize, presence_timeout: u64) -> TestCluster {
        match std::env::var("NATS_TEST_URL") {
            Ok(url) if !url.is_empty() => Self::spawn_on(n, presence_timeout, &url).await,
            _ => {
                let broker = crate::nats_broker::Broker::start().await;
                let mut c = Self::spawn_on(n, presence_timeout, &broker.url()).await;
                c.broker = Some(broker);
                c
            }
        }
    }

    pub async fn spawn_on(n: usize, presence_timeout: u64, nats: &str) -> TestCluster {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(&dir).await;
        let url = db.url.clone();
        let store = ferrochat::app::open_store(&url).await.unwrap();
        let uploads = dir.path().join("uploads");
        let mut db = Some(db);
        let prefix = format!("test-{}", ferrochat::ids::random_id());
        let mut dirs = vec![dir];
        let mut apps: Vec<TestApp> = Vec::new();
        for i in 0..n {
            let mut config = Config::for_tests(&url);
            config.admin_username = Some(ADMIN.into());
            config.admin_pass = Some(ADMIN_PASS.into());
            config.admin_email = Some("admin@example.com".into());
            config.nats_url = Some(nats.to_string());
            config.nats_subject_prefix = prefix.clone();
            config.instance_id = Some(format!("{prefix}-{i}"));
            config.presence_timeout = presence_timeout;
            // One folder for all (on PostgreSQL there is no database file to put it beside).
            config.file_upload_path = Some(uploads.clone());
            let app = ferrochat::app::build_on(&config, None, store.clone())
                .await
                .unwrap();
            let (lc, files) = (app.state.lc.clone(), app.state.files.clone());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(ferrochat::app::serve(
                listener,
                app.router,
                app.limits,
                async {
                    let _ = rx.await;
                },
            ));
            let mut t = TestApp {
                base: format!("http://{addr}"),
                http: Client::new(),
                admin: Creds {
                    id: String::new(),
                    token: String::new(),
                    username: ADMIN.into(),
                },
                clock: None,
                store: store.clone(),
                lc,
                files,
                metrics_base: None,
                // The first app owns the database (drops a PostgreSQL schema at its end).
                db: db.take().unwrap_or_else(|| apps[0].db.shared()),
                _dir: dirs.pop().unwrap_or_else(|| tempfile::tempdir().unwrap()),
                shutdown: Some(tx),
            };
            t.admin = t.login(ADMIN, ADMIN_PASS).await;
            // Connected (and subscribed) before the test talks to it.
            let mut health = t.get("/health").await;
            for _ in 0..100 {
                if health.body["bus"]["connected"] == true {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                health = t.get("/health").await;
            }
            assert_eq!(health.body["bus"]["kind"], "nats", "{}", health.text);
            assert_eq!(health.body["bus"]["connected"], true, "{}", health.text);
            apps.push(t);
        }
        TestCluster {
            apps,
            store,
            broker: None,
        }
    }
}
