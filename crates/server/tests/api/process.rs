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
