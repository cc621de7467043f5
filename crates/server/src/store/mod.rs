//! Storage: one trait, one implementation per engine. Operations are domain-sized: each is
//! atomic on its own, and the invariants (one open room per visitor token, agent limits,
//! counters) are enforced inside them by the database, never by the caller's luck.

pub mod columns;
pub mod forward;
pub mod postgres;
pub mod sqlite;
pub mod unit;

use crate::model::*;
use crate::time::Ts;
use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use unit::{AgentsAsk, Ask, Candidate, Rule};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique index refused the write; the string names the field.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    #[error("database: {0}")]
    Db(String),
    #[error("document: {0}")]
    Doc(#[from] serde_json::Error),
    /// The writer could not carry the operation out.
    #[error("store: {0}")]
    Closed(&'static str),
    /// The database gave up a transaction that may succeed when run again (serialization
    /// failure, deadlock, a racing insert); the store retries these itself.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A `modify` callback refused the change.
    #[error("{0}")]
    Rejected(crate::error::Error),
}

impl From<StoreError> for crate::error::Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rejected(e) => e,
            other => crate::error::Error::Internal(other.to_string()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
pub type SharedStore = Arc<dyn Store>;

/// A change to one document, applied atomically (read, change, write in one transaction).
pub type ModifyFn<T> = dyn Fn(&mut T) -> Result<(), crate::error::Error> + Send + Sync;
pub type Modify<T> = Box<ModifyFn<T>>;

/// The domain's change to a room after one of its messages was removed, given the message
/// removed and the newest visible message left; `true` when the room changed.
pub type AfterDelete = Box<dyn Fn(&mut Room, &Message, Option<Message>) -> bool + Send + Sync>;

/// The domain's change to a room that received messages (moved navigation history).
pub type Received = Box<dyn Fn(&mut Room, &[Message]) + Send + Sync>;

#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    pub role: Option<String>,
    pub text: Option<String>,
    pub only_available: bool,
    /// Leave out users whose presence is offline (bots stay).
    pub not_offline: bool,
    pub exclude_id: Option<String>,
    pub offset: i64,
    pub count: i64,
    /// (field, ascending)
    pub sort: Vec<(String, bool)>,
}

/// `livechat/rooms` filters (upstream's `findRoomsWithCriteria`).
#[derive(Clone, Debug, Default)]
pub struct RoomQuery {
    pub agents: Vec<String>,
    pub department_id: Option<String>,
    pub open: Option<bool>,
    pub name: Option<String>,
    /// The visitor's name or e-mail, or any message's text, contains it (case-insensitive):
    /// the workspace's history search.
    pub text: Option<String>,
    pub created: (Option<Ts>, Option<Ts>),
    pub closed: (Option<Ts>, Option<Ts>),
    pub tags: Vec<String>,
    /// `livechatData.<key>` contains the value, case-insensitively (upstream's `RegExp(v, 'i')`).
    pub custom_fields: Vec<(String, String)>,
    pub queued: bool,
    /// Served by an agent (upstream's `served`: `open=true` lists no queued chats).
    pub served: Option<bool>,
    pub offset: i64,
    pub count: i64,
    /// (field, ascending); default newest first.
    pub sort: Vec<(String, bool)>,
}

/// A visitor's rooms (upstream's `findPaginatedByVisitorId` and
/// `findRoomsByVisitorIdAndMessageWithCriteria`).
#[derive(Clone, Debug, Default)]
pub struct VisitorRoomsQuery {
    /// `v._id`.
    pub visitor_id: String,
    /// Rooms of these visitors too (a contact's history spans its channels' visitors).
    pub other_visitor_ids: Vec<String>,
    /// Only rooms with `closedAt`.
    pub closed_only: bool,
    /// Only rooms with `servedBy`.
    pub served_only: bool,
    /// `source.type` or `source.alias` contains it, case-insensitively.
    pub source: Option<String>,
    /// One of the room's messages contains it (case-sensitively, as upstream's regex).
    pub message_text: Option<String>,
    pub offset: i64,
    pub count: i64,
    /// (field, ascending); default newest first.
    pub sort: Vec<(String, bool)>,
}

/// `livechat/visitors.search` (upstream's
/// `findPaginatedVisitorsByEmailOrPhoneOrNameOrUsernameOrCustomField`); disabled visitors never.
#[derive(Clone, Debug, Default)]
pub struct VisitorSearch {
    /// Equal to an e-mail address or phone number, or contained (case-insensitively) in the
    /// name, username or one of `custom_fields` of `livechatData`; `None`: every visitor.
    pub term: Option<String>,
    pub custom_fields: Vec<String>,
    pub offset: i64,
    pub count: i64,
    /// (field, ascending); default newest first.
    pub sort: Vec<(String, bool)>,
}

/// The legacy `omnichannel/contact.search` (upstream's `findOneByEmailAndPhoneAndCustomField`):
/// an enabled visitor with this exact e-mail address and phone number, whose `livechatData`
/// values contain each given text (case-insensitively); the fields not given are not asked.
#[derive(Clone, Debug, Default)]
pub struct ContactLookup {
    pub email: Option<String>,
    pub phone: Option<String>,
    /// (custom field id, text its value contains).
    pub custom: Vec<(String, String)>,
}

/// `omnichannel/contacts.search` (upstream's `findPaginatedContacts`).
#[derive(Clone, Debug, Default)]
pub struct ContactSearch {
    /// Contained (case-insensitively) in the name, an e-mail address or a phone number;
    /// `None`: every contact.
    pub text: Option<String>,
    pub offset: i64,
    pub count: i64,
    /// (field, ascending); default by name.
    pub sort: Vec<(String, bool)>,
}

#[derive(Clone, Debug, Default)]
pub struct DepartmentQuery {
    pub text: Option<String>,
    pub enabled: Option<bool>,
    pub exclude_id: Option<String>,
    pub ids: Option<Vec<String>>,
    pub offset: i64,
    pub count: i64,
}

/// A livechat room as the analytics read it: the document with its count of messages that
/// are no system messages (`t` unset), and of those sent by no visitor (`token` unset).
#[derive(Clone, Debug, PartialEq)]
pub struct AnalyticsRoom {
    pub room: Room,
    pub msgs: i64,
    pub agent_msgs: i64,
}

/// One e-mail or webhook call waiting in the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxItem {
    pub id: String,
    /// `email` or `webhook`.
    pub kind: String,
    pub payload: Value,
    /// Attempts started so far (a claim counts as one).
    pub attempts: i64,
    pub max_attempts: i64,
    pub next_attempt_at: Ts,
    pub created_at: Ts,
}

