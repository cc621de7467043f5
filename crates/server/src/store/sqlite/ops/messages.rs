//! Messages: appending with the room's update, edits, deletion, history pages.

use super::*;

pub(super) async fn append_message(
    s: &SqliteStore,
    msg: Message,
    room_update: Modify<Room>,
    unread_at: Option<Ts>,
) -> StoreResult<Option<(Room, Vec<Subscription>)>> {
    s.write(move |c| {
        let exists: bool = c
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM messages WHERE id = ?1)")?
            .query_row([&msg.id], |r| r.get(0))?;
        if exists {
            return Ok(None);
        }
        let Some(room) = modify_in_tx(c, &msg.rid, &*room_update)? else {
            return Ok(None);
        };
        insert_message(c, &msg)?;
        let unread = match unread_at {
            Some(now) => super::rooms::bump_unread_tx(c, &msg.rid, &msg.u.id, &now.iso())?,
            None => Vec::new(),
        };
        Ok(Some((room, unread)))
    })
    .await
}

pub(super) async fn message(s: &SqliteStore, id: &str) -> StoreResult<Option<Message>> {
    s.read(|c| load(c, "messages", id))
}

pub(super) async fn modify_message(
    s: &SqliteStore,
    id: &str,
    f: Modify<Message>,
) -> StoreResult<Option<Message>> {
    let id = id.to_owned();
    s.write(move |c| modify_in_tx(c, &id, &*f)).await
}

pub(super) async fn delete_message(
    s: &SqliteStore,
    id: &str,
    room_update: AfterDelete,
) -> StoreResult<bool> {
    let id = id.to_owned();
    s.write(move |c| {
        let Some(m) = load::<Message>(c, "messages", &id)? else { return Ok(false) };
        c.prepare_cached("DELETE FROM messages WHERE id = ?1")?.execute([&id])?;
        if let Some(mut room) = load::<Room>(c, "rooms", &m.rid)? {
            let newest: Option<Message> = one_doc(
                c,
                "SELECT doc FROM messages WHERE rid = ?1 AND t IS NULL AND hidden = 0 ORDER BY ts DESC, rowid DESC LIMIT 1",
                [&m.rid],
            )?;
            if room_update(&mut room, &m, newest) {
                put_room(c, &room, false)?;
            }
        }
        Ok(true)
    })
    .await
}

pub(super) async fn history(
    s: &SqliteStore,
    rid: &str,
    end: Option<Ts>,
    limit: i64,
    offset: i64,
    hidden_types: &[String],
) -> StoreResult<Vec<crate::model::DocJson>> {
    let hidden = serde_json::to_string(hidden_types)?;
    let docs: Vec<String> = s.read(|c| {
        let mut st = c.prepare_cached(
            "SELECT doc FROM messages WHERE rid = ?1 AND hidden = 0 AND ts < ?2
               AND (t IS NULL OR t NOT IN (SELECT value FROM json_each(?3)))
             ORDER BY ts DESC, rowid DESC LIMIT ?4 OFFSET ?5",
        )?;
        let rows = st
            .query_map(
                params![
                    rid,
                    end.map_or(i64::MAX, |e| e.millis()),
                    hidden,
                    limit,
                    offset
                ],
                |r| r.get(0),
            )?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    })?;
    Ok(docs.into_iter().map(crate::model::DocJson).collect())
}

pub(super) async fn room_messages(
    s: &SqliteStore,
    rid: &str,
    search: Option<&str>,
    offset: i64,
    count: i64,
) -> StoreResult<(Vec<Message>, i64)> {
    let like = search.map(|t| format!("%{}%", like_escape(t)));
    // Upstream's `findLivechatClosedMessages`: the conversation, not the system messages.
    let wh = "rid = ?1 AND (t IS NULL OR t = 'livechat-close')
        AND (?2 IS NULL OR json_extract(doc, '$.msg') LIKE ?2 ESCAPE '\\')";
    s.read(|c| {
        let total: i64 = c
            .prepare_cached(&format!("SELECT COUNT(*) FROM messages WHERE {wh}"))?
            .query_row(params![rid, like], |r| r.get(0))?;
        let list = many_docs(
            c,
            &format!("SELECT doc FROM messages WHERE {wh} ORDER BY ts DESC, rowid DESC LIMIT ?3 OFFSET ?4"),
            params![rid, like, if count <= 0 { -1 } else { count }, offset],
        )?;
        Ok((list, total))
    })
}

pub(super) async fn messages_of_room(s: &SqliteStore, rid: &str) -> StoreResult<Vec<Message>> {
    s.read(|c| {
        many_docs(
            c,
            "SELECT doc FROM messages WHERE rid = ?1 ORDER BY ts, rowid",
            [rid],
        )
    })
}

pub(super) async fn room_messages_of_type(
    s: &SqliteStore,
    rid: &str,
    t: &str,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<Message>, i64)> {
    let order = order_by(sort, &[("ts", "ts")], "ts DESC");
    s.read(|c| {
        let total: i64 = c
            .prepare_cached("SELECT COUNT(*) FROM messages WHERE rid = ?1 AND t = ?2")?
            .query_row(params![rid, t], |r| r.get(0))?;
        let list = many_docs(
            c,
            &format!(
                "SELECT doc FROM messages WHERE rid = ?1 AND t = ?2 ORDER BY {order}, rowid DESC LIMIT ?3 OFFSET ?4"
            ),
            params![rid, t, if count <= 0 { -1 } else { count }, offset],
        )?;
        Ok((list, total))
    })
}
