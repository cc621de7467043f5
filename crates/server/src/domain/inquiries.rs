//! The queue: listing inquiries and taking one (upstream's `takeInquiry`).

use super::Livechat;
use super::routing::{self, AgentOrder, AgentQuery, Choice, Take, TakeOutcome};
use crate::error::{Code, Result};
use crate::model::{Inquiry, SelectedAgent, User};
use crate::store::unit::{AgentsAsk, Ask, InquiryKey, RoomKey};

impl Livechat {
    /// The departments whose queue an agent sees: its own (and inquiries without one).
    pub async fn agent_department_ids(&self, agent_id: &str) -> Result<Vec<String>> {
        Ok(self
            .store
            .agent_departments(agent_id)
            .await?
            .into_iter()
            .map(|d| d.department_id)
            .collect())
    }

    pub async fn queued_inquiries(
        &self,
        for_agent: Option<&str>,
        department: Option<String>,
        offset: i64,
        count: i64,
    ) -> Result<(Vec<Inquiry>, i64)> {
        let departments = match (department, for_agent) {
            (Some(d), _) => Some(vec![d]),
            (None, Some(agent)) => Some(self.agent_department_ids(agent).await?),
            (None, None) => None,
        };
        Ok(self
            .store
            .list_inquiries(Some("queued"), departments.as_deref(), offset, count)
            .await?)
    }

    /// The queue `user` may see (`inquiries.queued`, `inquiries.queuedForUser` with
    /// `own`): the waiting chats it may take — its departments' and those without one —
    /// or, for whoever acts on every chat and does not ask for its own, the whole queue.
    /// A `department` narrows the list; one not the agent's leaves the public queue.
    pub async fn visible_queue(
        &self,
        user: &User,
        own: bool,
        department: Option<String>,
        offset: i64,
        count: i64,
    ) -> Result<(Vec<Inquiry>, i64)> {
        if self.acts_on_all_chats(user) && !own {
            return self.queued_inquiries(None, department, offset, count).await;
        }
        let mut mine = self.agent_department_ids(&user.id).await?;
        if let Some(d) = department {
            mine.retain(|m| *m == d);
        }
        Ok(self
            .store
            .list_inquiries(Some("queued"), Some(&mine), offset, count)
            .await?)
    }

    /// `inquiries.take` by `by` for `agent_id` (itself, or the agent it names): `by` must
    /// be allowed to act on the chat (see `access`).
    pub async fn take_inquiry_as(&self, by: &User, agent_id: &str, inquiry_id: &str) -> Result<()> {
        let inquiry = self
            .store
            .inquiry(inquiry_id)
            .await?
            .ok_or(Code::InquiryNotFound)?;
        // Taken already: upstream's answer, whoever asks.
        if inquiry.status == "taken" {
            return Err(Code::InquiryTaken.into());
        }
        // Judged on the inquiry as read: a rival taking it meanwhile is reported by the
        // take itself (`error-inquiry-taken`), not as a refusal.
        let allowed = self.may_take(by, &inquiry).await?;
        if !allowed {
            return Err(Code::ChatNotAllowed.into());
        }
        self.take_inquiry(agent_id, inquiry_id).await
    }

