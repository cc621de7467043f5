//! Background delivery of e-mails and webhook calls.
//!
//! The domain writes what must be sent into the store's outbox (committed before the request
//! is answered) and wakes the worker; the worker claims due items with a lease, delivers them
//! (SMTP through lettre, HTTP through reqwest) and records the outcome, retrying failures
//! with exponential backoff. A mail server or CRM that is down delays delivery, never loses it,
//! and several instances sharing one database never hold the same item at once.

pub mod mail;
pub mod webhook;
pub mod worker;

use crate::config::Config;
use crate::ids;
use crate::store::{OutboxItem, SharedStore, StoreResult};
use crate::time::Ts;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::Notify;

/// How one attempt ended, before the retry policy decides.
pub enum Attempt {
    Sent,
    /// Worth trying again (server down, 5xx, 429, timeout).
    Transient(String),
    /// Will never succeed (bad address, 4xx other than 429).
    Permanent(String),
}

#[derive(Clone, Debug)]
pub struct OutboxConfig {
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    pub idle_poll_ms: u64,
    pub mail_max_attempts: i64,
    /// How long a claim holds an item; longer than any one attempt may take.
    pub lease_ms: i64,
    pub dns_server: Option<SocketAddr>,
    /// An item pending longer than this means delivery is stuck (`/health`: degraded).
    pub stuck_after_ms: i64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            retry_base_ms: 10_000,
            retry_max_ms: 3_600_000,
            idle_poll_ms: 5_000,
            mail_max_attempts: 20,
            lease_ms: 120_000,
            dns_server: None,
            stuck_after_ms: 900_000,
        }
    }
}

impl OutboxConfig {
    pub fn from_config(c: &Config) -> Self {
        OutboxConfig {
            retry_base_ms: c.outbox_retry_base_ms.max(1),
            retry_max_ms: c.outbox_retry_max_ms.max(c.outbox_retry_base_ms.max(1)),
            idle_poll_ms: c.outbox_poll_ms.max(10),
            mail_max_attempts: c.mail_max_attempts.max(1),
            dns_server: c.dns_server,
            stuck_after_ms: (c.outbox_stuck_seconds.max(1) as i64).saturating_mul(1000),
            ..Default::default()
        }
    }

    /// Delay before attempt `attempts + 1`: base · 2^(attempts-1), at most `retry_max_ms`.
    pub fn backoff_ms(&self, attempts: i64) -> i64 {
        let exp = attempts.clamp(1, 32) as u32 - 1;
        let d = self.retry_base_ms.saturating_mul(1u64 << exp.min(30));
        d.min(self.retry_max_ms) as i64
    }
}

/// The queue's side of delivery: commits items, wakes the worker, checks mail domains.
pub struct Delivery {
    pub config: OutboxConfig,
    store: SharedStore,
    wake: Notify,
    resolver: TokioResolver,
    pub http: reqwest::Client,
    pub worker: worker::WorkerStatus,
}

impl Delivery {
    pub fn new(config: OutboxConfig, store: SharedStore) -> Self {
        let resolver = resolver(config.dns_server);
        Delivery {
            config,
            store,
            wake: Notify::new(),
            resolver,
            http: webhook::client(),
            worker: Default::default(),
        }
    }

    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    pub async fn wait(&self, d: Duration) {
        let _ = tokio::time::timeout(d, self.wake.notified()).await;
    }
}

#[async_trait::async_trait]
impl crate::domain::mail::Outbox for Delivery {
    /// Commits the item; the worker is woken only after the commit.
    async fn enqueue(&self, kind: &str, payload: Value, max_attempts: i64) -> StoreResult<String> {
        let now = now();
        let item = OutboxItem {
            id: ids::random_id(),
            kind: kind.to_string(),
            payload,
            attempts: 0,
            max_attempts,
            next_attempt_at: now,
            created_at: now,
        };
        self.store.outbox_enqueue(&item).await?;
        self.wake.notify_one();
        Ok(item.id)
    }

    fn mail_max_attempts(&self) -> i64 {
        self.config.mail_max_attempts
    }

    async fn has_mx(&self, domain: &str) -> bool {
        if domain.is_empty() {
            return false;
        }
        let name = format!("{}.", domain.trim_end_matches('.'));
        match self.resolver.mx_lookup(name).await {
            Ok(l) => l.iter().next().is_some(),
            Err(_) => false,
        }
    }
}

fn resolver(server: Option<SocketAddr>) -> TokioResolver {
    let mut opts = ResolverOpts::default();
    opts.timeout = Duration::from_secs(3);
    opts.attempts = 1;
    let builder = match server {
        Some(addr) => {
            let mut c = ResolverConfig::new();
            c.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
            TokioResolver::builder_with_config(c, TokioConnectionProvider::default())
        }
        None => TokioResolver::builder_tokio().unwrap_or_else(|_| {
            TokioResolver::builder_with_config(
                ResolverConfig::default(),
                TokioConnectionProvider::default(),
            )
        }),
    };
    builder.with_options(opts).build()
}

/// The outbox as `/health` reports it.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxHealth {
    /// `running`; `restarting` between a crash and the supervisor's restart.
    pub worker: &'static str,
    pub restarts: u64,
    pub pending: i64,
    pub oldest_pending_seconds: i64,
    /// Given up after their attempts (or refused for good), kept with the reason.
    pub dead: i64,
    /// The worker is down, or an item has waited longer than `OUTBOX_STUCK_SECONDS`.
    pub stuck: bool,
}

impl Delivery {
    pub async fn health(&self) -> StoreResult<OutboxHealth> {
        let stats = self.store.outbox_stats().await?;
        let waited = stats
            .oldest_pending
            .map(|t| (now().millis() - t.millis()).max(0))
            .unwrap_or(0);
        let running = self.worker.running();
        Ok(OutboxHealth {
            worker: match (running, self.worker.restarts()) {
                (true, _) => "running",
                (false, 0) => "starting",
                (false, _) => "restarting",
            },
            restarts: self.worker.restarts(),
            pending: stats.pending,
            oldest_pending_seconds: waited / 1000,
            dead: stats.dead,
            stuck: !running || (stats.pending > 0 && waited >= self.config.stuck_after_ms),
        })
    }
}

/// The outbox runs on wall time whatever clock the domain uses (retries must happen).
pub fn now() -> Ts {
    Ts::from_millis(chrono::Utc::now().timestamp_millis())
}
