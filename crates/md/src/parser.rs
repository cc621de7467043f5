//! A literal port of the peggy grammar compiled into `@rocket.chat/message-parser`
//! 0.32.0 (`dist/messageParser.js`). Rule names follow the upstream grammar; the
//! comments give the minified function names of the bundle for traceability.
//!
//! Semantics preserved: ordered choice, backtracking, the four global skip flags
//! (bold / italic / strike / references), UTF-16 code-unit positions. Results of the
//! inline-item rule are memoised on (position, flags): peggy has no other mutable
//! state, so memoisation cannot change results, and it removes the exponential and
//! quadratic re-parsing of look-aheads. For the same reason the end of each bold /
//! italic / strike content loop is memoised per item start (an opener whose content
//! never closes fails without re-scanning the rest of the input), and so is the
//! preferential-item look-ahead after an emoticon in bold / italic content. Deep
//! recursion grows the stack on the heap (`stacker`) instead of overflowing.

use std::collections::HashMap;

use crate::Options;
use crate::ast::{Align, Node, TableCell};
use crate::classes::{ALNUM_CHAR, EMAIL_LOCAL, UTF8_NAME};
use crate::date;
use crate::emoticons::EMOTICONS;
use crate::tld;

const FLAG_BOLD: u8 = 1;
const FLAG_ITALIC: u8 = 2;
const FLAG_STRIKE: u8 = 4;
const FLAG_REFS: u8 = 8;

/// Result of a rule that may yield one node or (from `reducePlainTexts`) several.
#[derive(Clone, Debug)]
enum Out {
    One(Node),
    Many(Vec<Node>),
}

fn push_out(v: &mut Vec<Node>, o: Out) {
    match o {
        Out::One(n) => v.push(n),
        Out::Many(ns) => v.extend(ns),
    }
}

fn in_ranges(c: u16, r: &[(u16, u16)]) -> bool {
    r.binary_search_by(|&(lo, hi)| {
        if hi < c {
            std::cmp::Ordering::Less
        } else if lo > c {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    })
    .is_ok()
}

/// JavaScript `\s` / `String.prototype.trim` white space.
pub(crate) fn js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

fn plain(s: impl Into<String>) -> Node {
    Node::PlainText(s.into())
}

/// `reducePlainTexts`: joinEmoji on the flattened list, then merge adjacent plains.
pub(crate) fn reduce(items: Vec<Node>) -> Vec<Node> {
    let has_emoji = items
        .iter()
        .any(|n| matches!(n, Node::Emoji { .. } | Node::EmojiUnicode(_)));
    let mut out: Vec<Node> = Vec::with_capacity(items.len());
    let push = |out: &mut Vec<Node>, n: Node| {
        if let Node::PlainText(add) = &n
            && let Some(Node::PlainText(last)) = out.last_mut()
        {
            last.push_str(add);
            return;
        }
        out.push(n);
    };
    if !has_emoji {
        for n in items {
            push(&mut out, n);
        }
        return out;
    }
    let is_emoji = |n: Option<&Node>| matches!(n, Some(Node::Emoji { .. } | Node::EmojiUnicode(_)));
    let is_text = |n: Option<&Node>| match n {
        Some(Node::PlainText(t)) => !t.chars().all(js_space),
        _ => false,
    };
    let mut converted: Vec<Node> = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        let prev = if i > 0 { items.get(i - 1) } else { None };
        let next = items.get(i + 1);
        let node = &items[i];
        let conv = match node {
            Node::Emoji { value, short_code } if prev.is_some() || next.is_some() => {
                if is_emoji(prev) || is_emoji(next) || is_text(prev) || is_text(next) {
                    if short_code != value {
                        Some(plain(value.clone()))
                    } else {
                        Some(plain(format!(":{value}:")))
                    }
                } else {
                    None
                }
            }
            _ => None,
        };
        converted.push(conv.unwrap_or_else(|| node.clone()));
    }
    for n in converted {
        push(&mut out, n);
    }
    out
}

type MemoKey = (usize, u8, u8);

pub(crate) struct Parser<'a> {
    s: Vec<u16>,
    pos: usize,
    opts: &'a Options,
    flags: u8,
    memo: HashMap<MemoKey, Option<(Out, usize)>>,
    /// next_at_stop[i]: first j >= i with s[j] in {' ', '\t', '\r', '\n', '@'} (len if none)
    next_email_stop: Vec<u32>,
    /// first j >= i with s[j] in {' ', '\t', '\r', '\n', ':', '.', '/', '@'}
    next_url_stop: Vec<u32>,
    /// end of the run of identical units starting at i
    run_end: Vec<u32>,
    /// first j >= i with s[j] in `]()*_~ \t\r\n` (end of a link-title plain run)
    next_title_stop: Vec<u32>,
    /// memo: where a run of DomainChar starting at i ends (0 = not computed)
    domain_run_end: Vec<u32>,
    /// memo: where the link-title loop starting at (i, flags) stops
    title_end: HashMap<(usize, u8), usize>,
    /// memo: where the bold / italic / strike content loop starting at i stops, one
    /// table per (kind, flags), allocated on first use (0 = unknown, else end + 1); it
    /// lets an unclosed opener fail without re-scanning the rest of the input
    content_end: Vec<Vec<u32>>,
    /// memo: whether the bold / italic preferential item matches at i, one table per
    /// (kind, flags) (0 = unknown, 1 = no, 2 = yes): the look-ahead after an emoticon
    /// inside bold / italic content
    pref_ok: Vec<Vec<u8>>,
}

// memo rule ids
const R_INLINE: u8 = 0;
const R_BOLD: u8 = 1;
const R_ITALIC: u8 = 2;
const R_STRIKE: u8 = 3;
const R_REFS: u8 = 4;

// content-loop kinds (keys of `content_end` and `pref_ok`)
const K_BOLD: u8 = 0;
const K_ITALIC: u8 = 1;
const K_STRIKE: u8 = 2;

const RED_ZONE: usize = 128 * 1024;
const STACK_GROW: usize = 4 * 1024 * 1024;

impl<'a> Parser<'a> {
    pub(crate) fn new(msg: &str, opts: &'a Options) -> Self {
        let mut s: Vec<u16> = Vec::with_capacity(msg.len());
        let mut buf = [0u16; 2];
        for c in msg.chars() {
            let cp = c as u32;
            if cp >= crate::LONE_SURROGATE_BASE {
                s.push((0xD800 + cp - crate::LONE_SURROGATE_BASE) as u16);
            } else {
                s.extend_from_slice(c.encode_utf16(&mut buf));
            }
        }
        let n = s.len();
        let mut next_email_stop = vec![n as u32; n + 1];
        let mut next_url_stop = vec![n as u32; n + 1];
        let mut run_end = vec![n as u32; n + 1];
        let mut next_title_stop = vec![n as u32; n + 1];
        for i in (0..n).rev() {
            let c = s[i];
            next_email_stop[i] = if matches!(c, 32 | 9 | 13 | 10 | 64) {
                i as u32
            } else {
                next_email_stop[i + 1]
            };
            next_url_stop[i] = if matches!(c, 32 | 9 | 13 | 10 | 58 | 46 | 47 | 64) {
                i as u32
            } else {
                next_url_stop[i + 1]
            };
            next_title_stop[i] = if matches!(c, 93 | 40 | 41 | 42 | 95 | 126 | 32 | 9 | 13 | 10) {
                i as u32
            } else {
                next_title_stop[i + 1]
            };
            run_end[i] = if i + 1 < n && s[i + 1] == c {
                run_end[i + 1]
            } else {
                (i + 1) as u32
            };
        }
        Parser {
            s,
            pos: 0,
            opts,
            flags: 0,
            memo: HashMap::new(),
            next_email_stop,
            next_url_stop,
            run_end,
            next_title_stop,
            domain_run_end: vec![0; n + 1],
            title_end: HashMap::new(),
            content_end: vec![Vec::new(); 3 * 16],
            pref_ok: vec![Vec::new(); 3 * 16],
        }
    }

    // ---------------------------------------------------------------- primitives

    #[inline]
    fn at(&self, i: usize) -> Option<u16> {
        self.s.get(i).copied()
    }

    #[inline]
    fn cur(&self) -> Option<u16> {
        self.s.get(self.pos).copied()
    }

