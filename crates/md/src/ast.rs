//! AST node types and their exact JSON encoding (key order and absent fields as upstream).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// The parse result: a list of block nodes, or exactly one `BIG_EMOJI` node.
pub type Root = Vec<Node>;

/// Table cell alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

impl Align {
    fn as_str(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        }
    }
}

/// A table cell (`TABLE_CELL`).
#[derive(Debug, Clone, PartialEq)]
pub struct TableCell {
    pub align: Option<Align>,
    pub value: Vec<Node>,
}

/// One node of the AST. Variant names follow the upstream `type` strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Paragraph(Vec<Node>),
    PlainText(String),
    Bold(Vec<Node>),
    Italic(Vec<Node>),
    Strike(Vec<Node>),
    Spoiler(Vec<Node>),
    /// `INLINE_CODE`; the string is the value of its inner `PLAIN_TEXT`.
    InlineCode(String),
    /// `CODE`; `lines` are the values of the `CODE_LINE` plain texts.
    Code {
        language: String,
        lines: Vec<String>,
    },
    Heading {
        level: u32,
        value: Vec<Node>,
    },
    Quote(Vec<Node>),
    SpoilerBlock(Vec<Node>),
    UnorderedList(Vec<Node>),
    OrderedList(Vec<Node>),
    /// `LIST_ITEM`; `number` is a JavaScript number (only in ordered lists).
    ListItem {
        value: Vec<Node>,
        number: Option<f64>,
    },
    Tasks(Vec<Node>),
    Task {
        status: bool,
        value: Vec<Node>,
    },
    LineBreak,
    HorizontalRule {
        fallback: (usize, usize),
    },
    Table {
        header: Vec<TableCell>,
        rows: Vec<Vec<TableCell>>,
        fallback: (usize, usize),
    },
    Link {
        src: String,
        label: Vec<Node>,
    },
    Image {
        src: String,
        label: String,
    },
    MentionUser(String),
    MentionChannel(String),
    /// Shortcode or emoticon emoji: `value` is the plain text, `short_code` the name.
    Emoji {
        value: String,
        short_code: String,
    },
    EmojiUnicode(String),
    BigEmoji(Vec<Node>),
    Color {
        r: u8,
        g: u8,
        b: u8,
        a: u8,
    },
    Katex(String),
    InlineKatex(String),
    Timestamp {
        timestamp: String,
        format: String,
        fallback: (usize, usize),
    },
}

impl Node {
    /// The upstream `type` string.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Paragraph(_) => "PARAGRAPH",
            Node::PlainText(_) => "PLAIN_TEXT",
            Node::Bold(_) => "BOLD",
            Node::Italic(_) => "ITALIC",
            Node::Strike(_) => "STRIKE",
            Node::Spoiler(_) => "SPOILER",
            Node::InlineCode(_) => "INLINE_CODE",
            Node::Code { .. } => "CODE",
            Node::Heading { .. } => "HEADING",
            Node::Quote(_) => "QUOTE",
            Node::SpoilerBlock(_) => "SPOILER_BLOCK",
            Node::UnorderedList(_) => "UNORDERED_LIST",
            Node::OrderedList(_) => "ORDERED_LIST",
            Node::ListItem { .. } => "LIST_ITEM",
            Node::Tasks(_) => "TASKS",
            Node::Task { .. } => "TASK",
            Node::LineBreak => "LINE_BREAK",
            Node::HorizontalRule { .. } => "HORIZONTAL_RULE",
            Node::Table { .. } => "TABLE",
            Node::Link { .. } => "LINK",
            Node::Image { .. } => "IMAGE",
            Node::MentionUser(_) => "MENTION_USER",
            Node::MentionChannel(_) => "MENTION_CHANNEL",
            Node::Emoji { .. } | Node::EmojiUnicode(_) => "EMOJI",
            Node::BigEmoji(_) => "BIG_EMOJI",
            Node::Color { .. } => "COLOR",
            Node::Katex(_) => "KATEX",
            Node::InlineKatex(_) => "INLINE_KATEX",
            Node::Timestamp { .. } => "TIMESTAMP",
        }
    }
}

struct Plain<'a>(&'a str);

impl Serialize for Plain<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("type", "PLAIN_TEXT")?;
        m.serialize_entry("value", self.0)?;
        m.end()
    }
}

struct CodeLines<'a>(&'a [String]);

impl Serialize for CodeLines<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for l in self.0 {
            seq.serialize_element(&CodeLine(l))?;
        }
        seq.end()
    }
}

struct CodeLine<'a>(&'a str);

impl Serialize for CodeLine<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("type", "CODE_LINE")?;
        m.serialize_entry("value", &Plain(self.0))?;
        m.end()
    }
}

/// A JavaScript number as `JSON.stringify` prints it (integers exactly, `null` for
/// non-finite values). Values of 1e21 and above are emitted as floats.
struct JsNumber(f64);

