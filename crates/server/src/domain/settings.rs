//! Rocket.Chat's settings: upstream ids and defaults (spec §9), stored values overriding
//! them, and typed access. Reads come from memory; writes go to the store first.

use crate::store::SharedStore;
use parking_lot::RwLock;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Every setting the server reads, with upstream's default. A setting outside this list
/// does not exist (the settings API answers it as upstream answers an unknown id).
pub fn defaults() -> Vec<(&'static str, Value)> {
    vec![
        // The server's public address; its default is `ROOT_URL` (`Settings::default_to`).
        ("Site_Url", json!("")),
        ("Livechat_enabled", json!(true)),
        ("Livechat_title", json!("Rocket.Chat")),
        ("Livechat_title_color", json!("#C1272D")),
        ("Livechat_offline_title", json!("Leave a message")),
        ("Livechat_offline_title_color", json!("#666666")),
        ("Livechat_widget_position", json!("right")),
        ("Livechat_background", json!("")),
        ("Livechat_hide_watermark", json!(false)),
        ("Livechat_Routing_Method", json!("Auto_Selection")),
        ("Livechat_accept_chats_with_no_agents", json!(false)),
        ("Livechat_assign_new_conversation_to_bot", json!(false)),
        ("Livechat_enabled_when_agent_idle", json!(true)),
        ("Livechat_show_queue_list_link", json!(false)),
        (
            "Livechat_guest_pool_max_number_incoming_livechats_displayed",
            json!(0),
        ),
        ("Livechat_guest_count", json!(1)),
        ("Livechat_show_agent_info", json!(true)),
        ("Livechat_show_agent_email", json!(true)),
        (
            "Omnichannel_allow_visitors_to_close_conversation",
            json!(true),
        ),
        (
            "Livechat_request_comment_when_closing_conversation",
            json!(true),
        ),
        ("Omnichannel_allow_force_close_conversations", json!(false)),
        ("Livechat_enable_message_character_limit", json!(false)),
        ("Livechat_message_character_limit", json!(0)),
        ("Livechat_display_offline_form", json!(true)),
        ("Livechat_validate_offline_email", json!(true)),
        ("Livechat_offline_email", json!("")),
        ("Livechat_offline_message", json!("")),
        ("Livechat_offline_success_message", json!("")),
        ("Livechat_offline_form_unavailable", json!("")),
        ("Livechat_conversation_finished_message", json!("")),
        ("Livechat_conversation_finished_text", json!("")),
        ("Livechat_registration_form_message", json!("")),
        ("Livechat_data_processing_consent_text", json!("")),
        (
            "Livechat_force_accept_data_processing_consent",
            json!(false),
        ),
        (
            "Livechat_transcript_message",
            json!("Would you like a copy of this chat emailed?"),
        ),
        ("Livechat_history_monitor_type", json!("url")),
        ("Livechat_Visitor_navigation_as_a_message", json!(false)),
        ("Livechat_fileupload_enabled", json!(true)),
        ("FileUpload_Enabled", json!(true)),
        ("FileUpload_MaxFileSize", json!(104857600)),
        // uploads
        ("FileUpload_MediaTypeWhiteList", json!("")),
        ("FileUpload_MediaTypeBlackList", json!("image/svg+xml")),
        ("FileUpload_ProtectFiles", json!(true)),
        ("Livechat_enable_transcript", json!(false)),
        ("Livechat_transcript_send_always", json!(false)),
        (
            "Livechat_Allow_collect_and_store_HTTP_header_informations",
            json!(false),
        ),
        ("Livechat_registration_form", json!(true)),
        ("Livechat_name_field_registration_form", json!(true)),
        ("Livechat_email_field_registration_form", json!(true)),
        ("Livechat_allow_switching_departments", json!(true)),
        ("Livechat_Show_Connecting", json!(false)),
        ("Livechat_clear_local_storage_when_chat_ended", json!(false)),
        (
            "Livechat_lead_email_regex",
            json!("\\b[A-Z0-9._%+-]+@(?:[A-Z0-9-]+\\.)+[A-Z]{2,4}\\b"),
        ),
        (
            "Livechat_lead_phone_regex",
            json!(
                "((?:\\([0-9]{1,3}\\)|[0-9]{2})[ \\-]*?[0-9]{4,5}(?:[\\-\\s\\_]{1,2})?[0-9]{4}(?:(?=[^0-9])|$)|[0-9]{4,5}(?:[\\-\\s\\_]{1,2})?[0-9]{4}(?:(?=[^0-9])|$))"
            ),
        ),
        ("Livechat_webhookUrl", json!("")),
        ("Livechat_secret_token", json!("")),
        ("Livechat_webhook_on_start", json!(false)),
        ("Livechat_webhook_on_close", json!(false)),
        ("Livechat_webhook_on_chat_taken", json!(false)),
        ("Livechat_webhook_on_chat_queued", json!(false)),
        ("Livechat_webhook_on_forward", json!(false)),
        ("Livechat_webhook_on_offline_msg", json!(false)),
        ("Livechat_webhook_on_visitor_message", json!(false)),
        ("Livechat_webhook_on_agent_message", json!(false)),
        ("Livechat_webhook_on_capture", json!(false)),
        ("Livechat_agent_leave_action", json!("none")),
        ("Livechat_agent_leave_action_timeout", json!(60)),
        ("Livechat_agent_leave_comment", json!("")),
        ("Livechat_visitor_inactivity_timeout", json!(3600)),
        ("Omnichannel_queue_delay_timeout", json!(5)),
        ("Omnichannel_call_provider", json!("none")),
        (
            "Omnichannel_Metrics_Ignore_Automatic_Messages",
            json!(false),
        ),
        ("Livechat_waiting_queue", json!(false)),
        ("Livechat_enable_business_hours", json!(false)),
        ("Unread_Count_Omni", json!("all_messages")),
        ("Livechat_maximum_chats_per_agent", json!(0)),
        ("Omnichannel_enable_department_removal", json!(false)),
        ("Message_AllowEditing", json!(true)),
        ("Message_AllowDeleting", json!(true)),
        ("Message_MaxAllowedSize", json!(5000)),
        ("Message_Read_Receipt_Enabled", json!(false)),
        ("Store_Last_Message", json!(true)),
        ("Hide_System_Messages", json!([])),
        ("Language", json!("")),
        ("Accounts_CustomFields", json!("")),
        // e-mail (the mailer's SMTP settings), transcripts, webhooks
        ("SMTP_Protocol", json!("smtp")),
        ("SMTP_Host", json!("")),
        ("SMTP_Port", json!("")),
        ("SMTP_IgnoreTLS", json!(true)),
        ("SMTP_Username", json!("")),
        ("SMTP_Password", json!("")),
        ("From_Email", json!("")),
        ("Livechat_transcript_email_subject", json!("")),
        ("Livechat_http_timeout", json!(5000)),
        (
            "Send_visitor_navigation_history_livechat_webhook_request",
            json!(false),
        ),
        ("API_Enable_Rate_Limiter", json!(true)),
        ("API_Enable_Rate_Limiter_Limit_Calls_Default", json!(10)),
        ("API_Enable_Rate_Limiter_Limit_Time_Default", json!(60000)),
        // brute-force protection and login expiry (upstream's accounts settings)
        ("Block_Multiple_Failed_Logins_Enabled", json!(true)),
        ("Block_Multiple_Failed_Logins_By_User", json!(true)),
        (
            "Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User",
            json!(10),
        ),
        (
            "Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes",
            json!(5),
        ),
        ("Block_Multiple_Failed_Logins_By_Ip", json!(true)),
        (
            "Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip",
            json!(50),
        ),
        (
            "Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes",
            json!(5),
        ),
        ("Block_Multiple_Failed_Logins_Ip_Whitelist", json!("")),
        ("Accounts_LoginExpiration", json!(90)),
        // serving the widget and avatars
        ("Livechat_AllowedDomainsList", json!("")),
        ("Accounts_AvatarCacheTime", json!(3600)),
        ("UI_Use_Name_Avatar", json!(false)),
        // Upstream EE's canned responses module (`canned-responses`), here for everyone.
        ("Canned_Responses_Enable", json!(true)),
    ]
}

