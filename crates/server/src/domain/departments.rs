//! Departments and their agent lists (`saveDepartment`, `saveDepartmentAgents`).

use super::Livechat;
use crate::error::{Check, Code, Error, Result};
use crate::ids;
use crate::model::{Department, DepartmentAgent};
use crate::store::DepartmentQuery;
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub struct DepartmentAgentInput {
    pub agent_id: String,
    pub username: Option<String>,
    pub count: Option<i64>,
    pub order: Option<i64>,
}

impl Livechat {
    /// Creates (`id = None`) or updates a department from the client's `department` object,
    /// and upserts `agents` when given. Field checks follow upstream's `check()` pattern.
    pub async fn save_department(
        &self,
        id: Option<&str>,
        data: &Map<String, Value>,
        agents: Option<(Vec<DepartmentAgentInput>, Vec<String>)>,
    ) -> Result<Department> {
        let b = |k: &str| -> Result<bool> {
            match data.get(k) {
                Some(Value::Bool(v)) => Ok(*v),
                Some(other) => Err(Check::expected("boolean", other, k)),
                None => Err(Check::missing(k, "")),
            }
        };
        let s = |k: &str| -> Result<String> {
            match data.get(k) {
                Some(Value::String(v)) => Ok(v.clone()),
                Some(other) => Err(Check::expected("string", other, k)),
                None => Err(Check::missing(k, "")),
            }
        };
        let os = |k: &str| -> Result<Option<String>> {
            match data.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(v)) => Ok(Some(v.clone())),
                Some(other) => Err(Check::expected("string", other, k)),
            }
        };
        let osv = |k: &str| -> Result<Option<Vec<String>>> {
            match data.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| Check::expected("string", v, k))
                    })
                    .collect::<Result<Vec<_>>>()
                    .map(Some),
                Some(other) => Err(Check::expected("array", other, k)),
            }
        };
        // Missing keys are reported in the order of upstream's check() pattern.
        let enabled = b("enabled")?;
        let name = s("name")?;
        let show_on_registration = b("showOnRegistration")?;
        let email = s("email")?;
        let show_on_offline_form = b("showOnOfflineForm")?;
        let description = os("description")?;
        let request_tag = match data.get("requestTagBeforeClosingChat") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(v)) => Some(*v),
            Some(o) => {
                return Err(Check::expected("boolean", o, "requestTagBeforeClosingChat"));
            }
        };
        let closing_tags = osv("chatClosingTags")?;
        let fallback = os("fallbackForwardDepartment")?.filter(|f| !f.is_empty());
        let allowed = osv("departmentsAllowedToForward")?;
        let max_chats = data.get("maxNumberSimultaneousChat").and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        });
        if request_tag == Some(true) && closing_tags.as_ref().is_none_or(|t| t.is_empty()) {
            return Err(Code::ClosingTagsRequired.into());
        }
        if let Some(f) = &fallback {
            if Some(f.as_str()) == id {
                return Err(Code::FallbackDepartmentCircular.into());
            }
            if self.store.department(f).await?.is_none() {
                return Err(Code::FallbackDepartmentNotFound.into());
            }
        }
        super::mail::check_header_address(&email)?;
        let now = self.now();
        let known = [
            "enabled",
            "name",
            "email",
            "showOnRegistration",
            "showOnOfflineForm",
            "description",
            "requestTagBeforeClosingChat",
            "chatClosingTags",
            "fallbackForwardDepartment",
            "departmentsAllowedToForward",
            "maxNumberSimultaneousChat",
            "_id",
            "numAgents",
            "_updatedAt",
        ];
        let extra: Map<String, Value> = data
            .iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let apply = std::sync::Arc::new(move |d: &mut Department| {
            d.enabled = enabled;
            d.name = name.clone();
            d.email = email.clone();
            d.show_on_registration = show_on_registration;
            d.show_on_offline_form = show_on_offline_form;
            d.description = description.clone();
            d.request_tag_before_closing_chat = request_tag;
            d.chat_closing_tags = closing_tags.clone();
            d.fallback_forward_department = fallback.clone();
            d.departments_allowed_to_forward = allowed.clone();
            d.max_number_simultaneous_chat = max_chats;
            for (k, v) in &extra {
                d.extra.insert(k.clone(), v.clone());
            }
            d.updated_at = now;
        });
        let dept = match id {
            Some(id) => self
                .store
                .modify_department(id, {
                    let apply = apply.clone();
                    Box::new(move |d| {
                        apply(d);
                        Ok(())
                    })
                })
                .await?
                .ok_or_else(|| Error::from(Code::SaveDepartmentNotFound))?,
            None => {
                let mut d = Department {
                    id: ids::random_id(),
                    enabled,
                    name: String::new(),
                    description: None,
                    show_on_registration,
                    show_on_offline_form,
                    request_tag_before_closing_chat: None,
                    email: String::new(),
                    chat_closing_tags: None,
                    offline_message_channel_name: None,
                    fallback_forward_department: None,
                    departments_allowed_to_forward: None,
                    max_number_simultaneous_chat: None,
                    num_agents: 0,
                    updated_at: now,
                    extra: Map::new(),
                };
                apply(&mut d);
                self.store.insert_department(&d).await?;
                d
            }
        };
        if let Some((upsert, remove)) = agents {
            self.save_department_agents(&dept, upsert, remove).await?;
        }
        Ok(self.store.department(&dept.id).await?.unwrap_or(dept))
    }

    pub async fn save_department_agents(
        &self,
        dept: &Department,
        upsert: Vec<DepartmentAgentInput>,
        remove: Vec<String>,
    ) -> Result<()> {
        let now = self.now();
        let existing = self.store.department_agents(&dept.id).await?;
        let mut rows = Vec::with_capacity(upsert.len());
        for a in upsert {
            // As upstream's updateDepartmentAgents: unknown users are skipped, the username
            // comes from the user, omitted count/order are 0.
            let Some(user) = self.store.user(&a.agent_id).await? else {
                continue;
            };
            let prev = existing.iter().find(|e| e.agent_id == a.agent_id);
            rows.push(DepartmentAgent {
                id: prev.map(|p| p.id.clone()).unwrap_or_else(ids::random_id),
                agent_id: user.id.clone(),
                department_id: dept.id.clone(),
                department_enabled: dept.enabled,
                username: user.username,
                count: a.count.unwrap_or(0),
                order: a.order.unwrap_or(0),
                updated_at: now,
            });
        }
        self.store
            .update_department_agents(&dept.id, &rows, &remove)
            .await?;
        Ok(())
    }

    /// Upstream 7.x: removal is off unless `Omnichannel_enable_department_removal`.
    pub async fn remove_department(&self, id: &str) -> Result<()> {
        if !self.settings.bool("Omnichannel_enable_department_removal") {
            return Err(Code::DepartmentRemovalDisabled.into());
        }
        if !self.store.delete_department(id).await? {
            return Err(Code::DepartmentNotFound.into());
        }
        Ok(())
    }
}

/// Reads the HTTP answers pass on as stored.
impl Livechat {
    pub async fn department(&self, id: &str) -> Result<Option<Department>> {
        Ok(self.store.department(id).await?)
    }

    pub async fn department_agents(&self, department_id: &str) -> Result<Vec<DepartmentAgent>> {
        Ok(self.store.department_agents(department_id).await?)
    }

    pub async fn agent_departments(&self, agent_id: &str) -> Result<Vec<DepartmentAgent>> {
        Ok(self.store.agent_departments(agent_id).await?)
    }

    pub async fn list_departments(&self, q: &DepartmentQuery) -> Result<(Vec<Department>, i64)> {
        Ok(self.store.list_departments(q).await?)
    }

    /// Enabled departments with at least one agent (the widget's list).
    pub async fn departments_with_agents(&self) -> Result<Vec<Department>> {
        Ok(self.store.departments_with_agents().await?)
    }
}
