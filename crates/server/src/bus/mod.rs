//! The event bus: the only way domain code talks to realtime. Domain code publishes what
//! happened; the DDP layer subscribes and fans events out to the sockets that may see them.
//! In-process by default; the trait is what a cross-instance implementation plugs into.

use serde_json::Value;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Something a realtime client may need to hear about.
#[derive(Clone, Debug)]
pub enum Event {
    /// A message of a room was inserted or changed (`stream-room-messages`, event = rid).
    RoomMessage {
        rid: String,
        message: Box<crate::model::Message>,
    },
    /// `stream-livechat-room` (event = rid): `{type: "agentData"|"agentStatus"|…, …}`.
    LivechatRoom { rid: String, payload: Value },
    /// `stream-livechat-inquiry-queue-observer`: an inquiry was `added`, `changed` or
    /// `removed` (events `public` or `department/<id>`, and the inquiry's id).
    Inquiry {
        inquiry: Box<crate::model::Inquiry>,
        kind: &'static str,
    },
    /// `stream-notify-user` (event = `UID/name`): `rooms-changed`, `subscriptions-changed`,
    /// args already in EJSON form.
    NotifyUser { event: String, args: Vec<Value> },
    /// `stream-notify-room` (event = `RID/name`), not echoed to `origin`.
    NotifyRoom {
        event: String,
        args: Vec<Value>,
        origin: Option<u64>,
    },
}

pub trait Bus: Send + Sync + 'static {
    fn publish(&self, event: Event);
    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>>;
}

pub type SharedBus = Arc<dyn Bus>;

/// The in-process bus: a broadcast channel. A subscriber that falls more than `capacity`
/// events behind loses the oldest ones and is told so (`RecvError::Lagged`).
pub struct LocalBus {
    tx: broadcast::Sender<Arc<Event>>,
}

impl LocalBus {
    pub fn new(capacity: usize) -> Self {
        LocalBus {
            tx: broadcast::channel(capacity).0,
        }
    }
}

impl Bus for LocalBus {
    fn publish(&self, event: Event) {
        // No subscriber yet is fine: nobody is connected to hear it.
        let _ = self.tx.send(Arc::new(event));
    }
    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }
}
