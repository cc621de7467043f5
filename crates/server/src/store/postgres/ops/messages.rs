//! Messages: appending with the room's update, edits, deletion, history pages.

use super::*;
use sqlx::Row;

pub(super) async fn append_message(
    s: &PgStore,
    msg: Message,
    room_update: Modify<Room>,
    unread_at: Option<Ts>,
) -> StoreResult<Option<(Room, Vec<Subscription>)>> {
    in_tx!(s, |c| {
        // Three round trips: the check and the room's lock, the writes, the commit.
        let (exists, room): (bool, Option<String>) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE id = $1),
                    (SELECT doc::text FROM rooms WHERE id = $2 FOR UPDATE)",
        )
        .bind(msg.id.clone())
        .bind(msg.rid.clone())
        .fetch_one(&mut *c)
        .await?;
        let (false, Some(room)) = (exists, room) else {
            return Ok(None);
        };
        let mut room: Room = from_doc(&room)?;
        room_update(&mut room).map_err(StoreError::Rejected)?;
        let q = sql_q(
            "WITH r AS (UPDATE rooms SET token = $2, open = $3, department_id = $4,
                        served_by = $5, ts = $6, doc = $7::json WHERE id = $1),
                  m AS (INSERT INTO messages (id, rid, ts, t, hidden, token, doc)
                        VALUES ($8, $9, $10, $11, $12, $13, $14::json))
             UPDATE subscriptions SET doc = (doc::jsonb || jsonb_build_object(
                 'unread', COALESCE((doc->>'unread')::bigint, 0) + 1, 'alert', true,
                 'open', true, '_updatedAt', $16::text))::json
             WHERE $17 AND rid = $1 AND user_id <> $15
             RETURNING doc::text",
        );
        let written = bind_message(bind_room(q, &room)?, &msg)?
            .bind(msg.u.id.clone())
            .bind(unread_at.map(|t| t.iso()).unwrap_or_default())
            .bind(unread_at.is_some())
            .fetch_all(&mut *c)
            .await;
        let unread = match written {
            // Inserted by a concurrent request after our check: as if it existed.
            Err(e) => match StoreError::from(e) {
                StoreError::Duplicate("id") => {
                    return Err(StoreError::Conflict("message inserted concurrently".into()));
                }
                e => return Err(e),
            },
            Ok(rows) => rows
                .iter()
                .map(|r| from_doc(r.try_get::<&str, _>(0)?))
                .collect::<StoreResult<_>>()?,
        };
        Ok(Some((room, unread)))
    })
}

pub(super) async fn message(s: &PgStore, id: &str) -> StoreResult<Option<Message>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn modify_message(
    s: &PgStore,
    id: &str,
    f: Modify<Message>,
) -> StoreResult<Option<Message>> {
    in_tx!(s, |c| modify_in_tx(c, id, &*f).await)
}

pub(super) async fn delete_message(
    s: &PgStore,
    id: &str,
    room_update: AfterDelete,
) -> StoreResult<bool> {
    in_tx!(s, |c| {
        let Some(m) = load::<Message>(c, id, true).await? else {
            return Ok(false);
        };
        q_exec(
            c,
            sql_q("DELETE FROM messages WHERE id = $1").bind(id.to_owned()),
        )
        .await?;
        if let Some(mut room) = load::<Room>(c, &m.rid, true).await? {
            let newest: Option<Message> = opt_doc(
                scalar(
                    "SELECT doc::text FROM messages WHERE rid = $1 AND t IS NULL AND NOT hidden
                     ORDER BY ts DESC, seq DESC LIMIT 1",
                )
                .bind(m.rid.clone())
                .fetch_optional(&mut *c)
                .await?,
            )?;
            if room_update(&mut room, &m, newest) {
                run(c, put_room(&room, false)).await?;
            }
        }
        Ok(true)
    })
}

pub(super) async fn history(
    s: &PgStore,
    rid: &str,
    end: Option<Ts>,
    limit: i64,
    offset: i64,
    hidden_types: &[String],
) -> StoreResult<Vec<crate::model::DocJson>> {
    let docs: Vec<String> = scalar(
        "SELECT doc::text FROM messages WHERE rid = $1 AND NOT hidden AND ts < $2
           AND (t IS NULL OR t <> ALL($3))
         ORDER BY ts DESC, seq DESC LIMIT $4 OFFSET $5",
    )
    .bind(rid.to_owned())
    .bind(end.map_or(i64::MAX, |e| e.millis()))
    .bind(hidden_types.to_vec())
    .bind(limit_of(limit))
    .bind(offset)
    .fetch_all(&s.pool)
    .await?;
    Ok(docs.into_iter().map(crate::model::DocJson).collect())
}

pub(super) async fn room_messages(
    s: &PgStore,
    rid: &str,
    search: Option<&str>,
    offset: i64,
    count: i64,
) -> StoreResult<(Vec<Message>, i64)> {
    let like = search.map(|t| format!("%{}%", like_escape(t)));
    let total: i64 = scalar(
        "SELECT COUNT(*) FROM messages WHERE rid = $1 AND (t IS NULL OR t = 'livechat-close')
         AND ($2::text IS NULL OR (doc->>'msg') ILIKE $2)",
    )
    .bind(rid.to_owned())
    .bind(like.clone())
    .fetch_one(&s.pool)
    .await?;
    let list: Vec<String> = scalar(
        "SELECT doc::text FROM messages WHERE rid = $1 AND (t IS NULL OR t = 'livechat-close')
         AND ($2::text IS NULL OR (doc->>'msg') ILIKE $2)
         ORDER BY ts DESC, seq DESC LIMIT $3 OFFSET $4",
    )
    .bind(rid.to_owned())
    .bind(like)
    .bind(limit_of(count))
    .bind(offset)
    .fetch_all(&s.pool)
    .await?;
    Ok((from_docs(list)?, total))
}

pub(super) async fn messages_of_room(s: &PgStore, rid: &str) -> StoreResult<Vec<Message>> {
    from_docs(
        scalar("SELECT doc::text FROM messages WHERE rid = $1 ORDER BY ts, seq")
            .bind(rid.to_owned())
            .fetch_all(&s.pool)
            .await?,
    )
}

pub(super) async fn room_messages_of_type(
    s: &PgStore,
    rid: &str,
    t: &str,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<Message>, i64)> {
    let order = order_by(sort, &[("ts", "ts")], "ts DESC");
    let total: i64 = scalar("SELECT COUNT(*) FROM messages WHERE rid = $1 AND t = $2")
        .bind(rid.to_owned())
        .bind(t.to_owned())
        .fetch_one(&s.pool)
        .await?;
    let list: Vec<String> = dyn_scalar(format!(
        "SELECT doc::text FROM messages WHERE rid = $1 AND t = $2 ORDER BY {order}, seq DESC LIMIT $3 OFFSET $4"
    ))
    .bind(rid.to_owned())
    .bind(t.to_owned())
    .bind(limit_of(count))
    .bind(offset)
    .fetch_all(&s.pool)
    .await?;
    Ok((from_docs(list)?, total))
}
