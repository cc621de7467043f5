//! The event bus: the only way domain code talks to realtime. Domain code publishes what
//! happened; the DDP layer subscribes and fans events out to the sockets that may see them.
//! In-process by default; with `NATS_URL`, `nats::NatsBus` carries every event to the other
//! instances too (events are serialized for that, hence serde).

pub mod nats;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Something a realtime client (or another instance) may need to hear about.
#[derive(Clone, Debug, Serialize, Deserialize)]
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
        kind: Cow<'static, str>,
    },
    /// `stream-notify-user` (event = `UID/name`): `rooms-changed`, `subscriptions-changed`,
    /// args already in EJSON form.
    NotifyUser { event: String, args: Vec<Value> },
    /// `stream-notify-room` (event = `RID/name`), not echoed to `origin`: the writer's
    /// connection on this instance (a bus clears it on events from other instances, whose
    /// connection numbers mean nothing here).
    NotifyRoom {
        event: String,
        args: Vec<Value>,
        origin: Option<u64>,
    },
    /// `stream-canned-responses` (event `canned-responses`): a response `changed` or
    /// `removed`; a personal one only to its owner (`owner`), the others to every reader.
    CannedResponse {
        owner: Option<String>,
        args: Vec<Value>,
    },
    /// An internal note on `stream-room-messages` (event = rid), for agents only: never
    /// sent to a visitor's subscription.
    Note {
        rid: String,
        message: Box<crate::model::Message>,
    },
    /// A setting was stored: every instance re-reads it from the store (the store, not the
    /// event, carries the value, so concurrent writes converge on what was committed last).
    SettingChanged { id: String },
    /// Permissions were given other roles: every instance re-reads them from the store.
    PermissionsChanged { ids: Vec<String> },
    /// Local only: this instance may have missed events (the bus reconnected); in-memory
    /// state reloads from the store.
    Resync,
}

/// How the bus is doing, for `/health` and `/metrics`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BusHealth {
    /// `local` or `nats`.
    pub kind: &'static str,
    /// Events reach the other instances (always true for the local bus).
    pub connected: bool,
    /// Times the connection to the broker was re-established.
    pub reconnects: u64,
    /// Events sent to / received from other instances.
    pub published: u64,
    pub received: u64,
    /// Events that could not be handed to the broker (it was away too long) or not read.
    pub dropped: u64,
}

pub trait Bus: Send + Sync + 'static {
    fn publish(&self, event: Event);
    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>>;
    fn health(&self) -> BusHealth {
        BusHealth {
            kind: "local",
            connected: true,
            ..Default::default()
        }
    }
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
