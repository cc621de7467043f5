//! Generators of hostile input: strings, JSON values, mutations of valid bodies.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Placeholders the harness replaces with the prepared visitor's token, room and message.
/// (Printable, so they survive JSON serialisation unescaped.)
pub const TOKEN: &str = "@@TOKEN@@";
pub const RID: &str = "@@RID@@";
pub const MSG_ID: &str = "@@MSG@@";

/// Field names the routes read, so generated objects hit real branches.
const KEYS: &[&str] = &[
    "token",
    "rid",
    "msg",
    "_id",
    "id",
    "name",
    "email",
    "phone",
    "username",
    "department",
    "visitor",
    "visitorToken",
    "customFields",
    "key",
    "value",
    "overwrite",
    "messages",
    "pageInfo",
    "change",
    "title",
    "location",
    "href",
    "message",
    "host",
    "data",
    "agent",
    "agentId",
    "status",
    "subject",
    "user",
    "password",
    "resume",
    "digest",
    "args",
    "params",
    "msg",
    "method",
    "version",
    "connectionData",
    "__proto__",
    "constructor",
    "$date",
    "$ne",
    "",
];

fn special() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        TOKEN,
        TOKEN,
        RID,
        RID,
        MSG_ID,
        "",
        " ",
        "null",
        "true",
        "0",
        "-1",
        "1e309",
        "NaN",
        "online",
        "away",
        "offline",
        "typing",
        "user-activity",
        "a@b.c",
        "not an email",
        "https://example.com/",
        "javascript:alert(1)",
        "../../etc/passwd",
        "%00%2e%2e",
        "<script>alert(1)</script>",
        "{\"$ne\":null}",
        "\u{0}",
        "\u{202e}\u{200b}\u{feff}",
        "😀👍🏽🇧🇷",
        "\u{10ffff}",
        "Ω≈ç√∫˜µ≤≥÷",
    ])
    .prop_map(str::to_string)
}

/// Strings of every kind a client can send: arbitrary, control characters, special values,
/// long runs (up to ~80 KiB).
pub fn string() -> BoxedStrategy<String> {
    prop_oneof![
        4 => any::<String>(),
        3 => special(),
        2 => "[\\x00-\\x1f\\x7f\"\\\\]{0,16}",
        1 => (
            prop::sample::select(vec!["a", "é", "😀", "\u{0}", "\\", "\"", "*", "%"]),
            0usize..20_000,
        )
            .prop_map(|(s, n)| s.repeat(n)),
    ]
    .boxed()
}

pub fn key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => any::<String>(),
    ]
    .boxed()
}

fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        prop::sample::select(vec![0i64, 1, -1, i64::MAX, i64::MIN]).prop_map(Value::from),
    ]
    .boxed()
}

/// Any JSON value, nested a few levels deep.
pub fn value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// JSON text nested `depth` deep (past serde_json's recursion limit of 128 too).
pub fn deep_text() -> BoxedStrategy<String> {
    (1usize..400, any::<bool>())
        .prop_map(|(n, arrays)| {
            if arrays {
                format!("{}{}", "[".repeat(n), "]".repeat(n))
            } else {
                format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))
            }
        })
        .boxed()
}

/// A change to a valid body.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Drops the n-th key (of the body, or of the object under its m-th key).
    Drop(usize, Option<usize>),
    /// Sets the n-th key (or a key of the object under it) to a generated value.
    Set(usize, Option<usize>, Value),
    /// Adds a key.
    Add(String, Value),
    /// Replaces the whole body.
    Replace(Value),
}

pub fn mutations() -> BoxedStrategy<Vec<Mutation>> {
    let m = prop_oneof![
        2 => (any::<usize>(), any::<Option<usize>>()).prop_map(|(a, b)| Mutation::Drop(a, b)),
        4 => (any::<usize>(), any::<Option<usize>>(), value())
            .prop_map(|(a, b, v)| Mutation::Set(a, b, v)),
        1 => (key(), value()).prop_map(|(k, v)| Mutation::Add(k, v)),
        1 => value().prop_map(Mutation::Replace),
    ];
    prop::collection::vec(m, 0..4).boxed()
}

fn nth_key(m: &Map<String, Value>, n: usize) -> Option<String> {
    (!m.is_empty()).then(|| m.keys().nth(n % m.len()).unwrap().clone())
}

pub fn apply(body: &mut Value, muts: &[Mutation]) {
    for mu in muts {
        match mu {
            Mutation::Replace(v) => *body = v.clone(),
            Mutation::Add(k, v) => {
                if let Value::Object(m) = body {
                    m.insert(k.clone(), v.clone());
                }
            }
            Mutation::Drop(n, inner) | Mutation::Set(n, inner, _) => {
                let Value::Object(m) = body else { continue };
                let Some(k) = nth_key(m, *n) else { continue };
                let set = match mu {
                    Mutation::Set(_, _, v) => Some(v.clone()),
                    _ => None,
                };
                let target = match (inner, m.get_mut(&k)) {
                    (Some(i), Some(Value::Object(sub))) => nth_key(sub, *i).map(|k2| (sub, k2)),
                    (Some(i), Some(Value::Array(a))) if !a.is_empty() => {
                        let len = a.len();
                        match &mut a[i % len] {
                            Value::Object(sub) => nth_key(sub, *i).map(|k2| (sub, k2)),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                match (target, set) {
                    (Some((sub, k2)), Some(v)) => {
                        sub.insert(k2, v);
                    }
                    (Some((sub, k2)), None) => {
                        sub.remove(&k2);
                    }
                    (None, Some(v)) => {
                        m.insert(k, v);
                    }
                    (None, None) => {
                        m.remove(&k);
                    }
                }
            }
        }
    }
}
