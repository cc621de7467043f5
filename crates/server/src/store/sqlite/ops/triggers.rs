//! Livechat triggers (upstream's `livechat/triggers`).

use super::*;

pub(super) fn trigger_tx(c: &Conn, id: &str) -> StoreResult<Option<Trigger>> {
    load(c, "triggers", id)
}

pub(super) fn list_triggers_tx(
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

pub(super) fn put_trigger_tx(c: &Conn, t: &Trigger) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO triggers (id, name, enabled, doc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled, doc = excluded.doc",
    )?
    .execute(params![t.id, t.name, t.enabled, to_doc(t)?])?;
    Ok(())
}

pub(super) async fn trigger(s: &SqliteStore, id: &str) -> StoreResult<Option<Trigger>> {
    s.read(|c| trigger_tx(c, id))
}

pub(super) async fn list_triggers(
    s: &SqliteStore,
    enabled_only: bool,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<Trigger>, i64)> {
    s.read(|c| list_triggers_tx(c, enabled_only, offset, count, sort))
}

pub(super) async fn put_trigger(s: &SqliteStore, t: &Trigger) -> StoreResult<()> {
    let t = t.clone();
    s.write(move |c| put_trigger_tx(c, &t)).await
}

pub(super) async fn delete_trigger(s: &SqliteStore, id: &str) -> StoreResult<bool> {
    let id = id.to_owned();
    s.write(move |c| custom_fields::delete_by_id(c, "triggers", &id))
        .await
}
