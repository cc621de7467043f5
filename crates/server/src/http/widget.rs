//! The livechat widget as Rocket.Chat serves it (`app/livechat/server/livechat.ts`,
//! `app/livechat/lib/Assets.ts`): `/livechat` is the widget's `index.html` with
//! `SERVER_URL` injected, `/livechat/<file>` its assets, `/avatar/<username>` the letters
//! avatar the widget shows (`server/routes/avatar/user.ts`), and `/` a demo page embedding it.
//! The widget's files are the published `@rocket.chat/livechat` build, found in
//! `LIVECHAT_WIDGET_DIR` (fetched by `scripts/fetch-widget.sh`), never compiled in.

use super::AppState;
use crate::http::openapi::{self as api, Api, op};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub fn routes() -> Api {
    let page = |summary| {
        op(summary)
            .media(200, "text/html")
            .plain(&[(503, "text/html")])
    };
    let file = |summary, ct| op(summary).media(200, ct).plain(&[(304, ""), (404, "")]);
    Api::new()
        .route(
            "/",
            api::get(demo_page, page("The demo page with the livechat widget")),
        )
        // upstream's handler matches the pathname `/` under `/livechat`: both spellings
        .route(
            "/livechat",
            api::get(index, page("The livechat widget's page")),
        )
        .route(
            "/livechat/",
            api::get(index, page("The livechat widget's page")),
        )
        .route(
            "/livechat/{file}",
            api::get(asset, file("The widget's files", "*/*")),
        )
        .route(
            "/avatar/{username}",
            api::get(avatar, file("A user's avatar (letters)", "image/svg+xml")),
        )
        .route(
            "/sounds/chime.mp3",
            api::get(
                chime,
                op("The new-message sound")
                    .media(200, "audio/wav")
                    .plain(&[]),
            ),
        )
}

const HASHED_CACHE: &str = "public, max-age=31536000, immutable";
pub(super) const REVALIDATE: &str = "no-cache";

pub(super) fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

pub(super) fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `ROOT_URL` as a JavaScript single-quoted string's content (upstream interpolates it
/// as is; escaping changes nothing for an ordinary URL and keeps odd ones from breaking out).
fn js_string(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('<', "\\x3c")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// `GET /livechat`: index.html with `<script> SERVER_URL = '<ROOT_URL>'; </script>` right
/// after `<body>`; `Content-Security-Policy: frame-ancestors` only when
/// `Livechat_AllowedDomainsList` is set and the request names its embedding page; never
/// `X-Frame-Options` (the widget lives in other sites' iframes).
async fn index(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let path = s.widget_dir.join("index.html");
    let Ok(page) = tokio::fs::read_to_string(&path).await else {
        return not_installed(&s);
    };
    let root = s.root_url.trim_end_matches('/');
    let page = page.replacen(
        "<body>",
        &format!(
            "<body><script> SERVER_URL = '{}'; </script>",
            js_string(root)
        ),
        1,
    );
    let mut res = html(StatusCode::OK, page);
    if let Some(csp) = frame_ancestors(&s, &headers) {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    res
}

/// Upstream: with a non-empty allowed-domains list and a `Referer`, the referring page's
/// `host` (with its port) must be in the comma-separated list; then only that origin may
/// frame the widget, otherwise nobody may. This server's own pages (`ROOT_URL`: the demo
/// page, the manager console's preview) may always frame it.
fn frame_ancestors(s: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    let list = s.lc.settings.str("Livechat_AllowedDomainsList");
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    if list.trim().is_empty() {
        return None;
    }
    let none = HeaderValue::from_static("frame-ancestors 'none'");
    let Ok(url) = url::Url::parse(referer) else {
        return Some(none);
    };
    if url::Url::parse(&s.root_url).is_ok_and(|own| own.origin() == url.origin()) {
        return Some(HeaderValue::from_static("frame-ancestors 'self'"));
    }
    let Some(host) = url.host_str() else {
        return Some(none);
    };
    let host = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    let allowed = list.split(',').map(str::trim).any(|d| d == host);
    if !allowed {
        return Some(none);
    }
    HeaderValue::from_str(&format!("frame-ancestors {}://{host}", url.scheme())).ok()
}

/// Without the widget's files the server still serves everything else; `/livechat` says
/// how to install them.
fn not_installed(s: &AppState) -> Response {
    let dir = escape_html(&s.widget_dir.display().to_string());
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Livechat widget not installed</title></head>\n\
<body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\">\n\
<h1>The livechat widget is not installed</h1>\n\
<p>Ferrochat serves Rocket.Chat's published livechat widget (<code>@rocket.chat/livechat</code> 1.13.3) \
but its files are not part of this repository, and none were found in <code>{dir}</code>.</p>\n\
<p>To install them, run from the repository's root (it needs <code>npm</code>):</p>\n\
<pre>bash scripts/fetch-widget.sh</pre>\n\
<p>or start the server with <code>scripts/serve.sh</code>, which does it for you. To use files from \
elsewhere, point <code>LIVECHAT_WIDGET_DIR</code> at the <code>build</code> folder of the package.</p>\n\
<p>The REST API and the WebSocket work without the widget.</p>\n\
</body></html>\n"
        ),
    )
}

