//! Livechat's rules, free of HTTP and SQL: visitors, rooms and routing, agents and
//! departments. Everything reaches the database through the `Store` trait and the clock
//! through `Clock`.

pub mod access;
pub mod agent_rooms;
pub mod analytics;
pub mod auth;
pub mod business_hours;
pub mod canned;
pub mod contacts;
pub mod crm;
pub mod custom_fields;
pub mod departments;
pub mod inquiries;
pub mod legacy_contact;
pub mod logins;
pub mod mail;
pub mod mail_text;
pub mod mailer;
pub mod messages;
pub mod navigation;
pub mod notes;
pub mod permissions;
pub mod presence;
pub mod queue;
pub mod rooms;
pub mod routing;
pub mod settings;
pub mod survey;
pub mod tags;
pub mod transfers;
pub mod triggers;
pub mod uploads;
pub mod users;
pub mod visitor_history;
pub mod visitors;

/// The filters of the list endpoints, as the store reads them.
pub use crate::store::{ContactSearch, DepartmentQuery, RoomQuery, UserQuery, VisitorRoomsQuery};

use crate::error::{Error, Result};
use crate::ids::SharedIds;
use crate::store::SharedStore;
use crate::store::unit::{Ask, Rows, Writes};
use crate::time::{SharedClock, Ts};
use permissions::Permissions;
use settings::Settings;
use std::sync::Arc;

/// The domain service every handler talks to.
#[derive(Clone)]
pub struct Livechat {
    pub store: SharedStore,
    pub settings: Settings,
    /// Which roles hold which permission (upstream's model, stored).
    pub permissions: Permissions,
    pub clock: SharedClock,
    /// Every document id is minted here.
    pub ids: SharedIds,
    /// bcrypt work factor for new password hashes (upstream uses 10).
    pub bcrypt_cost: u32,
    pub bus: crate::bus::SharedBus,
    /// This process among the instances sharing the store (presence, bus).
    pub instance: std::sync::Arc<str>,
    /// Where e-mails and webhook calls are queued for background delivery.
    pub delivery: Arc<dyn mail::Outbox>,
    /// Failed logins per user and address (`Block_Multiple_Failed_Logins_*`).
    pub logins: Arc<logins::LoginGuard>,
    /// Operators' counters and histograms (messages, rooms, first responses).
    pub metrics: crate::telemetry::SharedMetrics,
}

impl Livechat {
    pub async fn new(
        store: SharedStore,
        clock: SharedClock,
        bcrypt_cost: u32,
        delivery: Arc<dyn mail::Outbox>,
    ) -> crate::error::Result<Self> {
        let settings = Settings::load(&store).await?;
        let permissions = Permissions::load(&store, clock.now()).await?;
        let instance: std::sync::Arc<str> = crate::ids::random_id().into();
        Ok(Livechat {
            metrics: crate::telemetry::Metrics::new(&instance),
            store,
            settings,
            permissions,
            clock,
            ids: Arc::new(crate::ids::RandomIds),
            bcrypt_cost,
            bus: std::sync::Arc::new(crate::bus::LocalBus::new(65_536)),
            instance,
            delivery,
            logins: Default::default(),
        })
    }

    /// Puts the domain on `bus` (settings changes then reach the other instances too).
    pub fn with_bus(mut self, bus: crate::bus::SharedBus) -> Self {
        self.settings.notify_on(&bus);
        self.permissions.notify_on(&bus);
        self.bus = bus;
        self
    }

    pub fn now(&self) -> Ts {
        self.clock.now()
    }