/// The settings upstream registers with `public: true`: anyone may read them
/// (`settings.public`, and Meteor's client-side settings collection).
pub const PUBLIC: &[&str] = &[
    "Site_Url",
    "Language",
    "Livechat_enabled",
    "Livechat_title",
    "Livechat_title_color",
    "Livechat_offline_title",
    "Livechat_offline_title_color",
    "Livechat_display_offline_form",
    "Livechat_offline_message",
    "Livechat_offline_success_message",
    "Livechat_offline_form_unavailable",
    "Livechat_registration_form",
    "Livechat_name_field_registration_form",
    "Livechat_email_field_registration_form",
    "Livechat_registration_form_message",
    "Livechat_conversation_finished_message",
    "Livechat_conversation_finished_text",
    "Livechat_fileupload_enabled",
    "Livechat_show_queue_list_link",
    "Livechat_enable_message_character_limit",
    "Livechat_message_character_limit",
    "Livechat_history_monitor_type",
    "Livechat_Visitor_navigation_as_a_message",
    "Livechat_enable_transcript",
    "Livechat_transcript_message",
    "Livechat_allow_switching_departments",
    "Omnichannel_call_provider",
    "FileUpload_Enabled",
    "FileUpload_MaxFileSize",
    "FileUpload_MediaTypeWhiteList",
    "FileUpload_MediaTypeBlackList",
    "Message_AllowEditing",
    "Message_AllowDeleting",
    "Message_MaxAllowedSize",
    "Message_Read_Receipt_Enabled",
    "Hide_System_Messages",
    "Accounts_CustomFields",
    "Accounts_AvatarCacheTime",
    "UI_Use_Name_Avatar",
    "Canned_Responses_Enable",
    "Livechat_enable_business_hours",
];

