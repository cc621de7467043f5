//! A unit of work: the rows a livechat rule reads ([`Ask`] → [`Rows`]) and the writes it
//! decides ([`Writes`]). The rule is a plain function of the domain; each engine loads the
//! rows, runs the rule and applies its writes in one transaction, with its own concurrency
//! (the SQLite writer thread; PostgreSQL row locks, the routing lock and retries).

use crate::model::{Contact, Inquiry, LastChat, Message, Room, Subscription};
use crate::time::Ts;

/// Which room a unit reads (locked for the unit's length where the engine locks rows).
#[derive(Clone, Debug)]
pub enum RoomKey {
    Id(String),
    /// The visitor's open room, if any.
    OpenOfToken(String),
    /// The room of the inquiry the unit reads.
    OfInquiry,
}

#[derive(Clone, Debug)]
pub enum InquiryKey {
    Id(String),
    /// The inquiry of the room the unit reads.
    OfRoom,
}

/// Which agents a unit reads as routing candidates.
#[derive(Clone, Debug, Default)]
pub struct AgentsAsk {
    /// Agents of a department, or every agent; `None`: only those in `ids`.
    pub pool: Option<Pool>,
    /// Only agents whose livechat status is `available` from the pool (the narrowing an
    /// index serves; the rule still checks every condition itself).
    pub available_only: bool,
    /// These agents whatever their state (a named or preferred agent).
    pub ids: Vec<String>,
    /// Count each candidate's open chats (chat limits, least-busy order).
    pub open_chats: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pool {
    All,
    Department(String),
}

/// What a unit reads. Every part is optional.
#[derive(Clone, Debug, Default)]
pub struct Ask {
    pub room: Option<RoomKey>,
    pub inquiry: Option<InquiryKey>,
    /// The room's subscriptions, in the order their users joined.
    pub subscriptions: bool,
    pub agents: Option<AgentsAsk>,
    /// A contact, by id.
    pub contact: Option<String>,
    /// The navigation history waiting for this visitor token's first room.
    pub pending_navigation: Option<String>,
}

/// An agent as routing sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub username: String,
    pub name: Option<String>,
    pub roles: Vec<String>,
    pub active: bool,
    pub status: String,
    pub status_connection: Option<String>,
    pub status_livechat: Option<String>,
    pub livechat_count: i64,
    pub last_routing_time: Option<Ts>,
    /// Open chats served now (0 unless asked for, or the agent has a limit of its own).
    pub open_chats: i64,
    /// The agent's own limit (`livechat.maxNumberSimultaneousChat`; 0 or `None`: none).
    pub max_chats: Option<i64>,
    /// The agent's place in the pool's department.
    pub seat: Option<Seat>,
}

impl Candidate {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// A `livechat_department_agents` row: the agent's counter and order in a department.
#[derive(Clone, Debug, PartialEq)]
pub struct Seat {
    pub id: String,
    pub count: i64,
    pub order: i64,
}

/// A subscriber of the room, with the user's display name.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscriber {
    pub sub: Subscription,
    pub name: Option<String>,
}

/// What the engine read for an [`Ask`].
#[derive(Clone, Debug, Default)]
pub struct Rows {
    pub room: Option<Room>,
    pub inquiry: Option<Inquiry>,
    pub subscribers: Vec<Subscriber>,
    pub agents: Vec<Candidate>,
    pub contact: Option<Contact>,
    /// In the order it was saved (expired entries included).
    pub pending_navigation: Vec<Message>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Put<T> {
    Insert(T),
    Update(T),
}

impl<T> Put<T> {
    /// The document as it is written.
    pub fn doc(&self) -> &T {
        let (Put::Insert(t) | Put::Update(t)) = self;
        t
    }
}

/// An agent's routing counters, as they are after the unit.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentCounters {
    pub agent_id: String,
    pub livechat_count: Option<i64>,
    pub last_routing_time: Option<Ts>,
}

/// What a rule decided to write; applied in one transaction, in this order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Writes {
    pub rooms: Vec<Put<Room>>,
    pub inquiries: Vec<Put<Inquiry>>,
    /// Inquiries removed, by room id.
    pub inquiries_removed: Vec<String>,
    /// Subscriptions removed, as (room id, user id).
    pub subscriptions_removed: Vec<(String, String)>,
    pub subscriptions: Vec<Put<Subscription>>,
    /// Inserted, in this order (the order a room's messages of one time are read back).
    pub messages: Vec<Message>,
    pub agents: Vec<AgentCounters>,
    /// Department-agent counters, as (seat id, count).
    pub seats: Vec<(String, i64)>,
    /// The visitor's `lastChat`, as (visitor id, last chat).
    pub visitor_last_chat: Option<(String, LastChat)>,
    /// Contacts updated.
    pub contacts: Vec<Contact>,
    /// The token whose waiting navigation history is gone (moved or expired).
    pub navigation_taken: Option<String>,
}

impl Writes {
    pub fn is_empty(&self) -> bool {
        self == &Writes::default()
    }
}

/// A rule: the writes for the rows read, or an error that writes nothing.
pub type Rule = Box<dyn Fn(Rows) -> Result<Writes, crate::error::Error> + Send + Sync>;
