//! Transfers: forwarding a chat to an agent or a department, the visitor's department
//! switch, and returning a chat to the queue (upstream's `transfer`, §4.6).

use super::Livechat;
use super::routing::{self, Choice, Transfer, TransferOutcome};
use crate::error::{Code, Result};
use crate::model::*;
use crate::store::unit::{Ask, InquiryKey, RoomKey};
use crate::time::Ts;
use serde_json::{Map, Value, json};

/// `normalizeTransferredByData`.
fn transferred_by(
    id: &str,
    username: &str,
    name: Option<&str>,
    user_type: Option<&str>,
    room: &Room,
) -> Value {
    let user_type = user_type.unwrap_or(if room.served_by_id() == Some(id) {
        "agent"
    } else {
        "user"
    });
    let mut m = Map::new();
    m.insert("_id".into(), json!(id));
    m.insert("username".into(), json!(username));
    if let Some(n) = name {
        m.insert("name".into(), json!(n));
    }
    m.insert("userType".into(), json!(user_type));
    Value::Object(m)
}

pub enum Target {
    Agent(String),
    Department { id: String, agent: Option<String> },
    Queue,
}

impl Livechat {
    async fn online_agent(&self, id: &str) -> Result<Option<User>> {
        Ok(self.store.user(id).await?.filter(|u| {
            u.has_role("livechat-agent")
                && u.active
                && u.status != "offline"
                && u.status_livechat.as_deref() == Some("available")
        }))
    }

    /// `saveTransferHistory`'s message, at the transfer's time (the `ul` messages written
    /// with it carry the same time, so the history sorts before them).
    #[allow(clippy::too_many_arguments)]
    fn history_message(
        &self,
        now: Ts,
        room: &Room,
        by: &Value,
        scope: &str,
        comment: Option<&str>,
        next_department: Option<Value>,
        to: Option<Value>,
    ) -> Message {
        let mut data = Map::new();
        data.insert("transferredBy".into(), by.clone());
        data.insert("ts".into(), serde_json::to_value(now).unwrap_or_default());
        data.insert("scope".into(), json!(scope));
        if let Some(c) = comment {
            data.insert("comment".into(), json!(c));
        }
        if let Some(d) = &room.department_id {
            data.insert("previousDepartment".into(), json!(d));
        }
        if let Some(d) = next_department {
            data.insert("nextDepartment".into(), d);
        }
        if let Some(t) = to {
            data.insert("transferredTo".into(), t);
        }
        let u = UserRef {
            id: by["_id"].as_str().unwrap_or_default().to_string(),
            username: by["username"].as_str().unwrap_or_default().to_string(),
            name: None,
        };
        let mut m = Message::system(
            self.ids.id(),
            "livechat_transfer_history",
            &room.id,
            "",
            u,
            now,
        );
        if by["userType"] == "visitor" {
            m.token = Some(room.v.token.clone());
        }
        m.transfer_data = Some(Value::Object(data));
        m
    }

