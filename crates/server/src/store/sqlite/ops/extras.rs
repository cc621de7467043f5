//! Issue 8a's operations: custom fields, triggers, pending navigation history, uploads.

use super::*;

fn put_custom_field(c: &Conn, f: &CustomField, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO custom_fields (id, label, scope, doc) VALUES (?1, ?2, ?3, ?4)"
    } else {
        "UPDATE custom_fields SET label = ?2, scope = ?3, doc = ?4 WHERE id = ?1"
    };
    c.prepare_cached(sql)?
        .execute(params![f.id, f.label, f.scope, to_doc(f)?])?;
    Ok(())
}

impl DocRow for CustomField {
    const TABLE: &'static str = "custom_fields";
    fn put(c: &Conn, d: &Self) -> StoreResult<()> {
        put_custom_field(c, d, false)
    }
}

pub(super) fn custom_field(c: &Conn, id: &str) -> StoreResult<Option<CustomField>> {
    load(c, "custom_fields", id)
}

pub(super) fn custom_fields(c: &Conn, scope: Option<&str>) -> StoreResult<Vec<CustomField>> {
    many_docs(
        c,
        "SELECT doc FROM custom_fields WHERE ?1 IS NULL OR scope = ?1 ORDER BY id",
        [scope],
    )
}

pub(super) fn list_custom_fields(
    c: &Conn,
    text: Option<&str>,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<CustomField>, i64)> {
    let text = text
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", like_escape(t)));
    let wh = "(?1 IS NULL OR id LIKE ?1 ESCAPE '\\' OR label LIKE ?1 ESCAPE '\\')";
    let total: i64 = c
        .prepare_cached(&format!("SELECT COUNT(*) FROM custom_fields WHERE {wh}"))?
        .query_row([&text], |r| r.get(0))?;
    let order = order_by(
        sort,
        &[("_id", "id"), ("label", "label"), ("scope", "scope")],
        "label",
    );
    let docs = many_docs(
        c,
        &format!(
            "SELECT doc FROM custom_fields WHERE {wh} ORDER BY {order}, id LIMIT ?2 OFFSET ?3"
        ),
        params![text, if count <= 0 { -1 } else { count }, offset],
    )?;
    Ok((docs, total))
}

pub(super) fn insert_custom_field(c: &Conn, f: &CustomField) -> StoreResult<()> {
    put_custom_field(c, f, true)
}

pub(super) fn modify_custom_field(
    c: &Conn,
    id: &str,
    f: &ModifyFn<CustomField>,
) -> StoreResult<Option<CustomField>> {
    modify_in_tx(c, id, f)
}

pub(super) fn delete_by_id(c: &Conn, table: &str, id: &str) -> StoreResult<bool> {
    Ok(
        c.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?
            .execute([id])?
            > 0,
    )
}

pub(super) fn trigger(c: &Conn, id: &str) -> StoreResult<Option<Trigger>> {
    load(c, "triggers", id)
}

pub(super) fn list_triggers(
    c: &Conn,
    enabled_only: bool,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<Trigger>, i64)> {
    let wh = if enabled_only { "enabled = 1" } else { "1 = 1" };
    let total: i64 = c
        .prepare_cached(&format!("SELECT COUNT(*) FROM triggers WHERE {wh}"))?
        .query_row([], |r| r.get(0))?;
    let order = order_by(
        sort,
        &[("_id", "id"), ("name", "name"), ("enabled", "enabled")],
        // `config` lists enabled triggers in insertion order (upstream's natural order).
        if enabled_only { "rowid" } else { "name" },
    );
    let docs = many_docs(
        c,
        &format!("SELECT doc FROM triggers WHERE {wh} ORDER BY {order}, id LIMIT ?1 OFFSET ?2"),
        params![if count <= 0 { -1 } else { count }, offset],
    )?;
    Ok((docs, total))
}

pub(super) fn put_trigger(c: &Conn, t: &Trigger) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO triggers (id, name, enabled, doc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled, doc = excluded.doc",
    )?
    .execute(params![t.id, t.name, t.enabled, to_doc(t)?])?;
    Ok(())
}

pub(super) fn insert_pending_navigation(
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

pub(super) fn attach_pending_navigation(
    c: &Conn,
    token: &str,
    rid: &str,
    now_ms: i64,
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
    // Each system message counts in the room's `msgs` (upstream's `incMsgCountById`).
    room.msgs += pending.len() as i64;
    c.prepare_cached("UPDATE rooms SET doc = ?2 WHERE id = ?1")?
        .execute(params![rid, to_doc(&room)?])?;
    Ok(pending)
}

pub(super) fn purge_pending_navigation(c: &Conn, now_ms: i64) -> StoreResult<u64> {
    Ok(
        c.prepare_cached("DELETE FROM navigation_pending WHERE expire_at <= ?1")?
            .execute([now_ms])? as u64,
    )
}

pub(super) fn insert_upload_message(
    c: &Conn,
    upload: &Upload,
    msg: &Message,
    room_update: &ModifyFn<Room>,
) -> StoreResult<Option<Room>> {
    let room = modify_in_tx(c, &msg.rid, room_update)?;
    if room.is_some() {
        c.prepare_cached("INSERT INTO uploads (id, rid, doc) VALUES (?1, ?2, ?3)")?
            .execute(params![upload.id, upload.rid, to_doc(upload)?])?;
        insert_message(c, msg)?;
    }
    Ok(room)
}

pub(super) fn upload(c: &Conn, id: &str) -> StoreResult<Option<Upload>> {
    load(c, "uploads", id)
}
