//! What agents and managers do with rooms besides answering: join, edit room and visitor
//! information, and integrations' bulk messages.

use super::Livechat;
use super::rooms::{RoomRequest, RoomSource};
use super::visitors::RegisterGuest;
use crate::error::{Code, Result};
use crate::model::*;
use crate::store::unit::{Ask, Put, RoomKey, Rows, Writes};
use serde_json::{Map, Value};

pub struct RoomInfo {
    pub topic: Option<String>,
    pub tags: Option<Vec<String>>,
    pub livechat_data: Option<Map<String, Value>>,
}

pub struct GuestInfo {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub livechat_data: Option<Map<String, Value>>,
}

impl Livechat {
    /// `rooms.get`: the rooms `user` is subscribed to (its sidebar), those changed after
    /// `since` when given, newest change first.
    pub async fn user_rooms(
        &self,
        user: &User,
        since: Option<crate::time::Ts>,
    ) -> Result<Vec<Room>> {
        let mut rooms = Vec::new();
        for sub in self.store.subscriptions_of_user(&user.id).await? {
            if let Some(room) = self.store.room(&sub.rid).await?
                && since.is_none_or(|t| room.updated_at > t)
            {
                rooms.push(room);
            }
        }
        rooms.sort_by_key(|r| std::cmp::Reverse(r.updated_at));
        Ok(rooms)
    }

    /// `subscriptions.getOne`: `user`'s subscription to room `rid`, if any.
    /// `subscriptions.get`: the user's subscriptions, newest change first; with `since`,
    /// those changed after it.
    pub async fn user_subscriptions(
        &self,
        user: &User,
        since: Option<crate::time::Ts>,
    ) -> Result<Vec<Subscription>> {
        let mut subs: Vec<Subscription> = self
            .store
            .subscriptions_of_user(&user.id)
            .await?
            .into_iter()
            .filter(|s| since.is_none_or(|t| s.updated_at > t))
            .collect();
        subs.sort_by_key(|s| std::cmp::Reverse(s.updated_at));
        Ok(subs)
    }

    pub async fn user_subscription(&self, user: &User, rid: &str) -> Result<Option<Subscription>> {
        Ok(self
            .store
            .subscriptions_of_room(rid)
            .await?
            .into_iter()
            .find(|s| s.u.id == user.id))
    }

    /// `rooms.info` and `channels.info` on an omnichannel room: `None` when there is no such
    /// room, 403 `error-not-allowed` when `user` may not open it.
    pub async fn room_info(&self, user: &User, rid: &str) -> Result<Option<Room>> {
        let Some(room) = self.store.room(rid).await? else {
            return Ok(None);
        };
        if !self.can_access_room(user, &room).await? {
            return Err(Code::ChatNotAllowed.into());
        }
        Ok(Some(room))
    }

    /// `livechat/rooms/filters`: the kinds of source rooms came from (upstream's
    /// `findAvailableSources`; Ferrochat makes no `app` rooms, whose entries carry more).
    pub async fn room_sources(&self) -> Result<Vec<String>> {
        Ok(self.store.room_source_types().await?)
    }

    /// `livechat/room.join`.
    pub async fn join_room(&self, user: &User, room_id: &str) -> Result<()> {
        let room = self
            .store
            .room(room_id)
            .await?
            .ok_or(Code::ErrorInvalidRoom)?;
        if !room.is_open() {
            return Err(Code::RoomClosed.into());
        }
        if !self.can_access_room(user, &room).await? {
            return Err(Code::ChatNotAllowed.into());
        }
        let now = self.now();
        let sub = Subscription {
            id: self.ids.id(),
            rid: room.id.clone(),
            name: room.fname.clone(),
            fname: room.fname.clone(),
            alert: false,
            open: true,
            unread: 0,
            user_mentions: 0,
            group_mentions: 0,
            u: UserRef {
                id: user.id.clone(),
                username: user.username.clone(),
                name: None,
            },
            t: "l".into(),
            desktop_notifications: "all".into(),
            mobile_push_notifications: "all".into(),
            email_notifications: "all".into(),
            v: room.v.clone(),
            ts: now,
            department: room.department_id.clone(),
            updated_at: now,
        };
        let joined = Message::system(
            self.ids.id(),
            "uj",
            &room.id,
            &user.username,
            user.user_ref(),
            now,
        );
        let ask = Ask {
            room: Some(RoomKey::Id(room.id.clone())),
            subscriptions: true,
            ..Default::default()
        };
        self.unit(ask, move |rows| Ok((join(rows, &sub, &joined), ())))
            .await
    }

