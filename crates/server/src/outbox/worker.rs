//! The delivery loop: claim due items, deliver them concurrently, record each outcome.

use super::{EMAIL, WEBHOOK, now};
use crate::domain::Livechat;
use crate::ids;
use crate::store::{OutboxItem, OutboxOutcome};
use std::time::Duration;

/// How one attempt ended, before the retry policy decides.
pub enum Attempt {
    Sent,
    /// Worth trying again (server down, 5xx, 429, timeout).
    Transient(String),
    /// Will never succeed (bad address, 4xx other than 429).
    Permanent(String),
}

const BATCH: i64 = 16;

/// Runs until the process ends. Each loop claims under a fresh owner id, so an outcome
/// reported after the lease was lost is refused by the store.
pub async fn run(lc: Livechat) {
    let instance = ids::random_id();
    loop {
        let d = &lc.delivery;
        let idle = d.config.idle_poll_ms as i64;
        // A read first: an idle worker never takes the write lock.
        let wait = match lc.store.outbox_next_due().await {
            Ok(Some(t)) => (t.millis() - now().millis()).clamp(0, idle),
            Ok(None) => idle,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: cannot read the queue");
                idle
            }
        };
        if wait > 0 {
            d.wait(Duration::from_millis(wait as u64)).await;
            continue;
        }
        let owner = format!("{instance}:{}", ids::random_id_len(8));
        let claimed = match lc
            .store
            .outbox_claim(now(), d.config.lease_ms, &owner, BATCH)
            .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: claim failed");
                d.wait(Duration::from_millis(d.config.idle_poll_ms)).await;
                continue;
            }
        };
        let jobs = claimed.into_iter().map(|item| {
            let lc = lc.clone();
            let owner = owner.clone();
            async move { deliver_one(&lc, &owner, item).await }
        });
        futures::future::join_all(jobs).await;
    }
}

async fn deliver_one(lc: &Livechat, owner: &str, item: OutboxItem) {
    let attempt = match item.kind.as_str() {
        EMAIL => super::mail::deliver(lc, &item.payload).await,
        WEBHOOK => super::webhook::deliver(lc, &item.payload).await,
        other => Attempt::Permanent(format!("unknown outbox kind {other:?}")),
    };
    let at = now();
    let outcome = match attempt {
        Attempt::Sent => OutboxOutcome::Sent { at },
        Attempt::Permanent(error) => OutboxOutcome::Failed { at, error },
        Attempt::Transient(error) if item.attempts >= item.max_attempts => {
            OutboxOutcome::Failed { at, error }
        }
        Attempt::Transient(error) => OutboxOutcome::Retry {
            at: at.plus_millis(lc.delivery.config.backoff_ms(item.attempts)),
            error,
        },
    };
    match &outcome {
        OutboxOutcome::Sent { .. } => {
            tracing::debug!(id = %item.id, kind = %item.kind, "outbox: delivered")
        }
        OutboxOutcome::Retry { error, .. } => {
            tracing::info!(id = %item.id, kind = %item.kind, attempts = item.attempts, %error, "outbox: will retry")
        }
        OutboxOutcome::Failed { error, .. } => {
            tracing::warn!(id = %item.id, kind = %item.kind, attempts = item.attempts, %error, "outbox: given up")
        }
    }
    match lc.store.outbox_finish(&item.id, owner, &outcome).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(id = %item.id, "outbox: lease lost before the outcome was saved")
        }
        Err(e) => tracing::warn!(id = %item.id, error = %e, "outbox: outcome not saved"),
    }
}