    /// Runs `rule` on the rows `ask` reads and applies the writes it returns, in one
    /// transaction of the store; answers what the rule answered.
    pub async fn unit<T, F>(&self, ask: Ask, rule: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(Rows) -> Result<(Writes, T)> + Send + Sync + 'static,
    {
        let slot = Arc::new(parking_lot::Mutex::new(None));
        let answer = slot.clone();
        self.store
            .unit(
                ask,
                Box::new(move |rows| {
                    let (writes, t) = rule(rows)?;
                    let senders: Vec<_> = writes.messages.iter().map(sender_of).collect();
                    *answer.lock() = Some((t, senders));
                    Ok(writes)
                }),
            )
            .await?;
        let t = slot.lock().take();
        let (t, senders) = t.ok_or_else(|| Error::internal("the store did not run the rule"))?;
        for s in senders {
            self.metrics.message(s);
        }
        Ok(t)
    }

    /// Counts a message just written (outside a unit, which counts its own).
    pub fn count_message(&self, m: &crate::model::Message) {
        self.metrics.message(sender_of(m));
    }
}

/// Who wrote `m`: typed messages are the system's, those carrying the visitor's token the
/// visitor's, the rest an agent's (or a bot's, or an integration's).
fn sender_of(m: &crate::model::Message) -> crate::telemetry::Sender {
    use crate::telemetry::Sender;
    if m.t.is_some() {
        Sender::System
    } else if m.token.is_some() {
        Sender::Visitor
    } else {
        Sender::Agent
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
        if agent_id.is_some() {
            self.publish_assignment(rid).await;
        }
        self.publish_agent_data(rid, data);
    }

    /// `publish_agent` for an assignment whose room and subscriptions the caller just wrote
    /// (they are published as written instead of read back).
    pub async fn publish_assigned(
        &self,
        room: &crate::model::Room,
        subs: &[crate::model::Subscription],
        agent_id: &str,
    ) {
        let data = self.agent_info(agent_id).await.ok().flatten();
        self.publish_subscriptions(subs, "inserted");
        self.publish_room_changed(room);
        self.publish_agent_data(&room.id, data);
    }

    fn publish_agent_data(&self, rid: &str, data: Option<serde_json::Value>) {
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
        self.publish_queue_positions().await;
    }

    /// `queueData` on `stream-livechat-room`: every waiting visitor learns its place in
    /// its department's queue (oldest first) whenever the queue changes.
    pub async fn publish_queue_positions(&self) {
        let Ok((queued, _)) = self
            .store
            .list_inquiries(Some("queued"), None, 0, 1000)
            .await
        else {
            return;
        };
        let mut positions: std::collections::HashMap<Option<String>, usize> = Default::default();
        for inquiry in queued {
            let n = positions.entry(inquiry.department.clone()).or_insert(0);
            *n += 1;
            let mut data =
                serde_json::json!({"_id": inquiry.id, "rid": inquiry.rid, "position": *n});
            if let Some(d) = &inquiry.department {
                data["department"] = serde_json::json!(d);
            }
            self.bus.publish(crate::bus::Event::LivechatRoom {
                rid: inquiry.rid.clone(),
                payload: serde_json::json!({"type": "queueData", "data": data}),
            });
        }
    }

    /// `visitorData` on `stream-livechat-room` for the visitor's open rooms.
    pub async fn publish_visitor(&self, visitor: &crate::model::Visitor) {
        let Some(token) = visitor.token.as_deref() else {
            return;
        };
        let Ok(rooms) = self.store.open_rooms_by_token(token).await else {
            return;
        };
        let doc = crate::time::with_ejson(|| serde_json::to_value(visitor)).unwrap_or_default();
        for r in rooms {
            self.bus.publish(crate::bus::Event::LivechatRoom {
                rid: r.id,
                payload: serde_json::json!({"type": "visitorData", "visitor": doc}),
            });
        }
    }

    pub fn publish_inquiry_doc(&self, inquiry: crate::model::Inquiry, kind: &'static str) {
        self.bus.publish(crate::bus::Event::Inquiry {
            inquiry: Box::new(inquiry),
            kind: kind.into(),
        });
    }
}

impl Livechat {
    /// `UID/subscriptions-changed` for each subscription (`inserted`, `updated`, `removed`).
    pub fn publish_subscriptions(&self, subs: &[crate::model::Subscription], action: &str) {
        for sub in subs {
            let doc = crate::time::with_ejson(|| serde_json::to_value(sub)).unwrap_or_default();
            self.bus.publish(crate::bus::Event::NotifyUser {
                event: format!("{}/subscriptions-changed", sub.u.id),
                args: vec![serde_json::json!(action), doc],
            });
        }
    }

    /// `UID/rooms-changed` for the agent serving the room.
    pub fn publish_room_changed(&self, room: &crate::model::Room) {
        if let Some(agent) = room.served_by_id() {
            let doc = crate::time::with_ejson(|| serde_json::to_value(room)).unwrap_or_default();
            self.bus.publish(crate::bus::Event::NotifyUser {
                event: format!("{agent}/rooms-changed"),
                args: vec![serde_json::json!("updated"), doc],
            });
        }
    }

    /// After an assignment: the agent's new subscription and the room.
    pub async fn publish_assignment(&self, rid: &str) {
        if let Ok(subs) = self.store.subscriptions_of_room(rid).await {
            self.publish_subscriptions(&subs, "inserted");
        }
        if let Ok(Some(room)) = self.store.room(rid).await {
            self.publish_room_changed(&room);
        }
    }
}