#[derive(Clone)]
pub struct Settings {
    values: Arc<RwLock<HashMap<String, Value>>>,
    /// Where a change is announced, so other instances re-read it (weak: the bus's
    /// listeners hold the settings).
    bus: Arc<RwLock<Option<std::sync::Weak<dyn crate::bus::Bus>>>>,
    /// Held across a re-read and across a write (store, then memory), so a re-read that
    /// read the store before a write cannot put the old value back after it.
    sync: Arc<tokio::sync::Mutex<()>>,
}

impl Settings {
    pub async fn load(store: &SharedStore) -> crate::error::Result<Self> {
        let mut values: HashMap<String, Value> = defaults()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        for (k, v) in store.settings().await? {
            if values.contains_key(&k) {
                values.insert(k, v);
            }
        }
        Ok(Settings {
            values: Arc::new(RwLock::new(values)),
            bus: Default::default(),
            sync: Default::default(),
        })
    }

    pub fn notify_on(&self, bus: &crate::bus::SharedBus) {
        *self.bus.write() = Some(Arc::downgrade(bus));
    }

    /// Re-reads every stored value (another instance changed one, or events were missed).
    pub async fn reload(&self, store: &SharedStore) -> crate::error::Result<()> {
        let _sync = self.sync.lock().await;
        for (k, v) in store.settings().await? {
            self.apply(&k, v);
        }
        Ok(())
    }

    /// A default known only at start (`Site_Url` from `ROOT_URL`): taken unless a value
    /// was stored.
    pub fn default_to(&self, id: &str, value: Value) {
        let mut values = self.values.write();
        if values.get(id).is_some_and(|v| v.as_str() == Some("")) {
            values.insert(id.to_string(), value);
        }
    }

