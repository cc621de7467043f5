//! `POST /api/v1/livechat/upload/:rid`: arbitrary and mutated multipart bodies (bad
//! boundaries, missing or doubled parts, odd part headers and content types, cut short).
//! Every answer is a 2xx or a 4xx in the `success: false` envelope.

use crate::harness::{App, check_answer, run, runtime, too_long};
use crate::input::{self, RID};
use proptest::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

const BOUNDARY: &str = "fuzzB0undary";

#[derive(Debug, Clone)]
struct Part {
    /// Raw header lines.
    headers: Vec<String>,
    data: Vec<u8>,
}

fn disposition() -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just("Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"".to_string()),
        1 => Just("Content-Disposition: form-data; name=\"file\"".to_string()),
        1 => Just("Content-Disposition: form-data; name=\"msg\"".to_string()),
        1 => Just("Content-Disposition: form-data; name=\"description\"".to_string()),
        1 => Just("Content-Disposition: form-data; name=\"fields\"".to_string()),
        1 => Just("Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC.txt".to_string()),
        1 => Just("Content-Disposition: form-data; name=file; filename=".to_string()),
        1 => Just("Content-Disposition: form-data; name=\"file\"; filename=\"../../x\"".to_string()),
        1 => input::string().prop_map(|s| format!("Content-Disposition: form-data; name=\"file\"; filename=\"{}\"", s.replace(['\r', '\n'], ""))),
        1 => "[ -~]{0,80}".prop_map(|s| format!("Content-Disposition: {s}")),
    ]
    .boxed()
}

fn part_type() -> BoxedStrategy<Option<String>> {
    prop::option::weighted(
        0.8,
        prop_oneof![
            3 => prop::sample::select(vec![
                "image/png", "image/jpeg", "text/plain", "application/pdf",
                "application/octet-stream", "image/svg+xml", "text/html", "", "*/*",
                "image/png; charset=\u{e9}",
            ]).prop_map(|t| format!("Content-Type: {t}")),
            1 => "[ -~]{0,60}".prop_map(|s| format!("Content-Type: {s}")),
        ],
    )
    .boxed()
}

fn data() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..512),
        // A PNG header, so that type sniffing takes it for one.
        2 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|mut v| {
            let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
            png.append(&mut v);
            png
        }),
        1 => Just(format!("--{BOUNDARY}\r\n").into_bytes()),
        1 => input::string().prop_map(String::into_bytes),
    ]
    .boxed()
}

fn part() -> BoxedStrategy<Part> {
    (
        disposition(),
        part_type(),
        prop::collection::vec("[!-9;-~]{1,20}: [ -~]{0,40}", 0..2),
        data(),
    )
        .prop_map(|(d, t, extra, data)| {
            let mut headers = vec![d];
            headers.extend(t);
            headers.extend(extra);
            Part { headers, data }
        })
        .boxed()
}

#[derive(Debug, Clone)]
enum Cut {
    None,
    /// No closing boundary.
    NoEnd,
    /// The body cut at this fraction (of 256).
    At(u8),
    /// Bare `\n` line ends instead of `\r\n`.
    Lf,
}

#[derive(Debug, Clone)]
struct Case {
    content_type: Option<String>,
    preamble: Vec<u8>,
    parts: Vec<Part>,
    cut: Cut,
    raw: Option<Vec<u8>>,
    token: Option<String>,
    rid: String,
}

fn case() -> impl Strategy<Value = Case> {
    let content_type = prop::option::weighted(
        0.95,
        prop_oneof![
            6 => Just(format!("multipart/form-data; boundary={BOUNDARY}")),
            1 => Just(format!("multipart/form-data; boundary=\"{BOUNDARY}\"")),
            1 => Just("multipart/form-data".to_string()),
            1 => Just("multipart/form-data; boundary=".to_string()),
            1 => Just(format!("multipart/mixed; boundary={BOUNDARY}")),
            1 => Just("application/json".to_string()),
            1 => "[ -~]{0,60}".prop_map(|b| format!("multipart/form-data; boundary={b}")),
            1 => "[ -~]{0,80}",
        ],
    );
    (
        content_type,
        prop::option::weighted(0.1, prop::collection::vec(any::<u8>(), 0..64)),
        prop::collection::vec(part(), 0..4),
        prop_oneof![
            6 => Just(Cut::None),
            1 => Just(Cut::NoEnd),
            1 => any::<u8>().prop_map(Cut::At),
            1 => Just(Cut::Lf),
        ],
        prop::option::weighted(0.1, prop::collection::vec(any::<u8>(), 0..1024)),
        prop::option::weighted(
            0.9,
            prop_oneof![9 => Just(input::TOKEN.to_string()), 1 => input::string()],
        ),
        prop_oneof![9 => Just(RID.to_string()), 1 => "[a-zA-Z0-9]{0,20}"],
    )
        .prop_map(
            |(content_type, preamble, parts, cut, raw, token, rid)| Case {
                content_type,
                preamble: preamble.unwrap_or_default(),
                parts,
                cut,
                raw,
                token,
                rid,
            },
        )
}

fn body(c: &Case) -> Vec<u8> {
    if let Some(raw) = &c.raw {
        return raw.clone();
    }
    let nl: &[u8] = if matches!(c.cut, Cut::Lf) {
        b"\n"
    } else {
        b"\r\n"
    };
    let mut b = c.preamble.clone();
    for p in &c.parts {
        b.extend_from_slice(format!("--{BOUNDARY}").as_bytes());
        b.extend_from_slice(nl);
        for h in &p.headers {
            b.extend_from_slice(h.as_bytes());
            b.extend_from_slice(nl);
        }
        b.extend_from_slice(nl);
        b.extend_from_slice(&p.data);
        b.extend_from_slice(nl);
    }
    match c.cut {
        Cut::NoEnd => {}
        Cut::At(f) => {
            b.extend_from_slice(format!("--{BOUNDARY}--").as_bytes());
            b.truncate(b.len() * f as usize / 256);
        }
        _ => {
            b.extend_from_slice(format!("--{BOUNDARY}--").as_bytes());
            b.extend_from_slice(nl);
        }
    }
    b
}

/// `Ok(true)` when the file was taken.
async fn one_upload(app: &App, c: &Case) -> Result<bool, TestCaseError> {
    let rid: String = url::form_urlencoded::byte_serialize(app.fill(&c.rid).as_bytes()).collect();
    let path = format!("/api/v1/livechat/upload/{rid}");
    if too_long(&path) {
        return Ok(false);
    }
    let mut r = app.http.post(format!("{}{path}", app.base)).body(body(c));
    if let Some(ct) = &c.content_type {
        r = r.header("content-type", ct.as_str());
    }
    if let Some(t) = &c.token {
        let t = app.fill(t);
        // Not every generated string is a valid header value; reqwest refuses those itself.
        if reqwest::header::HeaderValue::from_str(&t).is_ok() {
            r = r.header("x-visitor-token", t);
        }
    }
    let ok = check_answer(&format!("POST {path}"), r.send().await).await?;
    app.alive().await?;
    Ok(ok)
}

#[test]
fn multipart_uploads_never_5xx() {
    let rt = runtime();
    let app = rt.block_on(App::spawn());
    let taken = AtomicUsize::new(0);
    run("multipart upload", 400, case(), |c| {
        if rt.block_on(one_upload(&app, &c))? {
            taken.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    // Some generated bodies are good enough to be stored: the parser's far end is reached.
    let taken = taken.into_inner();
    eprintln!("multipart upload: {taken} taken");
    assert!(taken > 0, "no upload was ever taken");
}