    /// Moves the room; `Ok(false)` where upstream's transfer returns false.
    pub async fn transfer(
        &self,
        room: &Room,
        by: Value,
        target: Target,
        comment: Option<&str>,
    ) -> Result<bool> {
        if !room.is_open() {
            return Ok(false);
        }
        let now = self.now();
        let forwarded = match &target {
            Target::Agent(_) => Some(super::crm::Forwarded {
                old_department_id: None,
                old_served_by: room
                    .served_by
                    .as_ref()
                    .and_then(|s| serde_json::to_value(s).ok()),
            }),
            Target::Department { .. } => Some(super::crm::Forwarded {
                old_department_id: room.department_id.clone(),
                old_served_by: None,
            }),
            Target::Queue => None,
        };
        let (choice, department, history) = match target {
            Target::Agent(agent_id) => {
                let user = self
                    .online_agent(&agent_id)
                    .await?
                    .ok_or(Code::UserIsOffline)?;
                if room.served_by_id() == Some(user.id.as_str()) {
                    return Err(Code::SelectedAgentRoomAgentAreSame.into());
                }
                let to = json!({"_id": user.id, "username": user.username, "name": user.name});
                let history =
                    self.history_message(now, room, &by, "agent", comment, None, Some(to));
                (
                    Some(Choice::Agent(SelectedAgent {
                        agent_id: user.id,
                        username: user.username,
                    })),
                    None,
                    history,
                )
            }
            Target::Department { id, agent } => {
                let dept = self
                    .store
                    .department(&id)
                    .await?
                    .ok_or(Code::InvalidDepartment)?;
                if room.department_id.as_deref() == Some(id.as_str()) {
                    return Err(Code::ForwardingChatSameDepartment.into());
                }
                let preferred = match agent {
                    Some(agent_id) => {
                        let user = self
                            .online_agent(&agent_id)
                            .await?
                            .ok_or(Code::UserIsOffline)?;
                        if !self
                            .store
                            .agent_departments(&user.id)
                            .await?
                            .iter()
                            .any(|d| d.department_id == id)
                        {
                            return Err(Code::UserNotBelongToDepartment.into());
                        }
                        Some(SelectedAgent {
                            agent_id: user.id,
                            username: user.username,
                        })
                    }
                    None => None,
                };
                let next = json!({"_id": dept.id, "name": dept.name});
                let history =
                    self.history_message(now, room, &by, "department", comment, Some(next), None);
                let choice = if self.routing_method()?.auto_assign() {
                    let query = self.agent_query_for(Some(id.clone())).await?;
                    Some(Choice::Route { preferred, query })
                } else {
                    None
                };
                (choice, Some(id), history)
            }
            Target::Queue => (
                None,
                None,
                self.history_message(now, room, &by, "queue", comment, None, None),
            ),
        };
        let max = self
            .max_chats(department.as_deref().or(room.department_id.as_deref()))
            .await?;
        let mut t = Transfer {
            choice,
            department: department.clone(),
            max_chats: Some(max),
            history,
            store_last_message: self.settings.bool("Store_Last_Message"),
        };
        match self.move_room(&room.id, t, now).await? {
            TransferOutcome::Done(r) => {
                self.publish_agent(&r.id, r.served_by_id()).await;
                self.publish_inquiry(&r.id, "changed").await;
                if let Some(f) =
                    forwarded.filter(|_| self.settings.bool("Livechat_webhook_on_forward"))
                {
                    self.send_to_crm(
                        "LivechatSessionForwarded",
                        &r,
                        super::crm::CrmMessages::All,
                        Some(&f),
                    )
                    .await?;
                }
                Ok(true)
            }
            TransferOutcome::RoomClosed | TransferOutcome::NoInquiry => Ok(false),
            TransferOutcome::SameAgent => Err(Code::SelectedAgentRoomAgentAreSame.into()),
            TransferOutcome::AgentAtLimit => Err(Code::MaxChatsReached.into()),
            TransferOutcome::NoAgent if department.is_some() && room.served_by.is_none() => {
                // Nobody in the new department is free and nobody had the chat: it waits
                // in the new department's queue.
                t = Transfer {
                    choice: None,
                    department,
                    max_chats: None,
                    history: self.history_message(
                        now,
                        room,
                        &by,
                        "department",
                        comment,
                        None,
                        None,
                    ),
                    store_last_message: self.settings.bool("Store_Last_Message"),
                };
                Ok(matches!(
                    self.move_room(&room.id, t, now).await?,
                    TransferOutcome::Done(_)
                ))
            }
            TransferOutcome::NoAgent if department.is_some() => {
                Err(Code::NoAgentsOnlineInDepartment.into())
            }
            TransferOutcome::NoAgent => Ok(false),
        }
    }

