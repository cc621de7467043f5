//! Livechat's rules, free of HTTP and SQL: visitors, rooms and routing, agents and
//! departments. Everything reaches the database through the `Store` trait and the clock
//! through `Clock`.

pub mod agent_rooms;
pub mod auth;
pub mod departments;
pub mod inquiries;
pub mod messages;
pub mod rooms;
pub mod settings;
pub mod transfers;
pub mod users;
pub mod visitors;

use crate::store::SharedStore;
use crate::time::{SharedClock, Ts};
use settings::Settings;

/// The domain service every handler talks to.
#[derive(Clone)]
pub struct Livechat {
    pub store: SharedStore,
    pub settings: Settings,
    pub clock: SharedClock,
    /// bcrypt work factor for new password hashes (upstream uses 10).
    pub bcrypt_cost: u32,
    pub bus: crate::bus::SharedBus,
}

impl Livechat {
    pub async fn new(
        store: SharedStore,
        clock: SharedClock,
        bcrypt_cost: u32,
    ) -> crate::error::Result<Self> {
        let settings = Settings::load(&store).await?;
        Ok(Livechat {
            store,
            settings,
            clock,
            bcrypt_cost,
            bus: std::sync::Arc::new(crate::bus::LocalBus::new(65_536)),
        })
    }

    pub fn now(&self) -> Ts {
        self.clock.now()
    }
}

impl Livechat {
    /// Publishes a message document on `stream-room-messages`.
    pub fn publish_message(&self, m: &crate::model::Message) {
        self.bus.publish(crate::bus::Event::RoomMessage {
            rid: m.rid.clone(),
            message: Box::new(m.clone()),
        });
    }

    /// `agentData` on `stream-livechat-room` after an assignment or a transfer.
    pub async fn publish_agent(&self, rid: &str, agent_id: Option<&str>) {
        let data = match agent_id {
            Some(id) => self.agent_info(id).await.ok().flatten(),
            None => None,
        };
        let mut payload = serde_json::json!({"type": "agentData"});
        if let Some(d) = data {
            payload["data"] = d;
        }
        self.bus.publish(crate::bus::Event::LivechatRoom {
            rid: rid.to_string(),
            payload,
        });
    }
}

impl Livechat {
    /// `agentStatus` on `stream-livechat-room` for every open room the agent serves.
    pub async fn publish_agent_status(
        &self,
        agent_id: &str,
        status: &str,
    ) -> crate::error::Result<()> {
        let (rooms, _) = self
            .store
            .list_rooms(&crate::store::RoomQuery {
                agents: vec![agent_id.to_string()],
                open: Some(true),
                ..Default::default()
            })
            .await?;
        for r in rooms {
            self.bus.publish(crate::bus::Event::LivechatRoom {
                rid: r.id,
                payload: serde_json::json!({"type": "agentStatus", "status": status}),
            });
        }
        Ok(())
    }
}

impl Livechat {
    /// The room's inquiry on `stream-livechat-inquiry-queue-observer`.
    pub async fn publish_inquiry(&self, rid: &str, kind: &'static str) {
        if let Ok(Some(inquiry)) = self.store.inquiry_by_room(rid).await {
            self.publish_inquiry_doc(inquiry, kind);
        }
    }

    pub fn publish_inquiry_doc(&self, inquiry: crate::model::Inquiry, kind: &'static str) {
        self.bus.publish(crate::bus::Event::Inquiry {
            inquiry: Box::new(inquiry),
            kind,
        });
    }
}