/// The outbox's backlog: pending items (and when the oldest was queued), dead ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutboxStats {
    pub pending: i64,
    pub oldest_pending: Option<Ts>,
    pub dead: i64,
}

/// The live figures operators watch, read at once (issue 17's metrics).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveFigures {
    /// Waiting (queued) chats per department (`None`: none), with the oldest one's `ts`.
    pub queued: Vec<(Option<String>, i64, Ts)>,
    /// Open chats, waiting or served.
    pub open_rooms: i64,
    /// Active agents online and available for chats.
    pub available_agents: i64,
}

/// How busy the engine's connections are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PoolStats {
    pub engine: &'static str,
    /// Connections running a query now (SQLite: readers).
    pub in_use: u64,
    /// Connections open and idle (SQLite: readers kept for reuse).
    pub idle: u64,
    /// Most connections the pool opens (SQLite: readers kept idle; more open on demand).
    pub max: u64,
    /// SQLite: writes waiting for (or in) the single writer's transaction.
    pub writes_queued: Option<u64>,
}

/// How one delivery attempt ended.
#[derive(Clone, Debug, PartialEq)]
pub enum OutboxOutcome {
    Sent { at: Ts },
    Retry { at: Ts, error: String },
    Failed { at: Ts, error: String },
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // users and login tokens
    async fn insert_user(&self, user: &User, password_hash: Option<&str>) -> StoreResult<()>;
    async fn user(&self, id: &str) -> StoreResult<Option<User>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>>;
    async fn set_password_hash(&self, user_id: &str, hash: &str) -> StoreResult<()>;
    async fn modify_user(&self, id: &str, f: Modify<User>) -> StoreResult<Option<User>>;
    /// Deletes the user with its login tokens and department memberships.
    async fn delete_user(&self, id: &str) -> StoreResult<bool>;
    async fn count_users_with_role(&self, role: &str) -> StoreResult<i64>;
    async fn list_users(&self, q: &UserQuery) -> StoreResult<(Vec<User>, i64)>;
    async fn insert_login_token(&self, user_id: &str, hashed: &str, when: Ts) -> StoreResult<()>;
    /// The user of a login token issued at or after `issued_since` (older ones have expired).
    async fn user_by_login_token(
        &self,
        hashed: &str,
        issued_since: Ts,
    ) -> StoreResult<Option<User>>;
    async fn delete_login_token(&self, hashed: &str) -> StoreResult<()>;
    async fn delete_login_tokens_of_user(&self, user_id: &str) -> StoreResult<()>;