    /// The public settings (`settings.public`), by id; only `ids` when given.
    pub fn public(&self, ids: Option<&[String]>) -> Vec<(String, Value)> {
        let values = self.values.read();
        let mut out: Vec<(String, Value)> = PUBLIC
            .iter()
            .filter(|id| ids.is_none_or(|want| want.iter().any(|w| w == *id)))
            .filter_map(|id| values.get(*id).map(|v| (id.to_string(), v.clone())))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    pub fn exists(&self, id: &str) -> bool {
        self.values.read().contains_key(id)
    }
    pub fn get(&self, id: &str) -> Option<Value> {
        self.values.read().get(id).cloned()
    }
    pub fn bool(&self, id: &str) -> bool {
        self.values
            .read()
            .get(id)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
    pub fn str(&self, id: &str) -> String {
        self.values
            .read()
            .get(id)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }
    pub fn i64(&self, id: &str) -> i64 {
        self.values
            .read()
            .get(id)
            .and_then(Value::as_i64)
            .unwrap_or(0)
    }
    /// Stores the value first, then makes it visible (what readers see is always durable).
    pub async fn set(
        &self,
        store: &SharedStore,
        id: &str,
        value: Value,
    ) -> crate::error::Result<()> {
        let sync = self.sync.lock().await;
        store.put_setting(id, &value).await?;
        self.values.write().insert(id.to_string(), value);
        drop(sync);
        let bus = self.bus.read().as_ref().and_then(std::sync::Weak::upgrade);
        if let Some(bus) = bus {
            bus.publish(crate::bus::Event::SettingChanged { id: id.to_string() });
        }
        Ok(())
    }
    /// Applies a value already stored (by another instance, or at start).
    pub fn apply(&self, id: &str, value: Value) {
        if self.exists(id) {
            self.values.write().insert(id.to_string(), value);
        }
    }
}

/// The widget's appearance, as `livechat/appearance` lists and edits it (upstream's list
/// and order). `Livechat_hide_system_messages` is an Enterprise setting upstream: accepted
/// in an edit and ignored, as upstream's Community Edition does.
pub const APPEARANCE: &[&str] = &[
    "Livechat_title",
    "Livechat_title_color",
    "Livechat_enable_message_character_limit",
    "Livechat_message_character_limit",
    "Livechat_show_agent_info",
    "Livechat_show_agent_email",
    "Livechat_display_offline_form",
    "Livechat_offline_form_unavailable",
    "Livechat_offline_message",
    "Livechat_offline_success_message",
    "Livechat_offline_title",
    "Livechat_offline_title_color",
    "Livechat_offline_email",
    "Livechat_conversation_finished_message",
    "Livechat_registration_form",
    "Livechat_name_field_registration_form",
    "Livechat_email_field_registration_form",
    "Livechat_registration_form_message",
    "Livechat_conversation_finished_text",
    "Livechat_hide_watermark",
    "Livechat_background",
    "Livechat_widget_position",
    "Livechat_hide_system_messages",
    "Omnichannel_allow_visitors_to_close_conversation",
];

/// A setting's type as upstream declares it (what the console renders an input for).
fn setting_type(id: &str, default: &Value) -> &'static str {
    match id {
        "Livechat_title_color" | "Livechat_offline_title_color" => "color",
        "Livechat_widget_position" => "select",
        _ => match default {
            Value::Bool(_) => "boolean",
            Value::Number(_) => "int",
            Value::Array(_) => "multiSelect",
            _ => "string",
        },
    }
}

/// Upstream's `coerceInt`: numbers as they are, numeric text parsed (`parseInt`), anything
/// else 0.
fn coerce_int(v: &Value) -> Value {
    match v {
        Value::Number(n) => Value::Number(n.clone()),
        Value::String(s) => {
            let t = s.trim_start();
            let (sign, digits) = match t.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, t.strip_prefix('+').unwrap_or(t)),
            };
            let end = digits
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(digits.len());
            json!(digits[..end].parse::<i64>().map_or(0, |n| sign * n))
        }
        _ => json!(0),
    }
}

/// The webhook settings, as `livechat/integrations.settings` lists them and
/// `omnichannel/integrations` sets them (upstream's `findIntegrationSettings`).
pub const INTEGRATION: &[&str] = &[
    "Livechat_webhookUrl",
    "Livechat_secret_token",
    "Livechat_http_timeout",
    "Livechat_webhook_on_start",
    "Livechat_webhook_on_close",
    "Livechat_webhook_on_chat_taken",
    "Livechat_webhook_on_chat_queued",
    "Livechat_webhook_on_forward",
    "Livechat_webhook_on_offline_msg",
    "Livechat_webhook_on_visitor_message",
    "Livechat_webhook_on_agent_message",
];

