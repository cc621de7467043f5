//! Rooms and routing: get-or-create (the seed endpoint), who is available, which agent
//! takes a new chat, and the agent's public profile.

use super::Livechat;
use super::routing::{self, AgentOrder, AgentQuery, ChatLimit, Choice, NewRoom};
use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::store::RoomQuery;
use crate::store::unit::{Ask, InquiryKey, Put, RoomKey, Writes};
use serde_json::{Map, Value, json};

/// The routing methods (`Livechat_Routing_Method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutingMethod {
    AutoSelection,
    ManualSelection,
    LoadBalancing,
    LoadRotation,
}

impl RoutingMethod {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Auto_Selection" => RoutingMethod::AutoSelection,
            "Manual_Selection" => RoutingMethod::ManualSelection,
            "Load_Balancing" => RoutingMethod::LoadBalancing,
            "Load_Rotation" => RoutingMethod::LoadRotation,
            _ => return None,
        })
    }
    pub fn auto_assign(self) -> bool {
        self != RoutingMethod::ManualSelection
    }
    fn order(self) -> AgentOrder {
        match self {
            RoutingMethod::LoadBalancing => AgentOrder::LeastBusy,
            RoutingMethod::LoadRotation => AgentOrder::LongestIdle,
            _ => AgentOrder::LeastAssigned,
        }
    }
    /// `RoutingManager.getConfig()` as the clients see it.
    pub fn config(self) -> Value {
        let manual = self == RoutingMethod::ManualSelection;
        json!({
            "previewRoom": manual,
            "showConnecting": manual,
            "showQueue": manual,
            "showQueueLink": manual,
            "returnQueue": manual,
            "enableTriggerAction": true,
            "autoAssignAgent": !manual,
        })
    }
}

/// Where a room request came from (`source`).
#[derive(Clone, Debug)]
pub enum RoomSource {
    Widget { host: Option<String> },
    Api,
}

pub struct RoomRequest {
    pub token: String,
    pub agent_id: Option<String>,
    pub source: RoomSource,
}

impl Livechat {
    pub fn routing_method(&self) -> Result<RoutingMethod> {
        RoutingMethod::parse(&self.settings.str("Livechat_Routing_Method"))
            .ok_or_else(|| Error::from(Code::RoutingMethodNotAvailable))
    }

    /// The open-chat limits for a department: its own, else each agent's, else the
    /// general setting (see [`ChatLimit`]).
    pub async fn max_chats(&self, department: Option<&str>) -> Result<ChatLimit> {
        let department = match department {
            Some(d) => self
                .store
                .department(d)
                .await?
                .and_then(|dep| dep.max_number_simultaneous_chat),
            None => None,
        };
        Ok(ChatLimit {
            department,
            general: Some(self.settings.i64("Livechat_maximum_chats_per_agent")),
        })
    }

    async fn agent_query(
        &self,
        department: Option<String>,
        with_limit: bool,
    ) -> Result<AgentQuery> {
        let method = self
            .routing_method()
            .unwrap_or(RoutingMethod::AutoSelection);
        let max_chats = if with_limit {
            Some(self.max_chats(department.as_deref()).await?)
        } else {
            None
        };
        Ok(AgentQuery {
            department,
            ignore_agent: None,
            idle_ok: self.settings.bool("Livechat_enabled_when_agent_idle"),
            order: method.order(),
            max_chats,
        })
    }

    /// The routing query for a department, with its chat limit.
    pub async fn agent_query_for(&self, department: Option<String>) -> Result<AgentQuery> {
        self.agent_query(department, true).await
    }

    /// Is any agent available (in the department, if given)? Spec §4.5.
    pub async fn has_available_agent(&self, department: Option<&str>) -> Result<bool> {
        let q = self
            .agent_query(department.map(str::to_string), false)
            .await?;
        let agents = self.store.agents(&q.ask(None)).await?;
        Ok(!routing::available(&q, &agents).is_empty())
    }