    // settings
    async fn settings(&self) -> StoreResult<Vec<(String, Value)>>;
    async fn put_setting(&self, id: &str, value: &Value) -> StoreResult<()>;
    /// Atomically adds one to a numeric setting and returns the new value.
    async fn incr_setting(&self, id: &str, default: i64) -> StoreResult<i64>;

    // permissions and roles
    async fn permissions(&self) -> StoreResult<Vec<Permission>>;
    /// Inserts the permissions that do not exist yet (existing ones keep their roles).
    async fn seed_permissions(&self, defaults: &[Permission]) -> StoreResult<()>;
    /// Replaces the roles of each named permission, all in one transaction.
    async fn set_permission_roles(
        &self,
        changes: &[(String, Vec<String>)],
        at: Ts,
    ) -> StoreResult<()>;
    async fn roles(&self) -> StoreResult<Vec<Role>>;
    /// Inserts the roles that do not exist yet.
    async fn seed_roles(&self, defaults: &[Role]) -> StoreResult<()>;

    // visitors
    async fn visitor(&self, id: &str) -> StoreResult<Option<Visitor>>;
    async fn visitor_by_token(&self, token: &str) -> StoreResult<Option<Visitor>>;
    async fn visitor_by_phone(&self, phone: &str) -> StoreResult<Option<Visitor>>;
    async fn visitor_by_email(&self, email: &str) -> StoreResult<Option<Visitor>>;
    async fn insert_visitor(&self, v: &Visitor) -> StoreResult<()>;
    async fn modify_visitor(&self, id: &str, f: Modify<Visitor>) -> StoreResult<Option<Visitor>>;
    /// Visitors whose `activity` holds `month` (`YYYY-MM`): the monthly active contacts.
    async fn count_visitors_active_in(&self, month: &str) -> StoreResult<i64>;
    /// GDPR removal: deletes the token's rooms with their messages, subscriptions and
    /// inquiries, and replaces the visitor document by `anonymised`.
    async fn remove_visitor_data(&self, token: &str, anonymised: &Visitor) -> StoreResult<()>;
    async fn search_visitors(&self, q: &VisitorSearch) -> StoreResult<(Vec<Visitor>, i64)>;
    async fn visitor_by_contact(&self, q: &ContactLookup) -> StoreResult<Option<Visitor>>;
    /// Visitors whose name starts with `prefix` (case-insensitively), but those in
    /// `exceptions`, by name, at most `limit`.
    async fn visitors_by_name_prefix(
        &self,
        prefix: &str,
        exceptions: &[String],
        limit: i64,
    ) -> StoreResult<Vec<Visitor>>;

