//! Documents as upstream shapes them (`rocketchat_room`, `rocketchat_message`, `users`, …).
//! Field order follows the order upstream writes them; optional fields are absent, never
//! `null`; unknown fields written by other tools are kept in `extra` and passed through.

use crate::time::Ts;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

fn is_false(b: &bool) -> bool {
    !*b
}

/// `{_id, username, name?}` as in a message's `u`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct UserRef {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Email {
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(rename = "_id")]
    pub id: String,
    pub created_at: Ts,
    pub username: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub roles: Vec<String>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_connection: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utc_offset: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_livechat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub livechat_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub livechat: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_routing_time: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Value>,
    /// The business hours open for this agent now (upstream's `openBusinessHours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_business_hours: Option<Vec<String>>,
    /// `statusLivechat` was set by the business hours closing, not by the agent: opening
    /// them again makes the agent available again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub livechat_status_system_modified: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl User {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
    pub fn user_ref(&self) -> UserRef {
        UserRef {
            id: self.id.clone(),
            username: self.username.clone(),
            name: self.name.clone(),
        }
    }
    pub fn first_email(&self) -> Option<&str> {
        self.emails.first().map(|e| e.address.as_str())
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct VisitorEmail {
    pub address: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub phone_number: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct LastChat {
    #[serde(rename = "_id")]
    pub id: String,
    pub ts: Ts,
}

/// `rocketchat_livechat_visitor`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Visitor {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitor_emails: Option<Vec<VisitorEmail>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Vec<Phone>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub livechat_data: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_chat: Option<LastChat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
    /// The contact this visitor is a channel of (upstream's `contactId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Visitor {
    pub fn username(&self) -> &str {
        self.username.as_deref().unwrap_or("")
    }
    pub fn token(&self) -> &str {
        self.token.as_deref().unwrap_or("")
    }
    pub fn first_email(&self) -> Option<&str> {
        self.visitor_emails
            .as_ref()
            .and_then(|e| e.first())
            .map(|e| e.address.as_str())
    }
    pub fn first_phone(&self) -> Option<&str> {
        self.phone
            .as_ref()
            .and_then(|p| p.first())
            .map(|p| p.phone_number.as_str())
    }
}

/// A room's `v`: the visitor as the room knows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomVisitor {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: String,
    pub token: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message_ts: Option<Ts>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ServedBy {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: String,
    pub ts: Ts,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Source {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `rocketchat_room` with `t: "l"`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    #[serde(rename = "_id")]
    pub id: String,
    pub msgs: i64,
    pub users_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lm: Option<Ts>,
    pub fname: String,
    pub t: String,
    pub ts: Ts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    pub v: RoomVisitor,
    pub cl: bool,
    /// Present (and true) while the room is open; upstream unsets it on close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_response: Option<bool>,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued_at: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_weight: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_waiting_time_queue: Option<i64>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub served_by: Option<ServedBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_by: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub livechat_data: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript_request: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey_feedback: Option<Value>,
    /// What the CRM answered to the last webhook about this room (upstream's `crmData`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crm_data: Option<Value>,
    /// The visitor's contact when the room was created (upstream's `contactId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
}

impl Room {
    pub fn is_open(&self) -> bool {
        self.open == Some(true)
    }
    pub fn served_by_id(&self) -> Option<&str> {
        self.served_by.as_ref().map(|s| s.id.as_str())
    }
}

/// One way a contact was reached (7.0's `ILivechatContactChannel`): a visitor, by the
/// source type of its rooms.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContactChannel {
    pub name: String,
    pub visitor_id: String,
    pub blocked: bool,
    pub verified: bool,
    /// The room's `source`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Source>,
}

/// `rocketchat_livechat_contact` (7.0's `ILivechatContact`, as its e2e tests of October 2024
/// read it: e-mails and phones as plain strings).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phones: Option<Vec<String>>,
    /// A livechat agent's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_manager: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<ContactChannel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    pub unknown: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_chat: Option<LastChat>,
    pub created_at: Ts,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

/// `rocketchat_livechat_inquiry`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Inquiry {
    #[serde(rename = "_id")]
    pub id: String,
    pub rid: String,
    pub name: String,
    pub ts: Ts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    pub message: String,
    pub status: String,
    pub v: RoomVisitor,
    pub t: String,
    pub priority_weight: i64,
    pub estimated_waiting_time_queue: i64,
    pub source: Source,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued_at: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_agent: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

pub mod inquiry_status {
    pub const READY: &str = "ready";
    pub const QUEUED: &str = "queued";
    pub const TAKEN: &str = "taken";
}

/// A stored document's JSON text as the store holds it. Every stored document was written by
/// serde from our own types, so it goes out as it is: no parse per document on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocJson(pub String);

impl DocJson {
    pub fn get(&self) -> &str {
        &self.0
    }
}

/// `rocketchat_message`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<String>,
    pub rid: String,
    pub msg: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub ts: Ts,
    pub u: UserRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groupable: Option<bool>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentions: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md: Option<Value>,
    #[serde(rename = "_hidden", default, skip_serializing_if = "is_false")]
    pub hidden: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_by: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript_requested: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_data: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub navigation: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<Value>>,
    /// Navigation history saved before the visitor had a room: epoch ms (upstream's number).
    #[serde(rename = "expireAt", skip_serializing_if = "Option::is_none")]
    pub expire_at: Option<i64>,
    /// Who asked for a transcript (`livechat_transcript_history`).
    #[serde(rename = "requestData", skip_serializing_if = "Option::is_none")]
    pub request_data: Option<Value>,
}

