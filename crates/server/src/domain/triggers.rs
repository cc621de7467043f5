//! Livechat triggers: what the widget runs by itself (send a message after N seconds on a
//! page, …). Admins define them; `config` hands the enabled ones to the widget.

use super::Livechat;
use crate::error::Result;
use crate::ids;
use crate::model::Trigger;
use serde_json::{Value, json};

pub struct TriggerInput {
    pub id: Option<String>,
    pub name: String,
    pub description: String,
    pub enabled: bool,
    pub run_once: bool,
    pub conditions: Vec<Value>,
    pub actions: Vec<Value>,
}

impl Livechat {
    /// `POST livechat/triggers`: insert, or update the one with `_id` (an unknown `_id`
    /// changes nothing, as upstream's `updateById`).
    pub async fn save_trigger(&self, t: TriggerInput) -> Result<()> {
        let now = self.now();
        let id = match t.id {
            Some(id) => {
                if self.store.trigger(&id).await?.is_none() {
                    return Ok(());
                }
                id
            }
            None => ids::object_id(),
        };
        self.store
            .put_trigger(&Trigger {
                id,
                name: t.name,
                description: t.description,
                enabled: t.enabled,
                run_once: t.run_once,
                conditions: t.conditions,
                actions: t.actions,
                updated_at: now,
            })
            .await?;
        Ok(())
    }

    /// `config.triggers`: enabled triggers, `_id, actions, conditions, runOnce` only.
    pub async fn config_triggers(&self) -> Result<Vec<Value>> {
        let (triggers, _) = self.store.list_triggers(true, 0, 0, &[]).await?;
        Ok(triggers
            .into_iter()
            .map(|t| {
                json!({"_id": t.id, "actions": t.actions, "conditions": t.conditions, "runOnce": t.run_once})
            })
            .collect())
    }
}

/// Reads and removal, as stored.
impl Livechat {
    pub async fn trigger(&self, id: &str) -> Result<Option<Trigger>> {
        Ok(self.store.trigger(id).await?)
    }

    /// Every trigger (enabled or not), by name unless `sort` says otherwise; with the total.
    pub async fn list_triggers(
        &self,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> Result<(Vec<Trigger>, i64)> {
        Ok(self.store.list_triggers(false, offset, count, sort).await?)
    }

    pub async fn delete_trigger(&self, id: &str) -> Result<bool> {
        Ok(self.store.delete_trigger(id).await?)
    }
}
