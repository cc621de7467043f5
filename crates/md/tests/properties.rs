//! Property tests: the parser never panics, always consumes non-empty input, and every
//! `fallback` range lies within the message (UTF-16 units).

use ferrochat_md::{Node, Options, parse, to_json_string};
use proptest::prelude::*;

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

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
