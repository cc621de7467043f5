//! `GET /health` (for load balancers and operators) and `GET /metrics` (Prometheus text).
//! Not part of Rocket.Chat's API; served outside `/api` and its rate limiter.

use super::AppState;
use crate::http::openapi::{self as api, Api, op};
use crate::validate::Ty;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::atomic::Ordering;

pub fn routes() -> Api {
    Api::new()
        .route(
            "/health",
            api::get(
                health,
                op("Health: 200 while the database answers (`status` ok or degraded), else 503")
                    .json(&[("status", Ty::Str)])
                    .plain(&[(503, "application/json")]),
            ),
        )
        .route(
            "/metrics",
            api::get(
                metrics,
                op("Prometheus metrics").media(200, "text/plain").plain(&[]),
            ),
        )
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

async fn metrics(State(s): State<AppState>) -> Response {
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
    let mut out = String::new();
    for (name, kind, help, value) in rows {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name}{{instance=\"{}\"}} {value}\n",
            c.instance
        ));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