    /// `livechat/room.saveInfo`: room topic, tags and custom data; the visitor's contact data.
    pub async fn save_room_info(
        &self,
        user: &User,
        room_id: &str,
        info: RoomInfo,
        guest: GuestInfo,
    ) -> Result<()> {
        let room = self
            .store
            .room(room_id)
            .await?
            .filter(|r| r.t == "l")
            .ok_or(Code::ErrorInvalidRoom)?;
        self.ensure_may_act(user, &room).await?;
        if room.served_by_id() != Some(user.id.as_str())
            && !self.has_permission(user, "save-others-livechat-room-info")
        {
            return Err(Code::Forbidden.into());
        }
        let visitor = self
            .store
            .visitor(&guest.id)
            .await?
            .ok_or(Code::InvalidVisitor)?;
        if let Some(e) = &guest.email
            && !e.is_empty()
            && !super::users::valid_email(&e.trim().to_lowercase())
        {
            return Err(Code::InvalidEmail(e.clone()).into());
        }
        let now = self.now();
        let (name, email, phone, data) = (
            guest.name.clone(),
            guest.email.clone(),
            guest.phone.clone(),
            guest.livechat_data.clone(),
        );
        let updated = self
            .store
            .modify_visitor(
                &visitor.id,
                Box::new(move |v| {
                    if let Some(n) = &name {
                        v.name = Some(n.clone());
                    }
                    if let Some(e) = email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                        v.visitor_emails = Some(vec![VisitorEmail {
                            address: e.to_lowercase(),
                        }]);
                    }
                    if let Some(p) = phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                        v.phone = Some(vec![Phone {
                            phone_number: p.to_string(),
                        }]);
                    }
                    if let Some(d) = &data {
                        let target = v.livechat_data.get_or_insert_with(Map::new);
                        for (k, val) in d {
                            target.insert(k.clone(), val.clone());
                        }
                    }
                    v.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        if let Some(v) = &updated {
            self.publish_visitor(v).await;
        }
        let fname = guest.name.clone();
        self.store
            .modify_room(
                &room.id,
                Box::new(move |r| {
                    if let Some(t) = &info.topic {
                        r.topic = Some(t.clone());
                    }
                    if let Some(t) = &info.tags {
                        r.tags = Some(t.clone());
                    }
                    if let Some(d) = &info.livechat_data {
                        let target = r.livechat_data.get_or_insert_with(Map::new);
                        for (k, val) in d {
                            target.insert(k.clone(), val.clone());
                        }
                    }
                    if let Some(n) = &fname {
                        r.fname = n.clone();
                    }
                    r.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        Ok(())
    }

    /// `POST livechat/messages`: an integration posts messages as a visitor (registered on
    /// the fly); they go to the visitor's open room, which is created when there is none.
    pub async fn bulk_visitor_messages(
        &self,
        token: &str,
        messages: &[String],
    ) -> Result<Vec<Message>> {
        // All or nothing: no message is sent when one of them is too long.
        for m in messages {
            self.check_length(m)?;
        }
        if self.store.visitor_by_token(token).await?.is_none() {
            self.register_guest(RegisterGuest {
                token: token.to_string(),
                ..Default::default()
            })
            .await?;
        }
        let (room, _) = self
            .get_or_create_room(RoomRequest {
                token: token.to_string(),
                agent_id: None,
                source: RoomSource::Api,
            })
            .await?;
        let mut out = Vec::with_capacity(messages.len());
        for m in messages {
            out.push(self.send_visitor_message(token, &room.id, m, None).await?);
        }
        Ok(out)
    }
}

/// A user joins a room: its subscription, `usersCount`, the `uj` message (nothing when the
/// user is subscribed already).
fn join(rows: Rows, sub: &Subscription, joined: &Message) -> Writes {
    let mut w = Writes::default();
    let Some(mut room) = rows.room else {
        return w;
    };
    if rows.subscribers.iter().any(|s| s.sub.u.id == sub.u.id) {
        return w;
    }
    room.users_count += 1;
    room.msgs += 1;
    room.updated_at = joined.ts;
    w.rooms.push(Put::Update(room));
    w.subscriptions.push(Put::Insert(sub.clone()));
    w.messages.push(joined.clone());
    w
}
