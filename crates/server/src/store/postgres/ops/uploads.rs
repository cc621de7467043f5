//! Uploads: the file record and its message, written together.

use super::*;

pub(super) async fn insert_upload_message(
    c: &mut Conn,
    upload: &Upload,
    msg: &Message,
    room_update: &ModifyFn<Room>,
) -> StoreResult<Option<Room>> {
    let room = modify_in_tx(c, &msg.rid, room_update).await?;
    if room.is_some() {
        sql_q("INSERT INTO uploads (id, rid, doc) VALUES ($1, $2, $3::json)")
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
