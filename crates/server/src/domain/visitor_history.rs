//! The agent side's view of visitors (upstream's `livechat/visitors.*` routes): a visitor's
//! document, the pages it browsed, its chats, and the visitor searches.

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::{Message, Room, User, Visitor};
use crate::store::{VisitorRoomsQuery, VisitorSearch};
use serde_json::Value;

/// Upstream's autocomplete answers at most this many visitors.
const AUTOCOMPLETE_LIMIT: i64 = 10;

impl Livechat {
    /// `visitors.info`: an enabled visitor (upstream's `findOneEnabledById`).
    pub async fn visitor_info(&self, id: &str) -> Result<Visitor> {
        self.store
            .visitor(id)
            .await?
            .filter(|v| !v.disabled)
            .ok_or_else(|| Code::VisitorNotFound.into())
    }

    /// `visitors.pagesVisited`: the room's navigation history messages; with the total.
    pub async fn pages_visited(
        &self,
        rid: &str,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> Result<(Vec<Message>, i64)> {
        let room = self.store.room(rid).await?.ok_or(Code::InvalidRoom)?;
        Ok(self
            .store
            .room_messages_of_type(&room.id, "livechat_navigation_history", offset, count, sort)
            .await?)
    }

    /// `visitors.chatHistory` / `visitors.searchChats`: the visitor's chats, asked from the
    /// room `rid` the caller is looking at, which must exist and be one it may access (the
    /// visitor need not be that room's: upstream does not check it).
    pub async fn visitor_chats(
        &self,
        user: &User,
        rid: &str,
        q: &VisitorRoomsQuery,
    ) -> Result<(Vec<Room>, i64)> {
        let room = self.store.room(rid).await?.ok_or(Code::InvalidRoom)?;
        if !self.can_access_room(user, &room).await? {
            return Err(Code::NotAllowed.into());
        }
        Ok(self.store.visitor_rooms(q).await?)
    }

    /// The message that closed the room (`livechat-close`), if any.
    pub async fn closing_message(&self, rid: &str) -> Result<Option<Message>> {
        let (list, _) = self
            .store
            .room_messages_of_type(rid, "livechat-close", 0, 1, &[])
            .await?;
        Ok(list.into_iter().next())
    }

    /// `visitors.autocomplete`: visitors whose name starts with `term` (trimmed,
    /// case-insensitively), but `exceptions`, by name, at most ten.
    pub async fn visitors_autocomplete(
        &self,
        term: &str,
        exceptions: &[String],
    ) -> Result<Vec<Visitor>> {
        Ok(self
            .store
            .visitors_by_name_prefix(term.trim(), exceptions, AUTOCOMPLETE_LIMIT)
            .await?)
    }

    /// `visitors.search`: by exact e-mail or phone, or part of the name, username or a
    /// searchable visitor custom field; an empty term lists every enabled visitor.
    pub async fn search_visitors(
        &self,
        term: Option<&str>,
        offset: i64,
        count: i64,
        sort: Vec<(String, bool)>,
    ) -> Result<(Vec<Visitor>, i64)> {
        let term = term.filter(|t| !t.is_empty());
        let custom_fields = match term {
            None => Vec::new(),
            Some(_) => self
                .store
                .custom_fields(Some("visitor"))
                .await?
                .into_iter()
                .filter(|f| f.extra.get("searchable") == Some(&Value::Bool(true)))
                .map(|f| f.id)
                .collect(),
        };
        Ok(self
            .store
            .search_visitors(&VisitorSearch {
                term: term.map(str::to_string),
                custom_fields,
                offset,
                count,
                sort,
            })
            .await?)
    }
}
