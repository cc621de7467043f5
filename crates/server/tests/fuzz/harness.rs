//! The server under test and the runner's configuration.

use ferrochat::config::Config;
use proptest::strategy::Strategy;
use proptest::test_runner::{
    Config as ProptestConfig, RngSeed, TestCaseError, TestError, TestRunner,
};
use serde_json::{Value, json};
use std::fmt::Debug;

/// `cases` unless `PROPTEST_CASES` says otherwise; no persistence files; a seed of our own
/// choosing, printed, so that any failure can be replayed with `PROPTEST_RNG_SEED`.
pub fn config(name: &str, cases: u32) -> ProptestConfig {
    // `default()` reads the `PROPTEST_*` variables.
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    c.failure_persistence = None;
    // Shrinking replays cases against a live server: keep it bounded.
    c.max_shrink_iters = 512;
    let seed = match c.rng_seed {
        RngSeed::Fixed(s) => s,
        RngSeed::Random => {
            use std::hash::BuildHasher;
            std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now())
        }
    };
    c.rng_seed = RngSeed::Fixed(seed);
    eprintln!("{name}: {} cases, PROPTEST_RNG_SEED={seed}", c.cases);
    c
}

/// Runs `cases` cases of `strategy` through `test`, panicking with the (shrunk) failing
/// input and the seed.
pub fn run<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: Debug,
{
    let config = config(name, cases);
    let seed = config.rng_seed;
    let mut runner = TestRunner::new(config);
    match runner.run(&strategy, test) {
        Ok(()) => {}
        Err(TestError::Fail(why, input)) => panic!(
            "{name} failed ({seed:?}): {why}\nminimal failing input: {}",
            short_n(&format!("{input:#?}"), 4000)
        ),
        Err(e) => panic!("{name} ({seed:?}): {e}"),
    }
}

/// A multi-threaded runtime for one target: the server runs on it, cases block on it.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

