//! `GET /health` (for load balancers and operators) and `GET /metrics` (Prometheus text).
//! Not part of Rocket.Chat's API; served outside `/api` and its rate limiter.

use super::AppState;
use crate::http::openapi::{self as api, Api, op};
use crate::telemetry::Text;
use crate::validate::Ty;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::atomic::Ordering;

/// `/health`, and `/metrics` when `metrics` (not served apart on `METRICS_BIND`).
pub fn routes(metrics: bool) -> Api {
    let r = Api::new().route(
        "/health",
        api::get(
            health,
            op("Health: 200 while the database answers (`status` ok or degraded), else 503")
                .json(&[("status", Ty::Str)])
                .plain(&[(503, "application/json")]),
        ),
    );
    if metrics {
        r.route(
            "/metrics",
            api::get(
                scrape,
                op("Prometheus metrics (with `METRICS_TOKEN` set: `Authorization: Bearer <token>`)")
                    .media(200, "text/plain")
                    .plain(&[(401, "text/plain")]),
            ),
        )
    } else {
        r
    }
}

/// 200 while the database answers (the instance can serve); `status` is `degraded` when
/// the event bus is down (this instance's sockets miss other instances' events) or e-mail
/// and webhook delivery is stuck, 503 when the database does not answer.
async fn health(State(s): State<AppState>) -> Response {
    let store_ok = s.lc.store_answers().await;
    let bus = s.lc.bus.health();
    let outbox = s.delivery.health().await.ok();
    let delivering = outbox.as_ref().is_some_and(|o| !o.stuck);
    let status = match (store_ok, bus.connected && delivering) {
        (false, _) => "error",
        (true, false) => "degraded",
        (true, true) => "ok",
    };
    let body = json!({
        "status": status,
        "instance": s.cluster.instance.as_ref(),
        "version": s.version,
        "store": if store_ok { "ok" } else { "error" },
        "bus": bus,
        "presence": {
            "timeoutSeconds": s.cluster.presence_timeout.as_secs(),
            "expiredUsers": s.cluster.expired.load(Ordering::Relaxed),
            "errors": s.cluster.presence_errors.load(Ordering::Relaxed),
        },
        "connections": s.hub.logins().len(),
        "outbox": outbox,
    });
    let code = if store_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body)).into_response()
}

/// `GET /metrics`: with `METRICS_TOKEN` set, only for `Authorization: Bearer <token>`.
async fn scrape(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &s.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same(given.as_bytes(), token.as_bytes()) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "unauthorized\n",
            )
                .into_response();
        }
    }
    let mut out = figures(&s).await;
    out.push_str(&s.lc.metrics.render());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

