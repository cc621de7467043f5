//! The agent workspace (`web/agent`): a single-page app served at `/agent` from
//! `AGENT_APP_DIR`. Its files are built from the repository's TypeScript
//! (`scripts/build-agent.sh`), never compiled into the binary. A path under `/agent` that
//! names no file is one of the app's own routes (`/agent/chat/<rid>`, `/agent/history`, …)
//! and gets `index.html`, so deep links and reloads work.

use super::AppState;
use super::widget::{REVALIDATE, escape_html, html, safe_name, static_file};
use crate::http::openapi::{self as api, Api, op};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub fn routes() -> Api {
    Api::new()
        .route("/agent", api::get(index, page("The agent workspace")))
        .route("/agent/", api::get(index, page("The agent workspace")))
        .route(
            "/agent/{*path}",
            api::get(
                path,
                op("The agent workspace's files and routes (its pages for unknown paths)")
                    .media(200, "*/*")
                    .plain(&[(304, ""), (404, ""), (503, "text/html")]),
            ),
        )
}

fn page(summary: &'static str) -> api::Spec {
    op(summary)
        .media(200, "text/html")
        .plain(&[(503, "text/html")])
}

/// The app talks only to this origin (REST and `/websocket`) and renders visitors' text
/// as text; the policy is a second wall should a bug ever let markup through.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; media-src 'self' data: blob:; connect-src 'self' ws: wss:; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn index(State(s): State<AppState>) -> Response {
    let path = s.agent_app_dir.join("index.html");
    let Ok(page) = tokio::fs::read(&path).await else {
        return not_built(&s);
    };
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// A file of the build (`/agent/assets/app.3f2a9c1e.js`), or, for a path whose last part
/// has no extension, the app's `index.html`.
async fn path(State(s): State<AppState>, Path(path): Path<String>, headers: HeaderMap) -> Response {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let Some(last) = parts.last() else {
        return index(State(s)).await;
    };
    if !last.contains('.') {
        return index(State(s)).await;
    }
    if !parts.iter().all(|p| safe_name(p)) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let file = parts.iter().fold(s.agent_app_dir.clone(), |p, n| p.join(n));
    let mut res = static_file(&file, last, &headers).await;
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// Without a build the rest of the server works; `/agent` says how to make one.
fn not_built(s: &AppState) -> Response {
    let dir = escape_html(&s.agent_app_dir.display().to_string());
    let mut res = html(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Agent workspace not built</title></head>\n\
<body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\">\n\
<h1>The agent workspace is not built</h1>\n\
<p>Ferrochat serves the agent workspace from the files its build writes, and none were found in \
<code>{dir}</code>.</p>\n\
<p>To build it, run from the repository's root (it needs Node.js 20 and <code>npm</code>):</p>\n\
<pre>bash scripts/build-agent.sh</pre>\n\
<p>or start the server with <code>scripts/serve.sh</code>, which does it for you. To serve a build from \
elsewhere, point <code>AGENT_APP_DIR</code> at its folder.</p>\n\
<p>The REST API, the WebSocket and the livechat widget work without it.</p>\n\
</body></html>\n"
        ),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    res
}
