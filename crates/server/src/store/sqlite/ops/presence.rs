//! Realtime connections shared by several instances, and the instances' heartbeats.

use super::*;

pub(super) async fn presence_connect(
    s: &SqliteStore,
    instance: &str,
    conn: u64,
    user_id: &str,
    now: Ts,
) -> StoreResult<bool> {
    let (instance, user) = (instance.to_owned(), user_id.to_owned());
    s.write(move |c| {
        c.prepare_cached(
            "INSERT INTO presence_connections (instance_id, conn_id, user_id, since) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (instance_id, conn_id) DO UPDATE SET user_id = excluded.user_id, since = excluded.since",
        )?
        .execute(params![instance, conn as i64, user, now.millis()])?;
        let n: i64 = c
            .prepare_cached("SELECT COUNT(*) FROM presence_connections WHERE user_id = ?1")?
            .query_row([&user], |r| r.get(0))?;
        Ok(n == 1)
    })
    .await
}

pub(super) async fn presence_disconnect(
    s: &SqliteStore,
    instance: &str,
    conn: u64,
) -> StoreResult<Option<String>> {
    let instance = instance.to_owned();
    s.write(move |c| {
        let user: Option<String> = c
            .prepare_cached(
                "DELETE FROM presence_connections WHERE instance_id = ?1 AND conn_id = ?2 RETURNING user_id",
            )?
            .query_row(params![instance, conn as i64], |r| r.get(0))
            .optional()?;
        let Some(user) = user else { return Ok(None) };
        let left: bool = c
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM presence_connections WHERE user_id = ?1)",
            )?
            .query_row([&user], |r| r.get(0))?;
        Ok((!left).then_some(user))
    })
    .await
}

pub(super) async fn presence_count(s: &SqliteStore, user_id: &str) -> StoreResult<i64> {
    let user = user_id.to_owned();
    s.read(move |c| {
        Ok(
            c.prepare_cached("SELECT COUNT(*) FROM presence_connections WHERE user_id = ?1")?
                .query_row([&user], |r| r.get(0))?,
        )
    })
}

pub(super) async fn instance_heartbeat(
    s: &SqliteStore,
    instance: &str,
    now: Ts,
) -> StoreResult<bool> {
    let instance = instance.to_owned();
    s.write(move |c| {
        let updated = c
            .prepare_cached("UPDATE presence_instances SET heartbeat_at = ?2 WHERE id = ?1")?
            .execute(params![instance, now.millis()])?;
        if updated == 0 {
            c.prepare_cached("INSERT INTO presence_instances (id, heartbeat_at) VALUES (?1, ?2)")?
                .execute(params![instance, now.millis()])?;
        }
        Ok(updated > 0)
    })
    .await
}

pub(super) async fn expire_instances(s: &SqliteStore, cutoff: Ts) -> StoreResult<Vec<String>> {
    s.write(move |c| {
        c.prepare_cached("DELETE FROM presence_instances WHERE heartbeat_at < ?1")?
            .execute([cutoff.millis()])?;
        let users: Vec<String> = c
            .prepare_cached(
                "DELETE FROM presence_connections
                 WHERE instance_id NOT IN (SELECT id FROM presence_instances) RETURNING user_id",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut gone = Vec::new();
        for u in users {
            let left: bool = c
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM presence_connections WHERE user_id = ?1)",
                )?
                .query_row([&u], |r| r.get(0))?;
            if !left && !gone.contains(&u) {
                gone.push(u);
            }
        }
        Ok(gone)
    })
    .await
}
