//! Webhooks to the site's CRM (upstream's `sendToCRM` and its callbacks) and lead capture
//! (e-mail addresses and phone numbers found in visitor messages go into the visitor).
//! Payloads are built when the event happens and committed to the outbox; the HTTP call
//! happens in the background.

use super::Livechat;
use crate::error::Result;
use crate::model::{Message, Phone, Room, VisitorEmail};
use serde_json::{Map, Value, json};

/// Which messages a payload carries (upstream's `includeMessages`).
pub enum CrmMessages {
    All,
    These(Vec<Message>),
    None,
}

/// Extra room fields per event type (upstream's `getAdditionalFieldsByType`).
pub struct Forwarded {
    pub old_department_id: Option<String>,
    pub old_served_by: Option<Value>,
}

fn put<T: serde::Serialize>(m: &mut Map<String, Value>, k: &str, v: &Option<T>) {
    if let Some(v) = v
        && let Ok(v) = serde_json::to_value(v)
    {
        m.insert(k.into(), v);
    }
}

impl Livechat {
    /// The CRM answered a webhook with 200: its body becomes the room's `crmData`
    /// (upstream's `sendRequest` callback).
    pub async fn save_crm_data(&self, rid: &str, body: String) -> Result<()> {
        let data = Value::String(body);
        self.store
            .modify_room(
                rid,
                Box::new(move |r| {
                    r.crm_data = Some(data.clone());
                    Ok(())
                }),
            )
            .await?;
        Ok(())
    }

    /// `sendMessageType`: the typed messages a webhook carries.
    fn crm_sends_type(&self, t: &str) -> bool {
        match t {
            "livechat-close" => true,
            "livechat_navigation_history" => {
                self.settings
                    .bool("Livechat_Visitor_navigation_as_a_message")
                    && self
                        .settings
                        .bool("Send_visitor_navigation_history_livechat_webhook_request")
            }
            _ => false,
        }
    }

