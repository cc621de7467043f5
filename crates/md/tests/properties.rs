//! Property tests: the parser never panics, always consumes non-empty input, and every
//! `fallback` range lies within the message (UTF-16 units).
//!
//! Inputs are size-bounded (no timed assertions: the benchmark and `robustness.rs` watch
//! time). `PROPTEST_CASES=100000` runs longer; a failure prints the seed to replay with
//! `PROPTEST_RNG_SEED`. Nothing is persisted: a failing input becomes a test in
//! `robustness.rs`. (`crates/md/fuzz` is the coverage-guided cargo-fuzz target.)

use ferrochat_md::{Node, Options, parse, to_json_string};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// `cases` unless `PROPTEST_CASES` says otherwise; no persistence files; the seed printed.
fn config(cases: u32) -> ProptestConfig {
    // `default()` reads the `PROPTEST_*` variables.
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    c.failure_persistence = None;
    let seed = match c.rng_seed {
        RngSeed::Fixed(s) => s,
        RngSeed::Random => {
            use std::hash::BuildHasher;
            std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now())
        }
    };
    c.rng_seed = RngSeed::Fixed(seed);
    let test = std::thread::current().name().unwrap_or("?").to_string();
    eprintln!("{test}: {} cases, PROPTEST_RNG_SEED={seed}", c.cases);
    c
}

fn all_options() -> Vec<Options> {
    let full = Options::from_json(&serde_json::json!({
        "colors": true, "emoticons": true, "customDomains": ["local"],
        "katex": {"dollarSyntax": true, "parenthesisSyntax": true}
    }));
    vec![Options::default(), Options::server_default(), full]
}

fn check_ranges(nodes: &[Node], len: usize) {
    for n in nodes {
        match n {
            Node::HorizontalRule { fallback }
            | Node::Table { fallback, .. }
            | Node::Timestamp { fallback, .. } => {
                assert!(
                    fallback.0 <= fallback.1 && fallback.1 <= len,
                    "{fallback:?} > {len}"
                );
            }
            _ => {}
        }
        match n {
            Node::Paragraph(v)
            | Node::Bold(v)
            | Node::Italic(v)
            | Node::Strike(v)
            | Node::Spoiler(v)
            | Node::Quote(v)
            | Node::SpoilerBlock(v)
            | Node::UnorderedList(v)
            | Node::OrderedList(v)
            | Node::Tasks(v)
            | Node::BigEmoji(v)
            | Node::Heading { value: v, .. }
            | Node::ListItem { value: v, .. }
            | Node::Task { value: v, .. }
            | Node::Link { label: v, .. } => check_ranges(v, len),
            Node::Table { header, rows, .. } => {
                for c in header {
                    check_ranges(&c.value, len);
                }
                for r in rows {
                    for c in r {
                        check_ranges(&c.value, len);
                    }
                }
            }
            _ => {}
        }
    }
}

fn check(msg: &str) {
    for o in all_options() {
        let r = parse(msg, &o);
        if msg.is_empty() {
            assert!(r.is_err());
            continue;
        }
        let root = r.expect("non-empty input always parses");
        assert!(!root.is_empty());
        check_ranges(&root, msg.encode_utf16().count());
        let json = to_json_string(&root);
        assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    }
}

const MARKUP: &str = "*_~`>#|[]()!:@$\\-+.,; \t\n\r<=/'\"%^0123456789abcxyzDOBXTy";

/// Markdown-ish text: the syntax's constructs nested inside each other (emphasis, code,
/// links, quotes, lists, spoilers, KaTeX, timestamps) around emoji, mentions and words.
fn markdownish() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(vec![
            "word",
            "two words",
            "😀",
            "👍🏽",
            "🇧🇷",
            ":smile:",
            ":)",
            "-_-",
            "@user",
            "@all",
            "#chan",
            "a@b.com",
            "+5511999999999",
            "https://x.com/a?b=c#d",
            "google.com",
            "color:#f00",
            "<t:1708551317:R>",
            "\\",
            " ",
            "\n",
            "\u{0}",
            "\u{202e}",
            "é",
        ])
        .prop_map(str::to_string),
        "[a-z ]{0,12}",
        any::<String>(),
    ];
    leaf.prop_recursive(6, 64, 4, |inner| {
        let wrap = |l: &'static str, r: &'static str| {
            inner.clone().prop_map(move |s| format!("{l}{s}{r}"))
        };
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| v.concat()),
            wrap("*", "*"),
            wrap("**", "**"),
            wrap("_", "_"),
            wrap("__", "__"),
            wrap("~", "~"),
            wrap("~~", "~~"),
            wrap("`", "`"),
            wrap("```\n", "\n```"),
            wrap("||", "||"),
            wrap("> ", "\n"),
            wrap("- ", "\n"),
            wrap("1. ", "\n"),
            wrap("- [x] ", "\n"),
            wrap("# ", "\n"),
            wrap("$", "$"),
            wrap("\\(", "\\)"),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}]({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}](https://x.com/{b})")),
            inner
                .clone()
                .prop_map(|a| format!("![{a}](https://x.com/i.png)")),
            (inner.clone(), inner)
                .prop_map(|(a, b)| format!("| {a} | {b} |\n|---|---|\n| {b} | {a} |")),
        ]
    })
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn never_panics_on_nested_markdown(s in markdownish()) {
        check(&s);
    }

    #[test]
    fn never_panics_on_arbitrary_strings(s in any::<String>()) {
        check(&s);
    }

    #[test]
    fn never_panics_on_markup_mixes(v in proptest::collection::vec(0usize..MARKUP.len(), 0..120)) {
        let s: String = v.iter().map(|&i| MARKUP.as_bytes()[i] as char).collect();
        check(&s);
    }

    #[test]
    fn never_panics_on_token_mixes(v in proptest::collection::vec(
        prop::sample::select(vec![
            "*", "**", "_", "__", "~", "~~", "`", "```", "\n", "> ", "- ", "1. ", "- [x] ", "# ",
            "||", "|", "[", "](", ")", "![", "<t:1708551317>", "<t:10:00+02:00>", "\\(", "\\)", "$",
            "$$", "\\[", "\\]", ":smile:", ":)", "-_-", "😀", "👍🏽", "🇧🇷", "@user", "#chan",
            "a@b.com", "+5511999999999", "https://x.com/a", "google.com", "color:#f00", " ", "word",
        ]), 0..60)) {
        check(&v.concat());
    }
}
