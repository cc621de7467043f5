//! Reads oracle-format JSON lines on stdin and writes `{"md":…}` / `{"error":…}` lines.
//! With `--server`, lines without "options" use the server's default options.

use std::io::{self, BufRead, BufWriter, Write};

fn main() -> io::Result<()> {
    let server = std::env::args().any(|a| a == "--server");
    let stdin = io::stdin();
    let stdout = io::stdout();
    let out = BufWriter::new(stdout.lock());
    if !server {
        return ferrochat_md::run_jsonl(stdin.lock(), out);
    }
    // add the server options to lines without "options", then delegate
    let mut buf = Vec::new();
    for line in stdin.lock().lines() {
        let line = line?;
        match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(mut o)) if !o.contains_key("options") => {
                o.insert(
                    "options".into(),
                    serde_json::json!({"colors": true, "emoticons": true, "customDomains": [],
                        "katex": {"dollarSyntax": false, "parenthesisSyntax": true}}),
                );
                writeln!(buf, "{}", serde_json::Value::Object(o))?;
            }
            _ => writeln!(buf, "{line}")?,
        }
    }
    ferrochat_md::run_jsonl(&buf[..], out)
}