/// A file name from the widget's flat `build` folder; anything else is not ours to serve.
pub(super) fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~'))
}

/// Webpack's content-hashed names (`5.chunk.2c903.js`, `e9ae…6116.png`) never change
/// content, so browsers may keep them for a year; the rest revalidate.
fn is_hashed(name: &str) -> bool {
    let name = name.strip_suffix(".map").unwrap_or(name);
    let mut parts: Vec<&str> = name.split('.').collect();
    parts.pop(); // the extension
    parts
        .iter()
        .any(|p| p.len() >= 5 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, e)| e) {
        Some("js") => "application/javascript; charset=UTF-8",
        Some("css") => "text/css; charset=UTF-8",
        Some("html") => "text/html; charset=utf-8",
        Some("map" | "json") => "application/json; charset=UTF-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        Some("webmanifest") => "application/manifest+json",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("txt" | "md") => "text/plain; charset=UTF-8",
        _ => "application/octet-stream",
    }
}

/// `GET /livechat/<file>`: the widget's assets, including the host-page loader
/// `rocketchat-livechat.min.js`.
async fn asset(
    State(s): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !safe_name(&file) {
        return StatusCode::NOT_FOUND.into_response();
    }
    static_file(&s.widget_dir.join(&file), &file, &headers).await
}