/// Compares without stopping at the first difference (the token's length aside).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The figures read at scrape time: this instance's (labelled `instance`) and the
/// cluster's, from the database (the same on every instance).
async fn figures(s: &AppState) -> String {
    let b = s.lc.bus.health();
    let c = &s.cluster;
    let o = s.delivery.health().await.ok();
    let outbox = |f: fn(&crate::outbox::OutboxHealth) -> u64| o.as_ref().map(f).unwrap_or(0);
    let rows: [(&str, &str, &str, u64); 15] = [
        (
            "ferrochat_bus_connected",
            "gauge",
            "1 while events reach the other instances",
            b.connected as u64,
        ),
        (
            "ferrochat_bus_reconnects_total",
            "counter",
            "Reconnections to the event broker",
            b.reconnects,
        ),
        (
            "ferrochat_bus_published_total",
            "counter",
            "Events sent to other instances",
            b.published,
        ),
        (
            "ferrochat_bus_received_total",
            "counter",
            "Events received from other instances",
            b.received,
        ),
        (
            "ferrochat_bus_dropped_total",
            "counter",
            "Events lost between instances",
            b.dropped,
        ),
        (
            "ferrochat_realtime_logged_in_connections",
            "gauge",
            "Logged-in realtime connections on this instance",
            s.hub.logins().len() as u64,
        ),
        (
            "ferrochat_realtime_slow_consumers_dropped_total",
            "counter",
            "WebSocket connections let go because they read too slowly",
            s.hub.slow_consumers.load(Ordering::Relaxed),
        ),
        (
            "ferrochat_password_checks_total",
            "counter",
            "bcrypt password verifications (one per password login, known user or not)",
            s.lc.logins.password_checks(),
        ),
        (
            "ferrochat_presence_expired_users_total",
            "counter",
            "Users taken offline because their instance died",
            c.expired.load(Ordering::Relaxed),
        ),
        (
            "ferrochat_presence_errors_total",
            "counter",
            "Failed presence heartbeats",
            c.presence_errors.load(Ordering::Relaxed),
        ),
        (
            "ferrochat_outbox_worker_up",
            "gauge",
            "1 while the e-mail and webhook delivery worker runs",
            s.delivery.worker.running() as u64,
        ),
        (
            "ferrochat_outbox_worker_restarts_total",
            "counter",
            "Times the delivery worker died and was started again",
            s.delivery.worker.restarts(),
        ),
        (
            "ferrochat_outbox_pending",
            "gauge",
            "E-mails and webhook calls waiting for delivery",
            outbox(|o| o.pending.max(0) as u64),
        ),
        (
            "ferrochat_outbox_oldest_pending_seconds",
            "gauge",
            "How long the oldest waiting item has waited",
            outbox(|o| o.oldest_pending_seconds.max(0) as u64),
        ),
        (
            "ferrochat_outbox_dead",
            "gauge",
            "Items given up after their attempts, kept with the reason",
            outbox(|o| o.dead.max(0) as u64),
        ),
    ];
    let mut out = Text::default();
    let instance = || vec![("instance", c.instance.to_string())];
    for (name, kind, help, value) in rows {
        out.family(name, kind, help, &[(instance(), value as f64)]);
    }
    let pool = s.lc.pool_stats();
    let engine = |state: &'static str| {
        vec![
            ("instance", c.instance.to_string()),
            ("engine", pool.engine.to_string()),
            ("state", state.to_string()),
        ]
    };
    out.family(
        "ferrochat_db_pool_connections",
        "gauge",
        "Database connections of this instance, in use or idle (SQLite: readers)",
        &[
            (engine("in_use"), pool.in_use as f64),
            (engine("idle"), pool.idle as f64),
        ],
    );
    let engine = vec![
        ("instance", c.instance.to_string()),
        ("engine", pool.engine.to_string()),
    ];
    out.family(
        "ferrochat_db_pool_max_connections",
        "gauge",
        "Most connections the pool opens (SQLite: readers kept open)",
        &[(engine.clone(), pool.max as f64)],
    );
    if let Some(n) = pool.writes_queued {
        out.family(
            "ferrochat_db_writes_queued",
            "gauge",
            "SQLite: writes waiting for (or in) the single writer's transaction",
            &[(engine, n as f64)],
        );
    }
    out.family(
        "ferrochat_ddp_connections",
        "gauge",
        "Open DDP (WebSocket) connections on this instance",
        &[(instance(), s.hub.connections() as f64)],
    );
    out.family(
        "ferrochat_ddp_subscriptions",
        "gauge",
        "Stream subscriptions held by this instance's DDP connections",
        &[(instance(), s.hub.subscriptions() as f64)],
    );
    match s.lc.live_figures().await {
        Ok(f) => live_figures(&mut out, &f),
        Err(e) => tracing::warn!(error = %e, "reading the live figures for /metrics"),
    }
    out.finish()
}

/// Cluster-wide figures: no `instance` label (every instance reports the same).
fn live_figures(out: &mut Text, f: &crate::domain::queue::LiveFigures) {
    let dept = |w: &crate::domain::queue::Waiting| {
        let (id, name) = w.department.clone().unwrap_or_default();
        vec![("department_id", id), ("department", name)]
    };
    // A department whose queue emptied drops out; chats in no department (`department_id=""`)
    // always show, 0 when none waits, so the families are never empty.
    let mut rows = f.waiting.clone();
    if !rows.iter().any(|w| w.department.is_none()) {
        rows.insert(
            0,
            crate::domain::queue::Waiting {
                department: None,
                chats: 0,
                oldest_seconds: 0.0,
            },
        );
    }
    let waiting: Vec<_> = rows.iter().map(|w| (dept(w), w.chats as f64)).collect();
    let oldest: Vec<_> = rows.iter().map(|w| (dept(w), w.oldest_seconds)).collect();
    out.family(
        "ferrochat_livechat_queue_waiting_chats",
        "gauge",
        "Chats waiting in the queue for an agent, per department",
        &waiting,
    );
    out.family(
        "ferrochat_livechat_queue_oldest_waiting_seconds",
        "gauge",
        "How long the oldest waiting chat of the department has waited (0 when none waits)",
        &oldest,
    );
    out.family(
        "ferrochat_livechat_open_chats",
        "gauge",
        "Open chats, waiting or served",
        &[(vec![], f.open_chats as f64)],
    );
    out.family(
        "ferrochat_livechat_agents_available",
        "gauge",
        "Agents active, online and available for chats",
        &[(vec![], f.agents_available as f64)],
    );
    out.family(
        "ferrochat_livechat_business_open",
        "gauge",
        "1 while chats are expected to be answered: business hours open, or not in use",
        &[(vec![], f.business_hours_open as u8 as f64)],
    );
}
