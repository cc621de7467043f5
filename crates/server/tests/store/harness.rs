//! One domain over a fresh database per engine (SQLite always; PostgreSQL in a fresh schema
//! when `TEST_DATABASE_URL` is set), a clock that moves only when told to, and a dump of
//! every document the scenario produced, compared with a snapshot committed beside the
//! tests (`snapshots/<name>.json`; `UPDATE_SNAPSHOTS=1` rewrites them).

use ferrochat::domain::Livechat;
use ferrochat::domain::users::NewUser;
use ferrochat::model::User;
use ferrochat::outbox::Delivery;
use ferrochat::store::{RoomQuery, SharedStore, UserQuery};
use ferrochat::time::{ManualClock, Ts};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub const START: &str = "2024-03-01T10:00:00.000Z";

pub struct Env {
    pub engine: &'static str,
    pub lc: Livechat,
    pub clock: Arc<ManualClock>,
    /// What the scenario saw, in order (answers and errors), dumped with the documents.
    pub log: Vec<Value>,
    tokens: Vec<String>,
    _db: Db,
}

pub enum Db {
    Sqlite,
    Pg { base: String, schema: String },
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Db::Pg { base, schema } = self {
            let (base, schema) = (base.clone(), schema.clone());
            // Its own thread and runtime: the test's runtime may be shutting down.
            let _ = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(async move {
                        use sqlx::Connection;
                        if let Ok(mut c) = sqlx::PgConnection::connect(&base).await {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP SCHEMA IF EXISTS {schema} CASCADE"
                            )))
                            .execute(&mut c)
                            .await;
                        }
                    })
            })
            .join();
        }
    }
}

/// The engines to run on: SQLite, and PostgreSQL when `TEST_DATABASE_URL` names a server.
pub fn engines() -> Vec<&'static str> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => vec!["sqlite", "postgres"],
        _ => vec!["sqlite"],
    }
}

async fn open(engine: &str) -> (SharedStore, Db) {
    match engine {
        "sqlite" => (
            ferrochat::app::open_store("sqlite::memory:").await.unwrap(),
            Db::Sqlite,
        ),
        _ => {
            let (url, db) = pg_schema().await;
            (ferrochat::app::open_store(&url).await.unwrap(), db)
        }
    }
}

/// A fresh schema on `TEST_DATABASE_URL`: its URL, and a guard that drops it.
pub async fn pg_schema() -> (String, Db) {
    use sqlx::Connection;
    let base = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut c = sqlx::PgConnection::connect(&base).await.unwrap();
    let schema = format!(
        "s{}_{}",
        std::process::id(),
        ferrochat::ids::random_id().to_lowercase()
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut c)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    (url, Db::Pg { base, schema })
}

impl Env {
    pub async fn new(engine: &'static str) -> Env {
        let (store, db) = open(engine).await;
        let clock = Arc::new(ManualClock::new(Ts::parse_iso(START).unwrap()));
        // Mails and webhooks are queued, never delivered (no worker runs).
        let outbox = Arc::new(Delivery::new(Default::default(), store.clone()));
        let lc = Livechat::new(store, clock.clone(), 4, outbox)
            .await
            .unwrap();
        Env {
            engine,
            lc,
            clock,
            log: Vec::new(),
            tokens: Vec::new(),
            _db: db,
        }
    }

    pub fn tick(&self, ms: i64) {
        self.clock.advance_millis(ms);
    }

    pub async fn set(&self, id: &str, v: Value) {
        self.lc.settings.set(&self.lc.store, id, v).await.unwrap();
    }

    /// A user with `roles`, online.
    pub async fn user(&self, username: &str, roles: &[&str]) -> User {
        let u = self
            .lc
            .create_user(NewUser {
                username: username.into(),
                email: format!("{username}@example.com"),
                password: "pw".into(),
                name: format!("{username} name"),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                active: true,
                verified: true,
            })
            .await
            .unwrap();
        self.lc
            .set_user_status(&u.id, "online", None)
            .await
            .unwrap();
        self.user_by_name(username).await
    }

    /// An online, available agent.
    pub async fn agent(&self, username: &str) -> User {
        self.user(username, &["user"]).await;
        self.lc.add_agent(username).await.unwrap();
        self.user_by_name(username).await
    }

    pub async fn user_by_name(&self, username: &str) -> User {
        self.lc
            .store
            .user_by_username(username)
            .await
            .unwrap()
            .unwrap()
    }

    /// A visitor (optionally of a department); its token is remembered for the dump.
    pub async fn visitor(&mut self, token: &str, department: Option<&str>) {
        self.lc
            .register_guest(ferrochat::domain::visitors::RegisterGuest {
                token: token.into(),
                name: Some(format!("{token} name")),
                department: department.map(str::to_string),
                ..Default::default()
            })
            .await
            .unwrap();
        self.tokens.push(token.to_string());
    }