/// A built file with its type, a weak ETag (size and mtime) answered with 304, and a year
/// of caching when its name carries a content hash (revalidation otherwise).
pub(super) async fn static_file(
    path: &std::path::Path,
    name: &str,
    headers: &HeaderMap,
) -> Response {
    let Ok(meta) = tokio::fs::metadata(path).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !meta.is_file() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let etag = format!("W/\"{:x}-{:x}\"", meta.len(), mtime);
    let cache = if is_hashed(name) {
        HASHED_CACHE
    } else {
        REVALIDATE
    };
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    match tokio::fs::read(path).await {
        Ok(bytes) => (StatusCode::OK, h, bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /`: a page embedding the widget with Rocket.Chat's installation snippet, pointing at
/// this server, so a newcomer can chat right after starting it.
async fn demo_page(State(s): State<AppState>) -> Response {
    let root = s.root_url.trim_end_matches('/');
    let url = js_string(&format!("{root}/livechat"));
    let root_html = escape_html(root);
    let installed = tokio::fs::metadata(s.widget_dir.join("index.html"))
        .await
        .is_ok();
    let notice = if installed {
        String::new()
    } else {
        format!(
            "<p class=\"warn\">The widget's files are not installed yet: see <a href=\"{root_html}/livechat\">/livechat</a>.</p>\n"
        )
    };
    let mut res = html(
        StatusCode::OK,
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ferrochat demo</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40em; margin: 3em 2em; line-height: 1.5; color: #222; }}
code, pre {{ background: #f3f3f3; padding: 0.1em 0.3em; }}
pre {{ padding: 0.8em; overflow-x: auto; }}
.warn {{ background: #fff3cd; padding: 0.8em; }}
</style>
</head>
<body>
<h1>Ferrochat</h1>
<p>This page is a website with Rocket.Chat's livechat widget embedded, served by Ferrochat at
<code>{root_html}</code>. Open the chat button at the bottom right to talk to an agent.</p>
{notice}<p>Agents answer in the <a href="{root_html}/agent">agent workspace</a> (sign in as an agent, switch
<em>Available</em> on, then chat here as a visitor).
To embed the widget in your own site, paste this before <code>&lt;/body&gt;</code>:</p>
<pre>&lt;script type="text/javascript"&gt;
(function(w, d, s, u) {{
  w.RocketChat = function(c) {{ w.RocketChat._.push(c) }}; w.RocketChat._ = []; w.RocketChat.url = u;
  var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
  j.async = true; j.src = '{root_html}/livechat/rocketchat-livechat.min.js?_=201903270000';
  h.parentNode.insertBefore(j, h);
}})(window, document, 'script', '{root_html}/livechat');
&lt;/script&gt;</pre>
<!-- Start of Rocket.Chat Livechat Script -->
<script type="text/javascript">
(function(w, d, s, u) {{
  w.RocketChat = function(c) {{ w.RocketChat._.push(c) }}; w.RocketChat._ = []; w.RocketChat.url = u;
  var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
  j.async = true; j.src = '{url}/rocketchat-livechat.min.js?_=201903270000';
  h.parentNode.insertBefore(j, h);
}})(window, document, 'script', '{url}');
</script>
<!-- End of Rocket.Chat Livechat Script -->
</body>
</html>
"#
        ),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    res
}

/// Upstream's fallback `Last-Modified` for generated avatars; a request carrying it gets 304.
const FALLBACK_LAST_MODIFIED: &str = "Thu, 01 Jan 2015 00:00:00 GMT";
const AVATAR_COLORS: [&str; 6] = [
    "#158D65", "#7F1B9F", "#B68D00", "#E26D0E", "#10529E", "#6C727A",
];

/// JavaScript's `parseInt` for a decimal query value: leading sign and digits, else none.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    let n: i64 = digits[..end].parse().ok()?;
    Some(if neg { -n } else { n })
}

fn first_letter(name: &str) -> String {
    name.chars()
        .find(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase().to_string())
        .unwrap_or_default()
}

/// `renderSVGLetters`: the name's first letter (or up to three initials) on a colour picked
/// by the name's length.
fn svg_letters(name: &str, size: i64, all_initials: bool) -> String {
    let (color, initials) = if name == "?" {
        ("#000", "?".to_string())
    } else {
        let color = AVATAR_COLORS[name.encode_utf16().count() % AVATAR_COLORS.len()];
        let initials = if all_initials {
            name.split(' ').take(3).map(first_letter).collect()
        } else {
            first_letter(name)
        };
        (color, initials)
    };
    let n = initials.chars().count() as f64;
    let reduction = if n > 1.0 { n * n / 10.0 } else { 0.0 };
    let font_size = size as f64 / (1.6 + reduction);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\">\n<rect width=\"100%\" height=\"100%\" fill=\"{color}\"/>\n<text x=\"50%\" y=\"50%\" dy=\"0.36em\" text-anchor=\"middle\" pointer-events=\"none\" fill=\"#ffffff\" font-family=\"'Helvetica', 'Arial', 'Lucida Grande', 'sans-serif'\" font-size=\"{font_size}\">\n{initials}\n</text>\n</svg>"
    )
}

/// `GET /avatar/<username>` (the widget shows agents' and visitors' avatars from here).
/// Nobody has an uploaded avatar, so every user gets upstream's letters fallback;
/// `/avatar/@name` always does.
async fn avatar(
    State(s): State<AppState>,
    Path(requested): Path<String>,
    super::Query(q): super::Query,
    headers: HeaderMap,
) -> Response {
    if requested.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let qs = |k: &str| q.get(k).and_then(|v| v.as_str()).and_then(parse_int);
    let cache_time = qs("cacheTime")
        .filter(|&n| n != 0)
        .unwrap_or_else(|| s.lc.settings.i64("Accounts_AvatarCacheTime"));
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={cache_time}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    let use_name = s.lc.settings.bool("UI_Use_Name_Avatar");
    let (name, all_initials) = if let Some(forced) = requested.strip_prefix('@') {
        (forced.to_string(), use_name)
    } else {
        let unmodified = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            == Some(FALLBACK_LAST_MODIFIED);
        if unmodified {
            return (StatusCode::NOT_MODIFIED, h).into_response();
        }
        let real_name = if use_name {
            s.lc.user_by_username(&requested)
                .await
                .ok()
                .flatten()
                .and_then(|u| u.name)
                .filter(|n| !n.is_empty())
        } else {
            None
        };
        match real_name {
            Some(n) => (n, true),
            None => (requested.clone(), false),
        }
    };
    let size = qs("size")
        .filter(|&n| n != 0)
        .map(|n| n.clamp(16, 1024))
        .unwrap_or(200);
    h.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_static(FALLBACK_LAST_MODIFIED),
    );
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    (StatusCode::OK, h, svg_letters(&name, size, all_initials)).into_response()
}

/// `GET /sounds/chime.mp3`, the new-message sound `config.resources.sound` names. Upstream's
/// file is Rocket.Chat's own asset and is not published on npm, so we synthesise a short
/// two-note chime (a WAV; browsers play media by its content, whatever the URL says).
async fn chime() -> Response {
    static WAV: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let wav = WAV.get_or_init(chime_wav).clone();
    (
        [
            (header::CONTENT_TYPE, "audio/wav"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        wav,
    )
        .into_response()
}

fn chime_wav() -> Vec<u8> {
    const RATE: u32 = 22_050;
    let notes = [(1318.51_f64, 0.0_f64), (1760.0, 0.12)]; // E6 then A6, seconds
    let len = (RATE as f64 * 0.6) as usize;
    let mut samples = Vec::with_capacity(len);
    for i in 0..len {
        let t = i as f64 / RATE as f64;
        let mut v = 0.0;
        for (freq, start) in notes {
            if t >= start {
                let dt = t - start;
                v += (2.0 * std::f64::consts::PI * freq * dt).sin() * (-dt * 9.0).exp();
            }
        }
        samples.push((v * 0.3 * i16::MAX as f64) as i16);
    }
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // PCM header size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        for n in [
            "5.chunk.2c903.js",
            "vendors~bundle.chunk.8a189.js",
            "bundle.31a95.js",
            "4.chunk.df723.css",
            "e9ae7973e9fdbbe4aa91df9a6a684116.png",
            "5.chunk.2c903.js.map",
        ] {
            assert!(is_hashed(n), "{n}");
        }
        for n in [
            "index.html",
            "rocketchat-livechat.min.js",
            "widget-demo.html",
        ] {
            assert!(!is_hashed(n), "{n}");
        }
    }

    #[test]
    fn letters_as_upstream() {
        // 'agent.smith' has 11 UTF-16 units: 11 % 6 = 5
        let svg = svg_letters("agent.smith", 200, false);
        assert!(svg.contains("fill=\"#6C727A\""), "{svg}");
        assert!(svg.contains("font-size=\"125\">\nA\n</text>"), "{svg}");
        let svg = svg_letters("Agent Smith Jr", 200, true);
        assert!(svg.contains("font-size=\"80\">\nASJ\n</text>"), "{svg}");
        assert_eq!(parse_int("50px"), Some(50));
        assert_eq!(parse_int("x"), None);
    }
}
