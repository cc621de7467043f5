//! The queue: listing inquiries and taking one (upstream's `takeInquiry`).

use super::Livechat;
use crate::error::{Error, Result};
use crate::model::{Inquiry, SelectedAgent, User};
use crate::store::{AgentChoice, AgentOrder, AgentQuery, TakeOutcome};
use serde_json::json;

fn take_error(code: &str, reason: &str) -> Error {
    Error::meteor_reason(code, reason).with_details(json!({"method": "livechat:takeInquiry"}))
}

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

    /// `inquiries.take`: exactly one agent wins a queued inquiry, within its chat limit.
    pub async fn take_inquiry(&self, agent_id: &str, inquiry_id: &str) -> Result<()> {
        let inquiry = self
            .store
            .inquiry(inquiry_id)
            .await?
            .ok_or_else(|| take_error("error-not-found", "Inquiry not found"))?;
        if inquiry.status == "taken" {
            return Err(take_error("error-inquiry-taken", "Inquiry already taken"));
        }
        let available = AgentQuery {
            department: None,
            ignore_agent: None,
            idle_ok: self.settings.bool("Livechat_enabled_when_agent_idle"),
            order: AgentOrder::LeastAssigned,
            max_chats: None,
        };
        let user: User = self
            .store
            .available_agents(&available)
            .await?
            .into_iter()
            .find(|u| u.id == agent_id)
            .ok_or_else(|| {
                take_error(
                    "error-agent-status-service-offline",
                    "Agent status is offline or Omnichannel service is not active",
                )
            })?;
        let max = self.max_chats(inquiry.department.as_deref()).await?;
        let choice = AgentChoice::Agent(SelectedAgent {
            agent_id: user.id.clone(),
            username: user.username.clone(),
        });
        let mut a = self.assignment(self.now(), max);
        a.require_untaken = true;
        match self.store.take_inquiry(inquiry_id, &choice, &a).await? {
            TakeOutcome::Taken { .. } | TakeOutcome::Unchanged(_) => Ok(()),
            TakeOutcome::AlreadyTaken => {
                Err(take_error("error-inquiry-taken", "Inquiry already taken"))
            }
            TakeOutcome::InquiryNotFound => Err(take_error("error-not-found", "Inquiry not found")),
            TakeOutcome::AgentAtLimit => Err(Error::meteor_reason(
                "error-max-number-simultaneous-chats-reached",
                "Not allowed",
            )),
            TakeOutcome::RoomClosed => Err(Error::plain("room-closed")),
            TakeOutcome::NoAgent(_) | TakeOutcome::AgentUnavailable => Err(take_error(
                "error-agent-status-service-offline",
                "Agent status is offline or Omnichannel service is not active",
            )),
        }
    }
}
