//! Large and deeply nested inputs must parse without stack overflow or panic.
//! (Behaviour only; timing is measured by the benchmark.)

use ferrochat_md::{Node, Options, parse};

fn opts() -> Vec<Options> {
    vec![Options::default(), Options::server_default()]
}

fn count_units(n: &[Node]) -> usize {
    n.len()
}

#[test]
fn one_megabyte_of_nested_markup() {
    let unit = "*_~[||`a` :) -_- @u #c ";
    let s = unit.repeat(1_000_000 / unit.len());
    let root = parse(&s, &Options::server_default()).expect("parses");
    assert!(count_units(&root) >= 1);
}

#[test]
fn one_megabyte_of_openers() {
    for ch in [
        "*", "_", "~", "[", "(", ":", "|", "<", "-", "\\", "`", "@", "#",
    ] {
        let s = ch.repeat(100_000);
        let root = parse(&s, &Options::server_default()).expect("parses");
        assert_eq!(root.len(), 1, "{ch}");
    }
}

#[test]
fn long_emoticon_chain_lookahead() {
    // every emoticon's look-ahead depends on the next one: deep recursion in a naive port
    let s = ":)".repeat(50_000);
    let root = parse(&s, &Options::server_default()).expect("parses");
    assert_eq!(root.len(), 1);
}

#[test]
fn two_thousand_emoji() {
    let s = "😀".repeat(2000);
    let root = parse(&s, &Options::default()).expect("parses");
    match &root[0] {
        Node::Paragraph(v) => assert_eq!(v.len(), 2000),
        other => panic!("unexpected {other:?}"),
    }
    let three = parse("😀😀😀", &Options::default()).expect("parses");
    assert!(matches!(&three[0], Node::BigEmoji(v) if v.len() == 3));
}

#[test]
fn many_lines_of_blocks() {
    let s =
        "> quote\n- item\n1. one\n- [x] task\n# head\n```\ncode\n```\n|a|b|\n|-|-|\n|1|2|\n---\n"
            .repeat(5000);
    let root = parse(&s, &Options::server_default()).expect("parses");
    assert!(root.len() > 5000);
}

#[test]
fn control_characters_and_unicode() {
    let s: String = (0u32..0x3000).filter_map(char::from_u32).collect();
    for o in opts() {
        assert!(parse(&s, &o).is_ok());
    }
}

/// Concatenated text of plain texts and emoticons (no markup nodes expected).
fn flat_text(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::PlainText(t) => out.push_str(t),
            Node::Emoji { value, .. } => out.push_str(value),
            Node::Paragraph(v) => flat_text(v, out),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn unclosed_italic_openers_inside_emoticons() {
    // every `_` of `-_-` is tried as an italic opener whose content (the following
    // emoticons) never closes: quadratic without memoising the content loop's end
    let s = "-_- ".repeat(20_000);
    let root = parse(&s, &Options::server_default()).expect("parses");
    assert_eq!(root.len(), 1);
    let mut text = String::new();
    flat_text(&root, &mut text);
    assert_eq!(text, s);
}

#[test]
fn emoticons_swallowing_emphasis_delimiters() {
    for unit in [
        "-_- ", "_- ", "-_ ", ":) _", "* -_- *", "~-_-~ ", "__ -_- ", "*) ", ":* ", "_:) ", "__-_-",
    ] {
        let s = unit.repeat(20_000 / unit.len());
        for o in opts() {
            let root = parse(&s, &o).expect("parses");
            assert_eq!(root.len(), 1, "{unit:?}");
        }
    }
    for (pre, unit) in [("_", ":)"), ("*", ":)"), ("_*", ":*")] {
        let s = format!("{pre}{}", unit.repeat(10_000));
        for o in opts() {
            let root = parse(&s, &o).expect("parses");
            assert_eq!(root.len(), 1, "{pre:?}");
        }
    }
}
