//! Each request gets an id (the client's `X-Request-Id` when it is a plain short one, else
//! a new one), echoed in the response; a span carrying it with the method and the route's
//! template (never the path or query itself: they may carry visitor tokens); one `answered`
//! event with the status and the time taken (target `ferrochat::access`); and the HTTP
//! metrics, by route template and status.

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id, for handlers that log or pass it on.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// A client's id is kept only when it cannot disturb a log line or a label.
fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn middleware(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_string)
        .unwrap_or_else(crate::ids::random_id);
    // A fallback (`/api`'s catch-all too) is no route of ours.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .filter(|p| !p.contains("__private__"))
        .unwrap_or("unmatched")
        .to_string();
    let method = req.method().clone();
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let mut res = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            target: "ferrochat::access",
            status,
            ms = (elapsed.as_secs_f64() * 1e6).round() / 1e3,
            "answered"
        )
    });
    s.lc.metrics
        .http_request(method.as_str(), &route, status, elapsed.as_secs_f64());
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_plain_short_ids_are_kept() {
        assert!(acceptable("abc-123_x.y:z"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("a b"));
        assert!(!acceptable("a\"b"));
    }
}
