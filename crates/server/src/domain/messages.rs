//! The conversation: visitor and agent messages with upstream's room bookkeeping and
//! response metrics, history, message edits and deletes, and closing a room.

use super::Livechat;
use super::rooms::RoutingMethod;
use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::store::unit::{Ask, InquiryKey, Put, RoomKey, Rows, Writes};
use crate::time::Ts;
use serde_json::{Value, json};
use std::sync::Arc;

/// Server parser options (spec §5.1): colors, emoticons, KaTeX with `\(…\)` only.
pub(super) fn md_of(msg: &str) -> Option<Value> {
    let root = ferrochat_md::parse(msg, &ferrochat_md::Options::server_default()).ok()?;
    serde_json::from_str(&ferrochat_md::to_json_string(&root)).ok()
}

/// `urls`: every link in the text, as `{url}` objects, found with upstream's
/// `getMessageUrlRegex` (so `[https://…?msg=id](text)` yields the link without `](text)`);
/// trailing punctuation and an unbalanced `)` are left out.
fn urls_of(msg: &str) -> Vec<Value> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"([A-Za-z]{3,9})://([-;:&=+$,A-Za-z0-9_]+@)?[-A-Za-z0-9.]+:?[0-9]*((/[-+=!:~%/.@,()A-Za-z0-9_]*)?\??[-+=&!:;%@/.,A-Za-z0-9_]*(#[^\s)]+)?)?",
        )
        .expect("a valid regex")
    });
    re.find_iter(msg)
        .filter_map(|m| {
            let mut url = m.as_str();
            loop {
                let trimmed = url.trim_end_matches([',', '.', '!', '?', ';', '"', '\'']);
                let trimmed = match trimmed.strip_suffix(')') {
                    Some(t) if t.matches('(').count() < t.matches(')').count() + 1 => t,
                    _ => trimmed,
                };
                if trimmed == url {
                    break;
                }
                url = trimmed;
            }
            let host_start = url.find("://")? + 3;
            (url.len() > host_start).then(|| json!({ "url": url }))
        })
        .collect()
}

/// The `msg` query parameter of a link, when it has exactly one.
fn linked_message_id(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    let mut ids = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == "msg")
        .map(|(_, v)| v.into_owned());
    match (ids.next(), ids.next()) {
        (Some(id), None) if !id.is_empty() => Some(id),
        _ => None,
    }
}

/// Upstream's `createQuoteAttachment`; the quoted message's own quotes lose their nested
/// attachments (`Message_QuoteChainLimit`, 2 by default).
fn quote_attachment(quoted: &Message, link: &str) -> Value {
    let nested: Vec<Value> = quoted
        .attachments
        .iter()
        .flatten()
        .map(|a| {
            let mut a = a.clone();
            if a.get("message_link").is_some()
                && let Some(o) = a.as_object_mut()
            {
                o.remove("attachments");
            }
            a
        })
        .collect();
    let author = quoted
        .alias
        .clone()
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| quoted.u.username.clone());
    // Upstream's key order: text, md, message_link, author_name, author_icon, attachments, ts.
    let mut q = serde_json::Map::new();
    q.insert("text".into(), json!(quoted.msg));
    if let Some(md) = &quoted.md {
        q.insert("md".into(), md.clone());
    }
    q.insert("message_link".into(), json!(link));
    q.insert("author_name".into(), json!(author));
    q.insert(
        "author_icon".into(),
        json!(format!("/avatar/{}", urlencoding_path(&quoted.u.username))),
    );
    q.insert("attachments".into(), Value::Array(nested));
    q.insert("ts".into(), json!(quoted.ts));
    Value::Object(q)
}

/// Adds the quotes; a link quoted again replaces its earlier quote.
fn add_quotes(attachments: &mut Option<Vec<Value>>, quotes: Vec<Value>) {
    if quotes.is_empty() {
        return;
    }
    let list = attachments.get_or_insert_with(Vec::new);
    for q in quotes {
        list.retain(|a| a.get("message_link").is_none() || a["message_link"] != q["message_link"]);
        list.push(q);
    }
}