impl super::Livechat {
    /// `GET livechat/appearance`: each appearance setting as a settings document.
    pub fn appearance(&self) -> Vec<Value> {
        self.setting_documents(APPEARANCE)
    }

    /// `GET livechat/integrations.settings`: the webhook settings as settings documents.
    pub fn integration_settings(&self) -> Vec<Value> {
        self.setting_documents(INTEGRATION)
    }

    /// `POST omnichannel/integrations`: the webhook settings sent (already typed by the
    /// handler), written when they change.
    pub async fn save_integration_settings(
        &self,
        items: &[(&str, Value)],
    ) -> crate::error::Result<()> {
        for (id, value) in items {
            if INTEGRATION.contains(id) && self.settings.get(id).as_ref() != Some(value) {
                self.settings.set(&self.store, id, value.clone()).await?;
            }
        }
        Ok(())
    }

    /// Settings as upstream's documents: `_id`, `type`, `value`, `packageValue`, `i18nLabel`.
    fn setting_documents(&self, ids: &[&str]) -> Vec<Value> {
        let defaults: HashMap<&str, Value> = defaults().into_iter().collect();
        ids.iter()
            .filter_map(|id| {
                let default = defaults.get(id)?;
                Some(json!({
                    "_id": id,
                    "type": setting_type(id, default),
                    "value": self.settings.get(id)?,
                    "packageValue": default,
                    "i18nLabel": id,
                }))
            })
            .collect()
    }

    /// `POST livechat/appearance`: every id must be an appearance setting (else
    /// `invalid-setting`, nothing saved); values are coerced to the setting's type as upstream
    /// does (`"true"`/`true` for a boolean, `parseInt` or 0 for a number). Stricter than
    /// upstream: a text setting takes text only and the position is `left` or `right`,
    /// refused before anything is saved. Unchanged values are not written again.
    pub async fn save_appearance(&self, items: &[(String, Value)]) -> crate::error::Result<()> {
        use crate::error::Code;
        if items
            .iter()
            .any(|(id, _)| !APPEARANCE.contains(&id.as_str()))
        {
            return Err(Code::InvalidSetting.into());
        }
        let defaults: HashMap<&str, Value> = defaults().into_iter().collect();
        let mut changes = Vec::new();
        for (id, value) in items {
            // Not a setting here (upstream's Enterprise-only ones): skipped, as upstream.
            let Some(default) = defaults.get(id.as_str()) else {
                continue;
            };
            let value = match setting_type(id, default) {
                "boolean" => json!(value == &json!(true) || value == &json!("true")),
                "int" => coerce_int(value),
                "select" => match value.as_str() {
                    Some("left" | "right") => value.clone(),
                    _ => return Err(Code::InvalidSettingValue.into()),
                },
                _ if value.is_string() => value.clone(),
                _ => return Err(Code::InvalidSettingValue.into()),
            };
            if self.settings.get(id).as_ref() != Some(&value) {
                changes.push((id.clone(), value));
            }
        }
        for (id, value) in changes {
            self.settings.set(&self.store, &id, value).await?;
        }
        Ok(())
    }

    /// `settings/:_id`: stored first, then visible here and on every instance.
    pub async fn set_setting(&self, id: &str, value: Value) -> crate::error::Result<()> {
        let before = self.settings.get(id);
        self.settings.set(&self.store, id, value.clone()).await?;
        if id == "Livechat_enable_business_hours" && before.as_ref() != Some(&value) {
            self.business_hours_switched(value == json!(true)).await?;
        }
        // Upstream's queue worker starts when the method turns auto-assigning and routes
        // the chats left waiting under Manual_Selection.
        if id == "Livechat_Routing_Method" && before.as_ref() != Some(&value) {
            self.process_queue().await?;
        }
        Ok(())
    }

    /// Does the database answer (`/health`)?
    pub async fn store_answers(&self) -> bool {
        self.store.room("").await.is_ok()
    }
}
