//! The outbox, as in `store/sqlite/ops/outbox.rs`. A claim is one statement:
//! the due rows are locked with `FOR UPDATE SKIP LOCKED` and leased in the same UPDATE,
//! so instances claiming at once split the rows and never share one.

use super::*;

type OutboxRow = (String, String, String, i64, i64, i64, i64);

pub(super) async fn enqueue(pool: &sqlx::PgPool, item: &OutboxItem) -> StoreResult<()> {
    q_exec_pool(
        pool,
        sql_q(
            "INSERT INTO outbox (id, kind, payload, status, attempts, max_attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7)",
        )
        .bind(item.id.clone())
        .bind(item.kind.clone())
        .bind(serde_json::to_string(&item.payload)?)
        .bind(item.attempts)
        .bind(item.max_attempts)
        .bind(item.next_attempt_at.millis())
        .bind(item.created_at.millis()),
    )
    .await?;
    Ok(())
}

pub(super) async fn claim(
    pool: &sqlx::PgPool,
    now: Ts,
    lease_ms: i64,
    owner: &str,
    limit: i64,
) -> StoreResult<Vec<OutboxItem>> {
    let now_ms = now.millis();
    let mut rows: Vec<OutboxRow> = sqlx::query_as(
        "UPDATE outbox o SET locked_by = $3, locked_until = $4, attempts = o.attempts + 1
         FROM (SELECT id FROM outbox
               WHERE status = 'pending' AND next_attempt_at <= $1
                 AND (locked_until IS NULL OR locked_until <= $1)
               ORDER BY next_attempt_at, created_at LIMIT $2
               FOR UPDATE SKIP LOCKED) due
         WHERE o.id = due.id
         RETURNING o.id, o.kind, o.payload, o.attempts, o.max_attempts, o.next_attempt_at, o.created_at",
    )
    .bind(now_ms)
    .bind(limit)
    .bind(owner.to_owned())
    .bind(now_ms + lease_ms)
    .fetch_all(pool)
    .await?;
    // RETURNING has no order: the claim's order, as SQLite answers it.
    rows.sort_by_key(|r| (r.5, r.6));
    rows.into_iter()
        .map(
            |(id, kind, payload, attempts, max_attempts, next, created)| {
                Ok(OutboxItem {
                    id,
                    kind,
                    payload: serde_json::from_str(&payload)?,
                    attempts,
                    max_attempts,
                    next_attempt_at: Ts::from_millis(next),
                    created_at: Ts::from_millis(created),
                })
            },
        )
        .collect()
}

pub(super) async fn finish(
    pool: &sqlx::PgPool,
    id: &str,
    owner: &str,
    outcome: &OutboxOutcome,
) -> StoreResult<bool> {
    let query = match outcome {
        OutboxOutcome::Sent { at } => sql_q(
            "UPDATE outbox SET status = 'sent', done_at = $3, locked_by = NULL, locked_until = NULL
             WHERE id = $1 AND locked_by = $2 AND status = 'pending'",
        )
        .bind(id.to_owned())
        .bind(owner.to_owned())
        .bind(at.millis()),
        OutboxOutcome::Retry { at, error } => sql_q(
            "UPDATE outbox SET next_attempt_at = $3, last_error = $4, locked_by = NULL, locked_until = NULL
             WHERE id = $1 AND locked_by = $2 AND status = 'pending'",
        )
        .bind(id.to_owned())
        .bind(owner.to_owned())
        .bind(at.millis())
        .bind(error.clone()),
        OutboxOutcome::Failed { at, error } => sql_q(
            "UPDATE outbox SET status = 'failed', done_at = $3, last_error = $4, locked_by = NULL, locked_until = NULL
             WHERE id = $1 AND locked_by = $2 AND status = 'pending'",
        )
        .bind(id.to_owned())
        .bind(owner.to_owned())
        .bind(at.millis())
        .bind(error.clone()),
    };
    Ok(q_exec_pool(pool, query).await? == 1)
}

pub(super) async fn next_due(pool: &sqlx::PgPool) -> StoreResult<Option<Ts>> {
    let due: Option<i64> = scalar(
        "SELECT MIN(GREATEST(next_attempt_at, COALESCE(locked_until, 0)))::bigint FROM outbox
         WHERE status = 'pending'",
    )
    .fetch_one(pool)
    .await?;
    Ok(due.map(Ts::from_millis))
}

pub(super) async fn stats(pool: &sqlx::PgPool) -> StoreResult<OutboxStats> {
    let (pending, oldest, dead): (i64, Option<i64>, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0)::bigint,
                MIN(CASE WHEN status = 'pending' THEN created_at END)::bigint,
                COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)::bigint
         FROM outbox WHERE status IN ('pending', 'failed')",
    )
    .fetch_one(pool)
    .await?;
    Ok(OutboxStats {
        pending,
        oldest_pending: oldest.map(Ts::from_millis),
        dead,
    })
}

pub(super) async fn outbox_enqueue(s: &PgStore, item: &OutboxItem) -> StoreResult<()> {
    enqueue(&s.pool, item).await
}

pub(super) async fn outbox_claim(
    s: &PgStore,
    now: Ts,
    lease_ms: i64,
    owner: &str,
    limit: i64,
) -> StoreResult<Vec<OutboxItem>> {
    claim(&s.pool, now, lease_ms, owner, limit).await
}

pub(super) async fn outbox_finish(
    s: &PgStore,
    id: &str,
    owner: &str,
    outcome: &OutboxOutcome,
) -> StoreResult<bool> {
    finish(&s.pool, id, owner, outcome).await
}

pub(super) async fn outbox_next_due(s: &PgStore) -> StoreResult<Option<Ts>> {
    next_due(&s.pool).await
}

pub(super) async fn outbox_stats(s: &PgStore) -> StoreResult<OutboxStats> {
    stats(&s.pool).await
}
