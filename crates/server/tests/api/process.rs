//! The binary as an operator runs it: what it writes to a log that is not a terminal.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn logs_have_no_colour_codes_when_stdout_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrochat"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("BIND_IP", "127.0.0.1")
        .env("DATABASE_URL", "sqlite::memory:")
        .env("FILE_UPLOAD_PATH", dir.path().join("uploads"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.contains("listening");
        seen.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.iter().any(|l| l.contains("listening")),
        "no start line: {seen:?}"
    );
    for l in &seen {
        assert!(!l.contains('\u{1b}'), "colour code in a piped log: {l:?}");
    }
}

/// The database password never reaches the log or the help text (clap prints the values
/// of environment variables in `--help` unless told not to).
#[test]
fn the_database_password_is_not_shown() {
    let secret = "s3cret-pw-4711";
    let help = Command::new(env!("CARGO_BIN_EXE_ferrochat"))
        .arg("--help")
        .env(
            "DATABASE_URL",
            format!("postgres://fc:{secret}@127.0.0.1:1/db"),
        )
        .env("ADMIN_PASS", secret)
        .output()
        .expect("run --help");
    let text =
        String::from_utf8_lossy(&help.stdout).into_owned() + &String::from_utf8_lossy(&help.stderr);
    assert!(text.contains("DATABASE_URL"), "{text}");
    assert!(!text.contains(secret), "{text}");
    // A server that cannot reach its database says so without the password.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ferrochat"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("BIND_IP", "127.0.0.1")
        .env(
            "DATABASE_URL",
            format!("mysql://fc:{secret}@127.0.0.1:1/db"),
        )
        .env("FILE_UPLOAD_PATH", dir.path().join("uploads"))
        .env("RUST_LOG", "info")
        .output()
        .expect("run the binary");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(text.contains("DATABASE_URL"), "{text}");
    assert!(!text.contains(secret), "{text}");
    assert!(text.contains("fc:***@127.0.0.1:1"), "{text}");
}

/// `LOG_FORMAT=json`: every line is a JSON object; a request's line carries the id its
/// response echoed, its route's template and its status; passwords and tokens never show.
#[tokio::test]
async fn json_logs_carry_the_request_id_and_no_secrets() {
    let password = "pw-never-logged-9931";
    let visitor_token = "visitor-token-never-logged-5520";
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrochat"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("BIND_IP", "127.0.0.1")
        .env("DATABASE_URL", "sqlite::memory:")
        .env("FILE_UPLOAD_PATH", dir.path().join("uploads"))
        .env("ADMIN_USERNAME", "admin")
        .env("ADMIN_PASS", password)
        .env("BCRYPT_COST", "4")
        .env("TEST_MODE", "true")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen: Vec<String> = Vec::new();
    let next = |seen: &mut Vec<String>| {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("a log line");
        seen.push(line.clone());
        serde_json::from_str::<serde_json::Value>(&line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    };
    let address = loop {
        let v = next(&mut seen);
        if v["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("listening"))
        {
            break v["fields"]["address"].as_str().unwrap().to_string();
        }
    };
    let base = format!("http://{address}");
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"user": "admin", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (uid, auth_token) = (
        login["data"]["userId"].as_str().unwrap().to_string(),
        login["data"]["authToken"].as_str().unwrap().to_string(),
    );
    let me = http
        .get(format!("{base}/api/v1/me"))
        .header("x-user-id", &uid)
        .header("x-auth-token", &auth_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let r = http
        .post(format!("{base}/api/v1/livechat/visitor"))
        .json(&serde_json::json!({"visitor": {"token": visitor_token}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let _ = http
        .get(format!("{base}/api/v1/livechat/room?token={visitor_token}"))
        .send()
        .await
        .unwrap();
    let r = http
        .get(format!("{base}/api/v1/livechat/visitor/{visitor_token}"))
        .header("x-request-id", "req-observe-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "req-observe-1");
    // The last request's line: its id, its route's template, its status.
    let answered = loop {
        let v = next(&mut seen);
        if v["span"]["id"] == "req-observe-1" && v["fields"]["message"] == "answered" {
            break v;
        }
    };
    assert_eq!(answered["fields"]["status"], 200, "{answered}");
    assert_eq!(
        answered["span"]["route"],
        "/api/v1/livechat/visitor/{token}"
    );
    assert_eq!(answered["span"]["method"], "GET");
    let _ = child.kill();
    let _ = child.wait();
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(5)) {
        seen.push(line);
    }
    for line in &seen {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        for secret in [password, visitor_token, auth_token.as_str()] {
            assert!(!line.contains(secret), "a secret in the log: {line}");
        }
        assert!(!line.contains('\u{1b}'), "colour code: {line}");
    }
    // The login and the visitor's room were logged, by their routes.
    let all = seen.join("\n");
    assert!(all.contains("\"route\":\"/api/v1/login\""), "{all}");
    assert!(all.contains("\"route\":\"/api/v1/livechat/room\""), "{all}");
}
