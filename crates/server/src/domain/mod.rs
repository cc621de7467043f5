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
        })
    }

    pub fn now(&self) -> Ts {
        self.clock.now()
    }
}
