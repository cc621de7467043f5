//! Rocket.Chat 7.0's legacy contact routes, which work on visitors (not on the contacts
//! collection): `omnichannel/contact` (upstream's `Contacts.registerContact`),
//! `omnichannel/contact.search` and `livechat/room.visitor` (`changeRoomVisitor`).

use super::Livechat;
use crate::error::{Code, Error, Result};
use crate::model::{Phone, Room, User, Visitor, VisitorEmail};
use crate::store::unit::{Ask, InquiryKey, Put, RoomKey, Writes};
use crate::store::{ContactLookup, StoreError, VisitorRoomsQuery};
use serde_json::{Map, Value};

/// The body of `POST omnichannel/contact`.
#[derive(Debug, Default)]
pub struct ContactInput {
    pub token: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub custom_fields: Map<String, Value>,
    pub contact_manager: Option<String>,
}

impl Livechat {
    /// Upstream's `registerContact`: the visitor with this token (or, for a new token, the one
    /// with this e-mail address, or a new `guest-<n>`) gets the name, e-mail, phone, contact
    /// manager and visitor custom fields given; an e-mail or phone of `""` (an absent e-mail
    /// too) and an absent contact manager are removed. Its rooms take the new name.
    pub async fn register_contact(&self, c: ContactInput) -> Result<String> {
        let email = c.email.as_deref().unwrap_or("").trim().to_lowercase();
        if let Some(u) = &c.contact_manager {
            let user = self
                .store
                .user_by_username(u)
                .await?
                .ok_or_else(|| Error::from(Code::ContactManagerNotFound(u.clone())))?;
            if !user.has_role("livechat-agent") {
                return Err(Code::InvalidContactManager.into());
            }
        }
        let livechat_data = self.contact_custom_fields(&c.custom_fields).await?;
        let now = self.now();

        let id = match self.store.visitor_by_token(&c.token).await? {
            Some(v) => v.id,
            None => match self.contact_by_email(&email).await? {
                Some(v) => v.id,
                None => {
                    let username = match c.username.clone().filter(|u| !u.is_empty()) {
                        Some(u) => u,
                        None => format!(
                            "guest-{}",
                            self.store.incr_setting("Livechat_guest_count", 1).await?
                        ),
                    };
                    let v = Visitor {
                        id: crate::ids::object_id(),
                        username: Some(username),
                        ts: Some(now),
                        token: Some(c.token.clone()),
                        updated_at: now,
                        ..Default::default()
                    };
                    match self.store.insert_visitor(&v).await {
                        Ok(()) => v.id,
                        Err(StoreError::Duplicate(_)) => {
                            self.store
                                .visitor_by_token(&c.token)
                                .await?
                                .ok_or_else(|| Error::from(Code::VisitorRegistration))?
                                .id
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            },
        };

        let (token, name, phone, manager) = (
            c.token.clone(),
            c.name.clone(),
            c.phone.clone(),
            c.contact_manager.clone(),
        );
        let visitor = self
            .store
            .modify_visitor(
                &id,
                Box::new(move |v| {
                    v.token = Some(token.clone());
                    v.name = Some(name.clone());
                    v.livechat_data = Some(livechat_data.clone());
                    match phone.as_deref() {
                        Some("") => v.phone = None,
                        Some(p) => {
                            v.phone = Some(vec![Phone {
                                phone_number: p.to_string(),
                            }])
                        }
                        None => {}
                    }
                    v.visitor_emails = (!email.is_empty()).then(|| {
                        vec![VisitorEmail {
                            address: email.clone(),
                        }]
                    });
                    match &manager {
                        Some(u) => {
                            v.extra.insert(
                                "contactManager".into(),
                                serde_json::json!({ "username": u }),
                            );
                        }
                        None => {
                            v.extra.remove("contactManager");
                        }
                    }
                    v.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or_else(|| Error::from(Code::VisitorRegistration))?;

        self.rename_visitor_rooms(&visitor, &c.name).await?;
        self.publish_visitor(&visitor).await;
        Ok(visitor.id)
    }

    async fn contact_by_email(&self, email: &str) -> Result<Option<Visitor>> {
        if email.is_empty() {
            return Ok(None);
        }
        Ok(self.store.visitor_by_email(email).await?)
    }

    /// Every visitor-scope custom field, checked as upstream: a required one must have a
    /// value, a value must match the field's `regexp`; the others given are dropped.
    async fn contact_custom_fields(
        &self,
        given: &Map<String, Value>,
    ) -> Result<Map<String, Value>> {
        let mut data = Map::new();
        for f in self.store.custom_fields(Some("visitor")).await? {
            let value = given
                .get(&f.id)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty());
            let Some(value) = value else {
                if f.required() {
                    return Err(Code::InvalidFieldValue(f.label.clone()).into());
                }
                continue;
            };
            if let Some(re) = f.regexp().filter(|r| !r.is_empty()) {
                let ok = fancy_regex::Regex::new(re)
                    .map_err(|_| Code::InvalidRegex(re.to_string()))?
                    .is_match(value)
                    .unwrap_or(false);
                if !ok {
                    return Err(Code::InvalidFieldValue(f.label.clone()).into());
                }
            }
            data.insert(f.id.clone(), Value::String(value.to_string()));
        }
        Ok(data)
    }

    /// The visitor's rooms (and the open one's inquiry) are named `name`.
    async fn rename_visitor_rooms(&self, visitor: &Visitor, name: &str) -> Result<()> {
        let (rooms, _) = self
            .store
            .visitor_rooms(&VisitorRoomsQuery {
                visitor_id: visitor.id.clone(),
                ..Default::default()
            })
            .await?;
        let now = self.now();
        for room in rooms.into_iter().filter(|r| r.fname != name) {
            let name = name.to_string();
            let changed = self
                .modify_room_and_inquiry(&room.id, move |r| {
                    r.fname = name.clone();
                    r.updated_at = now;
                    Ok(())
                })
                .await?;
            if let Some(r) = changed {
                self.publish_room_changed(&r);
            }
        }
        Ok(())
    }

    /// `GET omnichannel/contact`: the enabled visitor with this id, if any.
    pub async fn legacy_contact(&self, id: &str) -> Result<Option<Visitor>> {
        Ok(self.store.visitor(id).await?.filter(|v| !v.disabled))
    }

    /// `omnichannel/contact.search`: the first enabled visitor with this e-mail and phone whose
    /// searchable visitor custom fields contain the values of `custom` (the parsed `custom`
    /// parameter; `None` when absent, `""` when empty) case-insensitively; other keys are
    /// ignored. With neither e-mail, phone nor a key in `custom`, upstream's 400s.
    pub async fn search_legacy_contact(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
        custom: Option<&Value>,
    ) -> Result<Option<Visitor>> {
        let email = email.filter(|e| !e.is_empty());
        let phone = phone.filter(|p| !p.is_empty());
        // As JavaScript's `Object.keys(customCF)`, which throws on `null`/`undefined`.
        let keys = |v: Option<&Value>| -> Result<usize> {
            match v {
                None | Some(Value::Null) => Err(Code::ContactSearchNullCustom.into()),
                Some(Value::Object(m)) => Ok(m.len()),
                Some(Value::Array(a)) => Ok(a.len()),
                Some(Value::String(s)) => Ok(s.encode_utf16().count()),
                Some(_) => Ok(0),
            }
        };
        if email.is_none() && phone.is_none() && keys(custom)? == 0 {
            return Err(Code::ContactSearchInvalidParams.into());
        }
        let given = match custom {
            None => Map::new(),
            Some(Value::String(s)) if s.is_empty() => Map::new(),
            Some(v) => {
                keys(Some(v))?;
                v.as_object().cloned().unwrap_or_default()
            }
        };
        let mut found = Vec::new();
        if !given.is_empty() {
            for f in self.store.custom_fields(Some("visitor")).await? {
                if f.extra.get("searchable") != Some(&Value::Bool(true)) {
                    continue;
                }
                if let Some(v) = given.get(&f.id) {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    found.push((f.id.clone(), text));
                }
            }
        }
        if email.is_none() && phone.is_none() && found.is_empty() {
            return Ok(None);
        }
        Ok(self
            .store
            .visitor_by_contact(&ContactLookup {
                email: email.map(str::to_string),
                phone: phone.map(str::to_string),
                custom: found,
            })
            .await?)
    }

    /// `PUT livechat/room.visitor` (deprecated upstream): room `rid` of visitor `old_id`
    /// passes to the visitor `new_id` (its `v._id`, `username` and `token`), if `user` may
    /// access it. Unlike upstream, an open room does not pass to a visitor that already has
    /// one (one open room per visitor).
    pub async fn change_room_visitor(
        &self,
        user: &User,
        rid: &str,
        old_id: &str,
        new_id: &str,
    ) -> Result<Room> {
        let visitor = self.visitor_info(new_id).await?;
        let room = self.store.room(rid).await?.ok_or(Code::InvalidRoom)?;
        if room.v.id != old_id {
            return Err(Code::InvalidRoomVisitor.into());
        }
        if !self.can_access_room(user, &room).await? {
            return Err(Code::NotAllowed.into());
        }
        let token = visitor.token().to_string();
        if room.is_open()
            && room.v.token != token
            && !self.store.open_rooms_by_token(&token).await?.is_empty()
        {
            return Err(Code::NotAllowed.into());
        }
        let now = self.now();
        let (id, username) = (visitor.id.clone(), visitor.username().to_string());
        let room = self
            .modify_room_and_inquiry(rid, move |r| {
                r.v.id = id.clone();
                r.v.username = username.clone();
                r.v.token = token.clone();
                r.updated_at = now;
                Ok(())
            })
            .await?
            .ok_or(Code::InvalidRoom)?;
        self.publish_room_changed(&room);
        self.publish_visitor(&visitor).await;
        Ok(room)
    }

    /// Changes room `rid` and its inquiry's copy of `v` and the name, in one unit.
    async fn modify_room_and_inquiry(
        &self,
        rid: &str,
        f: impl Fn(&mut Room) -> Result<()> + Send + Sync + 'static,
    ) -> Result<Option<Room>> {
        let ask = Ask {
            room: Some(RoomKey::Id(rid.to_string())),
            inquiry: Some(InquiryKey::OfRoom),
            ..Default::default()
        };
        self.unit(ask, move |rows| {
            let mut w = Writes::default();
            let Some(mut room) = rows.room else {
                return Ok((w, None));
            };
            f(&mut room)?;
            if let Some(mut inquiry) = rows.inquiry {
                inquiry.v = room.v.clone();
                inquiry.name = room.fname.clone();
                w.inquiries.push(Put::Update(inquiry));
            }
            w.rooms.push(Put::Update(room.clone()));
            Ok((w, Some(room)))
        })
        .await
    }
}
