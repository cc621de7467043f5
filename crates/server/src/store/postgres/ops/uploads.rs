//! Uploads: the file record and its message, written together; agents' files wait
//! unsent (temporary) until confirmed.

use super::*;

pub(super) async fn insert_upload_message_tx(
    c: &mut Conn,
    upload: &Upload,
    msg: &Message,
    room_update: &ModifyFn<Room>,
) -> StoreResult<Option<Room>> {
    let room = modify_in_tx(c, &msg.rid, room_update).await?;
    if room.is_some() {
        // An agent's temporary upload is confirmed by the same write.
        sql_q(
            "INSERT INTO uploads (id, rid, doc) VALUES ($1, $2, $3::json) \
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(upload.id.clone())
        .bind(upload.rid.clone())
        .bind(to_doc(upload)?)
        .execute(&mut *c)
        .await?;
        run(c, insert_message(msg)).await?;
    }
    Ok(room)
}

doc_load!(Trigger, "triggers");
doc_load!(Upload, "uploads");

pub(super) async fn insert_upload_message(
    s: &PgStore,
    upload: &Upload,
    msg: Message,
    room_update: Modify<Room>,
) -> StoreResult<Option<Room>> {
    in_tx!(s, |c| insert_upload_message_tx(
        c,
        upload,
        &msg,
        &*room_update
    )
    .await)
}

pub(super) async fn insert_upload(s: &PgStore, upload: &Upload) -> StoreResult<()> {
    sql_q("INSERT INTO uploads (id, rid, doc) VALUES ($1, $2, $3::json)")
        .bind(upload.id.clone())
        .bind(upload.rid.clone())
        .bind(to_doc(upload)?)
        .execute(&s.pool)
        .await?;
    Ok(())
}

pub(super) async fn expired_uploads(s: &PgStore, before: &str) -> StoreResult<Vec<Upload>> {
    from_docs(
        scalar("SELECT doc::text FROM uploads WHERE (doc->>'expiresAt') COLLATE \"C\" < $1")
            .bind(before.to_owned())
            .fetch_all(&s.pool)
            .await?,
    )
}

pub(super) async fn delete_upload(s: &PgStore, id: &str) -> StoreResult<()> {
    sql_q("DELETE FROM uploads WHERE id = $1")
        .bind(id.to_owned())
        .execute(&s.pool)
        .await?;
    Ok(())
}

pub(super) async fn upload(s: &PgStore, id: &str) -> StoreResult<Option<Upload>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn uploads_of_token(s: &PgStore, token: &str) -> StoreResult<Vec<Upload>> {
    from_docs(
        scalar(
            "SELECT doc::text FROM uploads WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
        )
        .bind(token.to_owned())
        .fetch_all(&s.pool)
        .await?,
    )
}