    // contacts
    async fn insert_contact(&self, c: &Contact) -> StoreResult<()>;
    async fn contact(&self, id: &str) -> StoreResult<Option<Contact>>;
    async fn modify_contact(&self, id: &str, f: Modify<Contact>) -> StoreResult<Option<Contact>>;
    async fn delete_contact(&self, id: &str) -> StoreResult<bool>;
    async fn search_contacts(&self, q: &ContactSearch) -> StoreResult<(Vec<Contact>, i64)>;

    // rooms
    async fn room(&self, id: &str) -> StoreResult<Option<Room>>;
    async fn open_room_by_token(&self, token: &str) -> StoreResult<Option<Room>>;
    /// The open room's stored document as it is (JSON text the store wrote), for answers
    /// that only pass it on.
    async fn open_room_json(&self, token: &str) -> StoreResult<Option<String>>;
    /// Any state; with `rid`, that room only.
    async fn room_by_token(&self, token: &str, rid: Option<&str>) -> StoreResult<Option<Room>>;
    async fn open_rooms_by_token(&self, token: &str) -> StoreResult<Vec<Room>>;
    async fn visitor_exists(&self, token: &str) -> StoreResult<bool>;
    /// Does the token have this room (in any state)?
    async fn room_of_token_exists(&self, token: &str, rid: &str) -> StoreResult<bool>;
    async fn modify_room(&self, id: &str, f: Modify<Room>) -> StoreResult<Option<Room>>;

    // units of work: the livechat rules' reads and writes, in one transaction
    /// Reads what `ask` names, runs `rule` on the rows and applies the writes it returns,
    /// atomically (nothing is written when the rule fails).
    async fn unit(&self, ask: Ask, rule: Rule) -> StoreResult<()>;
    /// Routing candidates, read outside any unit (availability checks).
    async fn agents(&self, ask: &AgentsAsk) -> StoreResult<Vec<Candidate>>;

    // inquiries
    async fn inquiry(&self, id: &str) -> StoreResult<Option<Inquiry>>;
    async fn inquiry_by_room(&self, rid: &str) -> StoreResult<Option<Inquiry>>;
    async fn modify_inquiry(&self, id: &str, f: Modify<Inquiry>) -> StoreResult<Option<Inquiry>>;
    /// Inquiries by status (all when `None`), oldest first, for the given departments
    /// (`None`: any department); with the total.
    async fn list_inquiries(
        &self,
        status: Option<&str>,
        departments: Option<&[String]>,
        offset: i64,
        count: i64,
    ) -> StoreResult<(Vec<Inquiry>, i64)>;