impl Serialize for JsNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if !v.is_finite() {
            s.serialize_none()
        } else if v.fract() == 0.0 && v.abs() < 1e21 {
            if v >= 0.0 {
                // exact: every integral f64 below 1e21 fits in u128
                s.serialize_u128(v as u128)
            } else {
                s.serialize_i128(v as i128)
            }
        } else {
            s.serialize_f64(v)
        }
    }
}

struct Range((usize, usize));

impl Serialize for Range {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(&self.0.0)?;
        seq.serialize_element(&self.0.1)?;
        seq.end()
    }
}

struct Cells<'a>(&'a [TableCell]);

impl Serialize for Cells<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for c in self.0 {
            seq.serialize_element(c)?;
        }
        seq.end()
    }
}

impl Serialize for TableCell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", "TABLE_CELL")?;
        if let Some(a) = self.align {
            m.serialize_entry("align", a.as_str())?;
        }
        m.serialize_entry("value", &self.value)?;
        m.end()
    }
}

struct Row<'a>(&'a [TableCell]);

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("type", "TABLE_ROW")?;
        m.serialize_entry("value", &Cells(self.0))?;
        m.end()
    }
}

struct Rows<'a>(&'a [Vec<TableCell>]);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for r in self.0 {
            seq.serialize_element(&Row(r))?;
        }
        seq.end()
    }
}

struct TableValue<'a>(&'a [TableCell], &'a [Vec<TableCell>]);

impl Serialize for TableValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("header", &Cells(self.0))?;
        m.serialize_entry("rows", &Rows(self.1))?;
        m.end()
    }
}

struct LinkValue<'a>(&'a str, &'a [Node]);

impl Serialize for LinkValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("src", &Plain(self.0))?;
        m.serialize_entry("label", self.1)?;
        m.end()
    }
}

struct ImageValue<'a>(&'a str, &'a str);

impl Serialize for ImageValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("src", &Plain(self.0))?;
        m.serialize_entry("label", &Plain(self.1))?;
        m.end()
    }
}

struct ColorValue(u8, u8, u8, u8);

impl Serialize for ColorValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("r", &self.0)?;
        m.serialize_entry("g", &self.1)?;
        m.serialize_entry("b", &self.2)?;
        m.serialize_entry("a", &self.3)?;
        m.end()
    }
}

struct TimestampValue<'a>(&'a str, &'a str);

impl Serialize for TimestampValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("timestamp", self.0)?;
        m.serialize_entry("format", self.1)?;
        m.end()
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", self.type_name())?;
        match self {
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
            | Node::BigEmoji(v) => m.serialize_entry("value", v)?,
            Node::PlainText(t) | Node::Katex(t) | Node::InlineKatex(t) => {
                m.serialize_entry("value", t)?
            }
            Node::InlineCode(t) | Node::MentionUser(t) | Node::MentionChannel(t) => {
                m.serialize_entry("value", &Plain(t))?
            }
            Node::Code { language, lines } => {
                m.serialize_entry("language", language)?;
                m.serialize_entry("value", &CodeLines(lines))?;
            }
            Node::Heading { level, value } => {
                m.serialize_entry("level", level)?;
                m.serialize_entry("value", value)?;
            }
            Node::ListItem { value, number } => {
                m.serialize_entry("value", value)?;
                if let Some(n) = number {
                    m.serialize_entry("number", &JsNumber(*n))?;
                }
            }
            Node::Task { status, value } => {
                m.serialize_entry("status", status)?;
                m.serialize_entry("value", value)?;
            }
            Node::LineBreak => {}
            Node::HorizontalRule { fallback } => {
                m.serialize_entry("fallback", &Range(*fallback))?;
            }
            Node::Table {
                header,
                rows,
                fallback,
            } => {
                m.serialize_entry("value", &TableValue(header, rows))?;
                m.serialize_entry("fallback", &Range(*fallback))?;
            }
            Node::Link { src, label } => m.serialize_entry("value", &LinkValue(src, label))?,
            Node::Image { src, label } => m.serialize_entry("value", &ImageValue(src, label))?,
            Node::Emoji { value, short_code } => {
                m.serialize_entry("value", &Plain(value))?;
                m.serialize_entry("shortCode", short_code)?;
            }
            Node::EmojiUnicode(u) => m.serialize_entry("unicode", u)?,
            Node::Color { r, g, b, a } => {
                m.serialize_entry("value", &ColorValue(*r, *g, *b, *a))?
            }
            Node::Timestamp {
                timestamp,
                format,
                fallback,
            } => {
                m.serialize_entry("value", &TimestampValue(timestamp, format))?;
                m.serialize_entry("fallback", &Range(*fallback))?;
            }
        }
        m.end()
    }
}

/// Formats a finite or non-finite f64 the way JavaScript's `JSON.stringify` does.
pub(crate) fn js_number_json(v: f64) -> String {
    if !v.is_finite() {
        return "null".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let e = format!("{v:e}"); // shortest round-trip digits, e.g. "1.2345678901234568e24"
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let n = exp + 1; // decimal point position
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(&(n - 1).abs().to_string());
    }
    out
}
