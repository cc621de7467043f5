//! Presence across instances: every logged-in realtime connection is a row in the store
//! (instance, connection, user), so a user is online while they have a connection on any
//! instance. Instances heartbeat; one that stops (killed, partitioned) is expired by any
//! survivor after the presence timeout, and its users go offline unless connected elsewhere.

use super::Livechat;
use crate::error::Result;
use crate::time::{Clock, SystemClock, Ts};
use std::time::Duration;

/// Liveness is wall-clock time, whatever clock the domain runs on.
fn wall_now() -> Ts {
    SystemClock.now()
}

impl Livechat {
    /// A user logged in on connection `conn` of this instance.
    pub async fn connection_opened(&self, conn: u64, user_id: &str) -> Result<()> {
        if self
            .store
            .presence_connect(&self.instance, conn, user_id, wall_now())
            .await?
        {
            self.set_presence(user_id, true).await?;
        }
        Ok(())
    }

    /// A logged-in connection of this instance closed.
    pub async fn connection_closed(&self, conn: u64) -> Result<()> {
        if let Some(user) = self.store.presence_disconnect(&self.instance, conn).await? {
            self.user_went_away(&user).await?;
        }
        Ok(())
    }

    /// Offline, unless a connection appeared meanwhile (on any instance): the last writer
    /// then puts the status back, so racing connect/disconnect converge on the store.
    async fn user_went_away(&self, user_id: &str) -> Result<()> {
        self.set_presence(user_id, false).await?;
        if self.store.presence_count(user_id).await? > 0 {
            self.set_presence(user_id, true).await?;
        }
        Ok(())
    }

    /// One round of the presence job: this instance's heartbeat, then the expiry of dead
    /// instances. `live` is this instance's logged-in connections, registered again when
    /// the instance finds it had been taken for dead (it was paused past the timeout).
    /// Returns how many users went offline.
    pub async fn presence_round(&self, timeout: Duration, live: &[(u64, String)]) -> Result<usize> {
        let now = wall_now();
        let known = self.store.instance_heartbeat(&self.instance, now).await?;
        if !known {
            for (conn, user) in live {
                self.connection_opened(*conn, user).await?;
            }
        }
        let cutoff = now.plus_millis(-(timeout.as_millis() as i64));
        let gone = self.store.expire_instances(cutoff).await?;
        for user in &gone {
            tracing::info!(user = %user, "presence: connection of a dead instance expired");
            self.user_went_away(user).await?;
        }
        Ok(gone.len())
    }

    /// A clean stop: this instance's connections go now rather than after the timeout
    /// (it marks itself silent since the epoch, then expires exactly that).
    pub async fn presence_leave(&self) -> Result<usize> {
        self.store
            .instance_heartbeat(&self.instance, Ts::from_millis(0))
            .await?;
        let gone = self.store.expire_instances(Ts::from_millis(1)).await?;
        for user in &gone {
            self.user_went_away(user).await?;
        }
        Ok(gone.len())
    }
}