    // messages
    /// Inserts the message and applies `room_update` to its room in one transaction;
    /// with `unread_at`, the room's other subscribers count it in the same transaction
    /// (as `bump_unread`), answered with the room. `None` (nothing written) when a message
    /// with that id exists.
    async fn append_message(
        &self,
        msg: Message,
        room_update: Modify<Room>,
        unread_at: Option<Ts>,
    ) -> StoreResult<Option<(Room, Vec<Subscription>)>>;
    async fn message(&self, id: &str) -> StoreResult<Option<Message>>;
    async fn modify_message(&self, id: &str, f: Modify<Message>) -> StoreResult<Option<Message>>;
    /// Removes the message and applies `room_update` to its room, in one transaction.
    async fn delete_message(&self, id: &str, room_update: AfterDelete) -> StoreResult<bool>;
    /// Visible messages of a room as stored, newest first (`ts < end` when given).
    async fn history(
        &self,
        rid: &str,
        end: Option<Ts>,
        limit: i64,
        offset: i64,
        hidden_types: &[String],
    ) -> StoreResult<Vec<crate::model::DocJson>>;
    async fn messages_of_room(&self, rid: &str) -> StoreResult<Vec<Message>>;
    /// A room's conversation (messages without a type, and the closing one) newest first,
    /// optionally those containing `search`; with the total.
    async fn room_messages(
        &self,
        rid: &str,
        search: Option<&str>,
        offset: i64,
        count: i64,
    ) -> StoreResult<(Vec<Message>, i64)>;
    /// A room's messages of type `t` (hidden ones too), newest first unless `sort` (by `ts`)
    /// says otherwise; with the total.
    async fn room_messages_of_type(
        &self,
        rid: &str,
        t: &str,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<Message>, i64)>;
    async fn list_rooms(&self, q: &RoomQuery) -> StoreResult<(Vec<Room>, i64)>;
    async fn visitor_rooms(&self, q: &VisitorRoomsQuery) -> StoreResult<(Vec<Room>, i64)>;
    /// The distinct `source.type` of every room (`livechat/rooms/filters`).
    async fn room_source_types(&self) -> StoreResult<Vec<String>>;
    /// Open chats being served, counted per (agent, department), optionally of one department.
    async fn open_chats_by_server(
        &self,
        department_id: Option<&str>,
    ) -> StoreResult<Vec<(String, Option<String>, i64)>>;
    async fn subscriptions_of_room(&self, rid: &str) -> StoreResult<Vec<Subscription>>;
    /// A user's subscriptions (the rooms in its sidebar).
    async fn subscriptions_of_user(&self, user_id: &str) -> StoreResult<Vec<Subscription>>;
    /// A new message in `rid`: every subscription but `sender`'s counts one more unread and
    /// alerts; answers the changed subscriptions.
    async fn bump_unread(&self, rid: &str, sender: &str, now: Ts)
    -> StoreResult<Vec<Subscription>>;
    /// `user` read room `rid`: its subscription's unread count and alert are cleared;
    /// answers it, if any.
    async fn mark_read(&self, rid: &str, user: &str, now: Ts) -> StoreResult<Option<Subscription>>;
    /// Livechat rooms created from `from` to `to` (both included), of one department if
    /// given, oldest first, with their message counts (the analytics' `getAnalytics*`).
    async fn analytics_rooms(
        &self,
        from: Ts,
        to: Ts,
        department_id: Option<&str>,
    ) -> StoreResult<Vec<AnalyticsRoom>>;
    /// Visitors whose `_updatedAt` is in `[from, to)`, of one department if given
    /// (upstream's `getVisitorsBetweenDate`).
    async fn count_visitors_updated_between(
        &self,
        from: Ts,
        to: Ts,
        department: Option<&str>,
    ) -> StoreResult<i64>;

    // departments
    async fn insert_department(&self, d: &Department) -> StoreResult<()>;
    async fn department(&self, id: &str) -> StoreResult<Option<Department>>;
    async fn department_by_name(&self, name: &str) -> StoreResult<Option<Department>>;
    async fn modify_department(
        &self,
        id: &str,
        f: Modify<Department>,
    ) -> StoreResult<Option<Department>>;
    async fn delete_department(&self, id: &str) -> StoreResult<bool>;
    async fn list_departments(&self, q: &DepartmentQuery) -> StoreResult<(Vec<Department>, i64)>;
    /// Enabled departments with at least one agent (the visitor-facing list).
    async fn departments_with_agents(&self) -> StoreResult<Vec<Department>>;
    async fn department_agents(&self, department_id: &str) -> StoreResult<Vec<DepartmentAgent>>;
    async fn agent_departments(&self, agent_id: &str) -> StoreResult<Vec<DepartmentAgent>>;
    /// Upserts and removes agents of a department and refreshes its `numAgents`.
    async fn update_department_agents(
        &self,
        department_id: &str,
        upsert: &[DepartmentAgent],
        remove: &[String],
    ) -> StoreResult<()>;

