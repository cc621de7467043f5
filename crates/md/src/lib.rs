//! `ferrochat-md`: a Rust port of Rocket.Chat's message parser
//! (`@rocket.chat/message-parser` 0.32.0) that produces the same JSON AST.
//!
//! ```
//! let root = ferrochat_md::parse("*hi* @all", &ferrochat_md::Options::server_default()).unwrap();
//! let json = ferrochat_md::to_json_string(&root);
//! assert!(json.starts_with(r#"[{"type":"PARAGRAPH""#));
//! ```

mod ast;
mod classes;
mod date;
mod emoticons;
mod parser;
mod tld;

use std::io::{self, BufRead, Write};

pub use ast::{Align, Node, Root, TableCell};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// KaTeX options (`katex.dollarSyntax`, `katex.parenthesisSyntax`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KatexOptions {
    pub dollar_syntax: bool,
    pub parenthesis_syntax: bool,
}

/// Parser options, as the upstream `parse(msg, options)` takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub colors: bool,
    pub emoticons: bool,
    /// `None` when the `katex` key is absent (KaTeX disabled).
    pub katex: Option<KatexOptions>,
    pub custom_domains: Vec<String>,
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

impl Options {
    /// The options Rocket.Chat's server passes with default settings:
    /// `{colors: true, emoticons: true, customDomains: [], katex: {dollarSyntax: false,
    /// parenthesisSyntax: true}}`.
    pub fn server_default() -> Self {
        Options {
            colors: true,
            emoticons: true,
            katex: Some(KatexOptions {
                dollar_syntax: false,
                parenthesis_syntax: true,
            }),
            custom_domains: Vec::new(),
        }
    }

    /// Builds options from the JSON the upstream parser receives, with JavaScript
    /// truthiness for the flags. Anything that is not an object gives the defaults.
    pub fn from_json(v: &Value) -> Self {
        let Some(o) = v.as_object() else {
            return Options::default();
        };
        let katex = match o.get("katex") {
            Some(k) if truthy(Some(k)) => Some(KatexOptions {
                dollar_syntax: truthy(k.get("dollarSyntax")),
                parenthesis_syntax: truthy(k.get("parenthesisSyntax")),
            }),
            _ => None,
        };
        let custom_domains = match o.get("customDomains") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|d| match d {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            _ => Vec::new(),
        };
        Options {
            colors: truthy(o.get("colors")),
            emoticons: truthy(o.get("emoticons")),
            katex,
            custom_domains,
        }
    }
}

impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(Options::from_json(&v))
    }
}

/// The parser's error (upstream throws a peggy `SyntaxError`; only the empty message
/// can produce it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

const EMPTY_INPUT_ERROR: &str = "Expected \"#\", $$\"*\", \"- [\", \"-\", \":\", \">\", PAREN\"\\r\\n\", \"_\", \"```\", COLOR\"|\", \"||\", \"~\", [ -'+-Za-z\\x80-\u{ffff}], [ \\t], [*], [0-9#*], [0-9], [\\n\\r], [\\t ], [^*_~`:\\n<[\\]! \\t()\\\\|], [^\\r\\n], [_], [a-zA-Z0-9], [~], [\u{a9}\u{ae}\u{203c}\u{2049}\u{2122}\u{2139}\u{2196}-\u{2199}\u{21a9}-\u{21aa}\u{24c2}\u{25aa}-\u{25ab}\u{25b6}\u{25c0}\u{25fb}-\u{25fe}\u{2934}-\u{2935}\u{2b05}-\u{2b07}\u{2b50}\u{2b55}\u{3030}\u{303d}\u{3297}\u{3299}], [\u{2194}-\u{2195}], [\u{2300}-\u{23ff}], [\u{2600}-\u{26ff}], [\u{2700}-\u{27bf}], [\u{2b1b}-\u{2b1c}], [\u{10f83c}], [\u{10f83d}], or [\u{10f83e}] but end of input found.";

/// peggy's message for the empty input: the expected set depends on which option
/// predicates pass.
fn empty_input_error(opts: &Options) -> String {
    let k = opts.katex.as_ref();
    EMPTY_INPUT_ERROR
        .replace(
            "$$",
            if k.is_some_and(|k| k.dollar_syntax) {
                "\"$$\", "
            } else {
                ""
            },
        )
        .replace(
            "PAREN",
            if k.is_some_and(|k| k.parenthesis_syntax) {
                "\"\\\\[\", "
            } else {
                ""
            },
        )
        .replace("COLOR", if opts.colors { "\"color:#\", " } else { "" })
}

/// First of the 2048 code points (U+10F800..=U+10FFFF, private use) that stand for lone
/// UTF-16 surrogates, which Rust strings cannot hold. The parser treats such a code point
/// as the single lone surrogate unit it stands for, and the JSON output of this crate
/// ([`to_json_string`], [`oracle_line`], [`run_jsonl`]) escapes it back as `\udXXX`.
pub const LONE_SURROGATE_BASE: u32 = 0x10F800;

