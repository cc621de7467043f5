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
    db_path: String,
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

    async fn spawn_full(
        clock: Option<Arc<ManualClock>>,
        dynamic: Option<Arc<dyn Clock>>,
        test_mode: bool,
    ) -> TestApp {
        Self::spawn_inner(clock, dynamic, test_mode, |_| {}).await
    }

    /// A server whose process configuration the test adjusts (issue 8b: DNS server).
    pub async fn spawn_configured(f: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_inner(None, None, true, f).await
    }

    async fn spawn_inner(
        clock: Option<Arc<ManualClock>>,
        dynamic: Option<Arc<dyn Clock>>,
        test_mode: bool,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("test.db").display().to_string();
        let url = format!("sqlite://{db_path}");
        let mut config = Config::for_tests(&url);
        config.test_mode = test_mode;
        config.admin_username = Some(ADMIN.into());
        config.admin_pass = Some(ADMIN_PASS.into());
        config.admin_email = Some("admin@example.com".into());
        config.file_upload_path = Some(dir.path().join("uploads"));
        configure(&mut config);
        let app = ferrochat::app::build(&config, dynamic).await.unwrap();
        let store = app.state.lc.store.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(ferrochat::app::serve(listener, app.router, async {
            let _ = rx.await;
        }));
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
            db_path,
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

    pub async fn room(&self, token: &str) -> Resp {
        self.get(&format!("/api/v1/livechat/room?token={token}"))
            .await
    }

    /// One value from the test's database (white-box checks of what was stored).
    pub fn db_one<T: rusqlite::types::FromSql>(&self, sql: &str, args: &[&str]) -> T {
        let c = rusqlite::Connection::open(&self.db_path).unwrap();
        c.query_row(sql, rusqlite::params_from_iter(args.iter()), |r| r.get(0))
            .unwrap()
    }

    pub fn db_all<T: rusqlite::types::FromSql>(&self, sql: &str, args: &[&str]) -> Vec<T> {
        let c = rusqlite::Connection::open(&self.db_path).unwrap();
        let mut st = c.prepare(sql).unwrap();
        st.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
            .unwrap()
            .collect::<Result<Vec<T>, _>>()
            .unwrap()
    }

    pub fn db_path(&self) -> String {
        self.db_path.clone()
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

pub fn assert_iso(v: &Value) {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not a date string: {v}"));
    assert!(
        Ts::parse_iso(s).is_some() && s.ends_with('Z') && s.len() == 24,
        "not ISO with ms: {s}"
    );
}

/// Several instances in one process (issue 7b): apps sharing one store and one NATS bus
/// (NATS at `NATS_TEST_URL`, default 127.0.0.1:4222), on a subject prefix of their own so
/// that parallel tests never hear each other.
pub struct TestCluster {
    pub apps: Vec<TestApp>,
    pub store: ferrochat::store::SharedStore,
}

impl TestCluster {
    pub async fn spawn(n: usize, presence_timeout: u64) -> TestCluster {
        let nats =
            std::env::var("NATS_TEST_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
        Self::spawn_on(n, presence_timeout, &nats).await
    }

    pub async fn spawn_on(n: usize, presence_timeout: u64, nats: &str) -> TestCluster {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("test.db").display().to_string();
        let url = format!("sqlite://{db_path}");
        let store = ferrochat::app::open_store(&url).await.unwrap();
        let prefix = format!("test-{}", ferrochat::ids::random_id());
        let mut dirs = vec![dir];
        let mut apps = Vec::new();
        for i in 0..n {
            let mut config = Config::for_tests(&url);
            config.admin_username = Some(ADMIN.into());
            config.admin_pass = Some(ADMIN_PASS.into());
            config.admin_email = Some("admin@example.com".into());
            config.nats_url = Some(nats.to_string());
            config.nats_subject_prefix = prefix.clone();
            config.instance_id = Some(format!("{prefix}-{i}"));
            config.presence_timeout = presence_timeout;
            let app = ferrochat::app::build_on(&config, None, store.clone())
                .await
                .unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(ferrochat::app::serve(listener, app.router, async {
                let _ = rx.await;
            }));
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
                db_path: db_path.clone(),
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
        TestCluster { apps, store }
    }
}