    // presence shared by several instances
    /// Records a realtime connection of `user_id` on `instance` (again: replaces its user);
    /// `true` when it is the user's only connection anywhere.
    async fn presence_connect(
        &self,
        instance: &str,
        conn: u64,
        user_id: &str,
        now: Ts,
    ) -> StoreResult<bool>;
    /// Forgets the connection; the user when it was their last one anywhere (`None` when
    /// others remain, or when the connection was already gone: whoever removed it answered).
    async fn presence_disconnect(&self, instance: &str, conn: u64) -> StoreResult<Option<String>>;
    /// How many realtime connections the user has, on all instances.
    async fn presence_count(&self, user_id: &str) -> StoreResult<i64>;
    /// The instance is alive at `now`; `false` when it was not registered (first beat, or
    /// it had been expired as dead and must register its connections again).
    async fn instance_heartbeat(&self, instance: &str, now: Ts) -> StoreResult<bool>;
    /// Removes the instances silent since before `cutoff` and every connection of an
    /// unregistered instance, atomically; the users left with no connection anywhere. When
    /// several instances run it at once, each dead connection is removed (and its user
    /// reported) by exactly one of them.
    async fn expire_instances(&self, cutoff: Ts) -> StoreResult<Vec<String>>;

    // custom fields, triggers, navigation history, uploads
    async fn custom_field(&self, id: &str) -> StoreResult<Option<CustomField>>;
    /// Every custom field (of `scope` when given), by `_id`.
    async fn custom_fields(&self, scope: Option<&str>) -> StoreResult<Vec<CustomField>>;
    /// Fields whose `_id` or `label` contains `text`; with the total.
    async fn list_custom_fields(
        &self,
        text: Option<&str>,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<CustomField>, i64)>;
    /// `Duplicate` when the id exists.
    async fn insert_custom_field(&self, f: &CustomField) -> StoreResult<()>;
    /// Applies `f` to the stored field; `None` when there is none.
    async fn modify_custom_field(
        &self,
        id: &str,
        f: Modify<CustomField>,
    ) -> StoreResult<Option<CustomField>>;
    async fn delete_custom_field(&self, id: &str) -> StoreResult<bool>;
    async fn trigger(&self, id: &str) -> StoreResult<Option<Trigger>>;
    /// Triggers (only enabled ones when asked), by name unless `sort` says otherwise; with the total.
    async fn list_triggers(
        &self,
        enabled_only: bool,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<Trigger>, i64)>;
    /// Inserts, or replaces the trigger with that id.
    async fn put_trigger(&self, t: &Trigger) -> StoreResult<()>;
    async fn delete_trigger(&self, id: &str) -> StoreResult<bool>;
    /// Business hours of `kind` (every kind when `None`), oldest first.
    async fn business_hours(&self, kind: Option<&str>) -> StoreResult<Vec<BusinessHour>>;
    /// Inserts, or replaces the business hour with that id.
    async fn put_business_hour(&self, bh: &BusinessHour) -> StoreResult<()>;
    /// Keeps a room-less navigation message of `token` until `expire_at` (epoch ms).
    async fn insert_pending_navigation(
        &self,
        token: &str,
        expire_at: i64,
        msg: &Message,
    ) -> StoreResult<()>;
    /// Moves the token's pending navigation messages not expired at `now_ms` into room `rid`
    /// (`room_update` then changes the room) and drops the expired ones, together; returns
    /// those moved.
    async fn attach_pending_navigation(
        &self,
        token: &str,
        rid: &str,
        now_ms: i64,
        room_update: Received,
    ) -> StoreResult<Vec<Message>>;
    /// Deletes pending navigation expired at `now_ms`; returns how many.
    async fn purge_pending_navigation(&self, now_ms: i64) -> StoreResult<u64>;
    /// Writes the upload's record and its file message, and applies `room_update`, in one
    /// transaction (nothing when the room is gone or the update refuses).
    async fn insert_upload_message(
        &self,
        upload: &Upload,
        msg: Message,
        room_update: Modify<Room>,
    ) -> StoreResult<Option<Room>>;
    /// Writes a record for a file not sent yet (an agent's `rooms.media`).
    async fn insert_upload(&self, upload: &Upload) -> StoreResult<()>;
    async fn upload(&self, id: &str) -> StoreResult<Option<Upload>>;
    /// Uploads whose `expiresAt` is before `before` (ISO text): unsent temporary files.
    async fn expired_uploads(&self, before: &str) -> StoreResult<Vec<Upload>>;
    async fn delete_upload(&self, id: &str) -> StoreResult<()>;
    /// Uploads in the token's rooms (any state); `remove_visitor_data` deletes their records.
    async fn uploads_of_token(&self, token: &str) -> StoreResult<Vec<Upload>>;