    /// Records what an operation answered: `ok` (with `value`) or the error's text.
    pub fn record<T>(
        &mut self,
        step: &str,
        r: ferrochat::error::Result<T>,
        value: impl Fn(&T) -> Value,
    ) {
        let v = match &r {
            Ok(t) => json!({"step": step, "ok": value(t)}),
            Err(e) => json!({"step": step, "error": e.to_string()}),
        };
        self.log.push(v);
    }

    /// Every document the scenario produced, ids replaced by `<id N>` in order of first
    /// appearance.
    pub async fn dump(&self) -> Value {
        let s = &self.lc.store;
        let (mut users, _) = s
            .list_users(&UserQuery {
                role: Some("livechat-agent".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let (managers, _) = s
            .list_users(&UserQuery {
                role: Some("livechat-manager".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        for m in managers {
            if !users.iter().any(|u| u.id == m.id) {
                users.push(m);
            }
        }
        users.sort_by(|a, b| a.username.cmp(&b.username));
        let (mut departments, _) = s.list_departments(&Default::default()).await.unwrap();
        departments.sort_by(|a, b| a.name.cmp(&b.name));
        let mut dept_agents = Vec::new();
        for d in &departments {
            for a in s.department_agents(&d.id).await.unwrap() {
                dept_agents.push(json!({
                    "department": d.name, "username": a.username, "count": a.count,
                    "order": a.order, "departmentEnabled": a.department_enabled,
                }));
            }
        }
        let mut visitors = Vec::new();
        for t in &self.tokens {
            visitors.push(to_value(&s.visitor_by_token(t).await.unwrap()));
        }
        let (mut rooms, _) = s.list_rooms(&RoomQuery::default()).await.unwrap();
        rooms.sort_by(|a, b| (a.ts, &a.v.token).cmp(&(b.ts, &b.v.token)));
        let mut room_docs = Vec::new();
        for r in &rooms {
            let mut subs = s.subscriptions_of_room(&r.id).await.unwrap();
            subs.sort_by(|a, b| a.u.username.cmp(&b.u.username));
            room_docs.push(json!({
                "room": to_value(r),
                "inquiry": to_value(&s.inquiry_by_room(&r.id).await.unwrap()),
                "subscriptions": to_value(&subs),
                "messages": to_value(&s.messages_of_room(&r.id).await.unwrap()),
            }));
        }
        let mut dump = json!({
            "log": self.log,
            "users": to_value(&users),
            "departments": to_value(&departments),
            "departmentAgents": dept_agents,
            "visitors": visitors,
            "rooms": room_docs,
        });
        normalise(&mut dump);
        dump
    }

    /// Compares the dump with `snapshots/<name>.json` (every engine against the same file).
    pub async fn check(&self, name: &str) {
        let dump = self.dump().await;
        let text = serde_json::to_string_pretty(&dump).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/store/snapshots")
            .join(format!("{name}.json"));
        if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") && self.engine == "sqlite" {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (UPDATE_SNAPSHOTS=1 writes it from the SQLite run)",
                path.display()
            )
        });
        if expected != text {
            let actual = path.with_extension(format!("{}.actual.json", self.engine));
            std::fs::write(&actual, &text).unwrap();
            panic!(
                "{name} on {}: the documents differ from {} (see {})",
                self.engine,
                path.display(),
                actual.display()
            );
        }
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// Keys whose string values are ids.
const ID_KEYS: &[&str] = &[
    "_id",
    "rid",
    "departmentId",
    "department",
    "agentId",
    "id",
    "previousDepartment",
    "fallbackForwardDepartment",
    "contactId",
];

fn collect_ids(v: &Value, ids: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if let Value::String(s) = x
                    && ID_KEYS.contains(&k.as_str())
                    && s.len() >= 17
                    && !ids.contains(s)
                {
                    ids.push(s.clone());
                }
                collect_ids(x, ids);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_ids(x, ids)),
        _ => {}
    }
}

fn replace_ids(v: &mut Value, names: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(n) = names.get(s.as_str()) {
                *s = n.clone();
            } else if s.len() > 17 {
                for (id, n) in names {
                    if s.contains(id.as_str()) {
                        *s = s.replace(id.as_str(), n);
                    }
                }
            }
        }
        Value::Object(m) => {
            let old = std::mem::take(m);
            *m = old
                .into_iter()
                .map(|(k, mut x)| {
                    replace_ids(&mut x, names);
                    (k, x)
                })
                .collect::<Map<String, Value>>();
        }
        Value::Array(a) => a.iter_mut().for_each(|x| replace_ids(x, names)),
        _ => {}
    }
}

fn normalise(v: &mut Value) {
    let mut ids = Vec::new();
    collect_ids(v, &mut ids);
    let names: HashMap<String, String> = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| (id, format!("<id {}>", i + 1)))
        .collect();
    replace_ids(v, &names);
}