    /// `inquiries.take`: exactly one agent wins a queued inquiry, within its chat limit.
    pub async fn take_inquiry(&self, agent_id: &str, inquiry_id: &str) -> Result<()> {
        let inquiry = self
            .store
            .inquiry(inquiry_id)
            .await?
            .ok_or(Code::InquiryNotFound)?;
        if inquiry.status == "taken" {
            return Err(Code::InquiryTaken.into());
        }
        let available = AgentQuery {
            department: None,
            ignore_agent: None,
            idle_ok: self.settings.bool("Livechat_enabled_when_agent_idle"),
            order: AgentOrder::LeastAssigned,
            max_chats: None,
        };
        let agent = self
            .store
            .agents(&AgentsAsk {
                ids: vec![agent_id.to_string()],
                ..Default::default()
            })
            .await?
            .into_iter()
            .find(|c| routing::is_available(c, &available))
            .ok_or(Code::AgentStatusServiceOffline)?;
        let take = Take {
            choice: Choice::Agent(SelectedAgent {
                agent_id: agent.id,
                username: agent.username,
            }),
            max_chats: Some(self.max_chats(inquiry.department.as_deref()).await?),
            require_untaken: true,
        };
        match self.take(inquiry_id, take).await? {
            TakeOutcome::Taken { room, agent } => {
                self.publish_agent(&room.id, Some(&agent.agent_id)).await;
                self.publish_inquiry(&room.id, "changed").await;
                self.room_webhook(
                    "Livechat_webhook_on_chat_taken",
                    "LivechatSessionTaken",
                    &room.id,
                )
                .await?;
                Ok(())
            }
            TakeOutcome::Unchanged(_) => Ok(()),
            TakeOutcome::AlreadyTaken => Err(Code::InquiryTaken.into()),
            TakeOutcome::InquiryNotFound => Err(Code::InquiryNotFound.into()),
            TakeOutcome::AgentAtLimit => Err(Code::MaxChatsReached.into()),
            TakeOutcome::RoomClosed => Err(Code::RoomClosed.into()),
            TakeOutcome::NoAgent(_) | TakeOutcome::AgentUnavailable => {
                Err(Code::AgentStatusServiceOffline.into())
            }
        }
    }
}

/// How many queued chats one pass of the queue routes at most.
const QUEUE_PASS: i64 = 100;

impl Livechat {
    /// Routes waiting chats, oldest first, while agents have room for them: run when
    /// capacity appears (a chat closes, an agent becomes available). Auto-assigning methods
    /// only; with Manual_Selection agents take chats themselves.
    pub async fn process_queue(&self) -> Result<usize> {
        if !self.routing_method()?.auto_assign() {
            return Ok(0);
        }
        let (queued, _) = self
            .store
            .list_inquiries(Some("queued"), None, 0, QUEUE_PASS)
            .await?;
        let mut routed = 0;
        for inquiry in queued {
            let query = self.agent_query_for(inquiry.department.clone()).await?;
            // The list may be stale: another pass (on this or another instance) may have
            // routed the chat since; the take then refuses instead of routing it again.
            let take = Take {
                max_chats: query.max_chats,
                choice: Choice::Route {
                    preferred: None,
                    query,
                },
                require_untaken: true,
            };
            match self.take(&inquiry.id, take).await? {
                TakeOutcome::Taken { room, agent } => {
                    self.publish_agent(&room.id, Some(&agent.agent_id)).await;
                    self.publish_inquiry(&room.id, "changed").await;
                    self.room_webhook(
                        "Livechat_webhook_on_chat_taken",
                        "LivechatSessionTaken",
                        &room.id,
                    )
                    .await?;
                    routed += 1;
                }
                // Nobody free for this one; a later chat in another department may still fit.
                _ => continue,
            }
        }
        Ok(routed)
    }
}

impl Livechat {
    /// Assigns the inquiry's room as `take` says, in one unit of work.
    async fn take(&self, inquiry_id: &str, take: Take) -> Result<TakeOutcome> {
        let ask = Ask {
            inquiry: Some(InquiryKey::Id(inquiry_id.to_string())),
            room: Some(RoomKey::OfInquiry),
            subscriptions: true,
            agents: Some(take.choice.ask(take.max_chats)),
            ..Default::default()
        };
        let (ids, now) = (self.ids.clone(), self.now());
        self.unit(ask, move |rows| Ok(routing::take(rows, &take, now, &*ids)))
            .await
    }
}

/// Reads the HTTP answers pass on as stored.
impl Livechat {
    /// Inquiries of any status, oldest first, of the given departments (`None`: any).
    pub async fn list_inquiries(
        &self,
        departments: Option<&[String]>,
        offset: i64,
        count: i64,
    ) -> Result<(Vec<Inquiry>, i64)> {
        Ok(self
            .store
            .list_inquiries(None, departments, offset, count)
            .await?)
    }

    pub async fn inquiry_by_room(&self, rid: &str) -> Result<Option<Inquiry>> {
        Ok(self.store.inquiry_by_room(rid).await?)
    }
}