/// `encodeURIComponent` for a path segment.
fn urlencoding_path(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Response metrics on an agent message (upstream's `saveAnalyticsData`, §5.3), including
/// its quirk: "first response" means "no `metrics.servedBy` yet", so an agent who speaks
/// before the visitor ever wrote repeats the first-response branch.
pub fn agent_metrics(room: &mut Room, msg_ts: Ts, now: Ts) {
    let m = room.metrics.get_or_insert_with(Metrics::default);
    let lq = m.v.as_ref().and_then(|v| v.lq).unwrap_or(room.ts);
    let has_lr = m.served_by.is_some();
    let lr = m.served_by.as_ref().and_then(|s| s.lr).unwrap_or(room.ts);
    let join = room.served_by.as_ref().map_or(room.ts, |s| s.ts);
    let resp = m.response.get_or_insert_with(Response::default);
    let (tt, n) = (resp.tt.unwrap_or(0.0), resp.total.unwrap_or(0));
    if !has_lr {
        let rt = now.secs_since(lq);
        let react = now.secs_since(join);
        resp.avg = Some((tt + rt) / (n + 1) as f64);
        resp.fd = Some(now);
        resp.ft = Some(rt);
        resp.total = Some(n + 1);
        resp.tt = Some(tt + rt);
        let reaction = m.reaction.get_or_insert_with(Reaction::default);
        reaction.fd = Some(now);
        reaction.ft = Some(react);
        reaction.tt = Some(reaction.tt.unwrap_or(0.0) + react);
    } else if lq > lr {
        let rt = now.secs_since(lq);
        resp.avg = Some((tt + rt) / (n + 1) as f64);
        resp.total = Some(n + 1);
        resp.tt = Some(tt + rt);
        let reaction = m.reaction.get_or_insert_with(Reaction::default);
        reaction.tt = Some(reaction.tt.unwrap_or(0.0) + rt);
    }
    if m.response
        .as_ref()
        .is_some_and(|r| r == &Response::default())
    {
        m.response = None;
    }
    if lq > lr {
        m.served_by = Some(AgentMetrics { lr: Some(msg_ts) });
    }
}

/// `metrics.v.lq` on a visitor message: only the first message of a visitor's block moves it.
pub fn visitor_metrics(room: &mut Room, msg_ts: Ts) {
    let m = room.metrics.get_or_insert_with(Metrics::default);
    let lq = m.v.as_ref().and_then(|v| v.lq).unwrap_or(room.ts);
    let lr = m.served_by.as_ref().and_then(|s| s.lr).unwrap_or(room.ts);
    if lr >= lq {
        m.v = Some(VisitorMetrics { lq: Some(msg_ts) });
    }
}

pub struct Close {
    pub comment: String,
    pub tags: Option<Vec<String>>,
    /// An agent's own close (`room.closeByUser`): a department requiring tags refuses it
    /// when the room has none.
    pub client_action: bool,
}

/// How a room closes: who, with which tags, and the `livechat-close` message.
struct Closing {
    closer: String,
    by: Value,
    tags: Option<Vec<String>>,
    message: Message,
}

/// The closed room, with the inquiry and subscriptions it had.
type Closed = (Room, Option<Inquiry>, Vec<Subscription>);

/// Upstream's `closeRoom` on the documents: the room closed with its durations, tags and
/// the visitor offline, its inquiry and subscriptions gone, the closing message. Answers
/// the closed room with the inquiry and subscriptions it had.
fn close_room(rows: Rows, c: &Closing, now: Ts) -> Result<(Writes, Closed)> {
    let mut r = rows.room.ok_or(Code::InvalidRoom)?;
    // Open when the caller looked, closed by a concurrent close since: upstream's
    // transaction then fails with "try again".
    if !r.is_open() {
        return Err(Code::RoomCannotBeClosedTryAgain.into());
    }
    r.closed_at = Some(now);
    r.closer = Some(c.closer.clone());
    r.closed_by = Some(c.by.clone());
    let served_at = r.served_by.as_ref().map(|s| s.ts);
    let m = r.metrics.get_or_insert_with(Metrics::default);
    m.chat_duration = Some(now.secs_since(r.ts));
    m.service_time_duration = served_at.map(|t| now.secs_since(t));
    r.v.status = "offline".into();
    if let Some(t) = &c.tags {
        let mut all = r.tags.clone().unwrap_or_default();
        for tag in t {
            if !all.contains(tag) {
                all.push(tag.clone());
            }
        }
        r.tags = Some(all);
    }
    r.open = None;
    r.msgs += 1;
    r.updated_at = now;
    let subs: Vec<Subscription> = rows.subscribers.into_iter().map(|s| s.sub).collect();
    let w = Writes {
        rooms: vec![Put::Update(r.clone())],
        inquiries_removed: rows.inquiry.iter().map(|i| i.rid.clone()).collect(),
        subscriptions_removed: subs
            .iter()
            .map(|s| (s.rid.clone(), s.u.id.clone()))
            .collect(),
        messages: vec![c.message.clone()],
        ..Default::default()
    };
    Ok((w, (r, rows.inquiry, subs)))
}

impl Livechat {
    pub fn new_message(
        &self,
        id: Option<String>,
        rid: &str,
        msg: &str,
        u: UserRef,
        ts: Ts,
    ) -> Message {
        Message {
            id: id
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| self.ids.id()),
            t: None,
            rid: rid.to_string(),
            msg: msg.to_string(),
            token: None,
            alias: None,
            ts,
            u,
            groupable: None,
            updated_at: ts,
            urls: Some(urls_of(msg)),
            mentions: Some(Vec::new()),
            channels: Some(Vec::new()),
            md: md_of(msg),
            ..Message::system(
                String::new(),
                "",
                rid,
                msg,
                UserRef {
                    id: String::new(),
                    username: String::new(),
                    name: None,
                },
                ts,
            )
        }
    }

    /// Links to another message of the same room (`<Site_Url>/…?msg=<id>`, how clients
    /// quote) become quote attachments, as upstream's `BeforeSaveJumpToMessage`; the link
    /// is then `ignoreParse`. Upstream quotes any room the sender may read; here only the
    /// message's own room.
    pub async fn quote_linked_messages(&self, m: &mut Message) -> Result<()> {
        let Some(urls) = m.urls.as_mut() else {
            return Ok(());
        };
        let quotes = self.quotes_for(&m.rid, urls).await?;
        add_quotes(&mut m.attachments, quotes);
        Ok(())
    }

    /// The quote attachments for `urls` of a message in room `rid`; the quoted links are
    /// marked `ignoreParse`.
    async fn quotes_for(&self, rid: &str, urls: &mut [Value]) -> Result<Vec<Value>> {
        let site = self.settings.str("Site_Url");
        let mut quotes = Vec::new();
        if site.is_empty() {
            return Ok(quotes);
        }
        for item in urls.iter_mut() {
            let Some(url) = item.get("url").and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            if !url.contains(&site) {
                continue;
            }
            let Some(id) = linked_message_id(&url) else {
                continue;
            };
            let Some(quoted) = self.store.message(&id).await? else {
                continue;
            };
            if quoted.rid != rid {
                continue;
            }
            quotes.push(quote_attachment(&quoted, &url));
            item["ignoreParse"] = Value::Bool(true);
        }
        Ok(quotes)
    }

    /// Upstream's `sendMessage` check, on every way a message enters (upstream applies it
    /// to agents' messages only; a visitor's could be of any length).
    pub(crate) fn check_max_size(&self, msg: &str) -> Result<()> {
        if !msg.is_empty()
            && msg.chars().count() as i64 > self.settings.i64("Message_MaxAllowedSize")
        {
            return Err(Code::MessageSizeExceeded.into());
        }
        Ok(())
    }

    pub(crate) fn check_length(&self, msg: &str) -> Result<()> {
        if self
            .settings
            .bool("Livechat_enable_message_character_limit")
        {
            let limit = match self.settings.i64("Livechat_message_character_limit") {
                l if l > 0 => l,
                _ => self.settings.i64("Message_MaxAllowedSize"),
            };
            // JavaScript's `length` counts UTF-16 units.
            if msg.encode_utf16().count() as i64 > limit {
                return Err(Code::MessageTooLong.into());
            }
        }
        self.check_max_size(msg)
    }

    /// What a visitor's message does to its room (activity, metrics, waiting response).
    pub fn visitor_message_update(&self, m: &Message) -> crate::store::Modify<Room> {
        let store_last = self.settings.bool("Store_Last_Message");
        let now = self.now();
        let saved = m.clone();
        Box::new(move |r: &mut Room| {
            if !r.is_open() {
                return Err(Code::RoomClosed.into());
            }
            r.msgs += 1;
            r.lm = Some(saved.ts);
            if store_last {
                r.last_message = Some(serde_json::to_value(&saved).unwrap_or_default());
            }
            r.v.last_message_ts = Some(saved.ts);
            visitor_metrics(r, saved.ts);
            if r.waiting_response != Some(true) {
                r.waiting_response = Some(true);
                r.response_by = None;
            }
            r.updated_at = now;
            Ok(())
        })
    }

    /// `POST livechat/message`: the visitor writes in its open room.
    pub async fn send_visitor_message(
        &self,
        token: &str,
        rid: &str,
        msg: &str,
        id: Option<String>,
    ) -> Result<Message> {
        let (visitor, room) = self.visitor_room(token, rid).await?;
        if !room.is_open() {
            return Err(Code::RoomClosed.into());
        }
        self.check_length(msg)?;
        let ts = self.now();
        let u = UserRef {
            id: visitor.id.clone(),
            username: visitor.username().to_string(),
            name: visitor.name.clone(),
        };
        let mut m = self.new_message(id, rid, msg, u, ts);
        m.token = Some(visitor.token().to_string());
        m.alias = visitor.name.clone();
        self.quote_linked_messages(&mut m).await?;
        let update = self.visitor_message_update(&m);
        let unread_at = self.unread_at(&m);
        match self
            .store
            .append_message(m.clone(), update, unread_at)
            .await?
        {
            Some((room, unread)) => {
                self.count_message(&m);
                self.publish_message(&m);
                self.publish_room_changed(&room);
                self.publish_subscriptions(&unread, "updated");
                self.inquiry_last_message(&m).await?;
                self.after_omnichannel_message(&m, &room).await?;
                Ok(m)
            }
            // Upstream's send returns nothing for a known `_id` and the REST layer then merges
            // into it: a TypeError, reported as a 400.
            None => Err(Code::DuplicateVisitorMessage.into()),
        }
    }

    /// `chat.sendMessage` in a livechat room: the agent answers.
    pub async fn send_agent_message(
        &self,
        user: &User,
        rid: &str,
        msg: &str,
        id: Option<String>,
    ) -> Result<Message> {
        // A waiting chat is answered once taken (upstream's `canSendMessage` for agents).
        self.agent_send_room(user, rid).await?;
        self.check_max_size(msg)?;
        let ts = self.now();
        let mut m = self.new_message(id, rid, msg, user.user_ref(), ts);
        self.quote_linked_messages(&mut m).await?;
        self.deliver_agent_message(user, m, None).await
    }

    /// May `user` send in `rid` as an agent (upstream's `canSendMessage`)? The room.
    pub(super) async fn agent_send_room(&self, user: &User, rid: &str) -> Result<Room> {
        let room = self.store.room(rid).await?.ok_or(Code::InvalidRoomMeteor)?;
        self.ensure_may_act(user, &room).await?;
        let serving = room.served_by_id() == Some(user.id.as_str());
        if !room.is_open() || !(serving || self.acts_on_all_chats(user)) {
            return Err(Code::NotAllowedMeteor.into());
        }
        Ok(room)
    }

    /// Writes an agent's message (with the file record it carries, if any) and the room's
    /// response metrics in one transaction, then tells whoever listens.
    pub(super) async fn deliver_agent_message(
        &self,
        user: &User,
        m: Message,
        upload: Option<crate::model::Upload>,
    ) -> Result<Message> {
        let store_last = self.settings.bool("Store_Last_Message");
        let ignore_bots = self
            .settings
            .bool("Omnichannel_Metrics_Ignore_Automatic_Messages")
            && user.has_role("bot");
        let now = self.now();
        let saved = m.clone();
        let agent = user.user_ref();
        // The first-response time this write recorded, if any (the last run's, when retried).
        let first = Arc::new(parking_lot::Mutex::new(None));
        let first_seen = first.clone();
        let update = Box::new(move |r: &mut Room| {
            *first_seen.lock() = None;
            if !r.is_open() {
                return Err(Code::NotAllowedMeteor.into());
            }
            r.msgs += 1;
            r.lm = Some(saved.ts);
            if store_last {
                r.last_message = Some(serde_json::to_value(&saved).unwrap_or_default());
            }
            // markRoomResponded: the visitor is active this month; responseBy; no longer waiting.
            let month = saved.ts.month_tag();
            let activity = r.v.activity.get_or_insert_with(Vec::new);
            if !activity.contains(&month) {
                activity.push(month);
            }
            if let Some(Value::Object(rb)) = r.response_by.as_mut() {
                rb.insert(
                    "lastMessageTs".into(),
                    serde_json::to_value(now).unwrap_or_default(),
                );
            }
            if r.waiting_response == Some(true) {
                if r.response_by.is_none() {
                    r.response_by = Some(json!({
                        "_id": agent.id,
                        "username": agent.username,
                        "firstResponseTs": saved.ts,
                        "lastMessageTs": saved.ts,
                    }));
                }
                r.waiting_response = None;
            }
            if !ignore_bots {
                let responses = |r: &Room| {
                    let resp = r.metrics.as_ref().and_then(|m| m.response.as_ref());
                    (
                        resp.and_then(|x| x.total).unwrap_or(0),
                        resp.and_then(|x| x.ft),
                    )
                };
                let before = responses(r).0;
                agent_metrics(r, saved.ts, now);
                // The room's first response (once per room, whatever upstream's quirk repeats).
                if let (0, (1, Some(ft))) = (before, responses(r)) {
                    *first_seen.lock() = Some(ft);
                }
            }
            r.updated_at = now;
            Ok(())
        });
        let written = match &upload {
            Some(u) => self
                .store
                .insert_upload_message(u, m.clone(), update)
                .await?
                .map(|room| (room, None)),
            None => self
                .store
                .append_message(m.clone(), update, self.unread_at(&m))
                .await?
                .map(|(room, unread)| (room, Some(unread))),
        };
        let (room, unread) = written.ok_or(Code::DuplicateMessageId)?;
        self.count_message(&m);
        if let Some(ft) = first.lock().take() {
            self.metrics.first_response(ft);
        }
        self.publish_message(&m);
        self.publish_room_changed(&room);
        self.mark_visitor_active(&room, &m.ts.month_tag()).await?;
        match unread {
            Some(subs) => self.publish_subscriptions(&subs, "updated"),
            None => self.count_unread(&m).await?,
        }
        self.inquiry_last_message(&m).await?;
        self.after_omnichannel_message(&m, &room).await?;
        Ok(m)
    }

    /// Upstream's unread counters with `Unread_Count_Omni` = `all_messages`: every other
    /// subscriber of the room counts the message and is alerted (`mentions_only` counts
    /// mentions, which omnichannel rooms here do not resolve: nothing is counted).
    async fn count_unread(&self, m: &Message) -> Result<()> {
        let Some(now) = self.unread_at(m) else {
            return Ok(());
        };
        let subs = self.store.bump_unread(&m.rid, &m.u.id, now).await?;
        self.publish_subscriptions(&subs, "updated");
        Ok(())
    }

    /// When `m` counts as unread (see `count_unread`): the time the counters are stamped.
    fn unread_at(&self, m: &Message) -> Option<crate::time::Ts> {
        (m.t.is_none() && self.settings.str("Unread_Count_Omni") == "all_messages")
            .then(|| self.now())
    }

    /// Upstream's `saveLastMessageToInquiry`: the room's inquiry carries its newest message
    /// (the queue shows it) and watchers of the inquiry hear of it — only where agents see
    /// the queue (`showQueue`: manual selection) and `Store_Last_Message` is on, as upstream.
    async fn inquiry_last_message(&self, m: &Message) -> Result<()> {
        if m.t.is_some()
            || self.routing_method()? != RoutingMethod::ManualSelection
            || !self.settings.bool("Store_Last_Message")
        {
            return Ok(());
        }
        let Some(i) = self.store.inquiry_by_room(&m.rid).await? else {
            return Ok(());
        };
        let last = serde_json::to_value(m).unwrap_or_default();
        self.store
            .modify_inquiry(
                &i.id,
                Box::new(move |i| {
                    i.last_message = Some(last.clone());
                    Ok(())
                }),
            )
            .await?;
        self.publish_inquiry(&m.rid, "changed").await;
        Ok(())
    }

    /// `subscriptions.read`: `user` has read room `rid`.
    pub async fn mark_room_read(&self, user: &User, rid: &str) -> Result<()> {
        if let Some(sub) = self.store.mark_read(rid, &user.id, self.now()).await? {
            self.publish_subscriptions(&[sub], "updated");
        }
        Ok(())
    }

    /// Upstream's `markRoomResponded` for the period: an agent answered, so the visitor
    /// (and the room's inquiry) count as active this month; its next rooms start active.
    async fn mark_visitor_active(&self, room: &Room, month: &str) -> Result<()> {
        let add = |list: &mut Option<Vec<String>>| {
            let l = list.get_or_insert_with(Vec::new);
            if !l.iter().any(|m| m == month) {
                l.push(month.to_string());
            }
        };
        if let Some(v) = self.store.visitor(&room.v.id).await?
            && !v.activity.iter().flatten().any(|m| m == month)
        {
            let now = self.now();
            let month = month.to_string();
            self.store
                .modify_visitor(
                    &v.id,
                    Box::new(move |v| {
                        let l = v.activity.get_or_insert_with(Vec::new);
                        if !l.contains(&month) {
                            l.push(month.clone());
                        }
                        v.updated_at = now;
                        Ok(())
                    }),
                )
                .await?;
        }
        if let Some(i) = self.store.inquiry_by_room(&room.id).await?
            && !i.v.activity.iter().flatten().any(|m| m == month)
        {
            let mut activity = i.v.activity.clone();
            add(&mut activity);
            self.store
                .modify_inquiry(
                    &i.id,
                    Box::new(move |i| {
                        i.v.activity = activity.clone();
                        Ok(())
                    }),
                )
                .await?;
        }
        Ok(())
    }

    /// The visitor behind `token` and its room `rid`, with upstream's `invalid-token` /
    /// `invalid-room` errors.
    pub async fn visitor_room(&self, token: &str, rid: &str) -> Result<(Visitor, Room)> {
        let visitor = self
            .store
            .visitor_by_token(token)
            .await?
            .ok_or(Code::InvalidToken)?;
        let room = self
            .store
            .room_by_token(token, Some(rid))
            .await?
            .ok_or(Code::InvalidRoom)?;
        Ok((visitor, room))
    }

    /// `GET livechat/message/:_id`.
    pub async fn visitor_message(&self, token: &str, rid: &str, id: &str) -> Result<Message> {
        self.visitor_room(token, rid).await?;
        self.store
            .message(id)
            .await?
            .filter(|m| m.rid == rid)
            .ok_or_else(|| Error::from(Code::InvalidMessage))
    }

    /// A message the visitor may change: its own, while `setting` allows it.
    async fn own_visitor_message(
        &self,
        token: &str,
        rid: &str,
        id: &str,
        setting: &str,
    ) -> Result<(Visitor, Message)> {
        let (visitor, _) = self.visitor_room(token, rid).await?;
        let m = self.store.message(id).await?.ok_or(Code::InvalidMessage)?;
        if !self.settings.bool(setting) || m.u.id != visitor.id {
            return Err(Code::ActionNotAllowed.into());
        }
        Ok((visitor, m))
    }

    /// `PUT livechat/message/:_id`: the visitor edits its own message.
    pub async fn edit_visitor_message(
        &self,
        token: &str,
        rid: &str,
        id: &str,
        msg: &str,
    ) -> Result<Message> {
        let (visitor, _) = self
            .own_visitor_message(token, rid, id, "Message_AllowEditing")
            .await?;
        self.check_length(msg)?;
        let by = json!({"_id": visitor.id, "username": visitor.username()});
        self.apply_edit(rid, id, msg, by).await
    }

    /// `chat.update`: a user edits a message of a room it may open: its own while
    /// `Message_AllowEditing`, anyone's with `edit-message` (upstream's `canEditMessage`);
    /// the same text changes nothing.
    pub async fn edit_message_as(
        &self,
        user: &User,
        rid: &str,
        id: &str,
        text: &str,
    ) -> Result<Message> {
        let m = self.message_in_room_for(user, rid, id).await?;
        let own = m.u.id == user.id;
        if m.t.is_some()
            || !(self.has_permission(user, "edit-message")
                || own && self.settings.bool("Message_AllowEditing"))
        {
            return Err(Code::MessageEditingNotAllowed.into());
        }
        self.check_max_size(text)?;
        if m.msg == text {
            return Ok(m);
        }
        let by = json!({"_id": user.id, "username": user.username});
        self.apply_edit(rid, id, text, by).await
    }

    /// A message `user` names by room and id: `No message found…` when there is none, the
    /// room mismatch error when it is elsewhere, 403 when `user` may not open the room.
    async fn message_in_room_for(&self, user: &User, rid: &str, id: &str) -> Result<Message> {
        let m = self
            .store
            .message(id)
            .await?
            .ok_or_else(|| Code::NoMessageWithId(id.to_string()))?;
        if m.rid != rid {
            return Err(Code::MessageRoomMismatch.into());
        }
        let room = self.store.room(rid).await?.ok_or(Code::ChatNotAllowed)?;
        if !self.can_access_room(user, &room).await? {
            return Err(Code::ChatNotAllowed.into());
        }
        Ok(m)
    }

    /// The new text of message `id` (its `md`, `urls` and quotes with it), edited by `by`.
    async fn apply_edit(&self, rid: &str, id: &str, msg: &str, by: Value) -> Result<Message> {
        let now = self.now();
        let (text, md, mut urls) = (msg.to_string(), md_of(msg), urls_of(msg));
        // Links in the new text quote as in a new message (upstream's beforeSave on updates).
        let quotes = self.quotes_for(rid, &mut urls).await?;
        self.store
            .modify_message(
                id,
                Box::new(move |m| {
                    m.msg = text.clone();
                    m.md = md.clone();
                    m.urls = Some(urls.clone());
                    add_quotes(&mut m.attachments, quotes.clone());
                    m.edited_at = Some(now);
                    m.edited_by = Some(by.clone());
                    m.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or_else(|| Error::from(Code::InvalidMessage))
            .inspect(|m| self.publish_message(m))
    }

    /// `DELETE livechat/message/:_id`: the visitor removes its own message.
    pub async fn delete_visitor_message(
        &self,
        token: &str,
        rid: &str,
        id: &str,
    ) -> Result<(String, Ts)> {
        let (_, m) = self
            .own_visitor_message(token, rid, id, "Message_AllowDeleting")
            .await?;
        self.remove_message(rid, id).await?;
        Ok((m.id, self.now()))
    }

    /// `chat.delete`: a user removes a message of a room it may open: its own while
    /// `Message_AllowDeleting`, anyone's with `delete-message`; `as_user` (deleting another's
    /// message as its author) needs `force-delete-message`. Answers the message as it was.
    pub async fn delete_message_as(
        &self,
        user: &User,
        rid: &str,
        id: &str,
        as_user: bool,
    ) -> Result<Message> {
        let m = self.message_in_room_for(user, rid, id).await?;
        let own = m.u.id == user.id;
        if as_user && !own && !self.has_permission(user, "force-delete-message") {
            return Err(Code::ForceDeleteNotAllowed.into());
        }
        let may = if as_user && !own {
            true
        } else {
            self.has_permission(user, "delete-message")
                || own && self.settings.bool("Message_AllowDeleting")
        };
        if m.t.is_some() || !may {
            return Err(Code::MessageDeletingNotAllowed.into());
        }
        self.remove_message(rid, id).await?;
        Ok(m)
    }

    /// Deletes message `id` of room `rid` (the room's `lastMessage` falls back) and tells
    /// the room's watchers.
    async fn remove_message(&self, rid: &str, id: &str) -> Result<()> {
        self.store
            .delete_message(id, Box::new(last_message_after_delete))
            .await?;
        self.bus.publish(crate::bus::Event::NotifyRoom {
            event: format!("{rid}/deleteMessage"),
            args: vec![json!({ "_id": id })],
            origin: None,
        });
        Ok(())
    }

    /// `GET livechat/messages.history/:rid`: newest first; hidden messages and the types
    /// `Hide_System_Messages` names are left out.
    /// Upstream's `loadHistory` for a logged-in user: the newest `limit` messages of `rid`
    /// before `end`, newest first, system messages included (but `Hide_System_Messages`);
    /// `None` when there is no such room or `user` may not open it (upstream answers `false`).
    pub async fn user_history(
        &self,
        user: &User,
        rid: &str,
        end: Option<Ts>,
        limit: i64,
    ) -> Result<Option<Vec<crate::model::DocJson>>> {
        let Some(room) = self.store.room(rid).await? else {
            return Ok(None);
        };
        if !self.can_access_room(user, &room).await? {
            return Ok(None);
        }
        let hidden: Vec<String> = self
            .settings
            .get("Hide_System_Messages")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let limit = limit.clamp(1, 1000);
        let messages = self.store.history(rid, end, limit, 0, &hidden).await?;
        // Agents also read the room's internal notes.
        let notes = self.store.notes_of_room(rid, end, limit).await?;
        Ok(Some(super::notes::merge_raw(
            messages,
            notes,
            limit as usize,
        )))
    }

    pub async fn history(
        &self,
        token: &str,
        rid: &str,
        end: Option<Ts>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<crate::model::DocJson>> {
        if !self.store.visitor_exists(token).await? {
            return Err(Code::InvalidToken.into());
        }
        if !self.store.room_of_token_exists(token, rid).await? {
            return Err(Code::InvalidRoom.into());
        }
        let hidden: Vec<String> = self
            .settings
            .get("Hide_System_Messages")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        // Stored documents go out as they are (no decode/encode per message).
        Ok(self.store.history(rid, end, limit, offset, &hidden).await?)
    }

    /// Upstream's `resolveChatTags`: the room's tags and the ones given, plus its
    /// department's closing tags; a department requiring tags refuses an agent's close of a
    /// room with none (and any close when it has no closing tags to add).
    async fn resolve_chat_tags(
        &self,
        room: &Room,
        given: Option<&[String]>,
        client_action: bool,
    ) -> Result<Option<Vec<String>>> {
        let mut tags: Vec<String> = Vec::new();
        for t in given
            .unwrap_or_default()
            .iter()
            .chain(room.tags.iter().flatten())
        {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        let dep = match &room.department_id {
            Some(d) => self.store.department(d).await?,
            None => None,
        };
        if let Some(dep) = dep {
            let closing = dep.chat_closing_tags.unwrap_or_default();
            if dep.request_tag_before_closing_chat == Some(true)
                && ((client_action && tags.is_empty()) || closing.is_empty())
            {
                return Err(Code::TagsMustBeAssignedBeforeClosingChat.into());
            }
            for t in closing {
                if !tags.contains(&t) {
                    tags.push(t);
                }
            }
        }
        Ok((!tags.is_empty()).then_some(tags))
    }

    /// Upstream's `closeRoom`: room closed with its metrics, inquiry and subscriptions gone,
    /// and the `livechat-close` message, all in one transaction.
    async fn close(
        &self,
        room: &Room,
        closer: &str,
        closed_by: UserRef,
        token: Option<String>,
        c: Close,
    ) -> Result<Room> {
        let tags = self
            .resolve_chat_tags(room, c.tags.as_deref(), c.client_action)
            .await?;
        let now = self.now();
        let close_msg = {
            let mut m = Message::system(
                self.ids.id(),
                "livechat-close",
                &room.id,
                &c.comment,
                closed_by.clone(),
                now,
            );
            m.token = token;
            m.transcript_requested = Some(room.transcript_request.is_some());
            m
        };
        let closing = Closing {
            closer: closer.to_string(),
            by: json!({"_id": closed_by.id, "username": closed_by.username}),
            tags,
            message: close_msg.clone(),
        };
        let ask = Ask {
            room: Some(RoomKey::Id(room.id.clone())),
            inquiry: Some(InquiryKey::OfRoom),
            subscriptions: true,
            agents: None,
            ..Default::default()
        };
        let (closed, inquiry, subs) = self
            .unit(ask, move |rows| close_room(rows, &closing, now))
            .await?;
        self.publish_message(&close_msg);
        if let Some(i) = inquiry {
            let was_queued = i.status == "queued";
            self.publish_inquiry_doc(i, "removed");
            if was_queued {
                self.publish_queue_positions().await;
            }
        }
        self.publish_subscriptions(&subs, "removed");
        if closed.transcript_request.is_some()
            && let Err(e) = self.transcript_on_close(&closed).await
        {
            tracing::warn!(rid = %closed.id, error = %e, "requested transcript not sent");
        }
        if self.settings.bool("Livechat_webhook_on_close") {
            self.send_to_crm(
                "LivechatSession",
                &closed,
                super::crm::CrmMessages::All,
                None,
            )
            .await?;
        }
        Ok(closed)
    }

    /// `POST livechat/room.close`.
    pub async fn close_by_visitor(&self, token: &str, rid: &str) -> Result<String> {
        if !self
            .settings
            .bool("Omnichannel_allow_visitors_to_close_conversation")
        {
            return Err(Code::NotAllowedToCloseConversation.into());
        }
        let (visitor, room) = self.visitor_room(token, rid).await?;
        if !room.is_open() {
            return Err(Code::RoomClosed.into());
        }
        let comment = "Closed by visitor".to_string();
        let by = UserRef {
            id: visitor.id.clone(),
            username: visitor.username().to_string(),
            name: None,
        };
        self.close(
            &room,
            "visitor",
            by,
            Some(visitor.token().to_string()),
            Close {
                comment: comment.clone(),
                tags: None,
                client_action: false,
            },
        )
        .await?;
        self.process_queue().await?;
        Ok(comment)
    }

    /// `POST livechat/room.closeByUser`.
    pub async fn close_by_user(
        &self,
        user: &User,
        rid: &str,
        comment: Option<String>,
        tags: Option<Vec<String>>,
    ) -> Result<()> {
        let room = self.store.room(rid).await?.ok_or(Code::ErrorInvalidRoom)?;
        self.ensure_may_act(user, &room).await?;
        if !room.is_open() {
            return Err(Code::RoomAlreadyClosed.into());
        }
        let subscribed = self
            .store
            .subscriptions_of_room(rid)
            .await?
            .iter()
            .any(|s| s.u.id == user.id);
        if !subscribed && !self.has_permission(user, "close-others-livechat-room") {
            return Err(Code::NotAuthorized.into());
        }
        let comment = comment.unwrap_or_default();
        if self
            .settings
            .bool("Livechat_request_comment_when_closing_conversation")
            && comment.trim().is_empty()
        {
            return Err(Code::CommentIsRequired.into());
        }
        self.close(
            &room,
            "user",
            user.user_ref(),
            None,
            Close {
                comment,
                tags,
                client_action: true,
            },
        )
        .await?;
        self.process_queue().await?;
        Ok(())
    }
}

impl Livechat {
    /// Upstream's `closeOmnichannelConversations` on deactivation: every open chat `user`
    /// is in closes, by `user`, with "Agent was deactivated". One chat that cannot close
    /// does not keep the others open (upstream's `allSettled`); returns how many closed.
    pub(super) async fn close_chats_of_deactivated(&self, user: &User) -> Result<usize> {
        let mut closed = 0;
        for sub in self.store.subscriptions_of_user(&user.id).await? {
            let Some(room) = self.store.room(&sub.rid).await? else {
                continue;
            };
            if !room.is_open() {
                continue;
            }
            let close = Close {
                comment: "Agent was deactivated".into(),
                tags: None,
                client_action: false,
            };
            match self
                .close(&room, "user", user.user_ref(), None, close)
                .await
            {
                Ok(_) => closed += 1,
                Err(e) => tracing::warn!(rid = %room.id, "closing a deactivated agent's chat: {e}"),
            }
        }
        Ok(closed)
    }
}

/// Upstream's `deleteMessage`: when the removed message was the room's `lastMessage`, the
/// newest visible message left takes its place (none: no `lastMessage`).
fn last_message_after_delete(room: &mut Room, removed: &Message, newest: Option<Message>) -> bool {
    let was_last = room
        .last_message
        .as_ref()
        .and_then(|l| l.get("_id"))
        .and_then(Value::as_str)
        == Some(removed.id.as_str());
    if was_last {
        room.last_message = newest.map(|l| serde_json::to_value(l).unwrap_or_default());
    }
    was_last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_found() {
        let u = urls_of("see https://rocket.chat/docs, and ftp://x.org/a.");
        assert_eq!(
            u,
            vec![
                json!({"url": "https://rocket.chat/docs"}),
                json!({"url": "ftp://x.org/a"})
            ]
        );
        assert!(urls_of("no links: a://b").is_empty());
        // A link as a markdown label: the link alone (upstream's URL pattern).
        assert_eq!(
            urls_of("[https://chat.example/live/r1?msg=m1](quoting you)"),
            vec![json!({"url": "https://chat.example/live/r1?msg=m1"})]
        );
        // Parentheses inside a path stay; an unbalanced closing one goes.
        assert_eq!(
            urls_of("(see https://en.example/wiki/A_(b))"),
            vec![json!({"url": "https://en.example/wiki/A_(b)"})]
        );
    }

    fn room(last: Option<&str>) -> Room {
        let mut r: Room = serde_json::from_value(json!({
            "_id": "room1", "msgs": 2, "usersCount": 1, "fname": "Visitor", "t": "l",
            "ts": "2024-01-01T00:00:00.000Z", "v": {"_id": "v1", "username": "guest-1",
            "token": "tok", "status": "online"}, "cl": false, "open": true,
            "source": {"type": "widget"}, "_updatedAt": "2024-01-01T00:00:00.000Z"
        }))
        .unwrap();
        r.last_message = last.map(|id| json!({ "_id": id, "msg": id }));
        r
    }

    fn message(id: &str) -> Message {
        serde_json::from_value(json!({
            "_id": id, "rid": "room1", "msg": id, "ts": "2024-01-01T00:00:00.000Z",
            "u": {"_id": "v1", "username": "guest-1"}, "_updatedAt": "2024-01-01T00:00:00.000Z"
        }))
        .unwrap()
    }

    #[test]
    fn deleting_the_last_message_falls_back_to_the_newest_left() {
        let mut r = room(Some("m2"));
        assert!(last_message_after_delete(
            &mut r,
            &message("m2"),
            Some(message("m1"))
        ));
        assert_eq!(r.last_message.unwrap()["_id"], "m1");

        let mut r = room(Some("m2"));
        assert!(last_message_after_delete(&mut r, &message("m2"), None));
        assert_eq!(r.last_message, None);
    }

    #[test]
    fn deleting_another_message_leaves_the_room_alone() {
        let mut r = room(Some("m2"));
        let before = r.clone();
        assert!(!last_message_after_delete(
            &mut r,
            &message("m1"),
            Some(message("m2"))
        ));
        assert_eq!(r, before);
    }
}
