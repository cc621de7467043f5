//! Upstream's REST rate limiter: per client address and route, a fixed number of calls per
//! interval (route overrides, else `API_Enable_Rate_Limiter_Limit_*_Default`), off when the
//! server runs with `TEST_MODE` or `API_Enable_Rate_Limiter` is false. Users holding
//! `api-bypass-rate-limit` (upstream: admins, bots and apps) are not counted.

use super::{AppState, Authenticated};
use crate::error::Error;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::SocketAddr;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(String, String), (i64, i64)>>,
}

/// Routes with their own limit upstream: (method, path) → (calls, interval ms).
fn route_limit(method: &str, path: &str) -> Option<(i64, i64)> {
    match (method, path) {
        ("GET", "/api/v1/livechat/room") => Some((5, 60_000)),
        ("POST", "/api/v1/livechat/visitor") => Some((5, 60_000)),
        ("GET", "/api/v1/livechat/visitor/{token}") => Some((10, 60_000)),
        ("DELETE", "/api/v1/livechat/visitor/{token}") => Some((5, 60_000)),
        ("POST", "/api/v1/livechat/offline.message") => Some((1, 5_000)),
        _ => None,
    }
}

impl RateLimiter {
    /// Counts one call; `Err(reset_ms)` when over the limit, else remaining calls and reset.
    fn hit(
        &self,
        key: (String, String),
        limit: i64,
        interval: i64,
        now: i64,
    ) -> Result<(i64, i64), i64> {
        let mut w = self.windows.lock();
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| now - *start < interval);
        }
        let e = w.entry(key).or_insert((now, 0));
        if now - e.0 >= interval {
            *e = (now, 0);
        }
        let reset = e.0 + interval;
        if e.1 >= limit {
            return Err(reset);
        }
        e.1 += 1;
        Ok((limit - e.1, reset))
    }
}

/// The window DDP `login` shares with the REST login route (one count per address).
const LOGIN_METHOD: &str = "POST";
const LOGIN_PATH: &str = "/api/v1/login";

/// (calls, interval ms) for a route, `None` when not limited.
fn limits(state: &AppState, method: &str, path: &str) -> Option<(i64, i64)> {
    let settings = &state.lc.settings;
    if state.test_mode || !settings.bool("API_Enable_Rate_Limiter") {
        return None;
    }
    let (limit, interval) = route_limit(method, path).unwrap_or((
        settings.i64("API_Enable_Rate_Limiter_Limit_Calls_Default"),
        settings.i64("API_Enable_Rate_Limiter_Limit_Time_Default"),
    ));
    (limit > 0 && interval > 0).then_some((limit, interval))
}

impl RateLimiter {
    /// A DDP `login` from `ip`, counted in the REST login route's window (a client cannot
    /// escape the limit by switching transports); `Err(ms until the window resets)`.
    pub fn login(&self, state: &AppState, ip: &str) -> Result<(), i64> {
        let Some((limit, interval)) = limits(state, LOGIN_METHOD, LOGIN_PATH) else {
            return Ok(());
        };
        let now = state.lc.now().millis();
        self.hit(
            (ip.to_string(), format!("{LOGIN_METHOD} {LOGIN_PATH}")),
            limit,
            interval,
            now,
        )
        .map(|_| ())
        .map_err(|reset| reset - now)
    }
}

pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(path) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
    else {
        return next.run(req).await;
    };
    // Upstream limits its REST API only; the widget's files and the socket are not counted.
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_string();
    if method == "OPTIONS" {
        return next.run(req).await;
    }
    let Some((limit, interval)) = limits(&state, &method, &path) else {
        return next.run(req).await;
    };
    let credentials = {
        let header = |n: &str| {
            req.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        (header("x-user-id"), header("x-auth-token"))
    };
    if let (Some(uid), Some(token)) = credentials
        && let Ok(user) = state.lc.authenticate(&uid, &token).await
    {
        if state.lc.has_permission(&user, "api-bypass-rate-limit") {
            return next.run(req).await;
        }
        // Looked up once: the handler's `Auth` takes it from here.
        let mut req = req;
        req.extensions_mut().insert(Authenticated(user));
        return limited(&state, req, next, &method, &path, limit, interval).await;
    }
    limited(&state, req, next, &method, &path, limit, interval).await
}

async fn limited(
    state: &AppState,
    req: Request,
    next: Next,
    method: &str,
    path: &str,
    limit: i64,
    interval: i64,
) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let ip = state.client_ip(req.headers(), addr);
    let now = state.lc.now().millis();
    match state
        .limiter
        .hit((ip, format!("{method} {path}")), limit, interval, now)
    {
        Ok((remaining, reset)) => {
            let mut res = next.run(req).await;
            let h = res.headers_mut();
            h.insert("X-RateLimit-Limit", HeaderValue::from(limit));
            h.insert("X-RateLimit-Remaining", HeaderValue::from(remaining));
            h.insert("X-RateLimit-Reset", HeaderValue::from(reset));
            res
        }
        Err(reset) => {
            let wait = ((reset - now) as f64 / 1000.0).ceil() as i64;
            let mut res = Error::TooManyRequests(wait).into_response();
            let h = res.headers_mut();
            h.insert("X-RateLimit-Limit", HeaderValue::from(limit));
            h.insert("X-RateLimit-Remaining", HeaderValue::from(0));
            h.insert("X-RateLimit-Reset", HeaderValue::from(reset));
            res
        }
    }
}
