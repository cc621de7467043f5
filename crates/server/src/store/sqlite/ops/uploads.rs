//! Uploads: the file record and its message, written together.

use super::*;

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