    /// `livechat/transfer.history/:rid`: the room's transfers (each message's
    /// `transferData`), oldest first unless `sort` says otherwise; with the total.
    pub async fn transfer_history(
        &self,
        rid: &str,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> Result<(Vec<Value>, i64)> {
        let room = self.store.room(rid).await?.ok_or(Code::InvalidRoom)?;
        let oldest_first = [("ts".to_string(), true)];
        let sort = if sort.is_empty() {
            &oldest_first[..]
        } else {
            sort
        };
        let (messages, total) = self
            .store
            .room_messages_of_type(&room.id, "livechat_transfer_history", offset, count, sort)
            .await?;
        Ok((
            messages
                .into_iter()
                .filter_map(|m| m.transfer_data)
                .collect(),
            total,
        ))
    }

    /// `POST livechat/room.forward`.
    pub async fn forward(
        &self,
        by: &User,
        room_id: &str,
        user_id: Option<String>,
        department_id: Option<String>,
        comment: Option<String>,
    ) -> Result<()> {
        let room = self
            .store
            .room(room_id)
            .await?
            .filter(|r| r.t == "l")
            .ok_or(Code::ErrorInvalidRoom)?;
        self.ensure_may_act(by, &room).await?;
        if !room.is_open() {
            return Err(Code::ConversationAlreadyClosed.into());
        }
        self.store
            .visitor(&room.v.id)
            .await?
            .filter(|v| !v.disabled)
            .ok_or(Code::InvalidVisitor)?;
        let who = transferred_by(&by.id, &by.username, by.name.as_deref(), None, &room);
        let target = match (department_id, user_id) {
            (Some(d), agent) => Target::Department { id: d, agent },
            (None, Some(u)) => Target::Agent(u),
            (None, None) => return Err(Code::ForwardingChat.into()),
        };
        if !self
            .transfer(&room, who, target, comment.as_deref())
            .await?
        {
            return Err(Code::ForwardingChat.into());
        }
        Ok(())
    }

    /// `POST livechat/room.transfer` (visitor, deprecated): switch department.
    pub async fn transfer_by_visitor(
        &self,
        token: &str,
        rid: &str,
        department: &str,
    ) -> Result<Option<Room>> {
        let (visitor, room) = self.visitor_room(token, rid).await?;
        let who = transferred_by(
            &visitor.id,
            visitor.username(),
            visitor.name.as_deref(),
            Some("visitor"),
            &room,
        );
        let target = Target::Department {
            id: department.to_string(),
            agent: None,
        };
        if !self.transfer(&room, who, target, None).await? {
            return Ok(None);
        }
        Ok(self.store.room_by_token(token, Some(rid)).await?)
    }

    /// `inquiries.returnAsInquiry`: a served chat goes back to the queue (`false` when it is
    /// not served), optionally into another department's.
    pub async fn return_to_queue(
        &self,
        by: &User,
        room_id: &str,
        department: Option<String>,
    ) -> Result<bool> {
        let room = self.store.room(room_id).await?.ok_or(Code::RoomNotFound)?;
        self.ensure_may_act(by, &room).await?;
        if !room.is_open() {
            return Err(Code::RoomClosed.into());
        }
        if room.served_by.is_none() {
            return Ok(false);
        }
        let who = transferred_by(&by.id, &by.username, by.name.as_deref(), None, &room);
        match department {
            Some(d) if room.department_id.as_deref() != Some(d.as_str()) => {
                self.store
                    .department(&d)
                    .await?
                    .ok_or(Code::InvalidDepartment)?;
                let now = self.now();
                let t = Transfer {
                    choice: None,
                    department: Some(d.clone()),
                    max_chats: None,
                    history: self.history_message(now, &room, &who, "queue", None, None, None),
                    store_last_message: self.settings.bool("Store_Last_Message"),
                };
                Ok(matches!(
                    self.move_room(&room.id, t, now).await?,
                    TransferOutcome::Done(_)
                ))
            }
            _ => self.transfer(&room, who, Target::Queue, None).await,
        }
    }
}

impl Livechat {
    /// Moves the room as `t` says at `now`, in one unit of work.
    async fn move_room(&self, rid: &str, t: Transfer, now: Ts) -> Result<TransferOutcome> {
        let ask = Ask {
            room: Some(RoomKey::Id(rid.to_string())),
            inquiry: Some(InquiryKey::OfRoom),
            subscriptions: true,
            agents: t.choice.as_ref().map(|c| c.ask(t.max_chats)),
            ..Default::default()
        };
        let ids = self.ids.clone();
        self.unit(ask, move |rows| Ok(routing::transfer(rows, &t, now, &*ids)))
            .await
    }
}
