//! The delivery loop: claim due items, deliver them concurrently, record each outcome. One
//! item can never stop the loop: each attempt runs as a task of its own (a panic is a
//! failed attempt), an item whose attempts all ended without an outcome is parked as dead,
//! and the loop itself runs under a supervisor that starts it again if it dies.

use super::{Attempt, Delivery, now};
use crate::domain::Livechat;
use crate::domain::mail::{EMAIL, WEBHOOK};
use crate::ids;
use crate::store::{OutboxItem, OutboxOutcome};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

const BATCH: i64 = 16;
/// Pause before a dead worker is started again (a loop that dies at once must not spin).
const RESTART_DELAY: Duration = Duration::from_secs(1);

/// Whether the worker runs, for `/health` and `/metrics`.
#[derive(Default)]
pub struct WorkerStatus {
    running: AtomicBool,
    restarts: AtomicU64,
}

impl WorkerStatus {
    pub fn running(&self) -> bool {
        self.running.load(Ordering::Relaxed)
    }
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }
}

/// The worker under its supervisor, for the life of the process.
pub async fn supervise(lc: Livechat, delivery: Arc<Delivery>) {
    let d = delivery.clone();
    supervised(&delivery.worker, RESTART_DELAY, move || {
        run(lc.clone(), d.clone())
    })
    .await
}

/// Runs `job` as a task and starts it again whenever it panics; returns when it ends
/// normally or is cancelled (the runtime shutting down).
pub async fn supervised<F, Fut>(status: &WorkerStatus, delay: Duration, mut job: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        status.running.store(true, Ordering::Relaxed);
        let ended = tokio::spawn(job()).await;
        status.running.store(false, Ordering::Relaxed);
        match ended {
            Err(e) if e.is_panic() => {
                status.restarts.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    reason = %panic_message(e.into_panic()),
                    "outbox: the delivery worker died; starting it again"
                );
                tokio::time::sleep(delay).await;
            }
            _ => return,
        }
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// The attempt as a task of its own: a panic inside it is a failed attempt, not a dead worker.
pub async fn guarded(attempt: impl Future<Output = Attempt> + Send + 'static) -> Attempt {
    match tokio::spawn(attempt).await {
        Ok(a) => a,
        Err(e) if e.is_panic() => Attempt::Transient(format!(
            "delivery panicked: {}",
            panic_message(e.into_panic())
        )),
        Err(e) => Attempt::Transient(e.to_string()),
    }
}

/// Runs until the process ends. Each loop claims under a fresh owner id, so an outcome
/// reported after the lease was lost is refused by the store.
pub async fn run(lc: Livechat, d: Arc<Delivery>) {
    let instance = ids::random_id();
    loop {
        let idle = d.config.idle_poll_ms as i64;
        // A read first: an idle worker never takes the write lock.
        let wait = match d.store().outbox_next_due().await {
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
        let claimed = match d
            .store()
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
            let (lc, d) = (lc.clone(), d.clone());
            let owner = owner.clone();
            async move { deliver_one(&lc, &d, &owner, item).await }
        });
        futures::future::join_all(jobs).await;
    }
}

async fn deliver_one(lc: &Livechat, d: &Arc<Delivery>, owner: &str, item: OutboxItem) {
    // A claim counts an attempt; more than allowed means earlier attempts ended with no
    // outcome (the worker died holding the item, or lost its lease): it gets no more.
    let attempt = if item.attempts > item.max_attempts {
        Attempt::Permanent(format!(
            "no outcome recorded for its last attempt(s) ({} of {} started): parked",
            item.attempts - 1,
            item.max_attempts
        ))
    } else {
        let (lc2, d2) = (lc.clone(), d.clone());
        let (kind, payload) = (item.kind.clone(), item.payload.clone());
        guarded(async move {
            match kind.as_str() {
                EMAIL => super::mail::deliver(&lc2, &payload).await,
                WEBHOOK => super::webhook::deliver(&lc2, &d2.http, &payload).await,
                other => Attempt::Permanent(format!("unknown outbox kind {other:?}")),
            }
        })
        .await
    };
    let at = now();
    let outcome = match attempt {
        Attempt::Sent => OutboxOutcome::Sent { at },
        Attempt::Permanent(error) => OutboxOutcome::Failed { at, error },
        Attempt::Transient(error) if item.attempts >= item.max_attempts => {
            OutboxOutcome::Failed { at, error }
        }
        Attempt::Transient(error) => OutboxOutcome::Retry {
            at: at.plus_millis(d.config.backoff_ms(item.attempts)),
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
            tracing::warn!(id = %item.id, kind = %item.kind, attempts = item.attempts, %error, "outbox: given up, parked as dead")
        }
    }
    match d.store().outbox_finish(&item.id, owner, &outcome).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(id = %item.id, "outbox: lease lost before the outcome was saved")
        }
        Err(e) => tracing::warn!(id = %item.id, error = %e, "outbox: outcome not saved"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn a_panicking_attempt_is_a_failed_attempt() {
        let a = guarded(async { panic!("header with a line break") }).await;
        match a {
            Attempt::Transient(e) => assert!(e.contains("header with a line break"), "{e}"),
            _ => panic!("expected a transient failure"),
        }
        assert!(matches!(
            guarded(async { Attempt::Sent }).await,
            Attempt::Sent
        ));
    }

    #[tokio::test]
    async fn a_dead_worker_is_started_again() {
        let status = WorkerStatus::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        supervised(&status, Duration::from_millis(1), move || {
            let n = c.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 2 {
                    panic!("died #{n}");
                }
            }
        })
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(status.restarts(), 2);
        assert!(!status.running());
    }
}