    /// The payload of `sendToCRM(type, room, includeMessages)`; `None` when the room's
    /// visitor is gone (upstream's callback throws and nothing is sent).
    pub async fn crm_payload(
        &self,
        kind: &str,
        room: &Room,
        messages: CrmMessages,
        forwarded: Option<&Forwarded>,
    ) -> Result<Option<Value>> {
        let Some(visitor) = self
            .store
            .visitor(&room.v.id)
            .await?
            .filter(|v| !v.disabled)
        else {
            return Ok(None);
        };
        let mut p = Map::new();
        p.insert("_id".into(), json!(room.id));
        p.insert("label".into(), json!(room.fname));
        put(&mut p, "topic", &room.topic);
        p.insert("createdAt".into(), json!(room.ts));
        put(&mut p, "lastMessageAt", &room.lm);
        put(&mut p, "tags", &room.tags);
        put(&mut p, "customFields", &room.livechat_data);
        let mut v = Map::new();
        v.insert("_id".into(), json!(visitor.id));
        put(&mut v, "token", &visitor.token);
        put(&mut v, "name", &visitor.name);
        put(&mut v, "username", &visitor.username);
        put(&mut v, "department", &visitor.department);
        put(&mut v, "ip", &visitor.ip);
        put(&mut v, "customFields", &visitor.livechat_data);
        if let Some(e) = visitor.visitor_emails.as_ref().filter(|e| !e.is_empty()) {
            v.insert("email".into(), json!(e));
        }
        if let Some(ph) = visitor.phone.as_ref().filter(|p| !p.is_empty()) {
            v.insert("phone".into(), json!(ph));
        }
        p.insert("visitor".into(), Value::Object(v));
        if let Some(sb) = &room.served_by
            && let Some(agent) = self.store.user(&sb.id).await?
        {
            let mut a = Map::new();
            a.insert("_id".into(), json!(agent.id));
            a.insert("username".into(), json!(agent.username));
            put(&mut a, "name", &agent.name);
            if let Some(e) = agent.first_email() {
                a.insert("email".into(), json!(e));
            }
            p.insert("agent".into(), Value::Object(a));
        }
        put(&mut p, "crmData", &room.crm_data);
        p.insert("type".into(), json!(kind));
        let list = match messages {
            CrmMessages::All => {
                let mut all = self.store.messages_of_room(&room.id).await?;
                all.retain(|m| !m.hidden);
                all.sort_by_key(|m| m.ts);
                all
            }
            CrmMessages::These(m) => m,
            CrmMessages::None => Vec::new(),
        };
        let visitor_username = visitor.username.clone().unwrap_or_default();
        let mut out = Vec::new();
        for m in list {
            if let Some(t) = m.t.as_deref()
                && !self.crm_sends_type(t)
            {
                continue;
            }
            let mut e = Map::new();
            e.insert("u".into(), serde_json::to_value(&m.u)?);
            e.insert("_id".into(), json!(m.id));
            e.insert("username".into(), json!(m.u.username));
            if !m.msg.is_empty() {
                e.insert("msg".into(), json!(m.msg));
            }
            e.insert("ts".into(), json!(m.ts));
            e.insert("rid".into(), json!(m.rid));
            put(&mut e, "editedAt", &m.edited_at);
            if m.u.username != visitor_username {
                e.insert("agentId".into(), json!(m.u.id));
            }
            if m.t.as_deref() == Some("livechat_navigation_history") {
                put(&mut e, "navigation", &m.navigation);
            }
            if m.t.as_deref() == Some("livechat-close") {
                e.insert("closingMessage".into(), json!(true));
            }
            if m.file.is_some() {
                put(&mut e, "file", &m.file);
                put(&mut e, "attachments", &m.attachments);
            }
            e.insert("_updatedAt".into(), json!(m.updated_at));
            out.push(Value::Object(e));
        }
        p.insert("messages".into(), Value::Array(out));
        match kind {
            "LivechatSessionStart" | "LivechatSessionQueued" => {
                put(&mut p, "departmentId", &room.department_id);
            }
            "LivechatSession" => {
                put(&mut p, "departmentId", &room.department_id);
                put(&mut p, "servedBy", &room.served_by);
                put(&mut p, "closedAt", &room.closed_at);
                put(&mut p, "closedBy", &room.closed_by);
                put(&mut p, "closer", &room.closer);
            }
            "LivechatSessionTaken" => {
                put(&mut p, "departmentId", &room.department_id);
                put(&mut p, "servedBy", &room.served_by);
            }
            "LivechatSessionForwarded" => {
                put(&mut p, "departmentId", &room.department_id);
                put(&mut p, "servedBy", &room.served_by);
                if let Some(f) = forwarded {
                    put(&mut p, "oldDepartmentId", &f.old_department_id);
                    put(&mut p, "oldServedBy", &f.old_served_by);
                }
            }
            _ => {}
        }
        Ok(Some(Value::Object(p)))
    }

    /// `sendToCRM`: builds the payload and queues the call (nothing without a webhook URL).
    pub async fn send_to_crm(
        &self,
        kind: &str,
        room: &Room,
        messages: CrmMessages,
        forwarded: Option<&Forwarded>,
    ) -> Result<()> {
        if self.settings.str("Livechat_webhookUrl").trim().is_empty() {
            return Ok(());
        }
        if let Some(body) = self.crm_payload(kind, room, messages, forwarded).await? {
            self.queue_webhook(body, Some(&room.id)).await?;
        }
        Ok(())
    }

    /// A room event's webhook when its `Livechat_webhook_on_*` setting is on.
    pub async fn room_webhook(&self, setting: &str, kind: &str, rid: &str) -> Result<()> {
        if !self.settings.bool(setting) || self.settings.str("Livechat_webhookUrl").is_empty() {
            return Ok(());
        }
        if let Some(room) = self.store.room(rid).await? {
            self.send_to_crm(kind, &room, CrmMessages::All, None)
                .await?;
        }
        Ok(())
    }

    /// `afterOmnichannelSaveMessage`: the message webhooks, then lead capture.
    pub async fn after_omnichannel_message(&self, m: &Message, room: &Room) -> Result<()> {
        let from_visitor = m.token.is_some();
        let setting = if from_visitor {
            "Livechat_webhook_on_visitor_message"
        } else {
            "Livechat_webhook_on_agent_message"
        };
        if self.settings.bool(setting) && m.t.as_deref().is_none_or(|t| self.crm_sends_type(t)) {
            self.send_to_crm("Message", room, CrmMessages::These(vec![m.clone()]), None)
                .await?;
        }
        if from_visitor && m.t.is_none() && m.edited_at.is_none() {
            self.lead_capture(m, room).await?;
        }
        Ok(())
    }

