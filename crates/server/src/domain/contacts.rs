//! Omnichannel contacts (7.0's `rocketchat_livechat_contact`): the person behind one or
//! more visitors. Upstream's `createContact`, `updateContact`, `getContacts`,
//! `getContactHistory` and `createContactFromVisitor`, as its e2e tests of October 2024
//! (shortly before the 7.0 release) exercise them: e-mails and phones are plain strings, a
//! channel names its visitor directly (`visitorId`), and every new visitor gets a contact.

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::{Contact, ContactChannel, LastChat, Room, Visitor};
use crate::store::{ContactSearch, VisitorRoomsQuery};
use serde_json::{Map, Value};

/// The body of `POST omnichannel/contacts`.
#[derive(Debug, Default)]
pub struct NewContact {
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub custom_fields: Map<String, Value>,
    pub contact_manager: Option<String>,
}

/// The body of `POST omnichannel/contacts.update`: only what is given changes.
#[derive(Debug, Default)]
pub struct ContactChanges {
    pub contact_id: String,
    pub name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
    pub custom_fields: Option<Map<String, Value>>,
    pub contact_manager: Option<String>,
}

impl Livechat {
    /// `POST omnichannel/contacts` (upstream's `createContact`, `unknown: false`): the contact
    /// manager must be a livechat agent, the custom fields those of the visitor scope.
    pub async fn create_contact(&self, c: NewContact) -> Result<String> {
        if let Some(m) = c.contact_manager.as_deref().filter(|m| !m.is_empty()) {
            self.check_contact_manager(m).await?;
        }
        let custom_fields = self
            .validate_contact_custom_fields(&c.custom_fields)
            .await?;
        let now = self.now();
        let contact = Contact {
            id: self.ids.object_id(),
            name: c.name,
            emails: Some(c.emails),
            phones: Some(c.phones),
            contact_manager: c.contact_manager.filter(|m| !m.is_empty()),
            channels: None,
            custom_fields: Some(custom_fields),
            unknown: false,
            last_chat: None,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_contact(&contact).await?;
        Ok(contact.id)
    }

    /// `POST omnichannel/contacts.update` (upstream's `updateContact`): the fields given
    /// replace the stored ones, and the contact is no longer `unknown`.
    pub async fn update_contact(&self, c: ContactChanges) -> Result<Contact> {
        if self.store.contact(&c.contact_id).await?.is_none() {
            return Err(Code::ContactNotFound.into());
        }
        if let Some(m) = c.contact_manager.as_deref().filter(|m| !m.is_empty()) {
            self.check_contact_manager(m).await?;
        }
        let custom_fields = match &c.custom_fields {
            Some(given) => Some(self.validate_contact_custom_fields(given).await?),
            None => None,
        };
        let now = self.now();
        let ContactChanges {
            contact_id,
            name,
            emails,
            phones,
            contact_manager,
            ..
        } = c;
        let contact_manager = contact_manager.filter(|m| !m.is_empty());
        self.store
            .modify_contact(
                &contact_id,
                Box::new(move |d| {
                    if let Some(n) = &name {
                        d.name = n.clone();
                    }
                    if let Some(e) = &emails {
                        d.emails = Some(e.clone());
                    }
                    if let Some(p) = &phones {
                        d.phones = Some(p.clone());
                    }
                    if let Some(m) = &contact_manager {
                        d.contact_manager = Some(m.clone());
                    }
                    if let Some(cf) = &custom_fields {
                        d.custom_fields = Some(cf.clone());
                    }
                    d.unknown = false;
                    d.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or_else(|| Code::ContactNotFound.into())
    }

    /// `GET omnichannel/contacts.get`.
    pub async fn contact(&self, id: &str) -> Result<Option<Contact>> {
        Ok(self.store.contact(id).await?)
    }

    /// `GET omnichannel/contacts.search` (upstream's `getContacts`): by name unless `sort`
    /// says otherwise; with the total.
    pub async fn search_contacts(&self, q: ContactSearch) -> Result<(Vec<Contact>, i64)> {
        Ok(self.store.search_contacts(&q).await?)
    }

    /// `GET omnichannel/contacts.history` (upstream's `getContactHistory`): the rooms of the
    /// contact's channels' visitors, newest first, optionally of one `source` (its type or
    /// alias contains it); with the total.
    pub async fn contact_history(
        &self,
        contact_id: &str,
        source: Option<String>,
        offset: i64,
        count: i64,
        sort: Vec<(String, bool)>,
    ) -> Result<(Vec<Room>, i64)> {
        let contact = self
            .store
            .contact(contact_id)
            .await?
            .ok_or(Code::ContactNotFound)?;
        let mut visitors: Vec<String> = Vec::new();
        for c in contact.channels.iter().flatten() {
            if !visitors.contains(&c.visitor_id) {
                visitors.push(c.visitor_id.clone());
            }
        }
        let Some((first, others)) = visitors.split_first() else {
            return Ok((Vec::new(), 0));
        };
        Ok(self
            .store
            .visitor_rooms(&VisitorRoomsQuery {
                visitor_id: first.clone(),
                other_visitor_ids: others.to_vec(),
                source: source.filter(|s| !s.is_empty()),
                offset,
                count,
                sort,
                ..Default::default()
            })
            .await?)
    }

    /// Upstream's `createContactFromVisitor`: a visitor without a contact gets a new,
    /// `unknown` one made of its name, e-mails, phones, custom fields and contact manager
    /// (no channel yet: its rooms add them). Answers the visitor as stored.
    pub async fn ensure_visitor_contact(&self, visitor: Visitor) -> Result<Visitor> {
        if visitor.contact_id.is_some() {
            return Ok(visitor);
        }
        let manager = match visitor
            .extra
            .get("contactManager")
            .and_then(|m| m.get("username"))
            .and_then(Value::as_str)
        {
            Some(u) => self.store.user_by_username(u).await?.map(|u| u.id),
            None => None,
        };
        let now = self.now();
        let contact = Contact {
            id: self.ids.object_id(),
            name: visitor
                .name
                .clone()
                .unwrap_or_else(|| visitor.username().to_string()),
            emails: visitor
                .visitor_emails
                .as_ref()
                .map(|e| e.iter().map(|e| e.address.clone()).collect()),
            phones: visitor
                .phone
                .as_ref()
                .map(|p| p.iter().map(|p| p.phone_number.clone()).collect()),
            contact_manager: manager,
            channels: Some(Vec::new()),
            custom_fields: visitor.livechat_data.clone(),
            unknown: true,
            last_chat: None,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_contact(&contact).await?;
        let id = contact.id.clone();
        let linked = self
            .store
            .modify_visitor(
                &visitor.id,
                Box::new(move |v| {
                    if v.contact_id.is_none() {
                        v.contact_id = Some(id.clone());
                    }
                    Ok(())
                }),
            )
            .await?;
        match linked {
            Some(v) if v.contact_id.as_deref() == Some(contact.id.as_str()) => Ok(v),
            // A concurrent registration linked another contact first (or the visitor is
            // gone): ours is dropped.
            other => {
                self.store.delete_contact(&contact.id).await?;
                Ok(other.unwrap_or(visitor))
            }
        }
    }

    /// Upstream's `validateContactManager`: the id of a livechat agent.
    async fn check_contact_manager(&self, id: &str) -> Result<()> {
        match self.store.user(id).await? {
            Some(u) if u.has_role("livechat-agent") => Ok(()),
            _ => Err(Code::ContactManagerIdNotFound.into()),
        }
    }

    /// Upstream's `validateCustomFields` over the visitor-scope fields that are not
    /// hidden: a required one must have a value, a value must match the field's `regexp`,
    /// and no other key may be given. Answers the trimmed values.
    async fn validate_contact_custom_fields(
        &self,
        given: &Map<String, Value>,
    ) -> Result<Map<String, Value>> {
        let fields: Vec<_> = self
            .store
            .custom_fields(Some("visitor"))
            .await?
            .into_iter()
            .filter(|f| f.visibility != "hidden")
            .collect();
        let mut out = Map::new();
        for f in &fields {
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
            if let Some(re) = f.regexp() {
                let ok = fancy_regex::Regex::new(re)
                    .map_err(|_| Code::InvalidRegex(re.to_string()))?
                    .is_match(value)
                    .unwrap_or(false);
                if !ok {
                    return Err(Code::InvalidFieldValue(f.label.clone()).into());
                }
            }
            out.insert(f.id.clone(), Value::String(value.to_string()));
        }
        if let Some(k) = given.keys().find(|k| !fields.iter().any(|f| &f.id == *k)) {
            return Err(Code::CustomFieldNotAllowed(k.clone()).into());
        }
        Ok(out)
    }
}

/// A new room of a visitor with a contact: the contact gains a channel for the room's
/// source type (one per visitor and type) and the room as its `lastChat`.
pub(super) fn note_new_room(contact: &mut Contact, room: &Room, now: crate::time::Ts) {
    let (visitor_id, source) = (&room.v.id, &room.source);
    let channels = contact.channels.get_or_insert_with(Vec::new);
    let known = channels.iter().any(|ch| {
        let kind = ch.details.as_ref().map_or(ch.name.as_str(), |d| &d.kind);
        &ch.visitor_id == visitor_id && kind == source.kind
    });
    if !known {
        let name = source
            .extra
            .get("label")
            .and_then(Value::as_str)
            .unwrap_or(&source.kind)
            .to_string();
        channels.push(ContactChannel {
            name,
            visitor_id: visitor_id.clone(),
            blocked: false,
            verified: false,
            details: Some(source.clone()),
        });
    }
    contact.last_chat = Some(LastChat {
        id: room.id.clone(),
        ts: room.ts,
    });
    contact.updated_at = now;
}
