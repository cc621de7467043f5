//! Navigation history sent before the visitor has a room (`livechat/page.visited`), kept until it is moved into the room or expires.

use super::*;

pub(super) async fn insert_pending_navigation_tx(
    pool: &sqlx::PgPool,
    token: &str,
    expire_at: i64,
    m: &Message,
) -> StoreResult<()> {
    q_exec_pool(
        pool,
        sql_q("INSERT INTO navigation_pending (id, token, expire_at, doc) VALUES ($1, $2, $3, $4::json)")
            .bind(m.id.clone())
            .bind(token.to_owned())
            .bind(expire_at)
            .bind(to_doc(m)?),
    )
    .await?;
    Ok(())
}

pub(super) async fn attach_pending_navigation_tx(
    c: &mut Conn,
    token: &str,
    rid: &str,
    now_ms: i64,
    room_update: &(dyn Fn(&mut Room, &[Message]) + Send + Sync),
) -> StoreResult<Vec<Message>> {
    sql_q("DELETE FROM navigation_pending WHERE token = $1 AND expire_at <= $2")
        .bind(token.to_owned())
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    let mut pending: Vec<Message> = from_docs(
        scalar("SELECT doc::text FROM navigation_pending WHERE token = $1 ORDER BY seq FOR UPDATE")
            .bind(token.to_owned())
            .fetch_all(&mut *c)
            .await?,
    )?;
    if pending.is_empty() {
        return Ok(pending);
    }
    let Some(mut room) = load::<Room>(c, rid, true).await? else {
        return Ok(Vec::new());
    };
    for m in &mut pending {
        m.rid = rid.to_string();
        run(c, insert_message(m)).await?;
    }
    sql_q("DELETE FROM navigation_pending WHERE token = $1")
        .bind(token.to_owned())
        .execute(&mut *c)
        .await?;
    room_update(&mut room, &pending);
    run(c, put_room(&room, false)).await?;
    Ok(pending)
}

pub(super) async fn purge_pending_navigation_tx(
    pool: &sqlx::PgPool,
    now_ms: i64,
) -> StoreResult<u64> {
    q_exec_pool(
        pool,
        sql_q("DELETE FROM navigation_pending WHERE expire_at <= $1").bind(now_ms),
    )
    .await
}

pub(super) async fn insert_pending_navigation(
    s: &PgStore,
    token: &str,
    expire_at: i64,
    msg: &Message,
) -> StoreResult<()> {
    insert_pending_navigation_tx(&s.pool, token, expire_at, msg).await
}

pub(super) async fn attach_pending_navigation(
    s: &PgStore,
    token: &str,
    rid: &str,
    now_ms: i64,
    room_update: Received,
) -> StoreResult<Vec<Message>> {
    in_tx!(s, |c| attach_pending_navigation_tx(
        c,
        token,
        rid,
        now_ms,
        &*room_update
    )
    .await)
}

pub(super) async fn purge_pending_navigation(s: &PgStore, now_ms: i64) -> StoreResult<u64> {
    purge_pending_navigation_tx(&s.pool, now_ms).await
}