pub(crate) fn lone_to_sentinel(u: u16) -> char {
    char::from_u32(LONE_SURROGATE_BASE + (u as u32 - 0xD800)).unwrap_or('\u{fffd}')
}

/// Replaces escaped lone surrogates (`\udXXX` not part of a pair) in a JSON text by their
/// stand-in code points (see [`LONE_SURROGATE_BASE`]), so that serde_json accepts the line.
fn sanitize_lone_surrogates(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains("\\u") {
        return std::borrow::Cow::Borrowed(line);
    }
    let b = line.as_bytes();
    let hex = |i: usize| -> Option<u16> {
        let h = line.get(i..i + 4)?;
        u16::from_str_radix(h, 16).ok()
    };
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1] == b'u'
                && let Some(u) = hex(i + 2)
            {
                if (0xD800..0xDC00).contains(&u) {
                    let paired = b.get(i + 6) == Some(&b'\\')
                        && b.get(i + 7) == Some(&b'u')
                        && hex(i + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l));
                    if paired {
                        i += 12;
                        continue;
                    }
                }
                if (0xD800..0xE000).contains(&u) {
                    out.push_str(&line[last..i]);
                    out.push(lone_to_sentinel(u));
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
    out.push_str(&line[last..]);
    std::borrow::Cow::Owned(out)
}

/// Parses a message into its AST.
pub fn parse(msg: &str, opts: &Options) -> Result<Root, ParseError> {
    let mut p = parser::Parser::new(msg, opts);
    p.parse_start().ok_or_else(|| ParseError {
        message: if msg.is_empty() {
            empty_input_error(opts)
        } else {
            "Unexpected parser failure".to_string()
        },
    })
}

/// Parses and converts to a `serde_json::Value` (`{"md": [...]}` is NOT added).
pub fn parse_to_json(msg: &str, opts: &Options) -> Result<Value, ParseError> {
    let root = parse(msg, opts)?;
    Ok(serde_json::to_value(&root).unwrap_or(Value::Null))
}

/// A serde_json formatter printing floats as JavaScript does (`1e+21`).
struct JsFormatter;

impl serde_json::ser::Formatter for JsFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut last = 0;
        for (i, c) in fragment.char_indices() {
            let cp = c as u32;
            if cp >= LONE_SURROGATE_BASE {
                writer.write_all(&fragment.as_bytes()[last..i])?;
                write!(writer, "\\u{:04x}", 0xD800 + (cp - LONE_SURROGATE_BASE))?;
                last = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[last..])
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(ast::js_number_json(value).as_bytes())
    }
}

fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, JsFormatter);
    // serialising our own types into a Vec cannot fail
    let _ = v.serialize(&mut ser);
}

/// The AST as `JSON.stringify` prints it (byte-identical to upstream).
pub fn to_json_string(root: &Root) -> String {
    let mut out = Vec::new();
    write_json(&mut out, root);
    String::from_utf8(out).unwrap_or_default()
}

/// One output line of the oracle format for a message: `{"md":…}` or `{"error":…}`.
pub fn oracle_line(msg: &str, opts: &Options) -> String {
    let mut out = Vec::new();
    match parse(msg, opts) {
        Ok(root) => {
            out.extend_from_slice(b"{\"md\":");
            write_json(&mut out, &root);
            out.push(b'}');
        }
        Err(e) => {
            out.extend_from_slice(b"{\"error\":");
            write_json(&mut out, &e.message);
            out.push(b'}');
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Reads JSON lines `{"msg": …, "options"?: …}` and writes one line per input in the
/// oracle's format (`{"md": …}` or `{"error": …}`). Blank lines are skipped; an `"id"`
/// field is echoed back like the oracle does.
pub fn run_jsonl<R: BufRead, W: Write>(input: R, mut output: W) -> io::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let out = match serde_json::from_str::<Value>(&sanitize_lone_surrogates(&line)) {
            Ok(v) => match v.get("msg").and_then(Value::as_str) {
                Some(msg) => {
                    let opts = v.get("options").map(Options::from_json).unwrap_or_default();
                    let s = oracle_line(msg, &opts);
                    match v.get("id") {
                        Some(id) => format!(
                            "{{\"id\":{},{}",
                            serde_json::to_string(id).unwrap_or_default(),
                            &s[1..]
                        ),
                        None => s,
                    }
                }
                None => {
                    r#"{"error":"bad input: expected {\"msg\": string, \"options\"?: object}"}"#
                        .to_string()
                }
            },
            Err(e) => {
                let mut o = Vec::new();
                o.extend_from_slice(b"{\"error\":");
                write_json(&mut o, &format!("bad input: {e}"));
                o.push(b'}');
                String::from_utf8(o).unwrap_or_default()
            }
        };
        output.write_all(out.as_bytes())?;
        output.write_all(b"\n")?;
    }
    output.flush()
}
