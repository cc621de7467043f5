//! Running as one of several instances: the background jobs that keep this process in
//! step with the others (cache invalidation from the bus, the presence heartbeat and the
//! expiry of dead instances), and what `/health` and `/metrics` report about them.

use crate::bus::Event;
use crate::domain::Livechat;
use crate::realtime::hub::Hub;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::AbortHandle;

pub struct Cluster {
    pub instance: Arc<str>,
    pub presence_timeout: Duration,
    /// Users taken offline because their instance stopped heartbeating.
    pub expired: AtomicU64,
    /// Presence rounds that failed (store unreachable).
    pub presence_errors: AtomicU64,
    jobs: parking_lot::Mutex<Vec<AbortHandle>>,
}

impl Drop for Cluster {
    /// The jobs live as long as the app's state.
    fn drop(&mut self) {
        for j in self.jobs.lock().drain(..) {
            j.abort();
        }
    }
}

impl Cluster {
    /// Stops the jobs (before leaving the cluster on shutdown, so no heartbeat follows).
    pub fn stop(&self) {
        for j in self.jobs.lock().drain(..) {
            j.abort();
        }
    }

    /// Starts the jobs; they stop when the returned value (held by the app state) drops.
    pub fn start(lc: &Livechat, hub: &Arc<Hub>, presence_timeout: Duration) -> Arc<Cluster> {
        let cluster = Arc::new(Cluster {
            instance: lc.instance.clone(),
            presence_timeout,
            expired: AtomicU64::new(0),
            presence_errors: AtomicU64::new(0),
            jobs: Default::default(),
        });
        let caches = tokio::spawn(invalidate_caches(lc.clone(), lc.bus.subscribe()));
        let presence = tokio::spawn(presence_job(
            lc.clone(),
            Arc::downgrade(hub),
            Arc::downgrade(&cluster),
        ));
        cluster
            .jobs
            .lock()
            .extend([caches.abort_handle(), presence.abort_handle()]);
        cluster
    }
}

/// In-memory state that another instance may change: settings and permissions are re-read
/// from the store when one changed anywhere, and both when events may have been missed.
async fn invalidate_caches(lc: Livechat, mut rx: tokio::sync::broadcast::Receiver<Arc<Event>>) {
    loop {
        let (settings, permissions) = match rx.recv().await {
            Ok(ev) => match *ev {
                Event::SettingChanged { .. } => (true, false),
                Event::PermissionsChanged { .. } => (false, true),
                Event::Resync => (true, true),
                _ => (false, false),
            },
            Err(RecvError::Lagged(_)) => (true, true),
            Err(RecvError::Closed) => break,
        };
        if settings && let Err(e) = lc.settings.reload(&lc.store).await {
            tracing::warn!("settings reload failed: {e}");
        }
        if permissions && let Err(e) = lc.permissions.reload(&lc.store).await {
            tracing::warn!("permissions reload failed: {e}");
        }
    }
}

/// Heartbeat every third of the timeout; every instance also expires the dead ones (the
/// store makes that safe to run everywhere at once: each dead connection goes once).
async fn presence_job(lc: Livechat, hub: std::sync::Weak<Hub>, me: std::sync::Weak<Cluster>) {
    let timeout = match me.upgrade() {
        Some(c) => c.presence_timeout,
        None => return,
    };
    let mut tick = tokio::time::interval((timeout / 3).max(Duration::from_millis(200)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (Some(hub), Some(me)) = (hub.upgrade(), me.upgrade()) else {
            break;
        };
        match lc.presence_round(timeout, &hub.logins()).await {
            Ok(n) => {
                me.expired.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) => {
                me.presence_errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("presence heartbeat failed: {e}");
            }
        }
    }
}
