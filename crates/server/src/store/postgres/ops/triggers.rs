//! Livechat triggers (upstream's `livechat/triggers`).

use super::*;

pub(super) async fn list_triggers_tx(
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

pub(super) async fn put_trigger_tx(pool: &sqlx::PgPool, t: &Trigger) -> StoreResult<()> {
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

pub(super) async fn trigger(s: &PgStore, id: &str) -> StoreResult<Option<Trigger>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn list_triggers(
    s: &PgStore,
    enabled_only: bool,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<Trigger>, i64)> {
    list_triggers_tx(&s.pool, enabled_only, offset, count, sort).await
}

pub(super) async fn put_trigger(s: &PgStore, t: &Trigger) -> StoreResult<()> {
    put_trigger_tx(&s.pool, t).await
}

pub(super) async fn delete_trigger(s: &PgStore, id: &str) -> StoreResult<bool> {
    custom_fields::delete_by_id(&s.pool, "triggers", id).await
}