impl Message {
    /// A system message as `Message.saveSystemMessage(type, rid, msg, user)` writes it.
    pub fn system(id: String, t: &str, rid: &str, msg: &str, u: UserRef, now: Ts) -> Self {
        Message {
            id,
            t: Some(t.to_string()),
            rid: rid.to_string(),
            msg: msg.to_string(),
            token: None,
            alias: None,
            ts: now,
            u,
            groupable: Some(false),
            updated_at: now,
            urls: None,
            mentions: None,
            channels: None,
            md: None,
            hidden: false,
            edited_at: None,
            edited_by: None,
            transcript_requested: None,
            transfer_data: None,
            navigation: None,
            attachments: None,
            file: None,
            files: None,
            expire_at: None,
            request_data: None,
        }
    }
}

/// `rocketchat_subscription` for an agent in a livechat room.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    #[serde(rename = "_id")]
    pub id: String,
    pub rid: String,
    pub name: String,
    pub fname: String,
    pub alert: bool,
    pub open: bool,
    pub unread: i64,
    pub user_mentions: i64,
    pub group_mentions: i64,
    pub u: UserRef,
    pub t: String,
    pub desktop_notifications: String,
    pub mobile_push_notifications: String,
    pub email_notifications: String,
    pub v: RoomVisitor,
    pub ts: Ts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

/// `rocketchat_livechat_department`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Department {
    #[serde(rename = "_id")]
    pub id: String,
    pub enabled: bool,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub show_on_registration: bool,
    pub show_on_offline_form: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_tag_before_closing_chat: Option<bool>,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_closing_tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline_message_channel_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_forward_department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departments_allowed_to_forward: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_number_simultaneous_chat: Option<i64>,
    pub num_agents: i64,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `rocketchat_livechat_department_agents`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentAgent {
    #[serde(rename = "_id")]
    pub id: String,
    pub agent_id: String,
    pub department_id: String,
    pub department_enabled: bool,
    pub username: String,
    pub count: i64,
    pub order: i64,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

/// An agent chosen for a room: `{agentId, username}` (upstream's `SelectedAgent`).
#[derive(Clone, Debug, PartialEq)]
pub struct SelectedAgent {
    pub agent_id: String,
    pub username: String,
}

/// JavaScript prints whole doubles without a fraction (`24`, not `24.0`).
pub fn js_number<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => s.serialize_i64(*x as i64),
        Some(x) => s.serialize_f64(*x),
        None => s.serialize_none(),
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default, utoipa::ToSchema)]
pub struct Reaction {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "js_number")]
    pub ft: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "js_number")]
    pub tt: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default, utoipa::ToSchema)]
pub struct Response {
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "js_number")]
    pub avg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "js_number")]
    pub ft: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "js_number")]
    pub tt: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default, utoipa::ToSchema)]
pub struct VisitorMetrics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lq: Option<Ts>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default, utoipa::ToSchema)]
pub struct AgentMetrics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lr: Option<Ts>,
}