    // canned responses, tags, business units, internal notes
    /// Every canned response, by shortcut.
    async fn canned_responses(&self) -> StoreResult<Vec<CannedResponse>>;
    async fn canned_response(&self, id: &str) -> StoreResult<Option<CannedResponse>>;
    /// Inserts, or replaces the one with that id; `Duplicate("shortcut")` when another
    /// response has the shortcut.
    async fn put_canned_response(&self, r: &CannedResponse) -> StoreResult<()>;
    async fn delete_canned_response(&self, id: &str) -> StoreResult<bool>;
    /// Every tag, by name.
    async fn livechat_tags(&self) -> StoreResult<Vec<LivechatTag>>;
    async fn livechat_tag(&self, id: &str) -> StoreResult<Option<LivechatTag>>;
    /// Inserts, or replaces the tag with that id.
    async fn put_livechat_tag(&self, t: &LivechatTag) -> StoreResult<()>;
    async fn delete_livechat_tag(&self, id: &str) -> StoreResult<bool>;
    /// Every business unit, oldest first.
    async fn business_units(&self) -> StoreResult<Vec<Unit>>;
    async fn business_unit(&self, id: &str) -> StoreResult<Option<Unit>>;
    /// Inserts, or replaces the unit with that id.
    async fn put_business_unit(&self, u: &Unit) -> StoreResult<()>;
    async fn delete_business_unit(&self, id: &str) -> StoreResult<bool>;
    /// Stores an internal note (kept apart from the room's messages).
    async fn insert_note(&self, m: &Message) -> StoreResult<()>;
    /// A room's notes, newest first (`ts < end` when given), at most `limit` (0: all).
    async fn notes_of_room(
        &self,
        rid: &str,
        end: Option<Ts>,
        limit: i64,
    ) -> StoreResult<Vec<Message>>;

    // outbox: e-mail and webhooks, delivered in the background
    /// Commits a new pending item; the caller acknowledges only after this returned.
    async fn outbox_enqueue(&self, item: &OutboxItem) -> StoreResult<()>;
    /// Leases up to `limit` due items (pending, `next_attempt_at <= now`, no live lease) to
    /// `owner` until `now + lease_ms`, counting an attempt on each; no two owners ever hold
    /// the same item at once.
    async fn outbox_claim(
        &self,
        now: Ts,
        lease_ms: i64,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<OutboxItem>>;
    /// Records the attempt's outcome if `owner` still holds the lease (false otherwise:
    /// the lease expired and the item may have gone to another worker).
    async fn outbox_finish(
        &self,
        id: &str,
        owner: &str,
        outcome: &OutboxOutcome,
    ) -> StoreResult<bool>;
    /// When the next pending item becomes due (its retry time, or its lease's end).
    async fn outbox_next_due(&self) -> StoreResult<Option<Ts>>;
    async fn outbox_stats(&self) -> StoreResult<OutboxStats>;

    // operations
    /// Waiting chats per department, open chats and available agents, in one read.
    async fn live_figures(&self) -> StoreResult<LiveFigures>;
    /// The engine's connections now (no query).
    fn pool_stats(&self) -> PoolStats;
}