    #[inline]
    fn eof(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn text(&self, a: usize, b: usize) -> String {
        utf16_to_string(&self.s[a..b])
    }

    fn looking_at_pos(&self, p: usize, lit: &str) -> bool {
        (p..)
            .zip(lit.encode_utf16())
            .all(|(i, u)| self.at(i) == Some(u))
    }

    fn looking_at(&self, lit: &str) -> bool {
        self.looking_at_pos(self.pos, lit)
    }

    fn lit(&mut self, lit: &str) -> bool {
        if !self.looking_at(lit) {
            return false;
        }
        self.pos += lit.encode_utf16().count();
        true
    }

    #[inline]
    fn ch(&mut self, c: u8) -> bool {
        if self.cur() == Some(c as u16) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// One unit matching `pred`.
    #[inline]
    fn class(&mut self, pred: impl Fn(u16) -> bool) -> bool {
        match self.cur() {
            Some(c) if pred(c) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// `pred*`
    #[inline]
    fn star(&mut self, pred: impl Fn(u16) -> bool) {
        while let Some(c) = self.cur() {
            if !pred(c) {
                break;
            }
            self.pos += 1;
        }
    }

    /// `pred+`
    #[inline]
    fn plus(&mut self, pred: impl Fn(u16) -> bool) -> bool {
        let start = self.pos;
        self.star(pred);
        self.pos > start
    }

    /// Units consumed by a single-unit "any" rule: a whole surrogate pair when the
    /// unit is a high surrogate followed by a low one (the halves always end up merged
    /// into the same plain text, and Rust strings cannot hold lone surrogates).
    fn any_len(&self, i: usize) -> usize {
        match (self.at(i), self.at(i + 1)) {
            (Some(h), Some(l))
                if (0xD800..0xDC00).contains(&h) && (0xDC00..0xE000).contains(&l) =>
            {
                2
            }
            _ => 1,
        }
    }

    /// A plain node of one "any" unit (see [`any_len`]).
    fn any_plain(&mut self) -> Node {
        let a = self.pos;
        self.pos += self.any_len(a);
        plain(self.text(a, self.pos))
    }

    // ---------------------------------------------------------------- char classes

    fn is_space(c: u16) -> bool {
        c == 32 || c == 9
    }
    fn is_digit(c: u16) -> bool {
        (48..=57).contains(&c)
    }
    fn is_alnum(c: u16) -> bool {
        Self::is_digit(c) || (65..=90).contains(&c) || (97..=122).contains(&c)
    }
    fn is_alpha(c: u16) -> bool {
        (65..=90).contains(&c) || (97..=122).contains(&c)
    }
    /// AnyText `[ -'+-Za-z\x80-\uFFFF]`
    fn is_any_text(c: u16) -> bool {
        (0x20..=0x27).contains(&c)
            || (0x2B..=0x5A).contains(&c)
            || (0x61..=0x7A).contains(&c)
            || c >= 0x80
    }
    /// Extra `[.,!%~*"':;()=~]`
    fn is_extra(c: u16) -> bool {
        matches!(
            c,
            46 | 44 | 33 | 37 | 126 | 42 | 34 | 39 | 58 | 59 | 40 | 41 | 61
        )
    }
    /// Safe `[$@&+_#?-]`
    fn is_safe(c: u16) -> bool {
        matches!(c, 36 | 64 | 38 | 43 | 95 | 35 | 63 | 45)
    }
    fn is_hex(c: u16) -> bool {
        Self::is_digit(c) || (65..=70).contains(&c) || (97..=102).contains(&c)
    }

    // ---------------------------------------------------------------- macros of the grammar

    /// EndOfLine `"\r\n" / [\n\r]` (dg)
    fn eol(&mut self) -> bool {
        if self.lit("\r\n") {
            return true;
        }
        self.class(|c| c == 10 || c == 13)
    }

    /// Whitespace `[ \t]+` → plain (lg)
    fn whitespace(&mut self) -> Option<Node> {
        let a = self.pos;
        if self.plus(Self::is_space) {
            Some(plain(self.text(a, self.pos)))
        } else {
            None
        }
    }

    fn digits(&mut self) -> Option<String> {
        let a = self.pos;
        if self.plus(Self::is_digit) {
            Some(self.text(a, self.pos))
        } else {
            None
        }
    }

    /// exactly n digits (greedy up to n, at least n)
    fn n_digits(&mut self, n: usize) -> Option<String> {
        let a = self.pos;
        let mut k = 0;
        while k < n && self.cur().is_some_and(Self::is_digit) {
            self.pos += 1;
            k += 1;
        }
        if k < n {
            self.pos = a;
            return None;
        }
        Some(self.text(a, self.pos))
    }

    // ---------------------------------------------------------------- Start (Lm)

    pub(crate) fn parse_start(&mut self) -> Option<Vec<Node>> {
        if let Some(b) = self.big_emoji() {
            if self.eof() {
                return Some(vec![b]);
            }
            self.pos = 0;
        }
        let mut out = Vec::new();
        loop {
            let start = self.pos;
            if let Some(b) = self.block() {
                out.push(b);
            } else if let Some(p) = self.paragraph() {
                out.push(p);
            } else if self.eol() {
                out.push(Node::Paragraph(vec![plain("")]));
            } else {
                break;
            }
            if self.pos == start {
                break;
            }
        }
        if out.is_empty() || !self.eof() {
            return None;
        }
        Some(out)
    }

    /// BigEmoji: `(EOL/Space)* ((Emoji/Emoticon) (EOL/Space)*){1,3}`
    fn big_emoji(&mut self) -> Option<Node> {
        let start = self.pos;
        self.skip_eol_space();
        let mut items = Vec::new();
        while items.len() < 3 {
            let save = self.pos;
            let e = self.emoji().or_else(|| self.emoticon());
            match e {
                Some(n) => {
                    items.push(n);
                    self.skip_eol_space();
                }
                None => {
                    self.pos = save;
                    break;
                }
            }
        }
        if items.is_empty() {
            self.pos = start;
            return None;
        }
        Some(Node::BigEmoji(items))
    }

    fn skip_eol_space(&mut self) {
        loop {
            if self.eol() {
                continue;
            }
            if self.class(Self::is_space) {
                continue;
            }
            break;
        }
    }

    // ---------------------------------------------------------------- Blocks ($m)

    fn block(&mut self) -> Option<Node> {
        let start = self.pos;
        macro_rules! try_rule {
            ($e:expr) => {
                if let Some(n) = $e {
                    return Some(n);
                }
                self.pos = start;
            };
        }
        try_rule!(self.blockquote());
        try_rule!(self.block_spoiler());
        try_rule!(self.code());
        try_rule!(self.horizontal_rule());
        try_rule!(self.table());
        try_rule!(self.heading());
        try_rule!(self.tasks());
        try_rule!(self.ordered_list());
        try_rule!(self.unordered_list());
        try_rule!(self.katex_block());
        try_rule!(self.line_break());
        None
    }

    /// Blockquote: BlockquoteLine+ (Sm)
    fn blockquote(&mut self) -> Option<Node> {
        let mut lines = Vec::new();
        loop {
            let save = self.pos;
            match self.blockquote_line() {
                Some(p) => lines.push(p),
                None => {
                    self.pos = save;
                    break;
                }
            }
        }
        if lines.is_empty() {
            return None;
        }
        Some(Node::Quote(lines))
    }

    fn blockquote_line(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.ch(b'>') {
            return None;
        }
        self.star(Self::is_space);
        if self.eol() {
            return Some(Node::Paragraph(vec![plain("")]));
        }
        self.pos = start;
        self.ch(b'>');
        self.star(Self::is_space);
        let p = self.paragraph();
        if p.is_none() {
            self.pos = start;
        }
        p
    }

    /// BlockSpoiler: `"||" EOL (!"||" Paragraph)+ EOL? "||"`
    fn block_spoiler(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.lit("||") || !self.eol() {
            self.pos = start;
            return None;
        }
        let mut paras = Vec::new();
        loop {
            if self.looking_at("||") {
                break;
            }
            let save = self.pos;
            match self.paragraph() {
                Some(p) => paras.push(p),
                None => {
                    self.pos = save;
                    break;
                }
            }
        }
        if paras.is_empty() {
            self.pos = start;
            return None;
        }
        self.eol();
        if !self.lit("||") {
            self.pos = start;
            return None;
        }
        Some(Node::SpoilerBlock(paras))
    }

    /// Code: "```" CodeLanguage? EOL CodeLine+ EOL "```"
    fn code(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.lit("```") {
            return None;
        }
        let la = self.pos;
        let language = if self.plus(|c| Self::is_alnum(c) || matches!(c, 32 | 95 | 45 | 46)) {
            Some(self.text(la, self.pos))
        } else {
            None
        };
        if !self.eol() {
            self.pos = start;
            return None;
        }
        let mut lines = Vec::new();
        while let Some(l) = self.code_line() {
            lines.push(l);
        }
        if lines.is_empty() || !self.eol() || !self.lit("```") {
            self.pos = start;
            return None;
        }
        Some(Node::Code {
            language: language.unwrap_or_else(|| "none".to_string()),
            lines,
        })
    }

    /// CodeLine (Qm)
    fn code_line(&mut self) -> Option<String> {
        let start = self.pos;
        if let Some(c) = self.code_chunk() {
            return Some(c);
        }
        if self.ch(b'\n') {
            if let Some(c) = self.code_chunk() {
                return Some(c);
            }
            if !self.looking_at("```") {
                return Some(String::new());
            }
        }
        self.pos = start;
        None
    }

    /// CodeChunk: CodeChunkChar+ (Ym / Vm)
    fn code_chunk(&mut self) -> Option<String> {
        let a = self.pos;
        loop {
            let c = self.cur();
            match c {
                None => break,
                Some(10 | 13) => break,
                Some(96) => {
                    // "`" [^`\r\n] / "``" [^`\r\n] / "``" &([\n\r]/!.) / "`" &([\n\r]/!.)
                    let c1 = self.at(self.pos + 1);
                    let not_bt_nl =
                        |c: Option<u16>| matches!(c, Some(x) if x != 96 && x != 10 && x != 13);
                    let nl_or_end = |c: Option<u16>| matches!(c, None | Some(10 | 13));
                    if not_bt_nl(c1) {
                        self.pos += 2;
                    } else if c1 == Some(96) {
                        let c2 = self.at(self.pos + 2);
                        if not_bt_nl(c2) {
                            self.pos += 3;
                        } else if nl_or_end(c2) {
                            self.pos += 2;
                        } else {
                            break;
                        }
                    } else if nl_or_end(c1) {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
        if self.pos > a {
            Some(self.text(a, self.pos))
        } else {
            None
        }
    }

    /// HorizontalRule: `[ \t]* "-"{3,} [ \t]* (EOL / !.)`
    fn horizontal_rule(&mut self) -> Option<Node> {
        let start = self.pos;
        self.star(Self::is_space);
        let da = self.pos;
        self.star(|c| c == 45);
        let db = self.pos;
        if db - da < 3 {
            self.pos = start;
            return None;
        }
        self.star(Self::is_space);
        if !(self.eol() || self.eof()) {
            self.pos = start;
            return None;
        }
        Some(Node::HorizontalRule { fallback: (da, db) })
    }

    /// Table (mc): header row, delimiter row, body rows.
    fn table(&mut self) -> Option<Node> {
        let start = self.pos;
        let header = self.table_row()?;
        // delimiter row
        if !self.ch(b'|') {
            self.pos = start;
            return None;
        }
        let mut aligns: Vec<Option<Align>> = Vec::new();
        loop {
            let save = self.pos;
            if let Some(a) = self.table_align()
                && self.ch(b'|')
            {
                aligns.push(a);
                continue;
            }
            self.pos = save;
            break;
        }
        if aligns.is_empty() {
            self.pos = start;
            return None;
        }
        self.eol();
        let mut rows = Vec::new();
        loop {
            let save = self.pos;
            match self.table_row() {
                Some(r) => rows.push(r),
                None => {
                    self.pos = save;
                    break;
                }
            }
        }
        let end = self.pos;
        let cell = |v: &Vec<Node>, a: Option<&Option<Align>>| TableCell {
            align: a.copied().flatten(),
            value: trim_cell(v.clone()),
        };
        let header_cells: Vec<TableCell> = header
            .iter()
            .enumerate()
            .map(|(i, c)| cell(c, aligns.get(i)))
            .collect();
        let empty = Vec::new();
        let body: Vec<Vec<TableCell>> = rows
            .iter()
            .map(|r| {
                (0..header.len())
                    .map(|i| cell(r.get(i).unwrap_or(&empty), aligns.get(i)))
                    .collect()
            })
            .collect();
        Some(Node::Table {
            header: header_cells,
            rows: body,
            fallback: (start, end),
        })
    }

    /// TableRow (Xm): `"|" (Cell "|")+ EOL?`
    fn table_row(&mut self) -> Option<Vec<Vec<Node>>> {
        let start = self.pos;
        if !self.ch(b'|') {
            return None;
        }
        let mut cells = Vec::new();
        loop {
            let save = self.pos;
            let c = self.table_cell();
            if self.ch(b'|') {
                cells.push(c);
            } else {
                self.pos = save;
                break;
            }
        }
        if cells.is_empty() {
            self.pos = start;
            return None;
        }
        self.eol();
        Some(cells)
    }

    /// TableCell (Nm): `("\\|" / !"|" !EOL (InlineItem / Any))*`
    fn table_cell(&mut self) -> Vec<Node> {
        let mut items = Vec::new();
        loop {
            if self.lit("\\|") {
                items.push(plain("|"));
                continue;
            }
            match self.cur() {
                None | Some(124) => break,
                _ => {}
            }
            let save = self.pos;
            if self.eol() {
                self.pos = save;
                break;
            }
            if let Some(o) = self.inline_item() {
                push_out(&mut items, o);
            } else if let Some(n) = self.any_non_nl() {
                items.push(n);
            } else {
                break;
            }
        }
        reduce(items)
    }

    /// TableAlign (Rm)
    fn table_align(&mut self) -> Option<Option<Align>> {
        let start = self.pos;
        self.star(Self::is_space);
        let left = self.ch(b':');
        if !self.plus(|c| c == 45) {
            self.pos = start;
            return None;
        }
        let right = self.ch(b':');
        self.star(Self::is_space);
        Some(match (left, right) {
            (true, true) => Some(Align::Center),
            (false, true) => Some(Align::Right),
            (true, false) => Some(Align::Left),
            (false, false) => None,
        })
    }

    /// Heading: `"#"{1,4} [ \t]+ (InlineItem / !EOL Any)+ EOL?`
    fn heading(&mut self) -> Option<Node> {
        let start = self.pos;
        let mut level = 0;
        while level < 4 && self.ch(b'#') {
            level += 1;
        }
        if level == 0 || !self.plus(Self::is_space) {
            self.pos = start;
            return None;
        }
        let mut items = Vec::new();
        loop {
            if let Some(o) = self.inline_item() {
                push_out(&mut items, o);
            } else if let Some(n) = self.any_non_nl() {
                items.push(n);
            } else {
                break;
            }
        }
        if items.is_empty() {
            self.pos = start;
            return None;
        }
        self.eol();
        Some(Node::Heading {
            level,
            value: reduce(items),
        })
    }

    /// Tasks: Task+ (eh)
    fn tasks(&mut self) -> Option<Node> {
        let mut items = Vec::new();
        loop {
            let start = self.pos;
            if !self.lit("- [") {
                break;
            }
            let status = if self.ch(b'x') {
                true
            } else if self.ch(b' ') {
                false
            } else {
                self.pos = start;
                break;
            };
            if !self.ch(b']') || !self.plus(Self::is_space) {
                self.pos = start;
                break;
            }
            match self.inline() {
                Some(v) => items.push(Node::Task { status, value: v }),
                None => {
                    self.pos = start;
                    break;
                }
            }
        }
        if items.is_empty() {
            None
        } else {
            Some(Node::Tasks(items))
        }
    }

    /// OrderedList: (Digits "." [ \t]+ Inline)+ (uh)
    fn ordered_list(&mut self) -> Option<Node> {
        let mut items = Vec::new();
        loop {
            let start = self.pos;
            let Some(d) = self.digits() else {
                break;
            };
            if !self.ch(b'.') || !self.plus(Self::is_space) {
                self.pos = start;
                break;
            }
            match self.inline() {
                Some(v) => items.push(Node::ListItem {
                    value: v,
                    number: Some(parse_int(&d)),
                }),
                None => {
                    self.pos = start;
                    break;
                }
            }
        }
        if items.is_empty() {
            None
        } else {
            Some(Node::OrderedList(items))
        }
    }

    /// UnorderedList: HyphenItem+ / AsteriskItem+
    fn unordered_list(&mut self) -> Option<Node> {
        let mut items = Vec::new();
        loop {
            let start = self.pos;
            if !self.ch(b'-') || !self.plus(Self::is_space) {
                self.pos = start;
                break;
            }
            match self.inline() {
                Some(v) => items.push(Node::ListItem {
                    value: v,
                    number: None,
                }),
                None => {
                    self.pos = start;
                    break;
                }
            }
        }
        if items.is_empty() {
            loop {
                let start = self.pos;
                if !self.ch(b'*') || !self.plus(Self::is_space) {
                    self.pos = start;
                    break;
                }
                match self.asterisk_item_content() {
                    Some(v) => items.push(Node::ListItem {
                        value: v,
                        number: None,
                    }),
                    None => {
                        self.pos = start;
                        break;
                    }
                }
            }
        }
        if items.is_empty() {
            None
        } else {
            Some(Node::UnorderedList(items))
        }
    }

    /// UnorderedListItemContent: `(InlineItem / !"*" Any)+ !"*" EOL?`
    fn asterisk_item_content(&mut self) -> Option<Vec<Node>> {
        let start = self.pos;
        let mut items = Vec::new();
        loop {
            if let Some(o) = self.inline_item() {
                push_out(&mut items, o);
            } else if self.cur() != Some(42)
                && let Some(n) = self.any_non_nl()
            {
                items.push(n);
            } else {
                break;
            }
        }
        if items.is_empty() || self.cur() == Some(42) {
            self.pos = start;
            return None;
        }
        self.eol();
        Some(reduce(items))
    }

    fn katex_paren(&self) -> bool {
        self.opts
            .katex
            .as_ref()
            .is_some_and(|k| k.parenthesis_syntax)
    }

    fn katex_dollar(&self) -> bool {
        self.opts.katex.as_ref().is_some_and(|k| k.dollar_syntax)
    }

    /// KatexEnd (rh)
    fn katex_end(&mut self) -> bool {
        (self.katex_paren() && self.lit("\\]")) || (self.katex_dollar() && self.lit("$$"))
    }

    /// Katex block: KatexStart (!KatexEnd .)* KatexEnd
    fn katex_block(&mut self) -> Option<Node> {
        let start = self.pos;
        if !((self.katex_paren() && self.lit("\\[")) || (self.katex_dollar() && self.lit("$$"))) {
            return None;
        }
        let ca = self.pos;
        loop {
            match self.cur() {
                None => break,
                Some(c) if c != 36 && c != 92 => self.pos += 1,
                Some(_) => {
                    let save = self.pos;
                    if self.katex_end() {
                        self.pos = save;
                        break;
                    }
                    self.pos += 1;
                }
            }
        }
        let cb = self.pos;
        if !self.katex_end() {
            self.pos = start;
            return None;
        }
        Some(Node::Katex(self.text(ca, cb)))
    }

    /// LineBreak: `[ \t]* EOL`
    fn line_break(&mut self) -> Option<Node> {
        let start = self.pos;
        self.star(Self::is_space);
        if self.eol() {
            Some(Node::LineBreak)
        } else {
            self.pos = start;
            None
        }
    }

    /// Paragraph (ch)
    fn paragraph(&mut self) -> Option<Node> {
        self.inline().map(Node::Paragraph)
    }

    /// Inline (lh): `(InlineItem / Any)+ EOL?`
    fn inline(&mut self) -> Option<Vec<Node>> {
        let mut items = Vec::new();
        loop {
            if let Some(o) = self.inline_item() {
                push_out(&mut items, o);
            } else if let Some(n) = self.any_non_nl() {
                items.push(n);
            } else {
                break;
            }
        }
        if items.is_empty() {
            return None;
        }
        self.eol();
        Some(reduce(items))
    }

    /// Any `[^\r\n]` → plain (hg)
    fn any_non_nl(&mut self) -> Option<Node> {
        match self.cur() {
            Some(c) if c != 10 && c != 13 => Some(self.any_plain()),
            _ => None,
        }
    }

    // ---------------------------------------------------------------- inline items (fh)

    fn inline_item(&mut self) -> Option<Out> {
        let key = (self.pos, self.flags, R_INLINE);
        if let Some(r) = self.memo.get(&key) {
            return match r {
                Some((o, end)) => {
                    let o = o.clone();
                    self.pos = *end;
                    Some(o)
                }
                None => None,
            };
        }
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.inline_item_uncached());
        self.memo
            .insert(key, r.as_ref().map(|o| (o.clone(), self.pos)));
        r
    }

    fn inline_item_uncached(&mut self) -> Option<Out> {
        let start = self.pos;
        let c = self.cur()?;
        let r: Option<Out> = match c {
            32 | 9 => self.whitespace().map(Out::One),
            92 => self
                .escaped_timestamp()
                .or_else(|| self.katex_inline())
                .or_else(|| self.escaped())
                .map(Out::One),
            91 => self.maybe_references().map(Out::One),
            60 => self
                .timestamp()
                .or_else(|| self.maybe_references())
                .or_else(|| self.inline_emoticon())
                .map(Out::One),
            33 => self.image().map(Out::One),
            124 => self.spoiler().map(Out::One),
            64 => self.user_mention().map(Out::One),
            96 => self.inline_code().map(Out::One),
            43 => self.autolinked_phone().map(Out::One),
            36 => self.katex_inline().map(Out::One),
            58 => self
                .emoji()
                .or_else(|| self.inline_emoticon())
                .map(Out::One),
            42 => self
                .emphasis_with_whitespace()
                .map(Out::One)
                .or_else(|| self.emphasis())
                .or_else(|| self.inline_emoticon().map(Out::One)),
            126 => self
                .emphasis_with_whitespace()
                .map(Out::One)
                .or_else(|| self.emphasis()),
            45 => self
                .plain_before_emoticon()
                .or_else(|| self.inline_emoticon())
                .map(Out::One),
            _ => None,
        };
        if r.is_some() {
            return r;
        }
        self.pos = start;
        self.slow_path()
    }

    fn slow_path(&mut self) -> Option<Out> {
        let start = self.pos;
        macro_rules! alt {
            ($e:expr) => {
                if let Some(x) = $e {
                    return Some(x);
                }
                self.pos = start;
            };
        }
        alt!(self.autolinked_email().map(Out::One));
        alt!(self.underscore_domain().map(Out::One));
        alt!(self.autolinked_url().map(Out::One));
        alt!(self.emphasis_with_whitespace().map(Out::One));
        alt!(self.emphasis());
        alt!(self.channel_mention().map(Out::One));
        alt!(self.emoji().map(Out::One));
        alt!(self.plain_before_emoticon().map(Out::One));
        alt!(self.inline_emoticon().map(Out::One));
        alt!(self.color().map(Out::One));
        alt!(self.plain_run().map(Out::One));
        None
    }

    /// PlainRun `[^*_~`:\n<[\]! \t()\\|]+`
    fn plain_run(&mut self) -> Option<Node> {
        let a = self.pos;
        if self.plus(|c| {
            !matches!(
                c,
                42 | 95 | 126 | 96 | 58 | 10 | 60 | 91 | 93 | 33 | 32 | 9 | 40 | 41 | 92 | 124
            )
        }) {
            Some(plain(self.text(a, self.pos)))
        } else {
            None
        }
    }

    /// Escaped: `"\\" [*_~`#.]`
    fn escaped(&mut self) -> Option<Node> {
        let start = self.pos;
        if self.ch(b'\\')
            && let Some(c) = self.cur()
            && matches!(c, 42 | 95 | 126 | 96 | 35 | 46)
        {
            self.pos += 1;
            return Some(plain(self.text(self.pos - 1, self.pos)));
        }
        self.pos = start;
        None
    }

    /// PlainRunBeforeEmoticon: `"-" &("_" "-" .)` (hh)
    fn plain_before_emoticon(&mut self) -> Option<Node> {
        if self.cur() == Some(45)
            && self.at(self.pos + 1) == Some(95)
            && self.at(self.pos + 2) == Some(45)
            && self.at(self.pos + 3).is_some()
        {
            self.pos += 1;
            return Some(plain("-"));
        }
        None
    }

    // ---------------------------------------------------------------- timestamps

    /// Unixtime / ISO / ISO without ms / hours; returns (value, end)
    fn timestamp_date(&mut self) -> Option<String> {
        let start = self.pos;
        if let Some(d) = self.n_digits(10) {
            return Some(d);
        }
        self.pos = start;
        if let Some(d) = self.iso_date(true) {
            return Some(d);
        }
        self.pos = start;
        if let Some(d) = self.iso_date(false) {
            return Some(d);
        }
        self.pos = start;
        if let Some(d) = self.hours_date() {
            return Some(d);
        }
        self.pos = start;
        None
    }

    fn iso_date(&mut self, with_ms: bool) -> Option<String> {
        let y = self.n_digits(4)?;
        if !self.ch(b'-') {
            return None;
        }
        let mo = self.n_digits(2)?;
        if !self.ch(b'-') {
            return None;
        }
        let d = self.n_digits(2)?;
        if !self.ch(b'T') {
            return None;
        }
        let h = self.n_digits(2)?;
        if !self.ch(b':') {
            return None;
        }
        let mi = self.n_digits(2)?;
        if !self.ch(b':') {
            return None;
        }
        let s = self.n_digits(2)?;
        let ms = if with_ms {
            if !self.ch(b'.') {
                return None;
            }
            Some(self.n_digits(3)?)
        } else {
            None
        };
        let tz = self.timezone();
        Some(date::from_iso(
            &y,
            &mo,
            &d,
            &h,
            &mi,
            &s,
            ms.as_deref(),
            tz.as_deref(),
        ))
    }

    fn hours_date(&mut self) -> Option<String> {
        let start = self.pos;
        // HH:MM:SS tz?
        if let Some(h) = self.n_digits(2)
            && self.ch(b':')
            && let Some(m) = self.n_digits(2)
            && self.ch(b':')
            && let Some(s) = self.n_digits(2)
        {
            let tz = self.timezone();
            return Some(date::from_hours(&h, &m, Some(&s), tz.as_deref()));
        }
        self.pos = start;
        let h = self.n_digits(2)?;
        if !self.ch(b':') {
            return None;
        }
        let m = self.n_digits(2)?;
        let tz = self.timezone();
        Some(date::from_hours(&h, &m, None, tz.as_deref()))
    }

    /// Timezone (Um): `[+-] DD ":" DD`
    fn timezone(&mut self) -> Option<String> {
        let start = self.pos;
        let sign = self.cur()?;
        if sign != 43 && sign != 45 {
            return None;
        }
        self.pos += 1;
        if let Some(h) = self.n_digits(2)
            && self.ch(b':')
            && let Some(m) = self.n_digits(2)
        {
            return Some(format!("{}{h}:{m}", if sign == 43 { '+' } else { '-' }));
        }
        self.pos = start;
        None
    }

    /// TimestampType `[DFRTdft]`
    fn timestamp_type(&mut self) -> Option<String> {
        let c = self.cur()?;
        if matches!(c, 68 | 70 | 82 | 84 | 100 | 102 | 116) {
            self.pos += 1;
            Some(self.text(self.pos - 1, self.pos))
        } else {
            None
        }
    }

    /// TimestampRules (Gm)
    fn timestamp(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.lit("<t:") {
            return None;
        }
        let Some(date) = self.timestamp_date() else {
            self.pos = start;
            return None;
        };
        let after = self.pos;
        if self.ch(b':')
            && let Some(f) = self.timestamp_type()
            && self.ch(b'>')
        {
            return Some(Node::Timestamp {
                timestamp: date,
                format: f,
                fallback: (start, self.pos),
            });
        }
        // second alternative re-parses the same date; the result is identical
        self.pos = after;
        if self.ch(b'>') {
            return Some(Node::Timestamp {
                timestamp: date,
                format: "t".to_string(),
                fallback: (start, self.pos),
            });
        }
        self.pos = start;
        None
    }

    /// EscapedTimestampRules (gh)
    fn escaped_timestamp(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.lit("\\<t:") {
            return None;
        }
        let da = self.pos;
        if self.timestamp_date().is_none() {
            self.pos = start;
            return None;
        }
        let raw = self.text(da, self.pos);
        let after = self.pos;
        if self.ch(b':')
            && let Some(f) = self.timestamp_type()
            && self.ch(b'>')
        {
            return Some(plain(format!("<t:{raw}:{f}>")));
        }
        self.pos = after;
        if self.ch(b'>') {
            return Some(plain(format!("<t:{raw}>")));
        }
        self.pos = start;
        None
    }

    // ---------------------------------------------------------------- katex inline (ih)

    fn katex_inline_end(&mut self) -> bool {
        (self.katex_paren() && self.lit("\\)")) || (self.katex_dollar() && self.lit("$"))
    }

    fn katex_inline(&mut self) -> Option<Node> {
        let start = self.pos;
        if !((self.katex_paren() && self.lit("\\(")) || (self.katex_dollar() && self.lit("$"))) {
            return None;
        }
        let ca = self.pos;
        loop {
            match self.cur() {
                None => break,
                Some(c) if !matches!(c, 36 | 92 | 13 | 10) => self.pos += 1,
                Some(_) => {
                    let save = self.pos;
                    if self.katex_inline_end() {
                        self.pos = save;
                        break;
                    }
                    self.pos += 1;
                }
            }
        }
        let cb = self.pos;
        if !self.katex_inline_end() {
            self.pos = start;
            return None;
        }
        Some(Node::InlineKatex(self.text(ca, cb)))
    }

    // ---------------------------------------------------------------- inline code, spoiler, image

    /// InlineCode (cg): "`" [^`\n]+ "`"
    fn inline_code(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.ch(b'`') {
            return None;
        }
        let a = self.pos;
        if !self.plus(|c| c != 96 && c != 10) || !self.ch(b'`') {
            self.pos = start;
            return None;
        }
        Some(Node::InlineCode(self.text(a, self.pos - 1)))
    }

    /// Spoiler: "||" (!"||" (InlineItem / Any))+ "||"
    fn spoiler(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.lit("||") {
            return None;
        }
        let mut items = Vec::new();
        loop {
            if self.looking_at("||") {
                break;
            }
            if let Some(o) = self.inline_item() {
                push_out(&mut items, o);
            } else if self.looking_at("||") {
                break;
            } else if let Some(n) = self.any_non_nl() {
                items.push(n);
            } else {
                break;
            }
        }
        if items.is_empty() || !self.lit("||") {
            self.pos = start;
            return None;
        }
        Some(Node::Spoiler(reduce(items)))
    }

    /// Image: "![" Line? "](" MarkdownLinkRef ")"
    fn image(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.lit("![") {
            return None;
        }
        let title = self.line_text();
        if !self.lit("](") {
            self.pos = start;
            return None;
        }
        let Some(href) = self.markdown_link_ref() else {
            self.pos = start;
            return None;
        };
        if !self.ch(b')') {
            self.pos = start;
            return None;
        }
        let label = match title {
            Some(t) if !t.is_empty() => t,
            _ => href.clone(),
        };
        Some(Node::Image { src: href, label })
    }

    /// Line (kg): `[ \t]* AnyText+ [ \t]*` as text
    fn line_text(&mut self) -> Option<String> {
        let start = self.pos;
        self.star(Self::is_space);
        if !self.plus(Self::is_any_text) {
            self.pos = start;
            return None;
        }
        self.star(Self::is_space);
        Some(self.text(start, self.pos))
    }

    fn line(&mut self) -> Option<Node> {
        self.line_text().map(plain)
    }

    // ---------------------------------------------------------------- references (Sh)

    fn with_flag<T>(
        &mut self,
        flag: u8,
        rule: u8,
        f: impl FnOnce(&mut Self) -> Option<T>,
        wrap: fn(T) -> Out,
        unwrap: fn(Out) -> T,
    ) -> Option<T> {
        if self.flags & flag != 0 {
            return None;
        }
        let key = (self.pos, self.flags, rule);
        if let Some(r) = self.memo.get(&key) {
            return match r {
                Some((o, end)) => {
                    let o = o.clone();
                    self.pos = *end;
                    Some(unwrap(o))
                }
                None => None,
            };
        }
        let start = self.pos;
        self.flags |= flag;
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || f(self));
        self.flags &= !flag;
        if r.is_none() {
            self.pos = start;
        }
        let r = r.map(wrap);
        self.memo
            .insert(key, r.as_ref().map(|o| (o.clone(), self.pos)));
        r.map(unwrap)
    }

    fn maybe_references(&mut self) -> Option<Node> {
        self.with_flag(
            FLAG_REFS,
            R_REFS,
            |p| p.references(),
            Out::One,
            |o| match o {
                Out::One(n) => n,
                Out::Many(mut v) => v.pop().unwrap_or(Node::LineBreak),
            },
        )
    }

    fn references(&mut self) -> Option<Node> {
        let start = self.pos;
        if self.ch(b'[') {
            // the title loop is deterministic per (position, flags): find where it stops
            // (memoised) and check the rest before collecting the items
            let end = self.title_scan_end(self.pos);
            self.pos = end;
            let tail_ok = self.lit("](") && self.markdown_link_ref().is_some() && self.ch(b')');
            if !tail_ok {
                self.pos = start;
                return None;
            }
            self.pos = start + 1;
            let mut title = Vec::new();
            while let Some(o) = self.link_title_item() {
                push_out(&mut title, o);
            }
            if self.lit("](")
                && let Some(href) = self.markdown_link_ref()
                && self.ch(b')')
            {
                let label = if title.is_empty() {
                    vec![plain(href.clone())]
                } else {
                    reduce(title)
                };
                return Some(Node::Link { src: href, label });
            }
            self.pos = start;
            return None;
        }
        if self.ch(b'<')
            && let Some(href) = self.link_ref()
            && self.ch(b'|')
        {
            let a = self.pos;
            if self.plus(|c| {
                (0x20..=0x3B).contains(&c) || c == 0x3D || (0x3F..=0x7B).contains(&c) || c >= 0x7D
            }) {
                let label = self.text(a, self.pos);
                if self.ch(b'>') {
                    return Some(Node::Link {
                        src: href,
                        label: vec![plain(label)],
                    });
                }
            }
        }
        self.pos = start;
        None
    }

    /// The items of the bold / italic / strike content loop (`Kh+`, `Hh+`, `Uh+`) at
    /// the current position, in a sequence where `close` must follow them. The loop's
    /// end depends only on (position, flags), so it is memoised for every item start:
    /// when a loop reaches a start already scanned from another opener, an end that is
    /// not followed by `close` fails at once instead of re-scanning the rest of the
    /// input (which made unclosed openers whose delimiters are swallowed by emoticons,
    /// e.g. `-_- -_- ...`, quadratic). Failing early gives the same result, as the
    /// sequence would fail on `close` anyway.
    fn content_items(&mut self, kind: u8, close: &str) -> Option<Vec<Node>> {
        let table = usize::from(kind) * 16 + usize::from(self.flags);
        if self.content_end[table].is_empty() {
            self.content_end[table] = vec![0; self.s.len() + 1];
        }
        let p0 = self.pos;
        let mut items = Vec::new();
        let mut path = Vec::new();
        let mut closes = false;
        loop {
            let q = self.pos;
            if !closes {
                let known = self.content_end[table][q];
                if known != 0 {
                    let e = known as usize - 1;
                    if e > p0 && self.looking_at_pos(e, close) {
                        closes = true;
                    } else {
                        for x in path {
                            self.content_end[table][x] = known;
                        }
                        self.pos = p0;
                        return None;
                    }
                } else {
                    path.push(q);
                }
            }
            let o = match kind {
                K_BOLD => self.bold_content_item(),
                K_ITALIC => self.italic_content_item(),
                _ => self.strike_item(),
            };
            match o {
                Some(o) => push_out(&mut items, o),
                None => break,
            }
        }
        let end = self.pos as u32 + 1;
        for x in path {
            self.content_end[table][x] = end;
        }
        if items.is_empty() {
            return None;
        }
        Some(items)
    }

    /// `&PrefItem` after an emoticon inside bold / italic content (memoised).
    fn pref_item_ahead(&mut self, kind: u8) -> bool {
        let table = usize::from(kind) * 16 + usize::from(self.flags);
        if self.pref_ok[table].is_empty() {
            self.pref_ok[table] = vec![0; self.s.len() + 1];
        }
        let save = self.pos;
        match self.pref_ok[table][save] {
            1 => return false,
            2 => return true,
            _ => {}
        }
        let r = if kind == K_BOLD {
            self.bold_pref_item().is_some()
        } else {
            self.italic_pref_item().is_some()
        };
        self.pos = save;
        self.pref_ok[table][save] = 1 + u8::from(r);
        r
    }

    fn title_scan_end(&mut self, p: usize) -> usize {
        let flags = self.flags;
        let mut path = Vec::new();
        let mut q = p;
        let end = loop {
            if let Some(&e) = self.title_end.get(&(q, flags)) {
                break e;
            }
            path.push(q);
            // fast path: a unit that can only start the title plain run
            let stop = self.next_title_stop[q] as usize;
            if stop > q && !self.at(q).is_some_and(Self::is_alnum) {
                q = stop;
                continue;
            }
            self.pos = q;
            if self.link_title_item().is_some() && self.pos > q {
                q = self.pos;
            } else {
                break q;
            }
        };
        for x in path {
            self.title_end.insert((x, flags), end);
        }
        end
    }

    /// LinkTitle (ph)
    fn link_title_item(&mut self) -> Option<Out> {
        let start = self.pos;
        if let Some(w) = self.whitespace() {
            return Some(Out::One(w));
        }
        if let Some(e) = self.emphasis() {
            return Some(e);
        }
        self.pos = start;
        let a = self.pos;
        let stop = self.next_title_stop[a] as usize;
        if stop > a {
            self.pos = stop;
            return Some(Out::One(plain(self.text(a, self.pos))));
        }
        // !("](" .) !("] [" [^\]]* "](") .
        self.cur()?;
        if self.looking_at("](") && self.at(self.pos + 2).is_some() {
            return None;
        }
        if self.looking_at("] [") {
            let mut i = self.pos + 3;
            while let Some(c) = self.at(i) {
                if c == 93 {
                    break;
                }
                i += 1;
            }
            if self.at(i) == Some(93) && self.at(i + 1) == Some(40) {
                return None;
            }
        }
        Some(Out::One(self.any_plain()))
    }

    /// URL head: `$(URLScheme URLAuthority) / $(URLAuthorityHost)`
    fn url_head(&mut self) -> bool {
        let start = self.pos;
        if self.url_scheme() && self.url_authority() {
            return true;
        }
        self.pos = start;
        if self.url_authority_host() {
            return true;
        }
        self.pos = start;
        false
    }

    /// MarkdownLinkRef (bh)
    fn markdown_link_ref(&mut self) -> Option<String> {
        let start = self.pos;
        if self.url_head() {
            while self.markdown_link_url_body() {}
            return Some(self.text(start, self.pos));
        }
        self.pos = start;
        if self.url_scheme() && self.markdown_link_url_body() {
            while self.markdown_link_url_body() {}
            return Some(self.text(start, self.pos));
        }
        self.pos = start;
        if let Some((_, number)) = self.phone() {
            return Some(format!("tel:{number}"));
        }
        self.pos = start;
        None
    }

    /// LinkRef for `<href|label>`
    fn link_ref(&mut self) -> Option<String> {
        let start = self.pos;
        if self.url_head() {
            while self.url_body_unit() {}
            return Some(self.text(start, self.pos));
        }
        self.pos = start;
        if self.url_scheme() && self.url_body_unit() {
            while self.url_body_unit() {}
            return Some(self.text(start, self.pos));
        }
        self.pos = start;
        if let Some((_, number)) = self.phone() {
            return Some(format!("tel:{number}"));
        }
        self.pos = start;
        None
    }

    /// one step of MarkdownLinkURLBody (vh): `!(Extra'+ (WS / EOL) / WS) !")" (Class / "(" Paren* ")")`
    fn markdown_link_url_body(&mut self) -> bool {
        let start = self.pos;
        // negative look-ahead
        {
            let mut i = self.pos;
            while self
                .at(i)
                .is_some_and(|c| matches!(c, 46 | 44 | 33 | 37 | 42 | 34 | 39 | 58 | 59 | 61))
            {
                i += 1;
            }
            if i > self.pos && matches!(self.at(i), Some(32 | 9 | 10 | 13)) {
                return false;
            }
            if matches!(self.cur(), Some(32 | 9)) {
                return false;
            }
        }
        match self.cur() {
            None | Some(41) => false,
            Some(c) if Self::md_url_class(c) => {
                self.pos += 1;
                true
            }
            Some(40) => {
                self.pos += 1;
                loop {
                    match self.cur() {
                        Some(c)
                            if !matches!(c, 32 | 9 | 10 | 13 | 41) && Self::md_paren_class(c) =>
                        {
                            self.pos += 1
                        }
                        _ => break,
                    }
                }
                if self.ch(b')') {
                    true
                } else {
                    self.pos = start;
                    false
                }
            }
            _ => false,
        }
    }

    /// `[ -'*-[\]-{}-~\x80-\uFFFF]`
    fn md_url_class(c: u16) -> bool {
        (0x20..=0x27).contains(&c)
            || (0x2A..=0x5B).contains(&c)
            || (0x5D..=0x7B).contains(&c)
            || (0x7D..=0x7E).contains(&c)
            || c >= 0x80
    }

    /// `[ -(*-[\]-{}-~\x80-\uFFFF]`
    fn md_paren_class(c: u16) -> bool {
        (0x20..=0x28).contains(&c)
            || (0x2A..=0x5B).contains(&c)
            || (0x5D..=0x7B).contains(&c)
            || (0x7D..=0x7E).contains(&c)
            || c >= 0x80
    }

    /// one step of URLBody (wh): `!(Extra+ (WS / EOL / !.) / WS) [ -(*-[\]-{}-~\x80-\uFFFF]`
    fn url_body_unit(&mut self) -> bool {
        let mut i = self.pos;
        while self.at(i).is_some_and(Self::is_extra) {
            i += 1;
        }
        if i > self.pos && matches!(self.at(i), None | Some(32 | 9 | 10 | 13)) {
            return false;
        }
        match self.cur() {
            Some(32 | 9) | None => false,
            Some(c) if Self::md_paren_class(c) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// URLScheme (xh): `[A-Za-z0-9+-]{1,32} ":"`
    fn url_scheme(&mut self) -> bool {
        let start = self.pos;
        let mut k = 0;
        while k < 32
            && self
                .cur()
                .is_some_and(|c| Self::is_alnum(c) || c == 43 || c == 45)
        {
            self.pos += 1;
            k += 1;
        }
        if k == 0 || !self.ch(b':') {
            self.pos = start;
            return false;
        }
        true
    }

    /// URLAuthority (Fh): `"//" UserInfo? Host`
    fn url_authority(&mut self) -> bool {
        let start = self.pos;
        if !self.lit("//") {
            return false;
        }
        let save = self.pos;
        if !self.url_userinfo() {
            self.pos = save;
        }
        if !self.url_authority_host() {
            self.pos = start;
            return false;
        }
        true
    }

    fn userinfo_part(&mut self) -> bool {
        self.plus(|c| Self::is_alnum(c) || (c != 64 && c != 47 && Self::is_safe(c)))
    }

    fn url_userinfo(&mut self) -> bool {
        let start = self.pos;
        if !self.userinfo_part() {
            return false;
        }
        let save = self.pos;
        if !(self.ch(b':') && self.userinfo_part()) {
            self.pos = save;
        }
        if !self.ch(b'@') {
            self.pos = start;
            return false;
        }
        true
    }

    /// URLAuthorityHost (Ch): `(DomainName / Digits|4, "."|) (":" Digits)?`
    fn url_authority_host(&mut self) -> bool {
        let start = self.pos;
        if !self.domain_name() {
            self.pos = start;
            // exactly four digit groups separated by "."
            let mut n = 0;
            loop {
                if self.digits().is_none() {
                    break;
                }
                n += 1;
                if n >= 4 {
                    break;
                }
                let save = self.pos;
                if !self.ch(b'.') {
                    break;
                }
                if !self.cur().is_some_and(Self::is_digit) {
                    self.pos = save;
                    break;
                }
            }
            if n < 4 {
                self.pos = start;
                return false;
            }
        }
        let save = self.pos;
        if !(self.ch(b':') && self.digits().is_some()) {
            self.pos = save;
        }
        true
    }

    /// DomainName (Dh): `"localhost" / ![_] Label ("." DomainChar Label*)+`
    fn domain_name(&mut self) -> bool {
        if self.lit("localhost") {
            return true;
        }
        let start = self.pos;
        if self.cur() == Some(95) {
            return false;
        }
        if !self.domain_label() {
            self.pos = start;
            return false;
        }
        let mut groups = 0;
        loop {
            let save = self.pos;
            if self.ch(b'.') && self.domain_char() {
                while self.domain_label() {}
                groups += 1;
            } else {
                self.pos = save;
                break;
            }
        }
        if groups == 0 {
            self.pos = start;
            return false;
        }
        true
    }

    /// DomainNameLabel (Bh): `DomainChar+ ("-" DomainChar+)*`. A `-` is itself a
    /// DomainChar (with the unit after it), so when `DomainChar+` stops, the unit after a
    /// `-` cannot start a DomainChar either and the `("-" DomainChar+)*` part never
    /// matches: the label is the DomainChar run, whose end is memoised per position.
    fn domain_label(&mut self) -> bool {
        let start = self.pos;
        let end = self.domain_run(start);
        if end == start {
            return false;
        }
        self.pos = end;
        true
    }

    /// End of the run of DomainChar starting at `p` (memoised, iterative).
    fn domain_run(&mut self, p: usize) -> usize {
        let saved = self.pos;
        let mut path = Vec::new();
        let mut q = p;
        let end = loop {
            let known = self.domain_run_end[q];
            if known != 0 {
                break known as usize;
            }
            path.push(q);
            self.pos = q;
            if self.domain_char() {
                q = self.pos;
            } else {
                break q;
            }
        };
        for x in path {
            self.domain_run_end[x] = end as u32;
        }
        self.pos = saved;
        end
    }

    /// DomainChar (Eh): `[a-zA-Z0-9] / !Extra ([_-] / !Safe) !EOL !Space ![\\/|><%`[\]] .`
    /// Note the `[_-]` branch consumes its unit, so the look-aheads and `.` apply to the
    /// unit after it (the domain char is then two units long).
    fn domain_char(&mut self) -> bool {
        let Some(c) = self.cur() else {
            return false;
        };
        if Self::is_alnum(c) {
            self.pos += 1;
            return true;
        }
        if Self::is_extra(c) {
            return false;
        }
        let start = self.pos;
        if c == 95 || c == 45 {
            self.pos += 1;
        } else if Self::is_safe(c) {
            return false;
        }
        match self.cur() {
            Some(d)
                if !matches!(
                    d,
                    10 | 13 | 32 | 9 | 92 | 47 | 124 | 62 | 60 | 37 | 96 | 91 | 93
                ) =>
            {
                self.pos += 1;
                true
            }
            _ => {
                self.pos = start;
                false
            }
        }
    }

    // ---------------------------------------------------------------- phone, email, url

    /// Phone (zh): returns (text, number)
    fn phone(&mut self) -> Option<(String, String)> {
        let start = self.pos;
        if !self.ch(b'+') {
            return None;
        }
        let r = self.phone_number();
        match r {
            Some((t, n)) => Some((format!("+{t}"), n)),
            None => {
                self.pos = start;
                None
            }
        }
    }

    fn phone_prefix(&mut self) -> Option<(String, String)> {
        let start = self.pos;
        if let Some(d) = self.digits() {
            return Some((d.clone(), d));
        }
        if self.ch(b'(')
            && let Some(d) = self.digits()
            && self.ch(b')')
        {
            return Some((format!("({d})"), d));
        }
        self.pos = start;
        None
    }

    fn phone_number(&mut self) -> Option<(String, String)> {
        let start = self.pos;
        if let Some((pt, pn)) = self.phone_prefix()
            && self.ch(b'-')
            && let Some(d) = self.digits()
        {
            return Some((format!("{pt}-{d}"), format!("{pn}{d}")));
        }
        self.pos = start;
        if let Some((pt, pn)) = self.phone_prefix()
            && let Some(d1) = self.digits()
            && self.ch(b'-')
            && let Some(d2) = self.digits()
        {
            return Some((format!("{pt}{d1}-{d2}"), format!("{pn}{d1}{d2}")));
        }
        self.pos = start;
        if let Some((pt, pn)) = self.phone_prefix()
            && let Some(d) = self.digits()
        {
            return Some((format!("{pt}{d}"), format!("{pn}{d}")));
        }
        self.pos = start;
        if let Some(d) = self.digits() {
            return Some((d.clone(), d));
        }
        self.pos = start;
        None
    }

    fn autolinked_phone(&mut self) -> Option<Node> {
        let (text, number) = self.phone()?;
        Some(if number.encode_utf16().count() < 5 {
            plain(text)
        } else {
            Node::Link {
                src: format!("tel:{number}"),
                label: vec![plain(text)],
            }
        })
    }

    /// AutolinkedEmail: `&([^ \t\r\n@]* "@") "mailto:"? $(LocalPart "@" DomainName)`
    fn autolinked_email(&mut self) -> Option<Node> {
        let stop = self.next_email_stop[self.pos] as usize;
        if self.at(stop) != Some(64) {
            return None;
        }
        let start = self.pos;
        self.lit("mailto:");
        let a = self.pos;
        if !self.local_part() || !self.ch(b'@') || !self.domain_name() {
            self.pos = start;
            return None;
        }
        let email = self.text(a, self.pos);
        let src = format!("mailto:{email}");
        let r = tld::parse(&src, false, None);
        Some(if r.is_icann || r.is_ip || r.is_private {
            Node::Link {
                src,
                label: vec![plain(email)],
            }
        } else {
            plain(email)
        })
    }

    /// LocalPart: `LocalPartChar+ ("." LocalPartChar+)*` with LocalPartChar = `Dg+ Special*`
    fn local_part(&mut self) -> bool {
        let special = |c: u16| {
            matches!(
                c,
                33 | 35
                    | 36
                    | 37
                    | 38
                    | 39
                    | 42
                    | 43
                    | 47
                    | 61
                    | 63
                    | 94
                    | 95
                    | 96
                    | 123
                    | 124
                    | 125
                    | 126
                    | 45
            )
        };
        let local_char = |p: &mut Self| -> bool {
            if !p.plus(|c| in_ranges(c, EMAIL_LOCAL)) {
                return false;
            }
            p.star(special);
            true
        };
        if !local_char(self) {
            return false;
        }
        while local_char(self) {}
        loop {
            let save = self.pos;
            if self.ch(b'.') && local_char(self) {
                while local_char(self) {}
            } else {
                self.pos = save;
                break;
            }
        }
        true
    }

    /// `"_" DomainName &(EOL / !. / [^_])` → plain("_" + domain)
    fn underscore_domain(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.ch(b'_') {
            return None;
        }
        let a = self.pos;
        if !self.domain_name() || self.cur() == Some(95) {
            self.pos = start;
            return None;
        }
        Some(plain(format!("_{}", self.text(a, self.pos))))
    }

    /// AutolinkedURL: `&([^ \t\r\n:./@]* ("://" / ".")) head AutoLinkURLBody*`
    fn autolinked_url(&mut self) -> Option<Node> {
        let stop = self.next_url_stop[self.pos] as usize;
        let ok = match self.at(stop) {
            Some(46) => true,
            Some(58) => self.at(stop + 1) == Some(47) && self.at(stop + 2) == Some(47),
            _ => false,
        };
        if !ok {
            return None;
        }
        let start = self.pos;
        if !self.url_head() {
            return None;
        }
        while self.autolink_body_unit() {}
        let text = self.text(start, self.pos);
        Some(auto_link(&text, &self.opts.custom_domains))
    }

    /// Ih: `[^ \t\r\n.,!%~*"':;()=~] / !(Extra* (WS / EOL / !.)) .`
    fn autolink_body_unit(&mut self) -> bool {
        let Some(c) = self.cur() else {
            return false;
        };
        if !matches!(c, 32 | 9 | 13 | 10) && !Self::is_extra(c) {
            self.pos += 1;
            return true;
        }
        let mut i = self.pos;
        while self.at(i).is_some_and(Self::is_extra) {
            i += 1;
        }
        if matches!(self.at(i), None | Some(32 | 9 | 10 | 13)) {
            return false;
        }
        self.pos += 1;
        true
    }

    // ---------------------------------------------------------------- color

    fn color(&mut self) -> Option<Node> {
        if !self.opts.colors {
            return None;
        }
        let start = self.pos;
        if !self.lit("color:#") {
            return None;
        }
        let a = self.pos;
        // HexByte{3,4}
        let mut bytes = Vec::new();
        while bytes.len() < 4
            && self.cur().is_some_and(Self::is_hex)
            && self.at(self.pos + 1).is_some_and(Self::is_hex)
        {
            let v = hexval(self.s[self.pos]) * 16 + hexval(self.s[self.pos + 1]);
            bytes.push(v);
            self.pos += 2;
        }
        if bytes.len() < 3 {
            self.pos = a;
            bytes.clear();
            while bytes.len() < 4 && self.cur().is_some_and(Self::is_hex) {
                let h = hexval(self.s[self.pos]);
                bytes.push(h * 16 + h);
                self.pos += 1;
            }
            if bytes.len() < 3 {
                self.pos = start;
                return None;
            }
        }
        if self.cur().is_some_and(Self::is_any_text) {
            self.pos = start;
            return None;
        }
        Some(Node::Color {
            r: bytes[0],
            g: bytes[1],
            b: bytes[2],
            a: bytes.get(3).copied().unwrap_or(255),
        })
    }

    // ---------------------------------------------------------------- emphasis

    /// EmphasisWithWhitespace (Gh): `c+ [ \t]+ c+` for c in * _ ~
    fn emphasis_with_whitespace(&mut self) -> Option<Node> {
        let start = self.pos;
        for ch in [42u16, 95, 126] {
            if self.cur() != Some(ch) {
                continue;
            }
            let e1 = self.run_end[self.pos] as usize;
            self.pos = e1;
            if self.plus(Self::is_space) && self.cur() == Some(ch) {
                self.pos = self.run_end[self.pos] as usize;
                return Some(plain(self.text(start, self.pos)));
            }
            self.pos = start;
        }
        None
    }

    /// Emphasis (Oh): MaybeBold / MaybeItalic / MaybeStrikethrough
    fn emphasis(&mut self) -> Option<Out> {
        let start = self.pos;
        if let Some(b) = self.maybe_bold() {
            return Some(Out::One(b));
        }
        self.pos = start;
        if let Some(i) = self.maybe_italic() {
            return Some(i);
        }
        self.pos = start;
        if let Some(s) = self.maybe_strike() {
            return Some(Out::One(s));
        }
        self.pos = start;
        None
    }

    fn maybe_bold(&mut self) -> Option<Node> {
        if self.cur() != Some(42) {
            return None;
        }
        self.with_flag(FLAG_BOLD, R_BOLD, |p| p.bold(), Out::One, out_one)
    }

    fn maybe_strike(&mut self) -> Option<Node> {
        if self.cur() != Some(126) {
            return None;
        }
        self.with_flag(FLAG_STRIKE, R_STRIKE, |p| p.strike(), Out::One, out_one)
    }

    fn maybe_italic(&mut self) -> Option<Out> {
        match self.cur() {
            Some(c) if c == 95 || Self::is_alnum(c) => {}
            _ => return None,
        }
        self.with_flag(FLAG_ITALIC, R_ITALIC, |p| p.italic(), |o| o, |o| o)
    }

    /// Bold: `"**" BoldContent "**" / "*" BoldContent "*"`
    fn bold(&mut self) -> Option<Node> {
        let start = self.pos;
        if self.lit("**")
            && let Some(c) = self.bold_content("**")
            && self.lit("**")
        {
            return Some(c);
        }
        self.pos = start;
        if self.ch(b'*')
            && let Some(c) = self.bold_content("*")
            && self.ch(b'*')
        {
            return Some(c);
        }
        self.pos = start;
        None
    }

    /// BoldContent (Zh): Kh+
    fn bold_content(&mut self, close: &str) -> Option<Node> {
        let items = self.content_items(K_BOLD, close)?;
        Some(Node::Bold(reduce(items)))
    }

    /// One Kh of BoldContent.
    fn bold_content_item(&mut self) -> Option<Out> {
        if let Some(o) = self.bold_pref_item() {
            return Some(o);
        }
        self.content_item_rest(42)
    }

    /// BoldContentPreferentialItem (Mh)
    fn bold_pref_item(&mut self) -> Option<Out> {
        stacker::maybe_grow(RED_ZONE, STACK_GROW, || {
            let start = self.pos;
            macro_rules! alt {
                ($e:expr) => {
                    if let Some(x) = $e {
                        return Some(x);
                    }
                    self.pos = start;
                };
            }
            alt!(self.whitespace().map(Out::One));
            alt!(self.inline_code().map(Out::One));
            alt!(self.timestamp().map(Out::One));
            alt!(self.maybe_references().map(Out::One));
            alt!(self.user_mention_with_text().map(Out::One));
            alt!(self.channel_mention().map(Out::One));
            alt!(self.maybe_italic());
            alt!(self.maybe_strike().map(Out::One));
            alt!(self.emoji().map(Out::One));
            if let Some(e) = self.emoticon() {
                let after = self.pos;
                let ok = self.emoticon_neighbor() || {
                    self.pos = after;
                    self.pref_item_ahead(K_BOLD)
                };
                self.pos = after;
                if ok {
                    return Some(Out::One(e));
                }
            }
            self.pos = start;
            None
        })
    }

    /// Italic ($h alternatives)
    fn italic(&mut self) -> Option<Out> {
        let start = self.pos;
        // [a-zA-Z0-9]+ "_" "_"?
        if self.plus(Self::is_alnum) && self.ch(b'_') {
            self.ch(b'_');
            return Some(Out::One(plain(self.text(start, self.pos))));
        }
        self.pos = start;
        // "__" Items "__" [a-zA-Z0-9]+
        if self.lit("__")
            && let Some(items) = self.italic_content_items("__")
            && self.lit("__")
        {
            let a = self.pos;
            if self.plus(Self::is_alnum) {
                let t = self.text(a, self.pos);
                let mut v = vec![plain("__")];
                v.extend(items);
                v.push(plain("__"));
                v.push(plain(t));
                return Some(Out::Many(reduce(v)));
            }
        }
        self.pos = start;
        // "_" Items "_" [a-zA-Z]+
        if self.ch(b'_')
            && let Some(items) = self.italic_content_items("_")
            && self.ch(b'_')
        {
            let a = self.pos;
            if self.plus(Self::is_alpha) {
                let t = self.text(a, self.pos);
                let mut v = vec![plain("_")];
                v.extend(items);
                v.push(plain("_"));
                v.push(plain(t));
                return Some(Out::Many(reduce(v)));
            }
        }
        self.pos = start;
        if self.lit("__")
            && let Some(items) = self.italic_content_items("__")
            && self.lit("__")
        {
            return Some(Out::One(Node::Italic(items)));
        }
        self.pos = start;
        if self.ch(b'_')
            && let Some(items) = self.italic_content_items("_")
            && self.ch(b'_')
        {
            return Some(Out::One(Node::Italic(items)));
        }
        self.pos = start;
        None
    }

    /// ItalicContentItems (Nh): Hh+ → reduced
    fn italic_content_items(&mut self, close: &str) -> Option<Vec<Node>> {
        let items = self.content_items(K_ITALIC, close)?;
        Some(reduce(items))
    }

    /// One Hh of ItalicContentItems.
    fn italic_content_item(&mut self) -> Option<Out> {
        if let Some(o) = self.italic_pref_item() {
            return Some(o);
        }
        self.content_item_rest(95)
    }

    /// The tail shared by Bold and Italic content items: a plain run stopping at any emphasis
    /// delimiter, else one plain character that is not `delim`, a space or a newline, else a
    /// line break.
    fn content_item_rest(&mut self, delim: u16) -> Option<Out> {
        let a = self.pos;
        if self.plus(|c| !matches!(c, 10 | 95 | 32 | 42 | 126)) {
            return Some(Out::One(plain(self.text(a, self.pos))));
        }
        if let Some(c) = self.cur()
            && c != 10
            && c != delim
            && c != 32
        {
            return Some(Out::One(self.any_plain()));
        }
        self.line().map(Out::One)
    }

    /// ItalicContentPreferentialItem (Rh)
    fn italic_pref_item(&mut self) -> Option<Out> {
        stacker::maybe_grow(RED_ZONE, STACK_GROW, || {
            let start = self.pos;
            macro_rules! alt {
                ($e:expr) => {
                    if let Some(x) = $e {
                        return Some(x);
                    }
                    self.pos = start;
                };
            }
            alt!(self.whitespace().map(Out::One));
            alt!(self.inline_code().map(Out::One));
            alt!(self.timestamp().map(Out::One));
            alt!(self.maybe_references().map(Out::One));
            alt!(self.user_mention_with_text().map(Out::One));
            alt!(self.channel_mention().map(Out::One));
            alt!(self.maybe_bold().map(Out::One));
            alt!(self.maybe_strike().map(Out::One));
            alt!(self.emoji().map(Out::One));
            if let Some(e) = self.emoticon() {
                let after = self.pos;
                let ok = self.emoticon_neighbor()
                    || {
                        self.pos = after;
                        self.pref_item_ahead(K_ITALIC)
                    }
                    || {
                        self.pos = after;
                        self.cur() == Some(95)
                    };
                self.pos = after;
                if ok {
                    return Some(Out::One(e));
                }
            }
            self.pos = start;
            None
        })
    }

    /// Strikethrough: `"~~" Content "~~" / "~" Content "~"`
    fn strike(&mut self) -> Option<Node> {
        let start = self.pos;
        if self.lit("~~")
            && let Some(c) = self.strike_content("~~")
            && self.lit("~~")
        {
            return Some(c);
        }
        self.pos = start;
        if self.ch(b'~')
            && let Some(c) = self.strike_content("~")
            && self.ch(b'~')
        {
            return Some(c);
        }
        self.pos = start;
        None
    }

    /// StrikethroughContent (Uh)
    fn strike_content(&mut self, close: &str) -> Option<Node> {
        let items = self.content_items(K_STRIKE, close)?;
        Some(Node::Strike(reduce(items)))
    }

    fn strike_item(&mut self) -> Option<Out> {
        stacker::maybe_grow(RED_ZONE, STACK_GROW, || {
            let start = self.pos;
            macro_rules! alt {
                ($e:expr) => {
                    if let Some(x) = $e {
                        return Some(x);
                    }
                    self.pos = start;
                };
            }
            // Wh
            let a = self.pos;
            if self.plus(|c| {
                !(matches!(
                    c,
                    10 | 126
                        | 32
                        | 42
                        | 95
                        | 58
                        | 96
                        | 64
                        | 35
                        | 91
                        | 93
                        | 92
                        | 60
                        | 33
                        | 124
                        | 0xD83C
                        | 0xD83D
                        | 0xD83E
                ) || (0x2300..=0x27BF).contains(&c))
            }) {
                return Some(Out::One(plain(self.text(a, self.pos))));
            }
            alt!(self.escaped_timestamp().map(Out::One));
            alt!(self.timestamp().map(Out::One));
            alt!(self.whitespace().map(Out::One));
            alt!(self.inline_code().map(Out::One));
            alt!(self.maybe_references().map(Out::One));
            alt!(self.user_mention_with_text().map(Out::One));
            alt!(self.channel_mention().map(Out::One));
            alt!(self.maybe_italic());
            alt!(self.maybe_bold().map(Out::One));
            alt!(self.emoji().map(Out::One));
            alt!(self.emoticon().map(Out::One));
            if let Some(c) = self.cur()
                && c != 10
                && c != 126
                && c != 32
            {
                return Some(Out::One(self.any_plain()));
            }
            alt!(self.line().map(Out::One));
            None
        })
    }

    // ---------------------------------------------------------------- mentions

    /// UserMention (Qh): `"@"+ $(Names ([:@] Names)?) &{!endsWith("__")}`
    fn user_mention(&mut self) -> Option<Node> {
        let start = self.pos;
        if self.cur() != Some(64) {
            return None;
        }
        self.pos = self.run_end[start] as usize;
        let a = self.pos;
        if !self.plus(|c| in_ranges(c, UTF8_NAME)) {
            self.pos = start;
            return None;
        }
        let save = self.pos;
        if !(self.class(|c| c == 58 || c == 64) && self.plus(|c| in_ranges(c, UTF8_NAME))) {
            self.pos = save;
        }
        let name = self.text(a, self.pos);
        if name.ends_with("__") {
            self.pos = start;
            return None;
        }
        Some(Node::MentionUser(name))
    }

    /// Vh: `Text "@"+ AlphaNumericChar` → plain / UserMention
    fn user_mention_with_text(&mut self) -> Option<Node> {
        let start = self.pos;
        if let Some(t) = self.cur()
            && Self::is_any_text(t)
        {
            self.pos += 1;
            if self.cur() == Some(64) {
                self.pos = self.run_end[self.pos] as usize;
            }
            if self.pos > start + 1
                && let Some(c) = self.cur()
                && in_ranges(c, ALNUM_CHAR)
            {
                self.pos += 1;
                let s = format!(
                    "{}@{}",
                    self.text(start, start + 1),
                    self.text(self.pos - 1, self.pos)
                );
                return Some(plain(s));
            }
            self.pos = start;
        }
        self.user_mention()
    }

    /// ChannelMention (Yh)
    fn channel_mention(&mut self) -> Option<Node> {
        let start = self.pos;
        if let Some(t) = self.cur()
            && Self::is_any_text(t)
        {
            self.pos += 1;
            if self.ch(b'#')
                && let Some(c) = self.cur()
                && in_ranges(c, ALNUM_CHAR)
            {
                self.pos += 1;
                let s = format!(
                    "{}#{}",
                    self.text(start, start + 1),
                    self.text(self.pos - 1, self.pos)
                );
                return Some(plain(s));
            }
            self.pos = start;
        }
        if self.ch(b'#') {
            let a = self.pos;
            if self.plus(|c| in_ranges(c, UTF8_NAME)) {
                return Some(Node::MentionChannel(self.text(a, self.pos)));
            }
        }
        self.pos = start;
        None
    }

    // ---------------------------------------------------------------- emoji (ag) and emoticons (eg)

    fn emoji(&mut self) -> Option<Node> {
        let start = self.pos;
        if self.ch(b':') {
            let a = self.pos;
            if self.plus(|c| Self::is_alnum(c) || matches!(c, 45 | 95 | 43 | 46)) && self.ch(b':') {
                return Some(Node::Emoji {
                    value: self.text(a, self.pos - 1),
                    short_code: self.text(a, self.pos - 1),
                });
            }
            self.pos = start;
            return None;
        }
        if self.unicode_emoji() {
            return Some(Node::EmojiUnicode(self.text(start, self.pos)));
        }
        self.pos = start;
        None
    }

    fn hi_lo(&self, i: usize, hi: u16, lo: impl Fn(u16) -> bool) -> bool {
        self.at(i) == Some(hi) && self.at(i + 1).is_some_and(lo)
    }

    fn opt_vs(&mut self) {
        self.class(|c| (0xFE00..=0xFE0F).contains(&c));
    }

    /// One unicode-emoji element of the ZWJ chain (tg), with optional skin tone.
    fn emoji_element(&mut self) -> bool {
        let p = self.pos;
        let matched = if self.hi_lo(p, 0xD83E, |c| (0xDD00..=0xDFFF).contains(&c)) {
            self.pos += 2;
            true
        } else if self.hi_lo(p, 0xD83C, |c| (0xDF00..=0xDFFF).contains(&c))
            || self.hi_lo(p, 0xD83D, |c| (0xDC00..=0xDDFF).contains(&c))
            || self.hi_lo(p, 0xD83D, |c| (0xDE00..=0xDE4F).contains(&c))
            || self.hi_lo(p, 0xD83D, |c| (0xDE80..=0xDEFF).contains(&c))
        {
            self.pos += 2;
            self.opt_vs();
            true
        } else if self.at(p).is_some_and(|c| {
            (0x2700..=0x27BF).contains(&c)
                || (0x2600..=0x26FF).contains(&c)
                || (0x2194..=0x2195).contains(&c)
                || (0x2B1B..=0x2B1C).contains(&c)
        }) {
            self.pos += 1;
            self.opt_vs();
            true
        } else if self.hi_lo(p, 0xD83D, |c| (0xDFE0..=0xDFEB).contains(&c) || c == 0xDFF0) {
            self.pos += 2;
            self.opt_vs();
            true
        } else {
            false
        };
        if !matched {
            return false;
        }
        if self.hi_lo(self.pos, 0xD83C, |c| (0xDFFB..=0xDFFF).contains(&c)) {
            self.pos += 2;
        }
        true
    }

    fn unicode_emoji(&mut self) -> bool {
        let start = self.pos;
        // tag flag: 1F3F4 (E0020-E007E)+ E007F
        if self.hi_lo(start, 0xD83C, |c| c == 0xDFF4) {
            let mut i = start + 2;
            let mut n = 0;
            while self.hi_lo(i, 0xDB40, |c| (0xDC20..=0xDC7E).contains(&c)) {
                i += 2;
                n += 1;
            }
            if n > 0 && self.hi_lo(i, 0xDB40, |c| c == 0xDC7F) {
                self.pos = i + 2;
                return true;
            }
        }
        // keycap
        if self
            .cur()
            .is_some_and(|c| Self::is_digit(c) || c == 35 || c == 42)
        {
            let mut i = start + 1;
            if self.at(i) == Some(0xFE0F) {
                i += 1;
            }
            if self.at(i) == Some(0x20E3) {
                self.pos = i + 1;
                return true;
            }
        }
        // (element ZWJ)* element -- PEG: the starred group is greedy and never gives back
        {
            loop {
                let save = self.pos;
                if self.emoji_element() && self.cur() == Some(0x200D) {
                    self.pos += 1;
                    continue;
                }
                self.pos = save;
                break;
            }
            if self.emoji_element() {
                return true;
            }
            self.pos = start;
        }
        let p = start;
        // ng: 1F600-1F64F VS?, og: 1F680-1F6FF VS?
        if self.hi_lo(p, 0xD83D, |c| {
            (0xDE00..=0xDE4F).contains(&c) || (0xDE80..=0xDEFF).contains(&c)
        }) {
            self.pos = p + 2;
            self.opt_vs();
            return true;
        }
        // st: 2300-23FF, rg: 2600-26FF, ig: 2700-27BF, sg: 2B1B-2B1C (all VS?)
        if self.at(p).is_some_and(|c| {
            (0x2300..=0x23FF).contains(&c)
                || (0x2600..=0x27BF).contains(&c)
                || (0x2B1B..=0x2B1C).contains(&c)
        }) {
            self.pos = p + 1;
            self.opt_vs();
            return true;
        }
        // sg: 1F7E0-1F7EB, 1F7F0 VS?
        if self.hi_lo(p, 0xD83D, |c| (0xDFE0..=0xDFEB).contains(&c) || c == 0xDFF0) {
            self.pos = p + 2;
            self.opt_vs();
            return true;
        }
        if self.hi_lo(p, 0xD83C, |c| {
            c == 0xDCCF
                || c == 0xDD8E
                || (0xDD91..=0xDD9A).contains(&c)
                || c == 0xDE01
                || (0xDE32..=0xDE3A).contains(&c)
                || (0xDE50..=0xDE51).contains(&c)
        }) {
            self.pos = p + 2;
            self.opt_vs();
            return true;
        }
        if self.at(p).is_some_and(|c| {
            matches!(
                c,
                0xA9 | 0xAE
                    | 0x203C
                    | 0x2049
                    | 0x2122
                    | 0x2139
                    | 0x24C2
                    | 0x25B6
                    | 0x25C0
                    | 0x2B50
                    | 0x2B55
                    | 0x3030
                    | 0x303D
                    | 0x3297
                    | 0x3299
            ) || (0x2196..=0x2199).contains(&c)
                || (0x21A9..=0x21AA).contains(&c)
                || (0x25AA..=0x25AB).contains(&c)
                || (0x25FB..=0x25FE).contains(&c)
                || (0x2934..=0x2935).contains(&c)
                || (0x2B05..=0x2B07).contains(&c)
        }) && self.at(p + 1) == Some(0xFE0F)
        {
            self.pos = p + 2;
            return true;
        }
        if self.hi_lo(p, 0xD83C, |c| {
            c == 0xDC04
                || (0xDD70..=0xDD71).contains(&c)
                || (0xDD7E..=0xDD7F).contains(&c)
                || c == 0xDE02
                || c == 0xDE1A
                || c == 0xDE2F
        }) && self.at(p + 2) == Some(0xFE0F)
        {
            self.pos = p + 3;
            return true;
        }
        let ri = |c: u16| (0xDDE6..=0xDDFF).contains(&c);
        if self.hi_lo(p, 0xD83C, ri) && self.hi_lo(p + 2, 0xD83C, ri) {
            self.pos = p + 4;
            return true;
        }
        self.pos = start;
        false
    }

    /// Emoticon (eg): only with the `emoticons` option.
    fn emoticon(&mut self) -> Option<Node> {
        if !self.opts.emoticons {
            return None;
        }
        let c = self.cur()?;
        for (lit, name) in EMOTICONS {
            if lit.as_bytes().first().copied().map(u16::from) != Some(c) {
                continue;
            }
            if self.lit(lit) {
                return Some(Node::Emoji {
                    value: (*lit).to_string(),
                    short_code: (*name).to_string(),
                });
            }
        }
        None
    }

    /// EmoticonNeighbor (ug): `EOL / Whitespace / [*] / !.`
    fn emoticon_neighbor(&mut self) -> bool {
        let save = self.pos;
        let r = self.eol() || self.whitespace().is_some() || self.ch(b'*') || self.eof();
        self.pos = save;
        r
    }

    /// InlineEmoticon (mh): `Emoticon &(EmoticonNeighbor / InlineItemPattern)`
    fn inline_emoticon(&mut self) -> Option<Node> {
        let start = self.pos;
        let e = self.emoticon()?;
        let after = self.pos;
        if self.emoticon_neighbor() {
            return Some(e);
        }
        let ok = self.inline_item().is_some();
        self.pos = after;
        if ok {
            return Some(e);
        }
        self.pos = start;
        None
    }
}

/// UTF-16 to String; lone surrogates become their stand-in code points.
pub(crate) fn utf16_to_string(u: &[u16]) -> String {
    char::decode_utf16(u.iter().copied())
        .map(|r| r.unwrap_or_else(|e| crate::lone_to_sentinel(e.unpaired_surrogate())))
        .collect()
}

fn out_one(o: Out) -> Node {
    match o {
        Out::One(n) => n,
        Out::Many(mut v) => v.pop().unwrap_or(Node::LineBreak),
    }
}

fn hexval(c: u16) -> u8 {
    match c {
        48..=57 => (c - 48) as u8,
        65..=70 => (c - 55) as u8,
        97..=102 => (c - 87) as u8,
        _ => 0,
    }
}

/// `parseInt(digits, 10)` as a double.
fn parse_int(d: &str) -> f64 {
    d.parse::<f64>().unwrap_or(f64::INFINITY)
}

/// X: trims leading white space of the first and trailing of the last plain text.
fn trim_cell(mut v: Vec<Node>) -> Vec<Node> {
    if let Some(Node::PlainText(t)) = v.first() {
        let t = t.trim_start_matches(js_space).to_string();
        if t.is_empty() {
            v.remove(0);
        } else {
            v[0] = plain(t);
        }
    }
    if let Some(Node::PlainText(t)) = v.last() {
        let t = t.trim_end_matches(js_space).to_string();
        let last = v.len() - 1;
        if t.is_empty() {
            v.pop();
        } else {
            v[last] = plain(t);
        }
    }
    v
}

/// `autoLink(src, customDomains)`
fn auto_link(text: &str, custom: &[String]) -> Node {
    let mut valid_hosts = vec!["localhost".to_string()];
    valid_hosts.extend(custom.iter().cloned());
    let r = tld::parse(text, true, Some(&valid_hosts));
    let by_domain = r.domain.as_ref().is_some_and(|d| valid_hosts.contains(d));
    if !(r.is_icann || r.is_ip || r.is_private || by_domain) {
        return plain(text);
    }
    let src = if url_can_parse(text) || text.starts_with("//") || has_scheme_prefix(text) {
        text.to_string()
    } else {
        format!("//{text}")
    };
    Node::Link {
        src,
        label: vec![plain(text)],
    }
}

fn url_can_parse(s: &str) -> bool {
    url::Url::parse(s).is_ok()
}

/// `/^[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\//`
fn has_scheme_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphabetic() {
        return false;
    }
    let mut i = 1;
    while i < b.len()
        && i <= 32
        && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'+' | b'.' | b'-'))
    {
        if b[i..].starts_with(b"://") {
            break;
        }
        i += 1;
    }
    // the regex backtracks over the repetition: any prefix length 0..=31 followed by ://
    (1..=32.min(b.len())).any(|k| {
        b[1..k]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'))
            && b[k..].starts_with(b"://")
    })
}