pub struct App {
    pub base: String,
    pub http: reqwest::Client,
    /// A registered visitor, their open room (served by agent `fuzz-agent`), and one of
    /// their messages: what valid bodies refer to, so mutated ones reach past the lookups.
    pub token: String,
    /// (room id, message id): a case that closes the room or deletes the visitor gets new
    /// ones from `refresh`.
    pub ids: std::sync::Mutex<(String, String)>,
    /// The admin's (user id, token), for the routes that want a logged-in user.
    pub admin: (String, String),
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl App {
    pub async fn spawn() -> App {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
        let mut config = Config::for_tests(&url);
        config.admin_username = Some("admin".into());
        config.admin_pass = Some("admin-pass".into());
        config.admin_email = Some("admin@example.com".into());
        config.file_upload_path = Some(dir.path().join("uploads"));
        let app = ferrochat::app::build(&config, None).await.unwrap();
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
        let mut a = App {
            base: format!("http://{addr}"),
            // A fresh connection per request: a pooled one the server closed after an early
            // answer (an upload refused before its body was read) would fail the next case.
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
            token: "fuzz-visitor-token".into(),
            ids: Default::default(),
            admin: Default::default(),
            _dir: dir,
            _shutdown: tx,
        };
        a.prepare().await;
        a.refresh().await;
        a
    }

    async fn post(&self, path: &str, auth: Option<&(String, String)>, body: Value) -> Value {
        let mut r = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some((id, token)) = auth {
            r = r.header("X-User-Id", id).header("X-Auth-Token", token);
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }

    async fn login(&self, user: &str, password: &str) -> (String, String) {
        let r = self
            .post(
                "/api/v1/login",
                None,
                json!({"user": user, "password": password}),
            )
            .await;
        (
            r["data"]["userId"].as_str().unwrap().into(),
            r["data"]["authToken"].as_str().unwrap().into(),
        )
    }

    /// An available agent, a visitor custom field `k`.
    async fn prepare(&mut self) {
        let admin = self.login("admin", "admin-pass").await;
        self.post(
            "/api/v1/livechat/custom-fields.save",
            Some(&admin),
            json!({"customFieldId": null, "customFieldData": {"field": "k", "label": "K",
                   "scope": "visitor", "visibility": "visible", "regexp": ""}}),
        )
        .await;
        self.admin = admin.clone();
        self.post(
            "/api/v1/users.create",
            Some(&admin),
            json!({"username": "fuzz-agent", "email": "fuzz-agent@example.com",
                   "password": "pass", "name": "Fuzz Agent", "roles": ["user"]}),
        )
        .await;
        self.post(
            "/api/v1/livechat/users/agent",
            Some(&admin),
            json!({"username": "fuzz-agent"}),
        )
        .await;
        let agent = self.login("fuzz-agent", "pass").await;
        self.post(
            "/api/v1/users.setStatus",
            Some(&agent),
            json!({"status": "online"}),
        )
        .await;
        self.post(
            "/api/v1/livechat/agent.status",
            Some(&agent),
            json!({"status": "available"}),
        )
        .await;
    }

    /// The visitor (registered again if a case deleted it), an open room and a message.
    pub async fn refresh(&self) {
        self.post(
            "/api/v1/livechat/visitor",
            None,
            json!({"visitor": {"token": self.token, "name": "Fuzz Visitor"}}),
        )
        .await;
        let room: Value = self
            .http
            .get(format!(
                "{}/api/v1/livechat/room?token={}",
                self.base, self.token
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rid = room["room"]["_id"].as_str().unwrap().to_string();
        let m = self
            .post(
                "/api/v1/livechat/message",
                None,
                json!({"token": self.token, "rid": rid, "msg": "hello"}),
            )
            .await;
        *self.ids.lock().unwrap() = (rid, m["message"]["_id"].as_str().unwrap().into());
    }

    /// The server still answers a plain request.
    pub async fn alive(&self) -> Result<(), TestCaseError> {
        let r = self
            .http
            .get(format!("{}/api/info", self.base))
            .send()
            .await
            .map_err(|e| TestCaseError::fail(format!("server gone: {e}")))?;
        if r.status() != 200 {
            return Err(TestCaseError::fail(format!(
                "/api/info answered {}",
                r.status()
            )));
        }
        Ok(())
    }

    /// Puts the real token, room and message id where the generators left placeholders.
    pub fn fill(&self, s: &str) -> String {
        let (rid, msg_id) = self.ids.lock().unwrap().clone();
        s.replace(crate::input::TOKEN, &self.token)
            .replace(crate::input::RID, &rid)
            .replace(crate::input::MSG_ID, &msg_id)
    }

    pub fn fill_value(&self, v: &mut Value) {
        match v {
            Value::String(s) => *s = self.fill(s),
            Value::Array(a) => a.iter_mut().for_each(|x| self.fill_value(x)),
            Value::Object(m) => m.values_mut().for_each(|x| self.fill_value(x)),
            _ => {}
        }
    }
}

/// A REST answer from the router: 2xx, or 4xx in Rocket.Chat's envelope, never 5xx (nor a
/// dropped connection, which is what a panicking handler looks like from outside).
/// `Ok(true)` for a 2xx.
pub async fn check_answer(
    what: &str,
    res: reqwest::Result<reqwest::Response>,
) -> Result<bool, TestCaseError> {
    check(what, res, true).await
}

/// As `check_answer`, for a route outside the REST API whose refusals are bare (upstream's
/// file download answers a plain 403/404).
pub async fn check_no_5xx(
    what: &str,
    res: reqwest::Result<reqwest::Response>,
) -> Result<bool, TestCaseError> {
    check(what, res, false).await
}

async fn check(
    what: &str,
    res: reqwest::Result<reqwest::Response>,
    envelope: bool,
) -> Result<bool, TestCaseError> {
    let what = short(what);
    let res = res.map_err(|e| TestCaseError::fail(short(&format!("{what}: no answer: {e}"))))?;
    let status = res.status();
    let text = res
        .text()
        .await
        .map_err(|e| TestCaseError::fail(format!("{what}: body cut: {e}")))?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let text = short(&text);
    if status.is_server_error() {
        return Err(TestCaseError::fail(format!("{what}: {status} {text}")));
    }
    if status.is_client_error() && envelope {
        if body["success"] != false {
            return Err(TestCaseError::fail(format!(
                "{what}: {status} outside the envelope: {text}"
            )));
        }
    } else if !status.is_success() && !status.is_client_error() {
        return Err(TestCaseError::fail(format!("{what}: {status} {text}")));
    }
    Ok(status.is_success())
}

/// The client refuses URIs past 64 KiB: such a request never reaches the server.
pub fn too_long(url: &str) -> bool {
    url.len() >= u16::MAX as usize
}

/// At most 300 characters of `s`, for failure messages.
pub fn short(s: &str) -> String {
    short_n(s, 300)
}

fn short_n(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…({} bytes)", &s[..i], s.len()),
        None => s.to_string(),
    }
}
