//! Navigation history sent before the visitor has a room (`livechat/page.visited`), kept until it is moved into the room or expires.

use super::*;

pub(super) fn insert_pending_navigation_tx(
    c: &Conn,
    token: &str,
    expire_at: i64,
    m: &Message,
) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO navigation_pending (id, token, expire_at, doc) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![m.id, token, expire_at, to_doc(m)?])?;
    Ok(())
}

pub(super) fn attach_pending_navigation_tx(
    c: &Conn,
    token: &str,
    rid: &str,
    now_ms: i64,
    room_update: &(dyn Fn(&mut Room, &[Message]) + Send + Sync),
) -> StoreResult<Vec<Message>> {
    c.prepare_cached("DELETE FROM navigation_pending WHERE token = ?1 AND expire_at <= ?2")?
        .execute(params![token, now_ms])?;
    let mut pending: Vec<Message> = many_docs(
        c,
        "SELECT doc FROM navigation_pending WHERE token = ?1 ORDER BY rowid",
        [token],
    )?;
    if pending.is_empty() {
        return Ok(pending);
    }
    let Some(mut room) = load::<Room>(c, "rooms", rid)? else {
        return Ok(Vec::new());
    };
    for m in &mut pending {
        m.rid = rid.to_string();
        insert_message(c, m)?;
    }
    c.prepare_cached("DELETE FROM navigation_pending WHERE token = ?1")?
        .execute([token])?;
    room_update(&mut room, &pending);
    c.prepare_cached("UPDATE rooms SET doc = ?2 WHERE id = ?1")?
        .execute(params![rid, to_doc(&room)?])?;
    Ok(pending)
}

pub(super) fn purge_pending_navigation_tx(c: &Conn, now_ms: i64) -> StoreResult<u64> {
    Ok(
        c.prepare_cached("DELETE FROM navigation_pending WHERE expire_at <= ?1")?
            .execute([now_ms])? as u64,
    )
}

pub(super) async fn insert_pending_navigation(
    s: &SqliteStore,
    token: &str,
    expire_at: i64,
    msg: &Message,
) -> StoreResult<()> {
    let (token, msg) = (token.to_owned(), msg.clone());
    s.write(move |c| insert_pending_navigation_tx(c, &token, expire_at, &msg))
        .await
}

pub(super) async fn attach_pending_navigation(
    s: &SqliteStore,
    token: &str,
    rid: &str,
    now_ms: i64,
    room_update: Received,
) -> StoreResult<Vec<Message>> {
    let (token, rid) = (token.to_owned(), rid.to_owned());
    s.write(move |c| attach_pending_navigation_tx(c, &token, &rid, now_ms, &*room_update))
        .await
}

pub(super) async fn purge_pending_navigation(s: &SqliteStore, now_ms: i64) -> StoreResult<u64> {
    s.write(move |c| purge_pending_navigation_tx(c, now_ms))
        .await
}
