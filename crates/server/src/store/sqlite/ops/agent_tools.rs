//! Canned responses, tags, business units and internal notes: small catalogues read whole.

use super::*;

fn all<T: DeserializeOwned>(s: &SqliteStore, sql: &'static str) -> StoreResult<Vec<T>> {
    s.read(|c| many_docs(c, sql, []))
}

fn one<T: DeserializeOwned>(
    s: &SqliteStore,
    table: &'static str,
    id: &str,
) -> StoreResult<Option<T>> {
    s.read(|c| load(c, table, id))
}

async fn delete(s: &SqliteStore, table: &'static str, id: &str) -> StoreResult<bool> {
    let id = id.to_owned();
    s.write(move |c| custom_fields::delete_by_id(c, table, &id))
        .await
}

pub(super) async fn canned_responses(s: &SqliteStore) -> StoreResult<Vec<CannedResponse>> {
    all(s, "SELECT doc FROM canned_responses ORDER BY shortcut, id")
}

pub(super) async fn canned_response(
    s: &SqliteStore,
    id: &str,
) -> StoreResult<Option<CannedResponse>> {
    one(s, "canned_responses", id)
}

pub(super) async fn put_canned_response(s: &SqliteStore, r: &CannedResponse) -> StoreResult<()> {
    let (id, shortcut, doc) = (r.id.clone(), r.shortcut.clone(), to_doc(r)?);
    s.write(move |c| {
        c.prepare_cached(
            "INSERT INTO canned_responses (id, shortcut, doc) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET shortcut = excluded.shortcut, doc = excluded.doc",
        )?
        .execute(params![id, shortcut, doc])?;
        Ok(())
    })
    .await
}

pub(super) async fn delete_canned_response(s: &SqliteStore, id: &str) -> StoreResult<bool> {
    delete(s, "canned_responses", id).await
}

pub(super) async fn livechat_tags(s: &SqliteStore) -> StoreResult<Vec<LivechatTag>> {
    all(s, "SELECT doc FROM livechat_tags ORDER BY name, id")
}

pub(super) async fn livechat_tag(s: &SqliteStore, id: &str) -> StoreResult<Option<LivechatTag>> {
    one(s, "livechat_tags", id)
}

pub(super) async fn put_livechat_tag(s: &SqliteStore, t: &LivechatTag) -> StoreResult<()> {
    let (id, name, doc) = (t.id.clone(), t.name.clone(), to_doc(t)?);
    s.write(move |c| {
        c.prepare_cached(
            "INSERT INTO livechat_tags (id, name, doc) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc = excluded.doc",
        )?
        .execute(params![id, name, doc])?;
        Ok(())
    })
    .await
}

pub(super) async fn delete_livechat_tag(s: &SqliteStore, id: &str) -> StoreResult<bool> {
    delete(s, "livechat_tags", id).await
}

pub(super) async fn business_units(s: &SqliteStore) -> StoreResult<Vec<Unit>> {
    all(s, "SELECT doc FROM units ORDER BY rowid")
}

pub(super) async fn business_unit(s: &SqliteStore, id: &str) -> StoreResult<Option<Unit>> {
    one(s, "units", id)
}

pub(super) async fn put_business_unit(s: &SqliteStore, u: &Unit) -> StoreResult<()> {
    let (id, doc) = (u.id.clone(), to_doc(u)?);
    s.write(move |c| {
        c.prepare_cached(
            "INSERT INTO units (id, doc) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )?
        .execute(params![id, doc])?;
        Ok(())
    })
    .await
}

pub(super) async fn delete_business_unit(s: &SqliteStore, id: &str) -> StoreResult<bool> {
    delete(s, "units", id).await
}

pub(super) async fn insert_note(s: &SqliteStore, m: &Message) -> StoreResult<()> {
    let (id, rid, ts, doc) = (m.id.clone(), m.rid.clone(), m.ts.millis(), to_doc(m)?);
    s.write(move |c| {
        c.prepare_cached("INSERT INTO room_notes (id, rid, ts, doc) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![id, rid, ts, doc])?;
        Ok(())
    })
    .await
}

pub(super) async fn notes_of_room(
    s: &SqliteStore,
    rid: &str,
    end: Option<Ts>,
    limit: i64,
) -> StoreResult<Vec<Message>> {
    s.read(|c| {
        many_docs(
            c,
            "SELECT doc FROM room_notes WHERE rid = ?1 AND ts < ?2
             ORDER BY ts DESC, rowid DESC LIMIT ?3",
            params![
                rid,
                end.map_or(i64::MAX, |e| e.millis()),
                if limit <= 0 { -1 } else { limit }
            ],
        )
    })
}
