//! Realtime connections shared by several instances, and the instances' heartbeats.

use super::*;

pub(super) async fn presence_connect(
    s: &PgStore,
    instance: &str,
    conn: u64,
    user_id: &str,
    now: Ts,
) -> StoreResult<bool> {
    in_tx!(s, |c| connect_in_tx(c, instance, conn, user_id, now).await)
}

pub(super) async fn presence_disconnect(
    s: &PgStore,
    instance: &str,
    conn: u64,
) -> StoreResult<Option<String>> {
    in_tx!(s, |c| disconnect_in_tx(c, instance, conn).await)
}

pub(super) async fn presence_count(s: &PgStore, user_id: &str) -> StoreResult<i64> {
    Ok(
        scalar("SELECT COUNT(*) FROM presence_connections WHERE user_id = $1")
            .bind(user_id.to_owned())
            .fetch_one(&s.pool)
            .await?,
    )
}

/// Advisory lock class of one user's presence (`pg_advisory_xact_lock(class, hash)`):
/// connects and disconnects of one user on several instances queue, so exactly one of
/// them sees the first connection and one the last.
const PRESENCE_LOCK: i32 = 0x4643_5052; // "FCPR"

async fn lock_presence(c: &mut Conn, user_id: &str) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(PRESENCE_LOCK)
        .bind(user_id.to_owned())
        .execute(&mut *c)
        .await?;
    Ok(())
}

async fn has_connections(c: &mut Conn, user_id: &str) -> StoreResult<bool> {
    Ok(
        scalar("SELECT EXISTS (SELECT 1 FROM presence_connections WHERE user_id = $1)")
            .bind(user_id.to_owned())
            .fetch_one(&mut *c)
            .await?,
    )
}

pub(super) async fn connect_in_tx(
    c: &mut Conn,
    instance: &str,
    conn: u64,
    user_id: &str,
    now: Ts,
) -> StoreResult<bool> {
    lock_presence(c, user_id).await?;
    sql_q(
        "INSERT INTO presence_connections (instance_id, conn_id, user_id, since) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, conn_id) DO UPDATE SET user_id = excluded.user_id, since = excluded.since",
    )
    .bind(instance.to_owned())
    .bind(conn as i64)
    .bind(user_id.to_owned())
    .bind(now.millis())
    .execute(&mut *c)
    .await?;
    let n: i64 = scalar("SELECT COUNT(*) FROM presence_connections WHERE user_id = $1")
        .bind(user_id.to_owned())
        .fetch_one(&mut *c)
        .await?;
    Ok(n == 1)
}

pub(super) async fn disconnect_in_tx(
    c: &mut Conn,
    instance: &str,
    conn: u64,
) -> StoreResult<Option<String>> {
    let user: Option<String> =
        scalar("SELECT user_id FROM presence_connections WHERE instance_id = $1 AND conn_id = $2")
            .bind(instance.to_owned())
            .bind(conn as i64)
            .fetch_optional(&mut *c)
            .await?;
    let Some(user) = user else { return Ok(None) };
    lock_presence(c, &user).await?;
    let deleted: Option<String> = scalar(
        "DELETE FROM presence_connections WHERE instance_id = $1 AND conn_id = $2 RETURNING user_id",
    )
    .bind(instance.to_owned())
    .bind(conn as i64)
    .fetch_optional(&mut *c)
    .await?;
    let Some(user) = deleted else { return Ok(None) };
    Ok((!has_connections(c, &user).await?).then_some(user))
}

pub(super) async fn heartbeat_in_tx(c: &mut Conn, instance: &str, now: Ts) -> StoreResult<bool> {
    let updated = sql_q("UPDATE presence_instances SET heartbeat_at = $2 WHERE id = $1")
        .bind(instance.to_owned())
        .bind(now.millis())
        .execute(&mut *c)
        .await?
        .rows_affected();
    if updated == 0 {
        sql_q(
            "INSERT INTO presence_instances (id, heartbeat_at) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        )
        .bind(instance.to_owned())
        .bind(now.millis())
        .execute(&mut *c)
        .await?;
    }
    Ok(updated > 0)
}

pub(super) async fn expire_in_tx(c: &mut Conn, cutoff: Ts) -> StoreResult<Vec<String>> {
    sql_q("DELETE FROM presence_instances WHERE heartbeat_at < $1")
        .bind(cutoff.millis())
        .execute(&mut *c)
        .await?;
    // A row deleted by a concurrent expiry is not returned here: each dead connection is
    // reported by exactly one instance.
    let mut users: Vec<String> = scalar(
        "DELETE FROM presence_connections
         WHERE instance_id NOT IN (SELECT id FROM presence_instances) RETURNING user_id",
    )
    .fetch_all(&mut *c)
    .await?;
    users.sort();
    users.dedup();
    let mut gone = Vec::new();
    for u in users {
        lock_presence(c, &u).await?;
        if !has_connections(c, &u).await? {
            gone.push(u);
        }
    }
    Ok(gone)
}

pub(super) async fn instance_heartbeat(s: &PgStore, instance: &str, now: Ts) -> StoreResult<bool> {
    in_tx!(s, |c| heartbeat_in_tx(c, instance, now).await)
}

pub(super) async fn expire_instances(s: &PgStore, cutoff: Ts) -> StoreResult<Vec<String>> {
    in_tx!(s, |c| expire_in_tx(c, cutoff).await)
}
