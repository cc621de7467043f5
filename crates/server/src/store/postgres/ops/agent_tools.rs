//! Canned responses, tags, business units and internal notes: small catalogues read whole.

use super::*;

doc_load!(CannedResponse, "canned_responses");
doc_load!(LivechatTag, "livechat_tags");
doc_load!(Unit, "units");

async fn all<T: DeserializeOwned>(s: &PgStore, sql: &'static str) -> StoreResult<Vec<T>> {
    let docs: Vec<String> = scalar(sql).fetch_all(&s.pool).await?;
    from_docs(docs)
}

async fn one<T: Doc>(s: &PgStore, id: &str) -> StoreResult<Option<T>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn canned_responses(s: &PgStore) -> StoreResult<Vec<CannedResponse>> {
    all(
        s,
        "SELECT doc::text FROM canned_responses ORDER BY shortcut, id",
    )
    .await
}

pub(super) async fn canned_response(s: &PgStore, id: &str) -> StoreResult<Option<CannedResponse>> {
    one(s, id).await
}

pub(super) async fn put_canned_response(s: &PgStore, r: &CannedResponse) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q(
            "INSERT INTO canned_responses (id, shortcut, doc) VALUES ($1, $2, $3::json)
             ON CONFLICT (id) DO UPDATE SET shortcut = excluded.shortcut, doc = excluded.doc",
        )
        .bind(r.id.clone())
        .bind(r.shortcut.clone())
        .bind(to_doc(r)?),
    )
    .await?;
    Ok(())
}

pub(super) async fn delete_canned_response(s: &PgStore, id: &str) -> StoreResult<bool> {
    custom_fields::delete_by_id(&s.pool, "canned_responses", id).await
}

pub(super) async fn livechat_tags(s: &PgStore) -> StoreResult<Vec<LivechatTag>> {
    all(s, "SELECT doc::text FROM livechat_tags ORDER BY name, id").await
}

pub(super) async fn livechat_tag(s: &PgStore, id: &str) -> StoreResult<Option<LivechatTag>> {
    one(s, id).await
}

pub(super) async fn put_livechat_tag(s: &PgStore, t: &LivechatTag) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q(
            "INSERT INTO livechat_tags (id, name, doc) VALUES ($1, $2, $3::json)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc = excluded.doc",
        )
        .bind(t.id.clone())
        .bind(t.name.clone())
        .bind(to_doc(t)?),
    )
    .await?;
    Ok(())
}

pub(super) async fn delete_livechat_tag(s: &PgStore, id: &str) -> StoreResult<bool> {
    custom_fields::delete_by_id(&s.pool, "livechat_tags", id).await
}

pub(super) async fn business_units(s: &PgStore) -> StoreResult<Vec<Unit>> {
    all(s, "SELECT doc::text FROM units ORDER BY seq").await
}

pub(super) async fn business_unit(s: &PgStore, id: &str) -> StoreResult<Option<Unit>> {
    one(s, id).await
}

pub(super) async fn put_business_unit(s: &PgStore, u: &Unit) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q(
            "INSERT INTO units (id, doc) VALUES ($1, $2::json)
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(u.id.clone())
        .bind(to_doc(u)?),
    )
    .await?;
    Ok(())
}

pub(super) async fn delete_business_unit(s: &PgStore, id: &str) -> StoreResult<bool> {
    custom_fields::delete_by_id(&s.pool, "units", id).await
}

pub(super) async fn insert_note(s: &PgStore, m: &Message) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q("INSERT INTO room_notes (id, rid, ts, doc) VALUES ($1, $2, $3, $4::json)")
            .bind(m.id.clone())
            .bind(m.rid.clone())
            .bind(m.ts.millis())
            .bind(to_doc(m)?),
    )
    .await?;
    Ok(())
}

pub(super) async fn notes_of_room(
    s: &PgStore,
    rid: &str,
    end: Option<Ts>,
    limit: i64,
) -> StoreResult<Vec<Message>> {
    let docs: Vec<String> = scalar(
        "SELECT doc::text FROM room_notes WHERE rid = $1 AND ts < $2
         ORDER BY ts DESC, seq DESC LIMIT $3",
    )
    .bind(rid.to_owned())
    .bind(end.map_or(i64::MAX, |e| e.millis()))
    .bind(limit_of(limit))
    .fetch_all(&s.pool)
    .await?;
    from_docs(docs)
}
