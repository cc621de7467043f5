//! The NATS bus: every instance publishes its events on one subject and subscribes to it,
//! so a socket on any instance hears what happened on any other. Local delivery does not
//! go through NATS: an event reaches this instance's sockets at once, and goes out to the
//! others on the side, so a broker outage costs cross-instance delivery only. The client
//! reconnects forever and re-subscribes by itself; a reconnect raises a local `Resync` so
//! caches re-read what they may have missed.

use super::{Bus, BusHealth, Event};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::sync::{broadcast, mpsc};

/// Events waiting for the broker while it is away; past this they are dropped (counted).
const OUTBOX: usize = 16_384;

#[derive(Serialize)]
struct Outgoing<'a> {
    from: &'a str,
    event: &'a Event,
}

#[derive(Deserialize)]
struct Incoming {
    from: String,
    event: Event,
}

#[derive(Default)]
struct Stats {
    connected: AtomicBool,
    ever_connected: AtomicBool,
    reconnects: AtomicU64,
    published: AtomicU64,
    received: AtomicU64,
    dropped: AtomicU64,
}

pub struct NatsBus {
    local: broadcast::Sender<Arc<Event>>,
    outbox: mpsc::Sender<Vec<u8>>,
    instance: Arc<str>,
    stats: Arc<Stats>,
    receiver: tokio::task::AbortHandle,
}

impl Drop for NatsBus {
    /// Unsubscribes; the publisher ends with the outbox, and the connection with both.
    fn drop(&mut self) {
        self.receiver.abort();
    }
}

impl NatsBus {
    /// Connects in the background (the server starts even while NATS is down) to `url`
    /// and carries events on `<prefix>.events`; `instance` tells this process's events apart.
    pub async fn connect(
        url: &str,
        prefix: &str,
        instance: &str,
        capacity: usize,
    ) -> Result<Arc<NatsBus>, String> {
        let local = broadcast::channel(capacity).0;
        let stats = Arc::new(Stats::default());
        let subject = format!("{prefix}.events");
        let (st, resync) = (stats.clone(), local.clone());
        let client = async_nats::ConnectOptions::new()
            .name(format!("ferrochat {instance}"))
            // Our own events were delivered locally already.
            .no_echo()
            .retry_on_initial_connect()
            .max_reconnects(None)
            .event_callback(move |ev| {
                let (st, resync) = (st.clone(), resync.clone());
                async move { on_connection_event(ev, &st, &resync) }
            })
            .connect(
                url.split(',')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .collect::<Vec<_>>(),
            )
            .await
            .map_err(|e| format!("NATS_URL {:?}: {e}", crate::config::redact_url(url)))?;
        let mut sub = client
            .subscribe(subject.clone())
            .await
            .map_err(|e| format!("NATS subscribe {subject}: {e}"))?;
        // With the broker up, return only once the subscription is in place (a PING
        // answered after it), so nothing published from now on is missed.
        if tokio::time::timeout(std::time::Duration::from_secs(2), client.flush())
            .await
            .is_err()
        {
            tracing::warn!(
                "NATS not reachable yet at {}; serving locally and retrying",
                crate::config::redact_url(url)
            );
        }
        let (outbox, mut rx) = mpsc::channel::<Vec<u8>>(OUTBOX);
        let instance: Arc<str> = Arc::from(instance);
        // Publisher: one task keeps this instance's events in order on the wire.
        let (st, publisher) = (stats.clone(), client.clone());
        tokio::spawn(async move {
            while let Some(payload) = rx.recv().await {
                match publisher.publish(subject.clone(), payload.into()).await {
                    Ok(()) => st.published.fetch_add(1, Ordering::Relaxed),
                    Err(_) => st.dropped.fetch_add(1, Ordering::Relaxed),
                };
            }
        });
        // Receiver: other instances' events go to this instance's subscribers.
        let (st, me, tx) = (stats.clone(), instance.clone(), local.clone());
        let receiver = tokio::spawn(async move {
            while let Some(msg) = sub.next().await {
                let Ok(Incoming { from, mut event }) = serde_json::from_slice(&msg.payload) else {
                    st.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!("unreadable event on the NATS bus");
                    continue;
                };
                if *from == *me || matches!(event, Event::Resync) {
                    continue;
                }
                if let Event::NotifyRoom { origin, .. } = &mut event {
                    // Another instance's connection: nobody here is its writer.
                    *origin = None;
                }
                st.received.fetch_add(1, Ordering::Relaxed);
                let _ = tx.send(Arc::new(event));
            }
        });
        Ok(Arc::new(NatsBus {
            local,
            outbox,
            instance,
            stats,
            receiver: receiver.abort_handle(),
        }))
    }
}

fn on_connection_event(ev: async_nats::Event, st: &Stats, resync: &broadcast::Sender<Arc<Event>>) {
    match ev {
        async_nats::Event::Connected => {
            st.connected.store(true, Ordering::Relaxed);
            if st.ever_connected.swap(true, Ordering::Relaxed) {
                let n = st.reconnects.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::info!(reconnects = n, "NATS bus reconnected; resynchronising");
                let _ = resync.send(Arc::new(Event::Resync));
            } else {
                tracing::info!("NATS bus connected");
            }
        }
        async_nats::Event::Disconnected => {
            st.connected.store(false, Ordering::Relaxed);
            tracing::warn!(
                "NATS bus disconnected: events reach this instance's sockets only until it reconnects"
            );
        }
        async_nats::Event::SlowConsumer(_) => {
            st.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("NATS bus: this instance fell behind and missed events");
        }
        other => tracing::warn!("NATS bus: {other}"),
    }
}

impl Bus for NatsBus {
    fn publish(&self, event: Event) {
        if !matches!(event, Event::Resync) {
            let out = Outgoing {
                from: &self.instance,
                event: &event,
            };
            match serde_json::to_vec(&out) {
                Ok(payload) => {
                    if self.outbox.try_send(payload).is_err() {
                        self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(e) => tracing::error!("event not serializable for NATS: {e}"),
            }
        }
        let _ = self.local.send(Arc::new(event));
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.local.subscribe()
    }

    fn health(&self) -> BusHealth {
        let s = &self.stats;
        BusHealth {
            kind: "nats",
            connected: s.connected.load(Ordering::Relaxed),
            reconnects: s.reconnects.load(Ordering::Relaxed),
            published: s.published.load(Ordering::Relaxed),
            received: s.received.load(Ordering::Relaxed),
            dropped: s.dropped.load(Ordering::Relaxed),
        }
    }
}
