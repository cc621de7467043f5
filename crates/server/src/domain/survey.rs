//! `room.survey`: the visitor rates the conversation after (or during) the chat.

use super::Livechat;
use crate::error::{Code, Result};
use serde_json::{Map, Value};

/// `config.survey` (upstream's fixed definition, `agentResposiveness` spelled as upstream).
pub const SURVEY_ITEMS: [&str; 4] = [
    "satisfaction",
    "agentKnowledge",
    "agentResposiveness",
    "agentFriendliness",
];
pub const SURVEY_VALUES: [&str; 5] = ["1", "2", "3", "4", "5"];

impl Livechat {
    /// Keeps the answers that fit the survey (and any `additionalFeedback`) as the room's
    /// `surveyFeedback`, replacing earlier answers. Closed rooms are allowed.
    pub async fn save_survey(
        &self,
        token: &str,
        rid: &str,
        data: &[(String, String)],
    ) -> Result<Map<String, Value>> {
        self.visitor_room(token, rid).await?;
        let mut feedback = Map::new();
        for (name, value) in data {
            if (SURVEY_ITEMS.contains(&name.as_str()) && SURVEY_VALUES.contains(&value.as_str()))
                || name == "additionalFeedback"
            {
                feedback.insert(name.clone(), Value::String(value.clone()));
            }
        }
        if feedback.is_empty() {
            return Err(Code::InvalidData.into());
        }
        let now = self.now();
        let stored = Value::Object(feedback.clone());
        self.store
            .modify_room(
                rid,
                Box::new(move |r| {
                    r.survey_feedback = Some(stored.clone());
                    r.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or(Code::Failed)?;
        Ok(feedback)
    }
}
