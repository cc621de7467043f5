//! Internal notes (a Ferrochat addition; upstream has none): what an agent writes on a
//! chat for agents and managers only. Notes live apart from the room's messages (their own
//! table, their own bus event), so every path that reads a conversation for its visitor —
//! the widget's history, the visitor's stream, transcripts, webhooks — cannot see them;
//! only the agents' paths merge them in. A note changes nothing on the room (no
//! `lastMessage`, counters or response metrics).

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::{DocJson, Message, User};
use crate::time::Ts;
use serde::Deserialize;

/// A note's `t`: a type the widget does not render, should one ever reach it.
pub const NOTE_TYPE: &str = "livechat_internal_note";

impl Livechat {
    /// `POST livechat/notes {rid, msg}`: a note by `user`, who must be able to open the room.
    pub async fn add_note(&self, user: &User, rid: &str, msg: &str) -> Result<Message> {
        let room = self.store.room(rid).await?.ok_or(Code::InvalidRoom)?;
        if !self.can_access_room(user, &room).await? {
            return Err(Code::ChatNotAllowed.into());
        }
        if msg.trim().is_empty() {
            return Err(Code::InvalidMessage.into());
        }
        let now = self.now();
        let mut note = Message::system(self.ids.id(), NOTE_TYPE, rid, msg, user.user_ref(), now);
        note.md = super::messages::md_of(msg);
        self.store.insert_note(&note).await?;
        self.bus.publish(crate::bus::Event::Note {
            rid: rid.to_string(),
            message: Box::new(note.clone()),
        });
        Ok(note)
    }
}

#[derive(Deserialize)]
struct Stamp {
    ts: Ts,
}

fn ts_of(raw: &DocJson) -> i64 {
    serde_json::from_str::<Stamp>(raw.get()).map_or(0, |s| s.ts.millis())
}

/// Stored messages (newest first) with the room's notes among them, at most `limit`.
pub(super) fn merge_raw(messages: Vec<DocJson>, notes: Vec<Message>, limit: usize) -> Vec<DocJson> {
    if notes.is_empty() {
        return messages;
    }
    let mut all: Vec<(i64, DocJson)> = messages
        .into_iter()
        .map(|m| (ts_of(&m), m))
        .chain(notes.into_iter().filter_map(|n| {
            let ts = n.ts.millis();
            serde_json::to_string(&n).ok().map(|r| (ts, DocJson(r)))
        }))
        .collect();
    // Stable: equal times keep messages before notes, as they came.
    all.sort_by_key(|m| std::cmp::Reverse(m.0));
    all.into_iter().take(limit).map(|(_, m)| m).collect()
}

/// Messages (newest first) and notes merged, newest first.
pub(super) fn merge(messages: Vec<Message>, notes: Vec<Message>) -> Vec<Message> {
    let mut all: Vec<Message> = messages.into_iter().chain(notes).collect();
    all.sort_by_key(|m| std::cmp::Reverse(m.ts.millis()));
    all
}
