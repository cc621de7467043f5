//! `page.visited`: the pages a visitor browses, as `livechat_navigation_history` system
//! messages by rocket.cat. Before the visitor has a room they wait (30 days, upstream's
//! "keep history of unregistered visitors for 1 month") and join the room once it exists.

use super::Livechat;
use super::mail::rocket_cat;
use crate::error::{Code, Result};
use crate::ids;
use crate::model::{Message, Room};
use serde_json::{Value, json};

/// Upstream's `keepHistoryMiliseconds`.
pub const KEEP_HISTORY_MS: i64 = 2_592_000_000;

impl Livechat {
    /// Saves the page change when it is of the monitored kind (`Livechat_history_monitor_type`);
    /// returns the message (`None` when ignored). With `rid`, the room must be the token's; a
    /// `rid` no room has yet (the widget names its room before creating it) waits like a
    /// room-less page and joins the token's room once it exists.
    pub async fn save_page_history(
        &self,
        token: &str,
        rid: Option<&str>,
        page: &Value,
    ) -> Result<Option<Message>> {
        let change = page.get("change").and_then(Value::as_str).unwrap_or("");
        if change != self.settings.str("Livechat_history_monitor_type") {
            return Ok(None);
        }
        let title = page.get("title").and_then(Value::as_str).unwrap_or("");
        let href = page
            .pointer("/location/href")
            .and_then(Value::as_str)
            .unwrap_or("");
        let now = self.now();
        // A visitor cannot write into another's room; a room not created yet is waited for.
        let requested = rid;
        let rid = match rid {
            Some(r) if self.store.room_of_token_exists(token, r).await? => Some(r),
            Some(r) if self.store.room(r).await?.is_some() => {
                return Err(Code::InvalidRoom.into());
            }
            _ => None,
        };
        let mut m = Message::system(
            ids::random_id(),
            "livechat_navigation_history",
            rid.unwrap_or(""),
            &format!("{title} - {href}"),
            rocket_cat(),
            now,
        );
        m.navigation = Some(json!({"page": page, "token": token}));
        m.hidden = !self
            .settings
            .bool("Livechat_Visitor_navigation_as_a_message");
        match rid {
            None => {
                let expire_at = now.millis() + KEEP_HISTORY_MS;
                m.expire_at = Some(expire_at);
                self.store
                    .insert_pending_navigation(token, expire_at, &m)
                    .await?;
                // The room may have been created meanwhile: join it now.
                if let Some(room) = requested
                    && self.store.room_of_token_exists(token, room).await?
                {
                    self.attach_navigation(token, room).await?;
                }
            }
            Some(_) => {
                let update = Box::new(move |r: &mut Room| {
                    r.msgs += 1;
                    r.updated_at = now;
                    Ok(())
                });
                self.store
                    .append_message(m.clone(), update, None)
                    .await?
                    .ok_or(Code::InvalidRoom)?;
                self.count_message(&m);
                // Hidden messages are not broadcast (upstream's message watcher skips them).
                if !m.hidden {
                    self.publish_message(&m);
                }
            }
        }
        Ok(Some(m))
    }

    /// After a room is created: the token's waiting navigation history joins it.
    pub async fn attach_navigation(&self, token: &str, rid: &str) -> Result<()> {
        let moved = self
            .store
            .attach_pending_navigation(token, rid, self.now().millis(), Box::new(count_received))
            .await?;
        for m in moved.iter().filter(|m| !m.hidden) {
            self.publish_message(m);
        }
        Ok(())
    }

    /// Drops waiting navigation history past its `expireAt`.
    pub async fn purge_expired_navigation(&self) -> Result<u64> {
        Ok(self
            .store
            .purge_pending_navigation(self.now().millis())
            .await?)
    }
}

/// A new room's unit: the token's waiting navigation history (not expired) joins `room`,
/// and the token's waiting entries go. Answers the messages moved.
pub(super) fn join_new_room(
    w: &mut crate::store::unit::Writes,
    room: &mut Room,
    token: &str,
    pending: Vec<Message>,
    now: crate::time::Ts,
) -> Vec<Message> {
    if pending.is_empty() {
        return pending;
    }
    let mut moved: Vec<Message> = pending
        .into_iter()
        .filter(|m| m.expire_at.is_none_or(|e| e > now.millis()))
        .collect();
    for m in &mut moved {
        m.rid = room.id.clone();
    }
    count_received(room, &moved);
    w.messages.extend(moved.iter().cloned());
    w.navigation_taken = Some(token.to_string());
    moved
}

/// Each message a room receives counts in its `msgs` (upstream's `incMsgCountById`).
fn count_received(room: &mut Room, received: &[Message]) {
    room.msgs += received.len() as i64;
}
