//! Every case of the public corpus must give the upstream output: equal JSON values and
//! byte-identical serialisation (same key order, same number formatting).

use ferrochat_md::{Options, oracle_line};
use serde_json::Value;

#[test]
fn public_corpus_matches_upstream() {
    let data = include_str!("data/md-corpus-public.jsonl");
    let mut total = 0;
    let mut failures = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        // the corpus file escapes lone surrogates; run_jsonl's sanitiser handles them, so go
        // through it for the input
        let mut out = Vec::new();
        ferrochat_md::run_jsonl(line.as_bytes(), &mut out).expect("run_jsonl");
        let got_line = String::from_utf8(out).expect("utf8");
        let got_line = got_line.trim_end();
        total += 1;
        let case: Value = serde_json::from_str(&sanitize(line)).expect("corpus line");
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let expected: Value = case["expected"].clone();
        // our output echoes the id first; drop it for the comparison
        let mut got: Value = serde_json::from_str(&sanitize(got_line)).expect("our output");
        if let Value::Object(o) = &mut got {
            o.shift_remove("id");
        }
        if got != expected {
            failures.push(format!(
                "{id}: value differs\n  expected {expected}\n  got      {got}"
            ));
            continue;
        }
        // same key order (preserve_order keeps the order of both sides)
        let expected_text = serde_json::to_string(&expected).expect("ser");
        let got_text = serde_json::to_string(&got).expect("ser");
        if expected_text != got_text {
            failures.push(format!(
                "{id}: key order differs\n  expected {expected_text}\n  got      {got_text}"
            ));
        }
    }
    assert_eq!(total, 905, "corpus size");
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn oracle_lines_are_byte_identical_for_plain_cases() {
    // lines whose expected output contains no lone surrogate can be compared byte for byte
    let data = include_str!("data/md-corpus-public.jsonl");
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        if line.contains("\\ud8") || line.contains("\\udc") {
            continue;
        }
        let case: Value = serde_json::from_str(line).expect("corpus line");
        let msg = case["msg"].as_str().expect("msg");
        let opts = Options::from_json(&case["options"]);
        // the raw expected text as the oracle printed it (the last field of the line)
        let at = line.rfind("\"expected\":").expect("expected field") + "\"expected\":".len();
        let expected = &line[at..line.len() - 1];
        assert_eq!(oracle_line(msg, &opts), expected, "case {}", case["id"]);
    }
}

/// Replaces escaped lone surrogates with U+FFFD so serde_json can parse the text.
fn sanitize(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut last = 0;
    let hex = |i: usize| {
        s.get(i..i + 4)
            .and_then(|h| u16::from_str_radix(h, 16).ok())
    };
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1] == b'u'
                && let Some(u) = hex(i + 2)
            {
                if (0xD800..0xDC00).contains(&u)
                    && b.get(i + 6) == Some(&b'\\')
                    && hex(i + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l))
                {
                    i += 12;
                    continue;
                }
                if (0xD800..0xE000).contains(&u) {
                    out.push_str(&s[last..i]);
                    out.push_str("\\ufffd");
                    i += 6;
                    last = i;
                    continue;
                }
                i += 6;
                continue;
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    out.push_str(&s[last..]);
    out
}
