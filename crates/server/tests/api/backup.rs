//! `ferrochat backup` and `ferrochat restore` as an operator runs them: the real binary
//! serving on a SQLite file, and the commands run beside it as other processes.

use crate::uploads::{PNG, multipart};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

const ADMIN_PASS: &str = "admin-pass";

/// The binary serving `DATABASE_URL=sqlite://<db>` on a free port.
pub struct Server {
    child: Child,
    pub base: String,
    pub http: reqwest::Client,
}

fn binary() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ferrochat"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "info");
    c
}

/// `ferrochat <args>` with `DATABASE_URL`; its output.
pub fn run(database_url: &str, args: &[&str]) -> Output {
    binary()
        .env("DATABASE_URL", database_url)
        .args(args)
        .output()
        .expect("run the binary")
}

/// `run` with more environment variables.
pub fn run_with(database_url: &str, env: &[(&str, PathBuf)], args: &[&str]) -> Output {
    let mut c = binary();
    for (k, v) in env {
        c.env(k, v);
    }
    c.env("DATABASE_URL", database_url)
        .args(args)
        .output()
        .expect("run the binary")
}

pub fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

impl Server {
    pub fn start(db: &Path) -> Server {
        let mut child = binary()
            .env("PORT", "0")
            .env("BIND_IP", "127.0.0.1")
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("ADMIN_USERNAME", "admin")
            .env("ADMIN_PASS", ADMIN_PASS)
            .env("TEST_MODE", "true")
            .env("BCRYPT_COST", "4")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the binary");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("the server did not start: {seen:?}");
            };
            if line.contains("listening")
                && let Some(a) = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("address="))
            {
                break a.to_string();
            }
            seen.push(line);
        };
        // Keep reading its log, or the server blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    /// SIGTERM, as an operator stops it, and waits for the process to end.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().expect("wait for the server");
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: Option<&(String, String)>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some((id, token)) = auth {
            r = r.header("X-User-Id", id).header("X-Auth-Token", token);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn admin(&self) -> (String, String) {
        let (s, b) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/login",
                None,
                Some(json!({"user": "admin", "password": ADMIN_PASS})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        (
            b["data"]["userId"].as_str().unwrap().into(),
            b["data"]["authToken"].as_str().unwrap().into(),
        )
    }

    /// A visitor `token` and its open room.
    pub async fn visitor_room(&self, token: &str) -> String {
        let (s, b) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/livechat/visitor",
                None,
                Some(json!({"visitor": {"token": token, "name": format!("Visitor {token}")}})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = self
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/livechat/room?token={token}"),
                None,
                None,
            )
            .await;
        assert_eq!(s, 200, "{b}");
        b["room"]["_id"].as_str().unwrap().to_string()
    }

    /// The ids in a room's history, as its visitor reads it.
    pub async fn history_ids(&self, rid: &str, token: &str) -> Vec<String> {
        let mut ids = Vec::new();
        loop {
            let (s, b) = self
                .call(
                    reqwest::Method::GET,
                    &format!(
                        "/api/v1/livechat/messages.history/{rid}?token={token}&limit=1000&offset={}",
                        ids.len()
                    ),
                    None,
                    None,
                )
                .await;
            assert_eq!(s, 200, "{b}");
            let page = b["messages"].as_array().unwrap();
            if page.is_empty() {
                return ids;
            }
            ids.extend(page.iter().map(|m| m["_id"].as_str().unwrap().to_string()));
        }
    }
}

fn integrity(db: &Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn sqlite_url(p: &Path) -> String {
    format!("sqlite://{}", p.display())
}

/// Visitors write without pause while `ferrochat backup` copies the database; the server is
/// stopped and the backup restored into a new place: every message acknowledged before the
/// backup began is served by a server started on the restored copy, and so is an upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_restores_every_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live/ferrochat.db");
    let server = Server::start(&live);
    let admin = server.admin().await;
    let (s, b) = server
        .call(
            reqwest::Method::POST,
            "/api/v1/settings/Livechat_accept_chats_with_no_agents",
            Some(&admin),
            Some(json!({"value": true})),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    // An upload, which lives in the upload folder beside the database.
    let rid0 = server.visitor_room("up").await;
    let (ctype, body) = multipart(&[("file", Some("shot.png"), Some("image/png"), PNG)]);
    let res = server
        .http
        .post(format!("{}/api/v1/livechat/upload/{rid0}", server.base))
        .header("Content-Type", ctype)
        .header("x-visitor-token", "up")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let file_id = res.json::<Value>().await.unwrap()["file"]["_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Writers: each a visitor posting into its room, recording what was acknowledged.
    let server = Arc::new(server);
    let acked: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..6 {
        let (server, acked, stop) = (server.clone(), acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let token = format!("writer{w}");
            let rid = server.visitor_room(&token).await;
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                i += 1;
                let (s, b) = server
                    .call(
                        reqwest::Method::POST,
                        "/api/v1/livechat/message",
                        None,
                        Some(json!({"token": token, "rid": rid, "msg": format!("message {i} of {token}")})),
                    )
                    .await;
                assert_eq!(s, 200, "{b}");
                let id = b["message"]["_id"].as_str().unwrap().to_string();
                acked.lock().unwrap().push((rid.clone(), token.clone(), id));
            }
        }));
    }
    let count = || acked.lock().unwrap().len();
    let wait_for = async |n: usize, writers: &[tokio::task::JoinHandle<()>]| {
        while count() < n {
            assert!(!writers.iter().any(|w| w.is_finished()), "a writer failed");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    };
    wait_for(300, &writers).await;
    let before: Vec<(String, String, String)> = acked.lock().unwrap().clone();
    let backup = dir.path().join("backups/ferrochat-backup.db");
    let out = {
        let (url, file) = (sqlite_url(&live), backup.display().to_string());
        tokio::task::spawn_blocking(move || run(&url, &["backup", &file]))
            .await
            .unwrap()
    };
    let after_backup = count();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("integrity ok"), "{}", text(&out));
    // The load went on after the backup had been taken.
    wait_for(after_backup + 50, &writers).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    let total = count();
    Arc::try_unwrap(server).ok().unwrap().stop();
    assert!(backup.is_file());
    assert!(crate::backup::uploads_dir(&backup).join(&file_id).is_file());

    // Restored into a fresh place, served by a new server.
    let restored = dir.path().join("restored/ferrochat.db");
    let out = run(
        &sqlite_url(&restored),
        &["restore", &backup.display().to_string()],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(integrity(&restored), "ok");
    let server = Server::start(&restored);
    let mut rooms: Vec<(String, String)> = before
        .iter()
        .map(|(r, t, _)| (r.clone(), t.clone()))
        .collect();
    rooms.sort();
    rooms.dedup();
    let mut served = std::collections::HashSet::new();
    for (rid, token) in &rooms {
        served.extend(server.history_ids(rid, token).await);
    }
    let missing: Vec<&String> = before
        .iter()
        .map(|(_, _, id)| id)
        .filter(|id| !served.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged messages missing: {missing:?}",
        missing.len(),
        before.len()
    );
    eprintln!(
        "backup under load: {} messages acknowledged before the backup, {} when it ended, {total} in all; {} served after the restore",
        before.len(),
        after_backup,
        served.len()
    );
    let res = server
        .http
        .get(format!("{}/file-upload/{file_id}/shot.png", server.base))
        .header("x-visitor-token", "up")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    server.stop();
    assert_eq!(integrity(&restored), "ok");
}

pub fn uploads_dir(backup: &Path) -> PathBuf {
    ferrochat::maintenance::uploads_of(backup)
}

/// A running server's database cannot be replaced; once it has stopped, it can (and a
/// server starts on the restored copy).
#[tokio::test]
async fn restore_is_refused_while_a_server_runs_on_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ferrochat.db");
    let url = sqlite_url(&db);
    let server = Server::start(&db);
    let backup = dir.path().join("copy.db");
    let file = backup.display().to_string();
    let out = run(&url, &["backup", &file]);
    assert!(out.status.success(), "{}", text(&out));
    // Never over an existing backup unless told to.
    let out = run(&url, &["backup", &file]);
    assert!(!out.status.success());
    assert!(text(&out).contains("exists"), "{}", text(&out));
    assert!(run(&url, &["backup", "--force", &file]).status.success());

    let out = run(&url, &["restore", "--force", &file]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("a Ferrochat server is running on"),
        "{}",
        text(&out)
    );
    // Nor does a migration read a database a server is writing.
    let out = run(
        &url,
        &["migrate", "--to", "postgres://nobody@127.0.0.1:1/none"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("a Ferrochat server is running on"),
        "{}",
        text(&out)
    );
    let (s, _) = server
        .call(reqwest::Method::GET, "/api/info", None, None)
        .await;
    assert_eq!(s, 200);
    server.stop();

    // Stopped: the database exists, so only with --force.
    let out = run(&url, &["restore", &file]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--force"), "{}", text(&out));
    let out = run(&url, &["restore", "--force", &file]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("restored"), "{}", text(&out));
    let server = Server::start(&db);
    server.admin().await;
    server.stop();

    // What the commands say about other databases.
    let out = run("postgres://fc:pw@127.0.0.1:1/db", &["backup", &file]);
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
    let out = run(
        &url,
        &["restore", &dir.path().join("none.db").display().to_string()],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no such database file"),
        "{}",
        text(&out)
    );
}