/// A room's `metrics` (seconds as doubles, dates as dates), in the seed's key order.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaction: Option<Reaction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v: Option<VisitorMetrics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub served_by: Option<AgentMetrics>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "js_number")]
    pub chat_duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "js_number")]
    pub service_time_duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "js_number")]
    pub visitor_inactivity: Option<f64>,
}

// Custom fields, triggers, uploads

/// `rocketchat_livechat_custom_field`, keys in the order upstream's save writes them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CustomField {
    pub label: String,
    pub scope: String,
    pub visibility: String,
    /// `type`, `regexp`, `required`, `defaultValue`, `options`, `public`, `searchable`, …
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

impl CustomField {
    pub fn regexp(&self) -> Option<&str> {
        self.extra
            .get("regexp")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
    }
    pub fn required(&self) -> bool {
        self.extra.get("required").and_then(Value::as_bool) == Some(true)
    }
}

/// `rocketchat_livechat_trigger`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub description: String,
    pub enabled: bool,
    pub run_once: bool,
    pub conditions: Vec<Value>,
    pub actions: Vec<Value>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

/// `rocketchat_livechat_business_hour`: opening hours in a timezone, one entry per weekday.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BusinessHour {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub active: bool,
    /// `default` (the one every site has) or `custom`.
    #[serde(rename = "type")]
    pub kind: String,
    pub ts: Ts,
    pub work_hours: Vec<WorkHour>,
    pub timezone: BusinessHourTimezone,
    #[serde(rename = "_updatedAt", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Ts>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WorkHour {
    /// `Monday` … `Sunday`, in the business hour's timezone.
    pub day: String,
    pub start: WorkTime,
    pub finish: WorkTime,
    pub open: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<Value>,
}

/// A local `HH:mm`, and the same instant as weekday and time in UTC and on the server's
/// clock (`cron`), as upstream stores them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WorkTime {
    pub time: String,
    pub utc: DayTime,
    pub cron: DayTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DayTime {
    pub day_of_week: String,
    pub time: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BusinessHourTimezone {
    pub name: String,
    pub utc: String,
}

/// `rocketchat_uploads`: a stored file and who may read it (through its room).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub size: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub rid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitor_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub store: String,
    pub complete: bool,
    pub uploading: bool,
    pub extension: String,
    pub progress: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub uploaded_at: Ts,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
    /// Where the bytes are, for the `FileStorage` that wrote them.
    pub path: String,
    /// Hex SHA-256 of the bytes.
    pub etag: String,
    /// An agent's upload not yet sent (`rooms.media`): removed after this unless
    /// `rooms.mediaConfirm` sends it first (upstream's temporary files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Ts>,
    /// Upstream's `identify`: an image's `{size: {width, height}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identify: Option<Value>,
}

/// `rocketchat_permissions`: which roles hold a permission.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Permission {
    #[serde(rename = "_id")]
    pub id: String,
    pub roles: Vec<String>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

/// `rocketchat_roles`: a role users (scope `Users`) or room members (`Subscriptions`) hold.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Role {
    #[serde(rename = "_id")]
    pub id: String,
    pub scope: String,
    pub description: String,
    pub mandatory2fa: bool,
    pub name: String,
    pub protected: bool,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

/// `rocketchat_canned_response` (upstream's `IOmnichannelCannedResponse`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CannedResponse {
    #[serde(rename = "_id")]
    pub id: String,
    pub shortcut: String,
    pub text: String,
    /// `global`, `department` or `user`.
    pub scope: String,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub created_by: UserRef,
    #[serde(rename = "_createdAt")]
    pub created_at: Ts,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

/// `rocketchat_livechat_tag` (upstream's `ILivechatTag`): no departments = a public tag.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LivechatTag {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub num_departments: i64,
    pub departments: Vec<String>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
}

/// A business unit (upstream's `IOmnichannelBusinessUnit`): the departments its monitors
/// watch. Upstream keeps monitors and departments in other collections; here they are on
/// the unit.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub visibility: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub num_monitors: i64,
    pub num_departments: i64,
    pub monitors: Vec<UnitMonitor>,
    pub departments: Vec<String>,
    #[serde(rename = "_updatedAt")]
    pub updated_at: Ts,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UnitMonitor {
    pub monitor_id: String,
    pub username: String,
}