    /// The first department of the chain (the department, then its fallbacks) that has an
    /// available agent.
    pub async fn online_department(&self, department: &str) -> Result<Option<String>> {
        let mut seen = Vec::new();
        let mut current = Some(department.to_string());
        while let Some(d) = current {
            if seen.contains(&d) {
                break;
            }
            if self.has_available_agent(Some(&d)).await? {
                return Ok(Some(d));
            }
            current = self
                .store
                .department(&d)
                .await?
                .and_then(|dep| dep.fallback_forward_department);
            seen.push(d);
        }
        Ok(None)
    }

    /// `config.online` and upstream's `online()`.
    pub async fn service_online(&self, department: Option<&str>) -> Result<bool> {
        if self.settings.bool("Livechat_accept_chats_with_no_agents") {
            return Ok(true);
        }
        if self
            .settings
            .bool("Livechat_assign_new_conversation_to_bot")
            && self.has_bot_agent().await?
        {
            return Ok(true);
        }
        match department.filter(|d| !d.is_empty()) {
            Some(d) => Ok(self.online_department(d).await?.is_some()),
            None => self.has_available_agent(None).await,
        }
    }

    async fn has_bot_agent(&self) -> Result<bool> {
        let q = self.agent_query(None, false).await?;
        let agents = self.store.agents(&q.ask(None)).await?;
        Ok(routing::available(&q, &agents)
            .iter()
            .any(|c| c.has_role("bot")))
    }

    /// The first enabled department with agents, shown on registration, that has an
    /// available agent (upstream's `getRequiredDepartment`).
    pub async fn required_department(&self) -> Result<Option<Department>> {
        for d in self.store.departments_with_agents().await? {
            if d.show_on_registration && self.has_available_agent(Some(&d.id)).await? {
                return Ok(Some(d));
            }
        }
        Ok(None)
    }

    /// The agent's public profile (`normalizeAgent`): `{hiddenInfo:true}` when agent
    /// info is hidden.
    pub async fn agent_info(&self, agent_id: &str) -> Result<Option<Value>> {
        if !self.settings.bool("Livechat_show_agent_info") {
            return Ok(Some(json!({"hiddenInfo": true})));
        }
        let Some(u) = self
            .store
            .user(agent_id)
            .await?
            .filter(|u| u.has_role("livechat-agent"))
        else {
            return Ok(None);
        };
        Ok(Some(self.agent_profile(&u)))
    }

    pub fn agent_profile(&self, u: &User) -> Value {
        let mut m = Map::new();
        m.insert("_id".into(), json!(u.id));
        m.insert("username".into(), json!(u.username));
        if let Some(n) = &u.name {
            m.insert("name".into(), json!(n));
        }
        m.insert("status".into(), json!(u.status));
        if self.settings.bool("Livechat_show_agent_email") && !u.emails.is_empty() {
            m.insert(
                "emails".into(),
                serde_json::to_value(&u.emails).unwrap_or_default(),
            );
        }
        if let Some(p) = &u.phone {
            m.insert("phone".into(), p.clone());
        }
        if let Some(l) = &u.livechat {
            m.insert("livechat".into(), l.clone());
        }
        if let Some(cf) = self.integration_custom_fields(u.custom_fields.as_ref()) {
            m.insert("customFields".into(), cf);
        }
        Value::Object(m)
    }

