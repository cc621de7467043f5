//! Uploads: the file record and its message, written together; agents' files wait
//! unsent (temporary) until confirmed.

use super::*;

pub(super) fn insert_upload_message_tx(
    c: &Conn,
    upload: &Upload,
    msg: &Message,
    room_update: &ModifyFn<Room>,
) -> StoreResult<Option<Room>> {
    let room = modify_in_tx(c, &msg.rid, room_update)?;
    if room.is_some() {
        // An agent's temporary upload is confirmed by the same write.
        c.prepare_cached(
            "INSERT INTO uploads (id, rid, doc) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )?
        .execute(params![upload.id, upload.rid, to_doc(upload)?])?;
        insert_message(c, msg)?;
    }
    Ok(room)
}

pub(super) fn upload_tx(c: &Conn, id: &str) -> StoreResult<Option<Upload>> {
    load(c, "uploads", id)
}

pub(super) async fn insert_upload_message(
    s: &SqliteStore,
    upload: &Upload,
    msg: Message,
    room_update: Modify<Room>,
) -> StoreResult<Option<Room>> {
    let upload = upload.clone();
    s.write(move |c| insert_upload_message_tx(c, &upload, &msg, &*room_update))
        .await
}

pub(super) async fn insert_upload(s: &SqliteStore, upload: &Upload) -> StoreResult<()> {
    let upload = upload.clone();
    s.write(move |c| {
        c.prepare_cached("INSERT INTO uploads (id, rid, doc) VALUES (?1, ?2, ?3)")?
            .execute(params![upload.id, upload.rid, to_doc(&upload)?])?;
        Ok(())
    })
    .await
}

pub(super) async fn upload(s: &SqliteStore, id: &str) -> StoreResult<Option<Upload>> {
    s.read(|c| upload_tx(c, id))
}

pub(super) async fn expired_uploads(s: &SqliteStore, before: &str) -> StoreResult<Vec<Upload>> {
    s.read(|c| {
        many_docs(
            c,
            "SELECT doc FROM uploads WHERE json_extract(doc, '$.expiresAt') < ?1",
            [before],
        )
    })
}

pub(super) async fn delete_upload(s: &SqliteStore, id: &str) -> StoreResult<()> {
    let id = id.to_string();
    s.write(move |c| {
        c.prepare_cached("DELETE FROM uploads WHERE id = ?1")?
            .execute([&id])?;
        Ok(())
    })
    .await
}

pub(super) async fn uploads_of_token(s: &SqliteStore, token: &str) -> StoreResult<Vec<Upload>> {
    s.read(|c| {
        many_docs(
            c,
            "SELECT doc FROM uploads WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
            [token],
        )
    })
}