    /// Upstream's `leadCapture` hook: every match of the phone and e-mail regexes is added
    /// to the visitor (`$addToSet`), then the capture webhook fires.
    async fn lead_capture(&self, m: &Message, room: &Room) -> Result<()> {
        let phones = js_matches(
            &self.settings.str("Livechat_lead_phone_regex"),
            false,
            &m.msg,
        );
        let emails = js_matches(
            &self.settings.str("Livechat_lead_email_regex"),
            true,
            &m.msg,
        );
        if phones.is_empty() && emails.is_empty() {
            return Ok(());
        }
        let phones: Vec<String> = phones
            .into_iter()
            .filter(|p| p.trim().chars().any(|c| c.is_ascii_digit()))
            .collect();
        let now = self.now();
        let (e2, p2) = (emails.clone(), phones.clone());
        let updated = self
            .store
            .modify_visitor(
                &room.v.id,
                Box::new(move |v| {
                    if !e2.is_empty() {
                        let list = v.visitor_emails.get_or_insert_with(Vec::new);
                        for e in &e2 {
                            if !list.iter().any(|x| &x.address == e) {
                                list.push(VisitorEmail { address: e.clone() });
                            }
                        }
                    }
                    if !p2.is_empty() {
                        let list = v.phone.get_or_insert_with(Vec::new);
                        for p in &p2 {
                            if !list.iter().any(|x| &x.phone_number == p) {
                                list.push(Phone {
                                    phone_number: p.clone(),
                                });
                            }
                        }
                    }
                    v.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        if updated.is_some() && self.settings.bool("Livechat_webhook_on_capture") {
            self.send_to_crm("LeadCapture", room, CrmMessages::None, None)
                .await?;
        }
        Ok(())
    }
}

/// `text.match(new RegExp(pattern, flags))` with the `g` flag: every match, without
/// duplicates or empties; an invalid pattern matches nothing (upstream's `safeMatch`).
pub fn js_matches(pattern: &str, ignore_case: bool, text: &str) -> Vec<String> {
    if pattern.is_empty() {
        return Vec::new();
    }
    let Some(re) = compiled(pattern, ignore_case) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for m in re.find_iter(text) {
        let Ok(m) = m else { break };
        let s = m.as_str().to_string();
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The compiled form of a settings regex. Compiling costs about as much as the rest of a
/// visitor message's handling together, and the patterns change only with their settings, so
/// the few in use are kept (an invalid pattern too, as `None`).
fn compiled(pattern: &str, ignore_case: bool) -> Option<std::sync::Arc<fancy_regex::Regex>> {
    use std::collections::HashMap;
    use std::sync::{Arc, OnceLock};
    type Cache = parking_lot::Mutex<HashMap<(String, bool), Option<Arc<fancy_regex::Regex>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (pattern.to_string(), ignore_case);
    if let Some(re) = cache.lock().get(&key) {
        return re.clone();
    }
    let src = if ignore_case {
        format!("(?i){pattern}")
    } else {
        pattern.to_string()
    };
    let re = fancy_regex::Regex::new(&src).ok().map(Arc::new);
    let mut cache = cache.lock();
    // Old settings' patterns are not worth keeping: a handful are in use at a time.
    if cache.len() >= 32 {
        cache.clear();
    }
    cache.insert(key, re.clone());
    re
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::defaults;

    fn setting(id: &str) -> String {
        defaults()
            .into_iter()
            .find(|(k, _)| *k == id)
            .and_then(|(_, v)| v.as_str().map(str::to_string))
            .unwrap()
    }

    #[test]
    fn default_regexes_find_leads() {
        let email = setting("Livechat_lead_email_regex");
        let phone = setting("Livechat_lead_phone_regex");
        assert_eq!(
            js_matches(
                &email,
                true,
                "mail me at Mary@Example.com or mary@example.com, mary@example.com"
            ),
            vec!["Mary@Example.com", "mary@example.com"]
        );
        assert_eq!(
            js_matches(&phone, false, "call (11) 98765-4321 today"),
            vec!["(11) 98765-4321"]
        );
        assert!(js_matches(&phone, false, "no digits here").is_empty());
        assert!(js_matches("(", false, "x").is_empty());
    }
}
