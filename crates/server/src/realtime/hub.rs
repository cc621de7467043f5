//! Who listens to what: topics (`stream|event`) to connections, fed by the bus. A
//! connection whose queue is full is told to go (it reconnects and resyncs) so that a slow
//! client never holds up the others.

use crate::bus::{Event, SharedBus};
use crate::time::with_ejson;
use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::sync::{Notify, mpsc};

pub enum Out {
    Text(Arc<str>),
    Close,
}

/// Frames waiting for one connection, bounded in count and in bytes: a consumer too slow to
/// read is let go (it reconnects and resyncs), never buffered without end.
pub const MAX_QUEUED_FRAMES: usize = 1024;
pub const MAX_QUEUED_BYTES: usize = 1 << 20;

/// The sending side of a connection's queue.
#[derive(Clone)]
pub struct ConnTx {
    tx: mpsc::Sender<Out>,
    queued: Arc<AtomicUsize>,
}

impl ConnTx {
    pub fn new() -> (ConnTx, mpsc::Receiver<Out>) {
        let (tx, rx) = mpsc::channel(MAX_QUEUED_FRAMES);
        let queued = Arc::new(AtomicUsize::new(0));
        (ConnTx { tx, queued }, rx)
    }
    /// Queues the frame; false when the connection is gone or too far behind.
    pub fn try_send(&self, frame: Arc<str>) -> bool {
        let n = frame.len();
        if self.queued.fetch_add(n, Ordering::Relaxed) + n > MAX_QUEUED_BYTES
            || self.tx.try_send(Out::Text(frame)).is_err()
        {
            self.queued.fetch_sub(n, Ordering::Relaxed);
            return false;
        }
        true
    }
    /// The writer wrote a frame of `n` bytes.
    pub fn written(&self, n: usize) {
        self.queued.fetch_sub(n, Ordering::Relaxed);
    }
    pub fn close(&self) {
        let _ = self.tx.try_send(Out::Close);
    }
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

type Listener = (ConnTx, Arc<Notify>);

/// Appended to `stream-room-messages|<rid>` for subscriptions of users who may open the
/// room: they also hear internal notes, which a visitor's subscription never does.
pub const AGENT_TOPIC: &str = "|agent";

pub struct Hub {
    topics: RwLock<HashMap<String, HashMap<u64, Listener>>>,
    kills: Mutex<HashMap<u64, Arc<Notify>>>,
    /// Logged-in connections of this instance: connection → user.
    logins: Mutex<HashMap<u64, String>>,
    bus: SharedBus,
    /// Connections let go because they read too slowly.
    pub slow_consumers: AtomicU64,
}

#[derive(Serialize)]
struct Fields<'a, A: Serialize> {
    #[serde(rename = "eventName")]
    event_name: &'a str,
    args: A,
}

#[derive(Serialize)]
struct Changed<'a, A: Serialize> {
    msg: &'static str,
    collection: &'a str,
    id: &'static str,
    fields: Fields<'a, A>,
}

/// A stream event in upstream's shape, dates as EJSON.
fn changed<A: Serialize>(collection: &str, event_name: &str, args: A) -> Arc<str> {
    let frame = Changed {
        msg: "changed",
        collection,
        id: "id",
        fields: Fields { event_name, args },
    };
    with_ejson(|| serde_json::to_string(&frame))
        .unwrap_or_default()
        .into()
}

