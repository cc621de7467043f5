//! Who may act on an omnichannel chat — the one rule every agent-side
//! route applies.
//!
//! Upstream lets any agent (`view-l-room`) read the inquiry (visitor token included) of a
//! chat it cannot take, and forward, return to the queue, request a transcript of, close or
//! edit another agent's chat. Ferrochat is deliberately stricter: an agent acts on the chats
//! it serves and on the waiting chats it may take (those of its departments, and those with
//! no department); holders of `view-livechat-rooms` (managers, monitors and admins by
//! default) act on every chat. Anyone else gets 403 `error-not-allowed`.

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::{Inquiry, Room, User, inquiry_status};

/// The permission that makes a user act on every chat.
const ALL_CHATS: &str = "view-livechat-rooms";

impl Livechat {
    /// May `user` act on `room` (see the module's rule)?
    pub async fn may_act_on_room(&self, user: &User, room: &Room) -> Result<bool> {
        if self.has_permission(user, ALL_CHATS) || room.served_by_id() == Some(user.id.as_str()) {
            return Ok(true);
        }
        if !room.is_open() || room.served_by.is_some() {
            return Ok(false);
        }
        match self.store.inquiry_by_room(&room.id).await? {
            Some(inquiry) if inquiry.status != inquiry_status::TAKEN => {
                self.may_take(user, &inquiry).await
            }
            _ => Ok(false),
        }
    }

    /// 403 `error-not-allowed` unless `user` may act on `room`.
    pub async fn ensure_may_act(&self, user: &User, room: &Room) -> Result<()> {
        if self.may_act_on_room(user, room).await? {
            Ok(())
        } else {
            Err(Code::ChatNotAllowed.into())
        }
    }

    /// May `user` take the waiting `inquiry`: an agent of its department (any agent when it
    /// has none), or anyone acting on every chat.
    pub async fn may_take(&self, user: &User, inquiry: &Inquiry) -> Result<bool> {
        if self.has_permission(user, ALL_CHATS) {
            return Ok(true);
        }
        if !self.has_permission(user, "view-l-room") {
            return Ok(false);
        }
        Ok(match &inquiry.department {
            None => true,
            Some(d) => self.agent_department_ids(&user.id).await?.contains(d),
        })
    }

    /// Does `user` see every chat (and so every department's queue)?
    pub fn acts_on_all_chats(&self, user: &User) -> bool {
        self.has_permission(user, ALL_CHATS)
    }

    /// Who may read and write an omnichannel room's streams, messages and files: whoever
    /// may act on it, and its subscribers (a manager who joined).
    pub async fn can_access_room(&self, user: &User, room: &Room) -> Result<bool> {
        if self.may_act_on_room(user, room).await? {
            return Ok(true);
        }
        Ok(self
            .store
            .subscriptions_of_room(&room.id)
            .await?
            .iter()
            .any(|s| s.u.id == user.id))
    }

    /// `inquiries.getOne`: the room's inquiry, when `user` may act on its room (the
    /// inquiry carries the visitor's token).
    pub async fn inquiry_of_room(&self, user: &User, rid: &str) -> Result<Option<Inquiry>> {
        let Some(inquiry) = self.store.inquiry_by_room(rid).await? else {
            return Ok(None);
        };
        let allowed = match self.store.room(rid).await? {
            Some(room) => self.may_act_on_room(user, &room).await?,
            None => self.acts_on_all_chats(user),
        };
        if !allowed {
            return Err(Code::ChatNotAllowed.into());
        }
        Ok(Some(inquiry))
    }

    /// May `user` follow one inquiry on `stream-livechat-inquiry-queue-observer` (its
    /// document carries the visitor's token)?
    pub async fn may_watch_inquiry(&self, user: &User, inquiry_id: &str) -> Result<bool> {
        if self.acts_on_all_chats(user) {
            return Ok(true);
        }
        let Some(inquiry) = self.store.inquiry(inquiry_id).await? else {
            return Ok(false);
        };
        match self.store.room(&inquiry.rid).await? {
            Some(room) => self.may_act_on_room(user, &room).await,
            None => Ok(false),
        }
    }
}
