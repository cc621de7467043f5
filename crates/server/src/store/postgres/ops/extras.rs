//! The operations added for issues 7b (shared presence) and 8a (custom fields, triggers,
//! pending navigation history, uploads), mirroring `store/sqlite/ops/extras.rs` and the
//! SQLite presence operations.

use super::*;

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

pub(super) async fn presence_connect(
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

pub(super) async fn presence_disconnect(
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

pub(super) async fn instance_heartbeat(c: &mut Conn, instance: &str, now: Ts) -> StoreResult<bool> {
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

pub(super) async fn expire_instances(c: &mut Conn, cutoff: Ts) -> StoreResult<Vec<String>> {
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

fn put_custom_field(f: &CustomField, insert: bool) -> StoreResult<PgQuery> {
    let sql = if insert {
        "INSERT INTO custom_fields (id, label, scope, doc) VALUES ($1, $2, $3, $4::json)"
    } else {
        "UPDATE custom_fields SET label = $2, scope = $3, doc = $4::json WHERE id = $1"
    };
    Ok(sql_q(sql)
        .bind(f.id.clone())
        .bind(f.label.clone())
        .bind(f.scope.clone())
        .bind(to_doc(f)?))
}

doc_row!(CustomField, "custom_fields", |d| put_custom_field(d, false));

pub(super) async fn insert_custom_field(pool: &sqlx::PgPool, f: &CustomField) -> StoreResult<()> {
    q_exec_pool(pool, put_custom_field(f, true)?).await?;
    Ok(())
}

pub(super) async fn custom_fields(
    pool: &sqlx::PgPool,
    scope: Option<&str>,
) -> StoreResult<Vec<CustomField>> {
    from_docs(
        scalar(
            "SELECT doc::text FROM custom_fields WHERE $1::text IS NULL OR scope = $1 ORDER BY id",
        )
        .bind(scope.map(str::to_owned))
        .fetch_all(pool)
        .await?,
    )
}

pub(super) async fn list_custom_fields(
    pool: &sqlx::PgPool,
    text: Option<&str>,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<CustomField>, i64)> {
    let text = text
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", like_escape(t)));
    let wh = "($1::text IS NULL OR id ILIKE $1 OR label ILIKE $1)";
    let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM custom_fields WHERE {wh}"))
        .bind(text.clone())
        .fetch_one(pool)
        .await?;
    let order = order_by(
        sort,
        &[("_id", "id"), ("label", "label"), ("scope", "scope")],
        "label",
    );
    let docs: Vec<String> = dyn_scalar(format!(
        "SELECT doc::text FROM custom_fields WHERE {wh} ORDER BY {order}, id LIMIT $2 OFFSET $3"
    ))
    .bind(text)
    .bind(limit_of(count))
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((from_docs(docs)?, total))
}

pub(super) async fn delete_by_id(pool: &sqlx::PgPool, table: &str, id: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table} WHERE id = $1")))
            .bind(id.to_owned())
            .execute(pool)
            .await?
            .rows_affected()
            > 0,
    )
}

pub(super) async fn list_triggers(
    pool: &sqlx::PgPool,
    enabled_only: bool,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<Trigger>, i64)> {
    let wh = if enabled_only { "enabled" } else { "TRUE" };
    let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM triggers WHERE {wh}"))
        .fetch_one(pool)
        .await?;
    let order = order_by(
        sort,
        &[("_id", "id"), ("name", "name"), ("enabled", "enabled")],
        // `config` lists enabled triggers in insertion order (upstream's natural order).
        if enabled_only { "seq" } else { "name" },
    );
    let docs: Vec<String> = dyn_scalar(format!(
        "SELECT doc::text FROM triggers WHERE {wh} ORDER BY {order}, id LIMIT $1 OFFSET $2"
    ))
    .bind(limit_of(count))
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((from_docs(docs)?, total))
}

pub(super) async fn put_trigger(pool: &sqlx::PgPool, t: &Trigger) -> StoreResult<()> {
    q_exec_pool(
        pool,
        sql_q(
            "INSERT INTO triggers (id, name, enabled, doc) VALUES ($1, $2, $3, $4::json)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled, doc = excluded.doc",
        )
        .bind(t.id.clone())
        .bind(t.name.clone())
        .bind(t.enabled)
        .bind(to_doc(t)?),
    )
    .await?;
    Ok(())
}

pub(super) async fn insert_pending_navigation(
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

pub(super) async fn attach_pending_navigation(
    c: &mut Conn,
    token: &str,
    rid: &str,
    now_ms: i64,
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
    // Each system message counts in the room's `msgs` (upstream's `incMsgCountById`).
    room.msgs += pending.len() as i64;
    run(c, put_room(&room, false)).await?;
    Ok(pending)
}

pub(super) async fn purge_pending_navigation(pool: &sqlx::PgPool, now_ms: i64) -> StoreResult<u64> {
    q_exec_pool(
        pool,
        sql_q("DELETE FROM navigation_pending WHERE expire_at <= $1").bind(now_ms),
    )
    .await
}

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