    /// Agent custom fields flagged `sendToIntegrations` in `Accounts_CustomFields`.
    fn integration_custom_fields(&self, cf: Option<&Value>) -> Option<Value> {
        let cf = cf?.as_object()?;
        let defs: Value = serde_json::from_str(&self.settings.str("Accounts_CustomFields"))
            .unwrap_or(Value::Null);
        let out: Map<String, Value> = cf
            .iter()
            .filter(|(k, _)| {
                defs.get(k.as_str())
                    .and_then(|d| d.get("sendToIntegrations"))
                    == Some(&Value::Bool(true))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Some(Value::Object(out))
    }

    /// The visitor's open room as stored (its JSON text), without decoding it: the common
    /// case of get-or-create. A room exists only while its visitor does (removing a visitor
    /// removes its rooms), so finding one also answers upstream's token check.
    pub async fn open_room_json(&self, token: &str) -> Result<Option<String>> {
        if token.is_empty() {
            return Ok(None);
        }
        Ok(self.store.open_room_json(token).await?)
    }

    /// The visitor's open room, or a new one routed to an agent (spec §3).
    pub async fn get_or_create_room(&self, req: RoomRequest) -> Result<(Room, bool)> {
        let visitor = match req.token.as_str() {
            "" => None,
            t => self.store.visitor_by_token(t).await?,
        }
        .ok_or(Code::InvalidToken)?;
        if let Some(room) = self.store.open_room_by_token(&req.token).await? {
            return Ok((room, false));
        }
        if !self.settings.bool("Livechat_enabled") {
            return Err(Code::OmnichannelDisabled.into());
        }
        let method = self.routing_method()?;
        // A visitor registered before contacts existed gets its contact now (upstream's
        // `migrateVisitorIfMissingContact`).
        let visitor = self.ensure_visitor_contact(visitor).await?;

        // Preferred agent: upstream would keep only `{agentId}` when agent info is hidden and
        // then fail its own check after creating the room; we resolve the username instead.
        let preferred = match req.agent_id.as_deref().filter(|a| !a.is_empty()) {
            Some(id) => self
                .store
                .user(id)
                .await?
                .filter(|u| u.has_role("livechat-agent"))
                .map(|u| SelectedAgent {
                    agent_id: u.id,
                    username: u.username,
                }),
            None => None,
        };

        let mut department = visitor.department.clone();
        if preferred.is_none() && department.is_none() {
            department = self.required_department().await?.map(|d| d.id);
        }
        // The first department of the fallback chain with an available agent replaces the
        // visitor's; when none has one, routing runs without a department.
        let routing_department = match &department {
            Some(d) => {
                let online = self.online_department(d).await?;
                if let Some(o) = &online {
                    department = Some(o.clone());
                }
                online
            }
            None => None,
        };
        if !self.settings.bool("Livechat_accept_chats_with_no_agents") {
            let no_agent = if department.is_some() {
                routing_department.is_none()
            } else {
                preferred.is_none() && !self.has_available_agent(None).await?
            };
            if no_agent {
                return Err(Code::NoAgentOnline.into());
            }
        }

        let now = self.now();
        let rid = self.ids.id();
        let source = match &req.source {
            RoomSource::Widget { host } => Source {
                kind: "widget".into(),
                destination: host.clone(),
                alias: None,
                extra: Map::new(),
            },
            RoomSource::Api => Source {
                kind: "api".into(),
                destination: None,
                alias: None,
                extra: Map::new(),
            },
        };
        let v = RoomVisitor {
            id: visitor.id.clone(),
            username: visitor.username().to_string(),
            token: visitor.token().to_string(),
            status: visitor.status.clone().unwrap_or_else(|| "online".into()),
            activity: visitor.activity.clone().filter(|a| !a.is_empty()),
            last_message_ts: None,
        };
        let fname = visitor
            .name
            .clone()
            .unwrap_or_else(|| visitor.username().to_string());
        let started = Message {
            token: Some(visitor.token().to_string()),
            ..Message::system(
                self.ids.id(),
                "livechat-started",
                &rid,
                "",
                UserRef {
                    id: visitor.id.clone(),
                    username: visitor.username().to_string(),
                    name: None,
                },
                now,
            )
        };
        let room = Room {
            id: rid.clone(),
            msgs: 1,
            users_count: 1,
            lm: Some(now),
            fname: fname.clone(),
            t: "l".into(),
            ts: now,
            department_id: department.clone(),
            v: v.clone(),
            cl: false,
            open: Some(true),
            waiting_response: Some(true),
            source: source.clone(),
            queued_at: Some(now),
            priority_weight: Some(99),
            estimated_waiting_time_queue: Some(9_999_999),
            updated_at: now,
            served_by: None,
            response_by: None,
            last_message: None,
            metrics: None,
            livechat_data: None,
            topic: None,
            tags: None,
            closed_at: None,
            closer: None,
            closed_by: None,
            call_status: None,
            transcript_request: None,
            survey_feedback: None,
            crm_data: None,
            contact_id: visitor.contact_id.clone(),
        };
        // Upstream's `getInquiryStatus`: auto-assigning methods start `ready`, others `queued`.
        let status = if method.auto_assign() {
            inquiry_status::READY
        } else {
            inquiry_status::QUEUED
        };
        let mut inquiry = Inquiry {
            id: self.ids.object_id(),
            rid: rid.clone(),
            name: fname,
            ts: now,
            department: department.clone(),
            message: String::new(),
            status: status.into(),
            v,
            t: "l".into(),
            priority_weight: 99,
            estimated_waiting_time_queue: 9_999_999,
            source,
            updated_at: now,
            queued_at: None,
            taken_at: None,
            default_agent: None,
            last_message: None,
            extra: Map::new(),
        };
        let route = if method.auto_assign() {
            let query = self.agent_query(routing_department.clone(), true).await?;
            let max = self.max_chats(routing_department.as_deref()).await?;
            Some((Choice::Route { preferred, query }, Some(max)))
        } else {
            inquiry.queued_at = Some(now);
            if let Some(p) = &preferred {
                inquiry.default_agent =
                    Some(json!({"agentId": p.agent_id, "username": p.username}));
            }
            None
        };
        // The contact's channel and `lastChat`, and the navigation history waiting for
        // this token, are written with the room: one transaction, one writer round.
        let ask = Ask {
            room: Some(RoomKey::OpenOfToken(req.token.clone())),
            agents: route.as_ref().map(|(choice, max)| choice.ask(*max)),
            contact: visitor.contact_id.clone(),
            pending_navigation: Some(req.token.clone()),
            ..Default::default()
        };
        let new = NewRoom {
            room,
            inquiry,
            messages: vec![started],
            route,
            visitor_last_chat: Some((visitor.id.clone(), LastChat { id: rid, ts: now })),
        };
        let ids = self.ids.clone();
        let token = req.token.clone();
        let created = self
            .unit(ask, move |mut rows| {
                let contact = rows.contact.take();
                let pending = std::mem::take(&mut rows.pending_navigation);
                let (mut w, mut created) = routing::create(rows, new.clone(), now, &*ids);
                if !created.created {
                    return Ok((w, (created, Vec::new(), Vec::new(), None)));
                }
                // Navigation saved while the visitor had no room joins it
                // (`setRoomIdByToken`).
                let navigation = super::navigation::join_new_room(
                    &mut w,
                    &mut created.room,
                    &token,
                    pending,
                    now,
                );
                if !navigation.is_empty() {
                    for p in &mut w.rooms {
                        if let Put::Insert(r) = p
                            && r.id == created.room.id
                        {
                            *r = created.room.clone();
                        }
                    }
                }
                if let Some(mut contact) = contact {
                    super::contacts::note_new_room(&mut contact, &created.room, now);
                    w.contacts.push(contact);
                }
                // What the events below publish, as written.
                let subs: Vec<_> = w.subscriptions.iter().map(|p| p.doc().clone()).collect();
                let inquiry = w.inquiries.last().map(|p| p.doc().clone());
                Ok((w, (created, navigation, subs, inquiry)))
            })
            .await?;
        let (created, navigation, subs, inquiry) = created;
        if !created.created {
            return Ok((created.room, false));
        }
        self.metrics.room_created();
        for m in navigation.iter().filter(|m| !m.hidden) {
            self.publish_message(m);
        }
        if let Some(agent) = &created.agent {
            self.publish_assigned(&created.room, &subs, &agent.agent_id)
                .await;
        }
        let room = created.room;
        if let Some(inquiry) = inquiry {
            self.publish_inquiry_doc(inquiry, "added");
        }
        self.publish_queue_positions().await;
        if created.agent.is_some() {
            self.room_webhook(
                "Livechat_webhook_on_chat_taken",
                "LivechatSessionTaken",
                &room.id,
            )
            .await?;
        } else {
            self.room_webhook(
                "Livechat_webhook_on_chat_queued",
                "LivechatSessionQueued",
                &room.id,
            )
            .await?;
        }
        self.room_webhook(
            "Livechat_webhook_on_start",
            "LivechatSessionStart",
            &room.id,
        )
        .await?;
        Ok((room, true))
    }

    /// `agent.next/:token`: the agent that would serve this visitor next (and, as upstream,
    /// the routing counter moves).
    pub async fn next_agent_for(
        &self,
        token: &str,
        department: Option<String>,
    ) -> Result<Option<Value>> {
        if self.store.open_room_by_token(token).await?.is_some() {
            return Ok(None);
        }
        let department = match department.filter(|d| !d.is_empty()) {
            Some(d) => Some(d),
            None => self.required_department().await?.map(|d| d.id),
        };
        let method = self.routing_method()?;
        if !method.auto_assign() {
            return Err(Code::AgentNotFound.into());
        }
        let q = self.agent_query(department, true).await?;
        let (ask, now) = (
            Ask {
                agents: Some(q.ask(None)),
                ..Default::default()
            },
            self.now(),
        );
        let agent = self
            .unit(ask, move |rows| Ok(routing::next(&q, &rows, now)))
            .await?
            .ok_or(Code::AgentNotFound)?;
        match self.agent_info(&agent.agent_id).await? {
            Some(info) => Ok(Some(info)),
            None => Err(Code::InvalidAgent.into()),
        }
    }
}

impl Livechat {
    /// Changes the visitor's open room with `f`; its inquiry keeps the room's visitor and
    /// name (upstream updates both collections together).
    pub async fn modify_open_room(
        &self,
        token: &str,
        f: impl Fn(&mut Room) -> Result<()> + Send + Sync + 'static,
    ) -> Result<Option<Room>> {
        let ask = Ask {
            room: Some(RoomKey::OpenOfToken(token.to_string())),
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

/// Reads the HTTP answers pass on as stored.
impl Livechat {
    pub async fn room(&self, id: &str) -> Result<Option<Room>> {
        Ok(self.store.room(id).await?)
    }

    pub async fn open_room_by_token(&self, token: &str) -> Result<Option<Room>> {
        Ok(self.store.open_room_by_token(token).await?)
    }

    pub async fn open_rooms_by_token(&self, token: &str) -> Result<Vec<Room>> {
        Ok(self.store.open_rooms_by_token(token).await?)
    }

    /// `livechat/rooms` (upstream's `findRoomsWithCriteria`).
    pub async fn list_rooms(&self, q: &RoomQuery) -> Result<(Vec<Room>, i64)> {
        Ok(self.store.list_rooms(q).await?)
    }

    /// A room's messages newest first, optionally those containing `search`; with the total.
    /// For agents (`livechat/:rid/messages`): the room's internal notes are among them.
    pub async fn room_messages(
        &self,
        rid: &str,
        search: Option<&str>,
        offset: i64,
        count: i64,
    ) -> Result<(Vec<Message>, i64)> {
        let needle = search.map(str::to_lowercase);
        let notes: Vec<Message> = self
            .store
            .notes_of_room(rid, None, 0)
            .await?
            .into_iter()
            .filter(|n| {
                needle
                    .as_ref()
                    .is_none_or(|t| n.msg.to_lowercase().contains(t))
            })
            .collect();
        if notes.is_empty() {
            return Ok(self.store.room_messages(rid, search, offset, count).await?);
        }
        // The first `offset + count` of each, merged, then the page.
        let upto = if count > 0 { offset + count } else { 0 };
        let (messages, total) = self.store.room_messages(rid, search, 0, upto).await?;
        let total = total + notes.len() as i64;
        let page = super::notes::merge(messages, notes)
            .into_iter()
            .skip(offset.max(0) as usize)
            .take(if count > 0 {
                count as usize
            } else {
                usize::MAX
            })
            .collect();
        Ok((page, total))
    }
}