impl Hub {
    pub fn new(bus: SharedBus) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            topics: RwLock::new(HashMap::new()),
            kills: Mutex::new(HashMap::new()),
            logins: Mutex::new(HashMap::new()),
            bus,
            slow_consumers: AtomicU64::new(0),
        });
        let mut rx = hub.bus.subscribe();
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(event) => match weak.upgrade() {
                        Some(hub) => hub.dispatch(&event),
                        None => break,
                    },
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "realtime dispatcher lagged behind the bus");
                    }
                    Err(_) => break,
                }
            }
        });
        hub
    }

    pub fn register(&self, conn: u64) -> Arc<Notify> {
        self.kill_switch(conn)
    }

    pub fn kill_switch(&self, conn: u64) -> Arc<Notify> {
        self.kills
            .lock()
            .entry(conn)
            .or_insert_with(|| Arc::new(Notify::new()))
            .clone()
    }

    pub fn add(&self, topic: &str, conn: u64, tx: ConnTx, kill: Arc<Notify>) {
        self.topics
            .write()
            .entry(topic.to_string())
            .or_default()
            .insert(conn, (tx, kill));
    }

    pub fn remove(&self, topic: &str, conn: u64) {
        let mut topics = self.topics.write();
        if let Some(listeners) = topics.get_mut(topic) {
            listeners.remove(&conn);
            if listeners.is_empty() {
                topics.remove(topic);
            }
        }
    }

    pub fn remove_connection<'a>(&self, conn: u64, topics: impl Iterator<Item = &'a String>) {
        for t in topics {
            self.remove(t, conn);
        }
        self.kills.lock().remove(&conn);
    }

    /// The connection is now logged in as `user`; the user it had before, if another.
    pub fn logged_in(&self, conn: u64, user: &str) -> Option<String> {
        self.logins
            .lock()
            .insert(conn, user.to_string())
            .filter(|before| before != user)
    }

    /// The connection closed; whether it was logged in.
    pub fn logged_out(&self, conn: u64) -> bool {
        self.logins.lock().remove(&conn).is_some()
    }

    /// Open DDP connections on this instance.
    pub fn connections(&self) -> usize {
        self.kills.lock().len()
    }

    /// Subscriptions held here (one per connection and stream topic).
    pub fn subscriptions(&self) -> usize {
        self.topics.read().values().map(HashMap::len).sum()
    }

    /// This instance's logged-in connections (for presence re-registration).
    pub fn logins(&self) -> Vec<(u64, String)> {
        self.logins
            .lock()
            .iter()
            .map(|(c, u)| (*c, u.clone()))
            .collect()
    }

    /// Events raised by a connection (typing) go through the bus like any other.
    pub fn publish_local(&self, event: Event) {
        self.bus.publish(event);
    }

    fn dispatch(&self, event: &Event) {
        let (collection, event_name, origin) = match event {
            Event::RoomMessage { rid, message } => {
                // Visitors' subscriptions and agents' alike.
                let collection = "stream-room-messages";
                let frame = std::sync::OnceLock::new();
                let build = || {
                    frame
                        .get_or_init(|| changed(collection, rid, [message.as_ref()]))
                        .clone()
                };
                self.send_to(&format!("{collection}|{rid}"), None, build);
                self.send_to(&format!("{collection}|{rid}{AGENT_TOPIC}"), None, build);
                return;
            }
            Event::Note { rid, message } => {
                // Only subscriptions opened as a user who may see the room: a visitor's
                // subscription is another topic and never gets here.
                let collection = "stream-room-messages";
                self.send_to(&format!("{collection}|{rid}{AGENT_TOPIC}"), None, || {
                    changed(collection, rid, [message.as_ref()])
                });
                return;
            }
            Event::CannedResponse { owner, args } => {
                let (collection, name) = ("stream-canned-responses", "canned-responses");
                let prefix = format!("{collection}|{name}|");
                let topics: Vec<String> = match owner {
                    Some(uid) => vec![format!("{prefix}{uid}")],
                    None => self
                        .topics
                        .read()
                        .keys()
                        .filter(|t| t.starts_with(&prefix))
                        .cloned()
                        .collect(),
                };
                let frame = changed(collection, name, args);
                for t in topics {
                    self.send_to(&t, None, || frame.clone());
                }
                return;
            }
            Event::LivechatRoom { rid, .. } => ("stream-livechat-room", rid.as_str(), None),
            Event::NotifyRoom { event, origin, .. } => {
                ("stream-notify-room", event.as_str(), *origin)
            }
            Event::NotifyUser { event, .. } => ("stream-notify-user", event.as_str(), None),
            // For the domain (caches), not for sockets.
            Event::SettingChanged { .. } | Event::PermissionsChanged { .. } | Event::Resync => {
                return;
            }
            Event::Inquiry { inquiry, kind } => {
                // Agents watch `public` (no department) or `department/<id>`, and the inquiry.
                let collection = "stream-livechat-inquiry-queue-observer";
                let scope = match &inquiry.department {
                    Some(d) => format!("department/{d}"),
                    None => "public".to_string(),
                };
                for name in [scope.as_str(), inquiry.id.as_str()] {
                    self.send_to(&format!("{collection}|{name}"), None, || {
                        let mut doc = with_ejson(|| serde_json::to_value(inquiry.as_ref()))
                            .unwrap_or_default();
                        doc["type"] = serde_json::json!(kind.as_ref());
                        changed(collection, name, [doc])
                    });
                }
                return;
            }
        };
        self.send_to(
            &format!("{collection}|{event_name}"),
            origin,
            || match event {
                Event::LivechatRoom { payload, .. } => changed(collection, event_name, [payload]),
                Event::NotifyRoom { args, .. } | Event::NotifyUser { args, .. } => {
                    changed(collection, event_name, args)
                }
                Event::Inquiry { .. }
                | Event::RoomMessage { .. }
                | Event::Note { .. }
                | Event::CannedResponse { .. }
                | Event::SettingChanged { .. }
                | Event::PermissionsChanged { .. }
                | Event::Resync => Arc::from(""),
            },
        );
    }

    /// Sends a frame (built only when someone listens) to a topic's connections.
    fn send_to(&self, topic: &str, origin: Option<u64>, frame: impl FnOnce() -> Arc<str>) {
        let topics = self.topics.read();
        let Some(listeners) = topics.get(topic) else {
            return;
        };
        let frame = frame();
        for (conn, (tx, kill)) in listeners {
            if Some(*conn) == origin {
                continue;
            }
            if !tx.try_send(frame.clone()) {
                // Too far behind (or gone): it reconnects and loads the history.
                if !tx.is_closed() {
                    self.slow_consumers.fetch_add(1, Ordering::Relaxed);
                }
                kill.notify_one();
            }
        }
    }
}
